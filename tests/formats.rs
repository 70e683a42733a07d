//! The formats real dumps come in, through the binary: Parquet in and out, WARC and HTML pages, JSON
//! arrays, sniffed names and compressions, nested fields, standard output as `-`, the config file.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray, StructArray};
use arrow_schema::{DataType, Field};
use common::{parse_pairs, root, run};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The five Bamako articles of the bundled sample: (file stem, text).
fn bamako() -> Vec<(String, String)> {
    let mut files: Vec<_> = fs::read_dir(root().join("corpus/bamako"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, fs::read_to_string(f).unwrap())
        })
        .collect()
}

/// A dump with planted twins: each Bamako article, then a reposted copy of 001 and a cut of 004.
fn dump() -> Vec<(String, String)> {
    let mut docs = bamako();
    let copy = docs[1].1.clone();
    let cut: String = docs[4]
        .1
        .split("\n\n")
        .take(3)
        .collect::<Vec<_>>()
        .join("\n\n");
    docs.push(("repost-001".into(), copy));
    docs.push(("cut-004".into(), cut));
    docs
}

/// Writes `docs` as Parquet with columns url, body, n (int), meta {lang, source} (a struct).
fn write_parquet(path: &Path, docs: &[(String, String)]) {
    let url: ArrayRef = Arc::new(StringArray::from_iter_values(
        docs.iter().map(|d| d.0.clone()),
    ));
    let body: ArrayRef = Arc::new(StringArray::from_iter_values(
        docs.iter().map(|d| d.1.clone()),
    ));
    let n: ArrayRef = Arc::new(Int64Array::from_iter_values(0..docs.len() as i64));
    let lang: ArrayRef = Arc::new(StringArray::from_iter_values(docs.iter().map(|d| {
        if d.0.starts_with("002") {
            "fr"
        } else {
            "en"
        }
    })));
    let source: ArrayRef = Arc::new(StringArray::from_iter_values(docs.iter().map(|_| "wire")));
    let meta: ArrayRef = Arc::new(StructArray::from(vec![
        (Arc::new(Field::new("lang", DataType::Utf8, false)), lang),
        (
            Arc::new(Field::new("source", DataType::Utf8, false)),
            source,
        ),
    ]));
    let batch =
        RecordBatch::try_from_iter([("url", url), ("body", body), ("n", n), ("meta", meta)])
            .unwrap();
    let mut w =
        ArrowWriter::try_new(fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    // Two row groups, so that reading streams across them.
    let half = batch.num_rows() / 2;
    w.write(&batch.slice(0, half)).unwrap();
    w.flush().unwrap();
    w.write(&batch.slice(half, batch.num_rows() - half))
        .unwrap();
    w.close().unwrap();
}

fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

fn pair_set(stdout: &[u8]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = parse_pairs(stdout)
        .into_iter()
        .map(|p| (p.a, p.b, p.relation))
        .collect();
    v.sort();
    v
}

#[test]
fn parquet_in_gives_the_pairs_jsonl_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (pq, jl) = (dir.path().join("d.parquet"), dir.path().join("d.jsonl"));
    write_parquet(&pq, &dump());
    common::write_jsonl(&jl, &dump());
    let from_parquet = run(&[
        "pairs",
        p(&pq),
        "--text-field",
        "body",
        "--id-field",
        "url",
        "--lang-field",
        "meta.lang",
    ]);
    assert_eq!(from_parquet.code, Some(0), "{}", from_parquet.stderr);
    let from_jsonl = run(&["pairs", p(&jl)]);
    let found = pair_set(&from_parquet.stdout);
    assert_eq!(found, pair_set(&from_jsonl.stdout));
    for (a, b) in [
        ("000_037d270298f87007", "002_cebe9f5fd735330a"),
        ("001_35dc1731561789f4", "repost-001"),
        ("004_429b7ec007db3dca", "cut-004"),
    ] {
        assert!(
            found.iter().any(|f| f.0 == a && f.1 == b),
            "{a} {b} missing from {found:?}"
        );
    }
    // A column that is not there: the error names the columns there are.
    let r = run(&["pairs", p(&pq)]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("no column \"text\" (columns: url, body, n, meta)"),
        "{}",
        r.stderr
    );
}

