//! What a scan writes: one record per input document, in input order, as
//! JSONL or Parquet.
//!
//! JSONL: `unspin check --json`'s object plus `id` and `location` (and
//! `restored` with --restore); a document that could not be read is
//! `{"id", "location", "error": {"kind", "message"}}`.
//!
//! Parquet: columns `id`, `location`, `score`, `spun`, `findings` (a list
//! of structs `start, end, text, suggestion, confidence, source`),
//! `restored` (with --restore), `error_kind`, `error`; the check columns
//! are null on error rows and the error columns null on checked rows.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, ListArray, RecordBatch, StringArray, StructArray, UInt64Array};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::Serialize;
use unspin_engine::{Finding, Report};

use crate::ReadError;

/// The result for one input record.
#[derive(Debug)]
pub struct Outcome {
    pub id: String,
    pub location: String,
    pub input_position: u64,
    pub result: OutcomeKind,
}

#[derive(Debug)]
pub enum OutcomeKind {
    Checked { report: Report, restored: Option<String>, text_bytes: usize },
    Unreadable(ReadError),
    Skipped(&'static str),
}

#[derive(Serialize)]
struct CheckedRecord<'a> {
    id: &'a str,
    location: &'a str,
    #[serde(flatten)]
    report: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    restored: Option<&'a str>,
}

#[derive(Serialize)]
struct ErrorRecord<'a> {
    id: &'a str,
    location: &'a str,
    error: &'a ReadError,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Jsonl,
    Parquet,
}

impl std::str::FromStr for OutFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<OutFormat, String> {
        match s {
            "jsonl" => Ok(OutFormat::Jsonl),
            "parquet" => Ok(OutFormat::Parquet),
            _ => Err(format!("unknown output format {s:?} (expected jsonl or parquet)")),
        }
    }
}

/// A destination for records. `commit` makes everything written so far
/// durable and returns the output's length in bytes.
pub trait RecordWriter: Send {
    fn write(&mut self, records: &[&Outcome]) -> io::Result<()>;
    fn commit(&mut self) -> io::Result<u64>;
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// JSONL to a file (synced on commit) or to any stream.
pub struct JsonlWriter<W: Write + Send> {
    out: BufWriter<W>,
    bytes: u64,
    sync: Option<fn(&W) -> io::Result<()>>,
}

impl JsonlWriter<File> {
    /// Appends to `file`, whose current length is `bytes`.
    pub fn to_file(file: File, bytes: u64) -> Self {
        JsonlWriter { out: BufWriter::with_capacity(1 << 20, file), bytes, sync: Some(File::sync_data) }
    }
}

impl<W: Write + Send> JsonlWriter<W> {
    pub fn to_stream(stream: W) -> Self {
        JsonlWriter { out: BufWriter::with_capacity(1 << 16, stream), bytes: 0, sync: None }
    }
}

/// Counts bytes on their way to the writer.
struct Counted<'a, W: Write>(&'a mut W, u64);

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1 += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Reads back a record that [`write_json`] wrote (the scan's Parquet
/// output is spooled as JSONL so that a killed run can be resumed).
pub fn outcome_from_json(line: &str) -> Result<Outcome, String> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: String,
        location: String,
        #[serde(default)]
        error: Option<ReadError>,
        #[serde(default)]
        restored: Option<String>,
        #[serde(flatten)]
        report: Option<Report>,
    }
    let l: Line = serde_json::from_str(line).map_err(|e| format!("not a scan record: {e}"))?;
    let result = match (l.error, l.report) {
        (Some(e), _) => OutcomeKind::Unreadable(e),
        (None, Some(report)) => OutcomeKind::Checked { report, restored: l.restored, text_bytes: 0 },
        (None, None) => return Err("a scan record with neither a report nor an error".into()),
    };
    Ok(Outcome { id: l.id, location: l.location, input_position: 0, result })
}

/// One JSONL line (without its newline).
pub fn write_json(out: &mut impl Write, o: &Outcome) -> io::Result<()> {
    match &o.result {
        OutcomeKind::Checked { report, restored, .. } => {
            serde_json::to_writer(out, &CheckedRecord { id: &o.id, location: &o.location, report, restored: restored.as_deref() })?
        }
        OutcomeKind::Unreadable(error) => serde_json::to_writer(out, &ErrorRecord { id: &o.id, location: &o.location, error })?,
        OutcomeKind::Skipped(_) => {}
    }
    Ok(())
}

impl<W: Write + Send> RecordWriter for JsonlWriter<W> {
    fn write(&mut self, records: &[&Outcome]) -> io::Result<()> {
        let mut counted = Counted(&mut self.out, 0);
        for o in records {
            write_json(&mut counted, o)?;
            counted.write_all(b"\n")?;
        }
        self.bytes += counted.1;
        Ok(())
    }

    fn commit(&mut self) -> io::Result<u64> {
        self.out.flush()?;
        if let Some(sync) = self.sync {
            sync(self.out.get_ref())?;
        }
        Ok(self.bytes)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.commit().map(|_| ())
    }
}

/// Parquet (zstd-compressed), one row group per ~64 MB of encoded rows.
pub struct ParquetWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    restore: bool,
}

