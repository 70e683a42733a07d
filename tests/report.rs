//! `twinwire report`: the page, opened in a real headless Chromium (the DOM after its script ran,
//! and its console), on the sample and on a generated corpus with a hostile text; and the page
//! made from a pairs file. Browser tests say SKIPPED where Chromium is absent.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{chromium, parse_pairs, root, run, Pair};

/// A text that would run if the page put article text in as markup.
const HOSTILE: &str =
    "Officials said <script>document.body.setAttribute('data-pwned','script')</script> \
    the talks would resume <img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> \
    on Monday in Geneva after a week of delays, according to a statement from the ministry of \
    foreign affairs, which added that both delegations had agreed on an agenda.";

/// The DOM of `page` (with `#fragment`) after its script ran, and what the browser logged.
fn open_in_chromium(browser: &Path, page: &Path, fragment: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}#{fragment}", page.display());
    let out = Command::new(browser)
        .args(headless_flags(profile.path()))
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom", &url])
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn headless_flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// Console messages (the page logs none; an uncaught error is one).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// The number the page shows for a counter (`data-n` of the element with that id).
fn shown_count(dom: &str, id: &str) -> u64 {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let rest = &dom[at..];
    let n = &rest[rest.find("data-n=\"").unwrap() + 8..];
    n[..n.find('"').unwrap()].parse().unwrap()
}

fn counts(pairs: &[Pair]) -> BTreeMap<String, u64> {
    let mut c = BTreeMap::new();
    for p in pairs {
        *c.entry(p.relation.clone()).or_default() += 1;
    }
    c
}

fn assert_counts_match(dom: &str, pairs: &[Pair]) {
    let expected = counts(pairs);
    for kind in ["exact", "near_duplicate", "containment", "translation"] {
        let want = expected.get(kind).copied().unwrap_or(0);
        assert_eq!(shown_count(dom, &format!("count-{kind}")), want, "{kind}");
    }
    assert_eq!(shown_count(dom, "count-pairs"), pairs.len() as u64);
}

