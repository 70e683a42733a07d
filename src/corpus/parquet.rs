//! Apache Parquet input (the format of Hugging Face datasets and most data lakes), and Parquet output
//! of kept rows.
//!
//! Row groups are streamed a batch at a time. Each row is turned into the JSON object a JSONL dump
//! would hold (by `arrow-json`), so the text, id, title and language fields (`a.b` paths into struct
//! columns included), the rejects and the records written back behave as for JSONL. When the records
//! are not kept, only the columns holding those fields are decoded.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;

use arrow_array::{BooleanArray, RecordBatch, RecordBatchReader};
use arrow_json::LineDelimitedWriter;
use arrow_schema::{ArrowError, Schema};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;

use super::{InputError, Reader, Record, WarningKind};

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is decoding Parquet rows, where a panic of the `parquet` crate is caught and
/// reported as a damaged file. A panic hook can stay silent then (the binary's does).
pub fn in_guarded_read() -> bool {
    GUARDED.with(|g| g.get())
}

/// Rows decoded at a time.
const BATCH_ROWS: usize = 1024;

/// A Parquet file opened for reading its rows as JSON objects.
pub struct ParquetRows {
    batches: ParquetRecordBatchReader,
}

/// Why a Parquet file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ParquetInputError {
    #[error("not a readable Parquet file ({0})")]
    Parquet(#[from] ParquetError),
    #[error("cannot decode its rows ({0})")]
    Arrow(#[from] ArrowError),
    #[error("a damaged Parquet file ({0})")]
    Damaged(String),
    #[error(
        "no column \"{wanted}\" (columns: {have}); name the column holding the article with --text-field"
    )]
    NoTextColumn { wanted: String, have: String },
}

impl ParquetRows {
    /// Opens `source`. `fields` are the JSON paths that will be read (text first); when `whole_rows`
    /// is false only their root columns are decoded.
    pub fn open<T: ChunkReader + 'static>(
        source: T,
        fields: &[&str],
        whole_rows: bool,
    ) -> Result<ParquetRows, ParquetInputError> {
        let length = source.len();
        let builder = ParquetRecordBatchReaderBuilder::try_new(source)?.with_batch_size(BATCH_ROWS);
        check_chunks(builder.metadata(), length)?;
        let roots: Vec<String> = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let root_of = |path: &str| -> Option<usize> {
            // A column named with a dot wins over a path into a struct column.
            roots.iter().position(|r| r == path).or_else(|| {
                let first = path.split('.').next()?;
                roots.iter().position(|r| r == first)
            })
        };
        if root_of(fields[0]).is_none() {
            return Err(ParquetInputError::NoTextColumn {
                wanted: fields[0].to_string(),
                have: roots.join(", "),
            });
        }
        let builder = if whole_rows {
            builder
        } else {
            let wanted: Vec<usize> = fields.iter().filter_map(|f| root_of(f)).collect();
            let mask = ProjectionMask::roots(builder.parquet_schema(), wanted);
            builder.with_projection(mask)
        };
        Ok(ParquetRows {
            batches: builder.build()?,
        })
    }

    /// The next batch of rows, each as one JSON object (without line end), in file order.
    pub fn next_rows(&mut self) -> Option<Result<Vec<Vec<u8>>, ParquetInputError>> {
        // The `parquet` and `arrow` crates assert on some damage they do not check for: a panic in
        // them is a damaged file, not a crash of the run (and not a message: see `in_guarded_read`).
        GUARDED.with(|g| g.set(true));
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.batches.next()));
        GUARDED.with(|g| g.set(false));
        let batch = match next {
            Ok(None) => return None,
            Ok(Some(Ok(b))) => b,
            Ok(Some(Err(e))) => return Some(Err(e.into())),
            Err(_) => {
                return Some(Err(ParquetInputError::Damaged(
                    "the parquet reader gave up on it".into(),
                )))
            }
        };
        Some(rows_as_json(&batch).map_err(Into::into))
    }
}

/// Refuses column chunks that lie outside the file: the `parquet` crate asserts on them (a panic)
/// when it reads a damaged file.
fn check_chunks(metadata: &ParquetMetaData, file_length: u64) -> Result<(), ParquetInputError> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        for column in group.columns() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or(column.data_page_offset());
            let length = column.compressed_size();
            let fits = start >= 0
                && length >= 0
                && (start as u64)
                    .checked_add(length as u64)
                    .is_some_and(|end| end <= file_length);
            if !fits {
                return Err(ParquetInputError::Damaged(format!(
                    "row group {g}: column {} lies outside the file (offset {start}, {length} bytes, \
                     file of {file_length} bytes)",
                    column.column_path()
                )));
            }
        }
    }
    Ok(())
}

fn rows_as_json(batch: &RecordBatch) -> Result<Vec<Vec<u8>>, ArrowError> {
    let mut out = Vec::with_capacity(batch.num_rows() * 256);
    let mut writer = LineDelimitedWriter::new(&mut out);
    writer.write(batch)?;
    writer.finish()?;
    drop(writer);
    Ok(out
        .split(|&b| b == b'\n')
        .take(batch.num_rows())
        .map(<[u8]>::to_vec)
        .collect())
}