const ROW_GROUP_BYTES: usize = 64 << 20;

fn finding_fields() -> Fields {
    Fields::from(vec![
        Field::new("start", DataType::UInt64, false),
        Field::new("end", DataType::UInt64, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("suggestion", DataType::Utf8, false),
        Field::new("confidence", DataType::Float64, false),
        Field::new("source", DataType::Utf8, false),
    ])
}

/// The Parquet output's schema.
pub fn parquet_schema(restore: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("location", DataType::Utf8, false),
        Field::new("score", DataType::Float64, true),
        Field::new("spun", DataType::Boolean, true),
        Field::new("findings", DataType::List(Arc::new(Field::new("item", DataType::Struct(finding_fields()), false))), true),
    ];
    if restore {
        fields.push(Field::new("restored", DataType::Utf8, true));
    }
    fields.push(Field::new("error_kind", DataType::Utf8, true));
    fields.push(Field::new("error", DataType::Utf8, true));
    Arc::new(Schema::new(fields))
}

impl<W: Write + Send> ParquetWriter<W> {
    pub fn new(out: W, restore: bool) -> io::Result<Self> {
        let schema = parquet_schema(restore);
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(1 << 20))
            .build();
        let writer = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(io::Error::other)?;
        Ok(ParquetWriter { writer, schema, restore })
    }

    fn batch(&self, records: &[&Outcome]) -> io::Result<RecordBatch> {
        let n = records.len();
        let mut ids = Vec::with_capacity(n);
        let mut locations = Vec::with_capacity(n);
        let mut scores = Vec::with_capacity(n);
        let mut spun = Vec::with_capacity(n);
        let mut restored = Vec::with_capacity(n);
        let mut error_kind = Vec::with_capacity(n);
        let mut error = Vec::with_capacity(n);
        let mut offsets = vec![0i32];
        let mut valid = Vec::with_capacity(n);
        let mut all: Vec<&Finding> = Vec::new();
        for o in records {
            ids.push(o.id.as_str());
            locations.push(o.location.as_str());
            match &o.result {
                OutcomeKind::Checked { report, restored: r, .. } => {
                    scores.push(Some(report.score));
                    spun.push(Some(report.spun));
                    all.extend(report.findings.iter());
                    valid.push(true);
                    restored.push(r.as_deref());
                    error_kind.push(None);
                    error.push(None);
                }
                OutcomeKind::Unreadable(e) => {
                    scores.push(None);
                    spun.push(None);
                    valid.push(false);
                    restored.push(None);
                    error_kind.push(Some(e.kind.name()));
                    error.push(Some(e.message.as_str()));
                }
                OutcomeKind::Skipped(_) => continue,
            }
            offsets.push(i32::try_from(all.len()).map_err(|_| io::Error::other("too many findings in one chunk"))?);
        }
        let findings = StructArray::new(
            finding_fields(),
            vec![
                Arc::new(UInt64Array::from_iter_values(all.iter().map(|f| f.start as u64))) as ArrayRef,
                Arc::new(UInt64Array::from_iter_values(all.iter().map(|f| f.end as u64))),
                Arc::new(StringArray::from_iter_values(all.iter().map(|f| f.text.as_str()))),
                Arc::new(StringArray::from_iter_values(all.iter().map(|f| f.suggestion.as_str()))),
                Arc::new(Float64Array::from_iter_values(all.iter().map(|f| f.confidence))),
                Arc::new(StringArray::from_iter_values(all.iter().map(|f| source_name(f)))),
            ],
            None,
        );
        let DataType::List(item) = self.schema.field_with_name("findings").expect("findings column").data_type().clone() else {
            unreachable!("findings is a list column")
        };
        let findings = ListArray::new(item, OffsetBuffer::new(offsets.into()), Arc::new(findings), Some(NullBuffer::from(valid)));
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(ids)),
            Arc::new(StringArray::from(locations)),
            Arc::new(Float64Array::from(scores)),
            Arc::new(BooleanArray::from(spun)),
            Arc::new(findings),
        ];
        if self.restore {
            columns.push(Arc::new(StringArray::from(restored)));
        }
        columns.push(Arc::new(StringArray::from(error_kind)));
        columns.push(Arc::new(StringArray::from(error)));
        RecordBatch::try_new(self.schema.clone(), columns).map_err(io::Error::other)
    }
}

fn source_name(f: &Finding) -> &'static str {
    match f.source {
        unspin_engine::Source::Model => "model",
        unspin_engine::Source::Fingerprint => "fingerprint",
    }
}

impl<W: Write + Send> RecordWriter for ParquetWriter<W> {
    fn write(&mut self, records: &[&Outcome]) -> io::Result<()> {
        let batch = self.batch(records)?;
        self.writer.write(&batch).map_err(io::Error::other)?;
        if self.writer.in_progress_size() > ROW_GROUP_BYTES {
            self.writer.flush().map_err(io::Error::other)?;
        }
        Ok(())
    }

    fn commit(&mut self) -> io::Result<u64> {
        Ok(self.writer.bytes_written() as u64)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let mut out = self.writer.into_inner().map_err(io::Error::other)?;
        out.flush()
    }
}