#[test]
fn dedupe_writes_kept_parquet_rows_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("d.parquet");
    write_parquet(&pq, &dump());
    let kept = dir.path().join("kept.parquet");
    let kept_jsonl = dir.path().join("kept.jsonl");
    let removed = dir.path().join("removed.jsonl");
    for out in [&kept, &kept_jsonl] {
        let r = run(&[
            "dedupe",
            p(&pq),
            "--text-field",
            "body",
            "--id-field",
            "url",
            "-o",
            p(out),
            "--removed",
            p(&removed),
            "--relations",
            "exact,near_duplicate,containment",
        ]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
    }
    let input = read_parquet(&pq);
    let output = read_parquet(&kept);
    assert_eq!(input[0].schema(), output[0].schema());
    let kept_rows: usize = output.iter().map(|b| b.num_rows()).sum();
    let removed_lines = fs::read_to_string(&removed).unwrap().lines().count();
    assert_eq!(kept_rows + removed_lines, dump().len());
    assert_eq!(removed_lines, 2, "the repost and the cut");
    // The kept rows are the input rows, unchanged, in order: compare with the JSONL KEPT.
    let urls: Vec<String> = output
        .iter()
        .flat_map(|b| {
            let a = b
                .column(0)
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap()
                .clone();
            (0..a.len()).map(move |i| a.value(i).to_string())
        })
        .collect();
    let from_jsonl: Vec<String> = fs::read_to_string(&kept_jsonl)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(urls, from_jsonl);
    assert!(!urls.contains(&"repost-001".to_string()) && !urls.contains(&"cut-004".to_string()));
    // Each JSONL line holds the whole row, struct column included.
    let first: serde_json::Value = serde_json::from_str(
        fs::read_to_string(&kept_jsonl)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["meta"]["source"], "wire");
}

