//! Corpus-scale batch processing: every document of directories, JSONL,
//! WARC and Parquet files checked in parallel, in input order, in bounded
//! memory, with a resumable output.
//!
//! The pieces, each usable on its own:
//! - [`source`]: walks the inputs and yields one [`Item`] per input record,
//!   in a deterministic order (a resumed run relies on it);
//! - [`pipeline`]: bounded chunks of items processed with rayon, handed to a
//!   sink in input order;
//! - [`output`]: JSONL and Parquet writers of [`output::Record`]s;
//! - [`checkpoint`]: the sidecar file that lets a killed run continue;
//! - [`scan`]: all of the above around an [`unspin_engine::Engine`].

pub mod checkpoint;
pub mod compress;
pub mod html;
pub mod jsonl;
pub mod output;
pub mod parquet_in;
pub mod pipeline;
pub mod scan;
pub mod source;
pub mod summary;
pub mod warc;

use std::fmt;

use serde::Serialize;


pub use output::{OutFormat, Outcome, OutcomeKind};
pub use pipeline::ChunkLimits;
pub use scan::{scan, ScanOptions, ScanProgress, ScanResult};

pub use source::{Format, SourceOptions, Sources};
pub use summary::Summary;


/// One input record: a document to check, a document that could not be
/// read, or a record that is not a document (a WARC request, say).
#[derive(Debug)]
pub struct Item {
    /// The document's name in the output: a file path, a JSONL/Parquet id
    /// field, a WARC target URI.
    pub id: String,
    /// Where it is in the input: `path`, `path:line` (JSONL), `path@offset`
    /// (WARC, offset in the decompressed stream), `path#row` (Parquet).
    pub location: String,
    /// Bytes of input consumed up to and including this item, over all input
    /// files as stored on disk (compressed bytes for compressed files). Drives
    /// the progress bar's ETA.
    pub input_position: u64,
    pub content: Content,
}

#[derive(Debug)]
pub enum Content {
    /// Text to check.
    Text(String),
    /// An HTML page (a WARC response); reduced to its main text by a worker.
    Html(String),
    /// The document exists but could not be read.
    Unreadable(ReadError),
    /// An input record that is not a document; counted, not output.
    Skipped(&'static str),
    /// A JSONL line, parsed by a worker ([`Item::resolve`]) so that parsing
    /// runs in parallel and the reader thread only cuts lines.
    JsonLine(Vec<u8>),
    /// A WARC response record's HTTP message, parsed by a worker. `truncated`:
    /// only the start of a body larger than the document limit was kept.
    HttpResponse { message: Vec<u8>, truncated: bool },
}

impl Item {
    /// Size of the document's payload in bytes.
    pub fn payload_len(&self) -> usize {
        match &self.content {
            Content::Text(t) => t.len(),
            Content::Html(h) => h.len(),
            Content::JsonLine(l) => l.len(),
            Content::HttpResponse { message, .. } => message.len(),
            _ => 0,
        }
    }

    /// Parses what the reader left raw (JSONL lines, HTTP responses), so
    /// that the content is text, HTML, unreadable or skipped. Runs on the
    /// worker threads.
    pub fn resolve(mut self, options: &SourceOptions) -> Item {
        match std::mem::replace(&mut self.content, Content::Skipped("")) {
            Content::JsonLine(line) => match jsonl::parse_line(&line, options) {
                Ok((id, text)) => {
                    if let Some(id) = id {
                        self.id = id;
                    }
                    self.content = Content::Text(text);
                }
                Err(e) => self.content = Content::Unreadable(e),
            },
            Content::HttpResponse { message, truncated } => {
                self.content = warc::response_content(&message, truncated, options.max_document_bytes as u64)
            }
            other => self.content = other,
        }
        self
    }
}

/// Why a document could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The file could not be opened or read.
    Io,
    /// A compressed stream (gzip, zstd) is corrupt or cut short.
    Decompress,
    /// Bytes that are not UTF-8 text.
    Encoding,
    /// Binary data (a NUL byte) where text was expected.
    Binary,
    /// A JSONL line that is not a JSON object with the text field.
    Json,
    /// A WARC record that does not parse.
    Warc,
    /// An HTML page with no main text.
    Html,
    /// A Parquet file or row that cannot be read.
    Parquet,
    /// A document larger than the size limit.
    TooLarge,
    /// The engine failed on this document (a defect: please report it).
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::Io,
        ErrorKind::Decompress,
        ErrorKind::Encoding,
        ErrorKind::Binary,
        ErrorKind::Json,
        ErrorKind::Warc,
        ErrorKind::Html,
        ErrorKind::Parquet,
        ErrorKind::TooLarge,
        ErrorKind::Internal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Decompress => "decompress",
            ErrorKind::Encoding => "encoding",
            ErrorKind::Binary => "binary",
            ErrorKind::Json => "json",
            ErrorKind::Warc => "warc",
            ErrorKind::Html => "html",
            ErrorKind::Parquet => "parquet",
            ErrorKind::TooLarge => "too-large",
            ErrorKind::Internal => "internal",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReadError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ReadError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ReadError {
        ReadError { kind, message: message.into() }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

/// Checks that bytes are text: no NUL byte, valid UTF-8. The message names
/// the byte offset of the first offence.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, ReadError> {
    if let Some(at) = memchr_nul(&bytes) {
        return Err(ReadError::new(ErrorKind::Binary, format!("binary data (NUL byte at offset {at})")));
    }
    String::from_utf8(bytes).map_err(|e| {
        ReadError::new(ErrorKind::Encoding, format!("not valid UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()))
    })
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}