fn pairs_of(inputs: &[&str]) -> Vec<Pair> {
    let mut args = vec!["pairs", "-q"];
    args.extend(inputs);
    let r = run(&args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    parse_pairs(&r.stdout)
}

fn report(args: &[&str]) {
    let mut all = vec!["report", "-q"];
    all.extend(args);
    let r = run(&all);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn the_sample_report_shows_the_translation_in_chromium() {
    let Some(browser) = chromium("the_sample_report_shows_the_translation_in_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bamako.html");
    let sample = root().join("corpus/bamako");
    let sample = sample.to_str().unwrap();
    report(&[sample, "-o", page.to_str().unwrap()]);
    let pairs = pairs_of(&[sample]);
    let (dom, log) = open_in_chromium(&browser, &page, "pair=1");
    assert!(console_lines(&log).is_empty(), "{log}");
    assert!(dom.contains("id=\"errors\" role=\"alert\" hidden"), "{dom}");
    assert_counts_match(&dom, &pairs);
    assert_eq!(shown_count(&dom, "count-documents"), 5);
    // The one pair, French and English, sentence facing sentence.
    let aligned = &dom[dom.find("id=\"aligned\"").expect("aligned sentences shown")..];
    let aligned = &aligned[..aligned.find("</table>").unwrap()];
    assert!(aligned.matches("<tr>").count() > 5, "{aligned}");
    assert!(aligned.contains("Bamako") && aligned.contains("jihadistes"));
}

/// A generated corpus, plus a hostile text and its near-copy.
fn generated_corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus.jsonl");
    let sample = root().join("corpus/bamako");
    let r = run(&[
        "gen",
        sample.to_str().unwrap(),
        "-n",
        "300",
        "--seed",
        "7",
        "-o",
        corpus.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut text = std::fs::read_to_string(&corpus).unwrap();
    for (id, t) in [
        ("hostile-a", HOSTILE.to_string()),
        ("hostile-b", format!("{HOSTILE} Reporting by staff.")),
    ] {
        text.push_str(&serde_json::json!({"id": id, "text": t}).to_string());
        text.push('\n');
    }
    std::fs::write(&corpus, text).unwrap();
    corpus
}

#[test]
fn a_generated_corpus_report_opens_pairs_with_marked_passages_in_chromium() {
    let Some(browser) = chromium("a_generated_corpus_report_opens_pairs_in_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = generated_corpus(dir.path());
    let corpus = corpus.to_str().unwrap();
    let page = dir.path().join("report.html");
    // Markup in text fields is kept as text here: the page must show it, not run it.
    report(&[
        corpus,
        "--strip-html",
        "never",
        "-o",
        page.to_str().unwrap(),
    ]);
    let pairs = pairs_of(&[corpus, "--strip-html", "never"]);
    assert!(pairs.len() > 50);

    // The largest cluster's first member beside the kept document, passages marked on both sides.
    let (dom, log) = open_in_chromium(&browser, &page, "member=1/1");
    assert!(console_lines(&log).is_empty(), "{log}");
    assert_counts_match(&dom, &pairs);
    assert!(dom.contains("id=\"member-table\""), "cluster members shown");
    let sides: Vec<&str> = dom.split("<div class=\"side\"").skip(1).collect();
    assert_eq!(sides.len(), 2, "two texts side by side");
    for side in &sides {
        assert!(side.contains("<mark class=\"shared\">"), "{side}");
    }

    // The hostile pair: its text shows as text, and nothing in it ran.
    let k = pairs
        .iter()
        .position(|p| p.a.starts_with("hostile") && p.b.starts_with("hostile"))
        .expect("the hostile texts are a pair");
    let (dom, log) = open_in_chromium(&browser, &page, &format!("pair={}", k + 1));
    assert!(console_lines(&log).is_empty(), "{log}");
    assert!(
        dom.contains("&lt;script&gt;document.body.setAttribute"),
        "shown as text"
    );
    assert!(dom.contains("&lt;img src=x onerror="), "shown as text");
    let body = &dom[dom.find("<body").unwrap()..];
    let body = &body[..body.find('>').unwrap()];
    assert!(
        !body.contains("data-pwned"),
        "a script of the corpus ran: {body}"
    );
    assert!(
        body.contains("data-ready=\"1\""),
        "the page's own script ran to the end"
    );

    // A picture of it, for the README and BENCHMARKS.
    let profile = tempfile::tempdir().unwrap();
    let shot = root().join("target/report-screenshot.png");
    let url = format!("file://{}#member=1/1", page.display());
    let status = Command::new(&browser)
        .args(headless_flags(profile.path()))
        .args([
            "--window-size=1400,1100",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap()
        .status;
    assert!(status.success() && shot.metadata().unwrap().len() > 10_000);
}

#[test]
fn the_page_from_a_pairs_file_counts_what_the_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = generated_corpus(dir.path());
    let corpus = corpus.to_str().unwrap();
    let pairs_file = dir.path().join("pairs.jsonl");
    let r = run(&["pairs", "-q", corpus, "-o", pairs_file.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let (computed, given) = (dir.path().join("a.html"), dir.path().join("b.html"));
    report(&[corpus, "-o", computed.to_str().unwrap()]);
    report(&[
        corpus,
        "--pairs",
        pairs_file.to_str().unwrap(),
        "-o",
        given.to_str().unwrap(),
    ]);
    let data = |page: &Path| -> serde_json::Value {
        let html = std::fs::read_to_string(page).unwrap();
        let start = html.find("id=\"data\">").unwrap() + 10;
        let end = start + html[start..].find("</script>").unwrap();
        serde_json::from_str(&html[start..end]).unwrap()
    };
    let (a, b) = (data(&computed), data(&given));
    assert_eq!(a["summary"]["pairs"], b["summary"]["pairs"]);
    assert_eq!(a["pairs"], b["pairs"]);
    assert_eq!(
        a["clusters"], b["clusters"],
        "the same clusters and kept documents"
    );
    // No text of the corpus appears raw in the page: the hostile markup is escaped in the data.
    let html = std::fs::read_to_string(&computed).unwrap();
    assert!(!html.contains("<script>document.body"));
}

#[test]
fn a_pairs_file_that_names_other_documents_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let pairs_file = dir.path().join("pairs.jsonl");
    std::fs::write(
        &pairs_file,
        "{\"a\":\"000_037d270298f87007\",\"b\":\"002_cebe9f5fd735330a\",\"relation\":\"translation\",\"score\":0.9}\n\
         {\"a\":\"000_037d270298f87007\",\"b\":\"nowhere\",\"relation\":\"exact\",\"score\":1}\n",
    )
    .unwrap();
    let sample = root().join("corpus/bamako");
    let page = dir.path().join("r.html");
    let r = run(&[
        "report",
        "-q",
        sample.to_str().unwrap(),
        "--pairs",
        pairs_file.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("pairs.jsonl:2"), "{}", r.stderr);
    assert!(r.stderr.contains("\"nowhere\""), "{}", r.stderr);
    assert!(!page.exists(), "no page from a refused run");
}

#[test]
fn the_report_writes_aligned_sentences_as_pairs_does() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("corpus/bamako");
    let (from_report, from_pairs) = (dir.path().join("r.jsonl"), dir.path().join("p.jsonl"));
    report(&[
        sample.to_str().unwrap(),
        "-o",
        dir.path().join("r.html").to_str().unwrap(),
        "--aligned-sentences",
        from_report.to_str().unwrap(),
    ]);
    let r = run(&[
        "pairs",
        "-q",
        sample.to_str().unwrap(),
        "--aligned-sentences",
        from_pairs.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let written = std::fs::read_to_string(&from_report).unwrap();
    assert!(written.lines().count() > 5, "{written}");
    assert_eq!(written, std::fs::read_to_string(&from_pairs).unwrap());
}

/// A page in headless Chromium driven over the DevTools protocol: JavaScript evaluated in the page,
/// as a person's clicks and typing would run it.
struct Browser {
    process: std::process::Child,
    socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn open(browser: &Path, url: &str) -> Browser {
        use std::io::BufRead;
        let profile = tempfile::tempdir().unwrap();
        let mut process = Command::new(browser)
            .args(headless_flags(profile.path()))
            .args(["--remote-debugging-port=0", "about:blank"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = std::io::BufReader::new(process.stderr.take().unwrap());
        let endpoint = stderr
            .lines()
            .map_while(Result::ok)
            .find_map(|l| Some(l.split("DevTools listening on ").nth(1)?.trim().to_string()))
            .expect("chromium prints its DevTools address");
        let (socket, _) = tungstenite::connect(&endpoint).expect("DevTools answers");
        let mut b = Browser {
            process,
            socket,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = b.call(
            None,
            "Target.createTarget",
            serde_json::json!({ "url": url }),
        );
        let target = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call(
            None,
            "Target.attachToTarget",
            serde_json::json!({ "targetId": target, "flatten": true }),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        // The page's script has run to its end.
        b.wait_until("document.body && document.body.dataset.ready === '1'");
        b
    }

    /// Waits (up to 10 s) for a JavaScript condition to hold in the page.
    fn wait_until(&mut self, condition: &str) {
        for _ in 0..200 {
            if self.eval(condition) == true {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("never true: {condition}");
    }

    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        self.next_id += 1;
        let mut message =
            serde_json::json!({ "id": self.next_id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = serde_json::Value::String(s.to_string());
        }
        self.socket
            .send(tungstenite::Message::Text(message.to_string()))
            .unwrap();
        loop {
            let reply = self.socket.read().unwrap();
            let tungstenite::Message::Text(text) = reply else {
                continue;
            };
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            if v["id"] == self.next_id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page (an exception fails the test).
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let session = self.session.clone();
        let r = self.call(
            Some(&session),
            "Runtime.evaluate",
            serde_json::json!({ "expression": expression, "returnByValue": true }),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
        r["result"]["value"].clone()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[test]
fn the_cluster_list_sorts_filters_and_opens_pairs_on_clicks_in_chromium() {
    let Some(browser) =
        chromium("the_cluster_list_sorts_filters_and_opens_pairs_on_clicks_in_chromium")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = generated_corpus(dir.path());
    let page = dir.path().join("report.html");
    report(&[corpus.to_str().unwrap(), "-o", page.to_str().unwrap()]);
    let mut b = Browser::open(&browser, &format!("file://{}", page.display()));
    let column = |b: &mut Browser, n: usize| -> Vec<String> {
        let v = b.eval(&format!(
            "[...document.querySelectorAll('#cluster-table tbody tr td:nth-child({n})')].map(td => td.textContent)"
        ));
        serde_json::from_value(v).unwrap()
    };
    let sorted_desc = |v: &[String]| v.windows(2).all(|w| w[0] >= w[1]);

    // Largest first at load; a click on "weakest score" sorts by it, a second click reverses.
    let sizes: Vec<usize> = column(&mut b, 2)
        .iter()
        .map(|s| s.replace(',', "").parse().unwrap())
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]) && sizes.len() > 10,
        "{sizes:?}"
    );
    b.eval("document.querySelector('#cluster-table th[data-sort=weakest]').click()");
    let weakest = column(&mut b, 5);
    assert!(sorted_desc(&weakest), "{weakest:?}");
    b.eval("document.querySelector('#cluster-table th[data-sort=weakest]').click()");
    let mut ascending = column(&mut b, 5);
    ascending.reverse();
    assert!(sorted_desc(&ascending), "{ascending:?}");

    // Typing an id keeps the clusters that hold it; choosing a relation keeps those with it.
    let id: String = serde_json::from_value(
        b.eval("document.querySelector('#cluster-table tbody tr td:nth-child(3)').textContent"),
    )
    .unwrap();
    b.eval(&format!(
        "{{ const s = document.getElementById('cluster-search'); s.value = {}; s.dispatchEvent(new Event('input')) }}",
        serde_json::Value::String(id.clone())
    ));
    let count: String =
        serde_json::from_value(b.eval("document.getElementById('cluster-count').textContent"))
            .unwrap();
    assert!(count.starts_with("1 of "), "{count}");
    b.eval("{ const s = document.getElementById('cluster-search'); s.value = ''; s.dispatchEvent(new Event('input')) }");
    b.eval("{ const k = document.getElementById('cluster-kind'); k.value = '2'; k.dispatchEvent(new Event('change')) }");
    let relations = column(&mut b, 4);
    assert!(
        !relations.is_empty() && relations.iter().all(|r| r.contains("containment")),
        "{relations:?}"
    );

    // A click on a cluster shows its members; a click on "compare" shows the pair, passages marked.
    b.eval("document.querySelector('#cluster-table tbody tr').click()");
    b.wait_until("document.querySelectorAll('#member-table tbody tr').length >= 2");
    b.eval("document.querySelector('#member-table a.open').click()");
    b.wait_until("document.querySelectorAll('#pair .side').length === 2");
    let marked = b.eval("document.querySelectorAll('#pair .side mark.shared').length");
    assert!(marked.as_u64().unwrap() >= 2, "{marked}");
    let errors = b.eval("document.getElementById('errors').hidden");
    assert_eq!(errors, true);
}