impl Reader<'_> {
    /// Reads a Parquet file, from its path (seekable) or else from the whole stream in memory
    /// (standard input, a compressed file).
    pub(super) fn read_parquet(
        &mut self,
        mut stream: Box<dyn BufRead + '_>,
        shown: &Arc<str>,
        path: Option<&Path>,
    ) -> Result<(), InputError> {
        let opts = self.options;
        let fields = [
            opts.text_field.as_str(),
            &opts.id_field,
            &opts.title_field,
            &opts.lang_field,
        ];
        let whole_rows = opts.keep_records || opts.keep_rejects;
        let rows = match path {
            Some(p) => File::open(p)
                .map_err(|e| ParquetInputError::Parquet(ParquetError::External(Box::new(e))))
                .and_then(|f| ParquetRows::open(f, &fields, whole_rows)),
            None => {
                let mut bytes = Vec::new();
                if let Err(e) = stream.read_to_end(&mut bytes) {
                    return self.warn_read_error(shown, &e, true);
                }
                ParquetRows::open(Bytes::from(bytes), &fields, whole_rows)
            }
        };
        let mut rows = match rows {
            Ok(r) => r,
            Err(e) => return self.warn_at(shown, WarningKind::BadParquet, format!("{e}; skipped")),
        };
        // Rows of a file can be read again to write the kept ones unchanged; from a stream, not.
        let as_record = if path.is_some() {
            Record::ParquetRow
        } else {
            Record::JsonLine
        };
        let mut rank = 0u64;
        while let Some(batch) = rows.next_rows() {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    return self.reject(shown, rank + 1, None, WarningKind::BadParquet,
                        format!("row {}: {e}; the {rank} rows before it were read, the rest of the file is skipped", rank + 1))
                }
            };
            for row in batch {
                rank += 1;
                if self.wanted(shown, rank) {
                    self.read_json_record(&row, shown, rank, as_record)?;
                }
            }
        }
        Ok(())
    }
}

/// Writes the rows of Parquet `inputs` whose 1-based rank is in `keep[i]` (for input i) to `out`,
/// unchanged, in input order. Every input must have the same schema.
pub fn write_kept_rows<W: Write + Send>(
    inputs: &[(Arc<str>, HashSet<u64>)],
    out: W,
) -> Result<(), String> {
    let mut writer: Option<ArrowWriter<W>> = None;
    let mut out = Some(out);
    let mut first_schema: Option<(Arc<str>, Arc<Schema>)> = None;
    for (file, keep) in inputs {
        let source = File::open(&**file).map_err(|e| format!("{file}: cannot open ({e})"))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(source)
            .and_then(|b| b.with_batch_size(BATCH_ROWS).build())
            .map_err(|e| format!("{file}: cannot read it again to write its kept rows ({e})"))?;
        let schema = reader.schema();
        match &first_schema {
            None => first_schema = Some((file.clone(), schema.clone())),
            Some((first, s)) if s.fields() != schema.fields() => {
                return Err(format!(
                    "{file} and {first} have different columns; KEPT as Parquet needs one schema. \
                     Write KEPT as .jsonl, or dedupe them separately"
                ))
            }
            Some(_) => {}
        }
        if writer.is_none() {
            let sink = out.take().expect("one writer");
            let w = ArrowWriter::try_new(sink, schema.clone(), None).map_err(|e| e.to_string())?;
            writer = Some(w);
        }
        let w = writer.as_mut().expect("created above");
        let mut rank = 0u64;
        for batch in reader {
            let batch = batch.map_err(|e| format!("{file}: {e}"))?;
            let mask: BooleanArray = (0..batch.num_rows() as u64)
                .map(|i| Some(keep.contains(&(rank + i + 1))))
                .collect();
            rank += batch.num_rows() as u64;
            let kept = arrow_select::filter::filter_record_batch(&batch, &mask)
                .map_err(|e| e.to_string())?;
            if kept.num_rows() > 0 {
                w.write(&kept).map_err(|e| e.to_string())?;
            }
        }
    }
    match writer {
        Some(w) => w.close().map(|_| ()).map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

/// Writes JSON `records` (one object each) as Parquet rows, with a schema inferred from them.
pub fn write_json_records<W: Write + Send>(records: &[&[u8]], out: W) -> Result<(), String> {
    let values = records.iter().map(|r| {
        serde_json::from_slice::<serde_json::Value>(r)
            .map_err(|e| ArrowError::JsonError(e.to_string()))
    });
    let schema = Arc::new(
        arrow_json::reader::infer_json_schema_from_iterator(values).map_err(|e| e.to_string())?,
    );
    let mut decoder = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(BATCH_ROWS)
        .build_decoder()
        .map_err(|e| e.to_string())?;
    let mut writer = ArrowWriter::try_new(out, schema, None).map_err(|e| e.to_string())?;
    for chunk in records.chunks(BATCH_ROWS) {
        for r in chunk {
            decoder.decode(r).map_err(|e| e.to_string())?;
            decoder.decode(b"\n").map_err(|e| e.to_string())?;
        }
        if let Some(batch) = decoder.flush().map_err(|e| e.to_string())? {
            writer.write(&batch).map_err(|e| e.to_string())?;
        }
    }
    writer.close().map(|_| ()).map_err(|e| e.to_string())
}