fn site_page(site: &str, title: &str, body: &str) -> String {
    let paragraphs: String = body
        .split("\n\n")
        .map(|p| format!("<p>{}</p>\n", p.replace('&', "&amp;").replace('<', "&lt;")))
        .collect();
    let nav: String = ["Home", "World", "Business", "Sport", "Culture", "Opinion"]
        .iter()
        .map(|s| format!("<li><a href=\"/{s}\">{site} {s}</a></li>"))
        .collect();
    let related: String = (1..6)
        .map(|i| {
            format!("<li><a href=\"/r{i}\">{site} related story number {i} about markets</a></li>")
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title} | {site}</title>\
         <script>window.analytics = {{site: \"{site}\"}};</script><style>body{{font:1em serif}}</style></head>\
         <body><div id=\"cookie-banner\" class=\"cookie-consent\">{site} uses cookies to improve your experience. Accept all cookies?</div>\
         <header><nav class=\"menu\"><ul>{nav}</ul></nav></header>\
         <main><article><h1>{title}</h1>{paragraphs}</article></main>\
         <aside class=\"sidebar related\"><h3>More from {site}</h3><ul>{related}</ul></aside>\
         <section id=\"comments\" class=\"comments\"><div class=\"comment\">{site} reader: first comment, what a story</div></section>\
         <footer>Copyright 2024 {site} Media Group. All rights reserved.</footer></body></html>"
    )
}

fn warc_record(uri: &str, html: &str) -> Vec<u8> {
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-09-18T10:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Type: application/http; msgtype=response\r\n\
         Content-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    r.extend_from_slice(http.as_bytes());
    r.extend_from_slice(b"\r\n\r\n");
    r
}

#[test]
fn two_sites_publishing_one_wire_story_are_twins_in_warc_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let docs = bamako();
    let story = &docs[1].1;
    let other = &docs[3].1;
    // One gzip member per record, as Common Crawl writes them.
    let mut warc = Vec::new();
    for (uri, html) in [
        (
            "https://alpha.example/mali-attack",
            site_page("Alpha News", "Attack in Bamako", story),
        ),
        (
            "https://beta.example/2024/09/bamako",
            site_page("Beta Daily", "Mali: attack in Bamako", story),
        ),
        (
            "https://beta.example/2023/older",
            site_page("Beta Daily", "Older report", other),
        ),
    ] {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&warc_record(uri, &html)).unwrap();
        warc.extend(gz.finish().unwrap());
    }
    let warc_path = dir.path().join("crawl.warc.gz");
    fs::write(&warc_path, &warc).unwrap();
    let r = run(&["pairs", p(&warc_path)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let found = pair_set(&r.stdout);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "https://alpha.example/mali-attack");
    assert_eq!(found[0].1, "https://beta.example/2024/09/bamako");
    assert!(
        matches!(found[0].2.as_str(), "exact" | "near_duplicate"),
        "{found:?}"
    );

    // The same pages as .html files; the extracted text leaves the sites' furniture out.
    let pages = dir.path().join("pages");
    fs::create_dir(&pages).unwrap();
    fs::write(
        pages.join("alpha.html"),
        site_page("Alpha News", "Attack in Bamako", story),
    )
    .unwrap();
    fs::write(
        pages.join("beta.htm"),
        site_page("Beta Daily", "Mali: attack in Bamako", story),
    )
    .unwrap();
    let r = run(&["pairs", p(&pages)]);
    assert_eq!(pair_set(&r.stdout).len(), 1, "{}", r.stderr);
    let out = dir.path().join("export.jsonl");
    let r = run(&["export", p(&pages), "-o", p(&out)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let exported = fs::read_to_string(&out).unwrap();
    for leaked in [
        "cookies",
        "related story",
        "first comment",
        "Copyright",
        "analytics",
        "font:",
    ] {
        assert!(!exported.contains(leaked), "{leaked} leaked: {exported}");
    }
    assert!(exported.contains("Bamako"));
}

#[test]
fn json_arrays_unknown_names_and_compressed_stdin_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dump();
    let array: Vec<serde_json::Value> = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}))
        .collect();
    let json = dir.path().join("d.json");
    fs::write(&json, serde_json::to_string_pretty(&array).unwrap()).unwrap();
    let want = pair_set(&run(&["pairs", p(&json)]).stdout);
    assert!(want.len() >= 3, "{want:?}");
    // The same as JSON lines, zstd-compressed, under a name that says nothing.
    let jl = dir.path().join("d.jsonl");
    common::write_jsonl(&jl, &docs);
    let odd = dir.path().join("dump.data");
    fs::write(
        &odd,
        zstd::encode_all(&fs::read(&jl).unwrap()[..], 3).unwrap(),
    )
    .unwrap();
    let r = run(&["pairs", p(&odd)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(pair_set(&r.stdout), want);
    // In a folder, that name is skipped with a warning (a folder holds stray files)...
    let folder = dir.path().join("folder");
    fs::create_dir(&folder).unwrap();
    fs::copy(&odd, folder.join("dump.data")).unwrap();
    let r = run(&["pairs", p(&folder)]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("dump.data: a file type twinwire does not read in a folder"),
        "{}",
        r.stderr
    );
    // ... unless --format says what it is.
    let r = run(&["pairs", p(&folder), "--format", "jsonl"]);
    assert_eq!(pair_set(&r.stdout), want, "{}", r.stderr);
    // Gzip bytes on standard input.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&fs::read(&jl).unwrap()).unwrap();
    let out = common::twinwire()
        .args(["pairs", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(&gz.finish().unwrap())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(pair_set(&out.stdout), want);
}

#[test]
fn html_in_a_text_field_is_stripped_when_it_looks_like_html() {
    let dir = tempfile::tempdir().unwrap();
    let docs = bamako();
    let story = &docs[1].1;
    let as_html: String = story.split("\n\n").map(|p| format!("<p>{p}</p>")).collect();
    let jl = dir.path().join("d.jsonl");
    common::write_jsonl(
        &jl,
        &[("plain".into(), story.clone()), ("html".into(), as_html)],
    );
    let r = run(&["pairs", p(&jl)]);
    let found = parse_pairs(&r.stdout);
    assert_eq!(found.len(), 1, "{}", r.stderr);
    assert_eq!(
        found[0].relation, "exact",
        "markup removed, the texts are the same"
    );
    let r = run(&["pairs", p(&jl), "--strip-html", "never"]);
    let found = parse_pairs(&r.stdout);
    assert!(
        found.is_empty() || found[0].relation != "exact",
        "{found:?}"
    );
}

#[test]
fn standard_output_is_dash_and_the_config_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let jl = dir.path().join("d.jsonl");
    let docs: Vec<(String, String)> = dump();
    let lines: String = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"url": id, "body": {"text": text}}).to_string() + "\n")
        .collect();
    fs::write(&jl, lines).unwrap();
    fs::write(
        dir.path().join("twinwire.toml"),
        "id-field = \"url\"\ntext-field = \"body.text\"\n[dedupe]\nkeep = \"first\"\n",
    )
    .unwrap();
    let out = common::twinwire()
        .current_dir(dir.path())
        .args(["dedupe", "d.jsonl", "-o", "-", "--removed", "removed.jsonl"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !dir.path().join("-").exists(),
        "- is standard output, not a file"
    );
    let kept = String::from_utf8_lossy(&out.stdout).lines().count();
    let removed = fs::read_to_string(dir.path().join("removed.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(kept + removed, docs.len());
    assert!(removed >= 2, "{stderr}");
    // A flag overrides the file; two outputs cannot both be standard output.
    let out = common::twinwire()
        .current_dir(dir.path())
        .args(["pairs", "d.jsonl", "--id-field", "nope"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("d.jsonl:"),
        "ids fall back to FILE:LINE"
    );
    let out = common::twinwire()
        .current_dir(dir.path())
        .args(["dedupe", "d.jsonl", "-o", "-", "--removed", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only one output can be standard output"));
    // A typo in the file is an error naming it.
    fs::write(dir.path().join("twinwire.toml"), "id_field = \"url\"\n").unwrap();
    let out = common::twinwire()
        .current_dir(dir.path())
        .args(["pairs", "d.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("twinwire.toml: id_field: no twinwire subcommand has a --id_field option"));
}

#[test]
fn the_summary_names_unchecked_languages_and_the_clusters_files_groups() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = dump();
    docs.push((
        "german".into(),
        "Der Präsident ist am Dienstag nicht in Berlin gewesen, und die Regierung hat sich mit den \
         Ländern auf eine Reform der Polizei geeinigt, die nach dem Anschlag in der Hauptstadt von \
         allen Parteien gefordert wurde. Die Minister wollen sich in der nächsten Woche wieder \
         treffen, um über die Kosten zu sprechen."
            .into(),
    ));
    // A table of figures: no language, never a translation.
    docs.push((
        "table".into(),
        "Shr 20.9p, a 22.3 pct rise\nTurnover 9.42 billion, a 12.4 pct increase\nPretax profit \
         2.07 billion, a 11.7 pct rise\nOperating profit 629.0 mln, a 12.1 pct increase"
            .into(),
    ));
    let jl = dir.path().join("d.jsonl");
    common::write_jsonl(&jl, &docs);
    let clusters = dir.path().join("clusters.jsonl");
    let kept = dir.path().join("kept.jsonl");
    let r = run(&["dedupe", p(&jl), "-o", p(&kept), "--clusters", p(&clusters)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains("not checked for translations: de"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("not told 1"), "{}", r.stderr);
    let lines = fs::read_to_string(&clusters).unwrap().lines().count();
    assert!(
        r.stderr.contains(&format!(
            "{lines} lines in {}: 2 duplicate clusters",
            p(&clusters)
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("and 1 groups of translations only"),
        "{}",
        r.stderr
    );
}

#[test]
fn aligned_sentences_come_as_jsonl_tsv_and_valid_tmx() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("corpus/bamako");
    let (jl, tsv, tmx) = (
        dir.path().join("a.jsonl"),
        dir.path().join("a.tsv"),
        dir.path().join("a.tmx"),
    );
    for (path, format) in [(&jl, "jsonl"), (&tsv, "tsv"), (&tmx, "tmx")] {
        let r = run(&[
            "pairs",
            p(&sample),
            "--aligned-sentences",
            p(path),
            "--aligned-format",
            format,
        ]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stderr.contains("aligned sentence groups written"),
            "{}",
            r.stderr
        );
    }
    let groups: Vec<serde_json::Value> = fs::read_to_string(&jl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The one translation pair of the sample: its groups, in order, the first being the lead.
    let pair = parse_pairs(&run(&["pairs", p(&sample)]).stdout);
    assert_eq!(pair.len(), 1);
    assert!(groups.len() >= 20, "{}", groups.len());
    for g in &groups {
        assert_eq!(
            (g["a"].as_str().unwrap(), g["b"].as_str().unwrap()),
            (pair[0].a.as_str(), pair[0].b.as_str())
        );
        assert_eq!(
            (g["lang_a"].as_str(), g["lang_b"].as_str()),
            (Some("en"), Some("fr"))
        );
        assert!(
            !g["text_a"].as_str().unwrap().is_empty() && !g["text_b"].as_str().unwrap().is_empty()
        );
    }
    assert!(groups[0]["text_a"]
        .as_str()
        .unwrap()
        .contains("double attack"));
    assert!(groups[0]["text_b"]
        .as_str()
        .unwrap()
        .contains("double attaque"));
    // TSV: a header and one row a group, seven columns.
    let rows: Vec<String> = fs::read_to_string(&tsv)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(rows[0], "a\tb\tlang_a\tlang_b\ttext_a\ttext_b\tscore");
    assert_eq!(rows.len(), groups.len() + 1);
    assert!(rows[1..].iter().all(|r| r.split('\t').count() == 7));
    // TMX 1.4b: valid XML, one <tu> a group with an English and a French <tuv>.
    let text = fs::read_to_string(&tmx).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the TMX is valid XML");
    let root_el = doc.root_element();
    assert_eq!(
        (root_el.tag_name().name(), root_el.attribute("version")),
        ("tmx", Some("1.4"))
    );
    let tus: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("tu")).collect();
    assert_eq!(tus.len(), groups.len());
    let xml_lang = ("http://www.w3.org/XML/1998/namespace", "lang");
    let langs: Vec<&str> = tus[0]
        .children()
        .filter(|n| n.has_tag_name("tuv"))
        .map(|n| n.attribute(xml_lang).unwrap())
        .collect();
    assert_eq!(langs, ["en", "fr"]);
    let seg = tus[0]
        .descendants()
        .find(|n| n.has_tag_name("seg"))
        .unwrap();
    assert_eq!(seg.text(), groups[0]["text_a"].as_str());
}
