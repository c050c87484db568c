//! Opening input files: gzip and zstd are decompressed on the fly, and every
//! byte read from disk is counted for the progress bar.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::{ErrorKind, ReadError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// By the file's first bytes, which win over its name (a `.gz` that is
    /// not gzip is read as it is; a gzip without `.gz` is still decompressed).
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// The file name without a compression suffix (`a.jsonl.gz` -> `a.jsonl`).
pub fn strip_compression_suffix(name: &str) -> &str {
    for suffix in [".gz", ".gzip", ".zst", ".zstd"] {
        if name.len() > suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix) {
            return &name[..name.len() - suffix.len()];
        }
    }
    name
}

/// Counts the bytes read through it into a counter shared with the progress
/// display.
pub struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A decompressed input stream. Its errors while reading say which layer
/// failed: a decoder's error is a [`ErrorKind::Decompress`].
pub struct Input {
    pub reader: Box<dyn BufRead + Send>,
    pub compression: Compression,
}

impl Input {
    /// Classifies a read error from [`Input::reader`].
    pub fn error(&self, e: &io::Error) -> ReadError {
        match self.compression {
            Compression::None => ReadError::new(ErrorKind::Io, e.to_string()),
            c => ReadError::new(ErrorKind::Decompress, format!("{} stream corrupt or cut short ({e})", c.name())),
        }
    }
}

/// Opens a file, decompressing it if its first bytes say it is compressed.
pub fn open(path: &Path, counter: &Arc<AtomicU64>) -> Result<Input, ReadError> {
    let file = File::open(path).map_err(|e| ReadError::new(ErrorKind::Io, describe_io(&e)))?;
    let mut raw = BufReader::with_capacity(256 * 1024, Counting { inner: file, counter: counter.clone() });
    let head = raw.fill_buf().map_err(|e| ReadError::new(ErrorKind::Io, describe_io(&e)))?;
    let compression = Compression::sniff(head);
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(raw),
        // Multi-member: Common Crawl's .warc.gz is one gzip member per record.
        Compression::Gzip => Box::new(BufReader::with_capacity(256 * 1024, flate2::bufread::MultiGzDecoder::new(raw))),
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(raw).map_err(|e| ReadError::new(ErrorKind::Decompress, e.to_string()))?;
            Box::new(BufReader::with_capacity(256 * 1024, decoder))
        }
    };
    Ok(Input { reader, compression })
}

pub fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if e.raw_os_error() == Some(21) => "is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// Reads up to `limit` bytes of a line (through its `\n`), or reports that
/// the line is longer and skips the rest of it, so that one huge line cannot
/// exhaust memory.
pub enum Line {
    Eof,
    Line(Vec<u8>),
    TooLong(u64),
}

pub fn read_line_bounded(reader: &mut dyn BufRead, limit: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut total: u64 = 0;
    let mut too_long = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let n = chunk.len();
        total += n as u64;
        if !too_long {
            if line.len() + n > limit {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(n);
        if done {
            break;
        }
    }
    if total == 0 {
        Ok(Line::Eof)
    } else if too_long {
        Ok(Line::TooLong(total))
    } else {
        Ok(Line::Line(line))
    }
}
