//! Parquet input: one document per row, from the text and id columns named
//! by the options; other columns are not read. Rows are decoded a batch at
//! a time, so memory stays bounded by the batch and the row group's pages.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use crate::source::{unreadable, SourceOptions};
use crate::{Content, ErrorKind, Item, ReadError};

const BATCH_ROWS: usize = 256;

pub struct ParquetReader {
    path: String,
    state: State,
    counter: Arc<AtomicU64>,
    /// Progress is credited in proportion to rows read.
    file_len: u64,
    credited: u64,
    total_rows: u64,
}

enum State {
    Failed(Option<ReadError>),
    Reading { reader: ParquetRecordBatchReader, batch: Option<RecordBatch>, row_in_batch: usize, row: u64, text: String, id: Option<String> },
    Done,
}

impl ParquetReader {
    pub fn open(path: &Path, options: Arc<SourceOptions>, counter: Arc<AtomicU64>) -> ParquetReader {
        let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let (state, total_rows) = match Self::start(path, &options) {
            Ok((reader, rows)) => (
                State::Reading {
                    reader,
                    batch: None,
                    row_in_batch: 0,
                    row: 0,
                    text: options.text_field.clone(),
                    id: Some(options.id_field.clone()),
                },
                rows,
            ),
            Err(e) => (State::Failed(Some(e)), 0),
        };
        ParquetReader { path: path.display().to_string(), state, counter, file_len, credited: 0, total_rows }
    }

    fn start(path: &Path, options: &SourceOptions) -> Result<(ParquetRecordBatchReader, u64), ReadError> {
        let file = File::open(path).map_err(|e| ReadError::new(ErrorKind::Io, crate::compress::describe_io(&e)))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| ReadError::new(ErrorKind::Parquet, e.to_string()))?;
        let schema = builder.schema().clone();
        let text_index = schema.index_of(&options.text_field).map_err(|_| {
            ReadError::new(ErrorKind::Parquet, format!("no column \"{}\" (columns: {})", options.text_field, column_names(&schema)))
        })?;
        if !matches!(schema.field(text_index).data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
            return Err(ReadError::new(
                ErrorKind::Parquet,
                format!("column \"{}\" is {}, not a string column", options.text_field, schema.field(text_index).data_type()),
            ));
        }
        let mut indices = vec![text_index];
        if let Ok(i) = schema.index_of(&options.id_field) {
            indices.push(i);
        }
        let rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
        let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| ReadError::new(ErrorKind::Parquet, e.to_string()))?;
        Ok((reader, rows))
    }

    fn credit(&mut self, row: u64) {
        let target = (self.file_len as u128 * row.min(self.total_rows) as u128).checked_div(self.total_rows as u128).map_or(self.file_len, |t| t as u64);
        if target > self.credited {
            self.counter.fetch_add(target - self.credited, Ordering::Relaxed);
            self.credited = target;
        }
    }
}

fn column_names(schema: &arrow_schema::Schema) -> String {
    schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
}

/// The string value of a text or id cell; None for null.
fn cell(column: &dyn Array, i: usize) -> Option<Result<String, String>> {
    if column.is_null(i) {
        return None;
    }
    let text = match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().value(i).to_string(),
        DataType::LargeUtf8 => column.as_string::<i64>().value(i).to_string(),
        DataType::Utf8View => column.as_string_view().value(i).to_string(),
        DataType::Int32 => column.as_primitive::<Int32Type>().value(i).to_string(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::UInt32 => column.as_primitive::<UInt32Type>().value(i).to_string(),
        DataType::UInt64 => column.as_primitive::<UInt64Type>().value(i).to_string(),
        other => return Some(Err(format!("{other}"))),
    };
    Some(Ok(text))
}

impl Iterator for ParquetReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        let path = self.path.clone();
        match &mut self.state {
            State::Done => None,
            State::Failed(e) => {
                let e = e.take();
                self.state = State::Done;
                self.credit(self.total_rows);
                e.map(|e| unreadable(path, self.counter.load(Ordering::Relaxed), e))
            }
            State::Reading { reader, batch, row_in_batch, row, text, id } => {
                if batch.as_ref().is_none_or(|b| *row_in_batch >= b.num_rows()) {
                    match reader.next() {
                        None => {
                            self.state = State::Done;
                            self.credit(self.total_rows);
                            return None;
                        }
                        Some(Err(e)) => {
                            let location = format!("{path}#{row}");
                            self.state = State::Done;
                            self.credit(self.total_rows);
                            let error = ReadError::new(ErrorKind::Parquet, format!("cannot read rows from here on: {e}"));
                            return Some(unreadable(location, self.counter.load(Ordering::Relaxed), error));
                        }
                        Some(Ok(b)) => {
                            *batch = Some(b);
                            *row_in_batch = 0;
                        }
                    }
                }
                let b = batch.as_ref().expect("a batch with rows left");
                let i = *row_in_batch;
                let location = format!("{path}#{row}");
                let text_cell = cell(b.column_by_name(text).expect("projected text column").as_ref(), i);
                let id_cell = id.as_ref().and_then(|name| b.column_by_name(name)).and_then(|c| cell(c.as_ref(), i));
                *row_in_batch += 1;
                *row += 1;
                let current = *row;
                let id_value = match id_cell {
                    Some(Ok(v)) => v,
                    _ => location.clone(),
                };
                let content = match text_cell {
                    Some(Ok(t)) => Content::Text(t),
                    Some(Err(ty)) => Content::Unreadable(ReadError::new(ErrorKind::Parquet, format!("text of type {ty}"))),
                    None => Content::Unreadable(ReadError::new(ErrorKind::Parquet, format!("null in column \"{text}\""))),
                };
                self.credit(current);
                Some(Item { id: id_value, location, input_position: self.counter.load(Ordering::Relaxed), content })
            }
        }
    }
}
