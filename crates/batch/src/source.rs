//! The inputs as one stream of [`Item`]s: paths in the order given,
//! directories walked recursively in file-name order, each file read by the
//! reader of its format. The order is deterministic so that a resumed run
//! can skip exactly the items a previous run finished.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::compress;
use crate::{decode_text, Content, ErrorKind, Item, ReadError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// By file name: `.jsonl`/`.ndjson`, `.warc`/`.wet`/`.arc`, `.parquet`
    /// (each optionally `.gz`/`.zst`), anything else is one text document.
    Auto,
    Text,
    Jsonl,
    Warc,
    Parquet,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s {
            "auto" => Format::Auto,
            "text" => Format::Text,
            "jsonl" => Format::Jsonl,
            "warc" => Format::Warc,
            "parquet" => Format::Parquet,
            _ => return Err(format!("unknown format {s:?} (expected auto, text, jsonl, warc or parquet)")),
        })
    }
}

impl Format {
    /// The format of one file under `Auto`.
    pub fn of_path(path: &Path) -> Format {
        let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let name = compress::strip_compression_suffix(&name);
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "jsonl" | "ndjson" => Format::Jsonl,
            "warc" | "wet" => Format::Warc,
            "parquet" => Format::Parquet,
            _ => Format::Text,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SourceOptions {
    pub format: Format,
    /// JSONL key / Parquet column holding the text.
    pub text_field: String,
    /// JSONL key / Parquet column holding the document id.
    pub id_field: String,
    /// Documents larger than this are reported as [`ErrorKind::TooLarge`].
    pub max_document_bytes: usize,
    /// Files a directory walk leaves out: the scan's own output and
    /// checkpoint when they sit inside a scanned directory.
    pub exclude: Vec<PathBuf>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            format: Format::Auto,
            text_field: "text".into(),
            id_field: "id".into(),
            max_document_bytes: 64 << 20,
            exclude: Vec::new(),
        }
    }
}

/// Every item of every input, in order.
pub struct Sources {
    options: Arc<SourceOptions>,
    roots: std::vec::IntoIter<PathBuf>,
    walk: Option<Walk>,
    current: Option<Box<dyn Iterator<Item = Item> + Send>>,
    /// Bytes read from disk so far, over all files.
    counter: Arc<AtomicU64>,
    /// Error items waiting to be yielded (a path that cannot be walked).
    pending: Vec<Item>,
}

impl Sources {
    pub fn new(inputs: &[PathBuf], options: SourceOptions) -> Sources {
        Sources {
            options: Arc::new(options),
            roots: Vec::from(inputs).into_iter(),
            walk: None,
            current: None,
            counter: Arc::new(AtomicU64::new(0)),
            pending: Vec::new(),
        }
    }

    /// Bytes read from disk so far.
    pub fn bytes_read(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }

    /// The next file to read, walking directories.
    fn next_file(&mut self) -> Option<PathBuf> {
        loop {
            if let Some(walk) = &mut self.walk {
                match walk.next() {
                    Some(Ok(entry)) => {
                        if entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file()) {
                            if self.is_excluded(entry.path()) {
                                continue;
                            }
                            return Some(entry.into_path());
                        }
                        continue;
                    }
                    Some(Err(e)) => {
                        let location = e.path().map(|p| p.display().to_string()).unwrap_or_default();
                        let message = e.io_error().map(compress::describe_io).unwrap_or_else(|| e.to_string());
                        self.pending.push(unreadable(location, 0, ReadError::new(ErrorKind::Io, message)));
                        return None;
                    }
                    None => self.walk = None,
                }
            }
            let root = self.roots.next()?;
            if root.is_dir() {
                self.walk = Some(walk_dir(&root));
            } else {
                return Some(root);
            }
        }
    }

    /// Compares names first so that only a likely match costs a canonicalize.
    fn is_excluded(&self, path: &Path) -> bool {
        self.options.exclude.iter().any(|x| {
            x.file_name() == path.file_name() && canonical_in_parent(path).is_some_and(|p| &p == x)
        })
    }

    fn open(&self, path: &Path) -> Box<dyn Iterator<Item = Item> + Send> {
        let format = match self.options.format {
            Format::Auto => Format::of_path(path),
            f => f,
        };
        let location = path.display().to_string();
        if format == Format::Parquet {
            return Box::new(crate::parquet_in::ParquetReader::open(path, self.options.clone(), self.counter.clone()));
        }
        let input = match compress::open(path, &self.counter) {
            Ok(input) => input,
            Err(e) => return Box::new(std::iter::once(unreadable(location, self.bytes_read(), e))),
        };
        match format {
            Format::Jsonl => Box::new(crate::jsonl::JsonlReader::new(location, input, self.options.clone(), self.counter.clone())),
            Format::Warc => Box::new(crate::warc::WarcReader::new(location, input, self.options.clone(), self.counter.clone())),
            _ => Box::new(std::iter::once(read_text_file(location, input, &self.options, &self.counter))),
        }
    }
}

/// Hidden files and directories (names starting with '.') are not walked,
/// as in most search tools; a path given explicitly is always read.
type Walk = walkdir::FilterEntry<walkdir::IntoIter, fn(&walkdir::DirEntry) -> bool>;

fn walk_dir(root: &Path) -> Walk {
    let not_hidden: fn(&walkdir::DirEntry) -> bool = |e| !is_hidden(e);
    walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter().filter_entry(not_hidden)
}

/// Entries a directory walk leaves out: hidden names below the root.
pub fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0 && entry.file_name().to_str().is_some_and(|n| n.starts_with('.'))
}

impl Iterator for Sources {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.pending.pop() {
                return Some(item);
            }
            if let Some(current) = &mut self.current {
                if let Some(item) = current.next() {
                    return Some(item);
                }
                self.current = None;
            }
            match self.next_file() {
                Some(path) => self.current = Some(self.open(&path)),
                None if !self.pending.is_empty() => continue,
                None => return None,
            }
        }
    }
}

/// The path with its directory made canonical (the file itself need not exist).
pub fn canonical_in_parent(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
}

pub fn unreadable(location: String, input_position: u64, error: ReadError) -> Item {
    Item { id: location.clone(), location, input_position, content: Content::Unreadable(error) }
}

/// A plain (or compressed) text file is one document.
fn read_text_file(location: String, mut input: compress::Input, options: &SourceOptions, counter: &Arc<AtomicU64>) -> Item {
    let limit = options.max_document_bytes;
    let mut bytes = Vec::new();
    let result = (&mut input.reader).take(limit as u64 + 1).read_to_end(&mut bytes);
    let position = counter.load(Ordering::Relaxed);
    let content = match result {
        Err(e) => Content::Unreadable(input.error(&e)),
        Ok(_) if bytes.len() > limit => Content::Unreadable(ReadError::new(
            ErrorKind::TooLarge,
            format!("larger than the {} MB document limit", limit >> 20),
        )),
        Ok(_) => match decode_text(bytes) {
            Ok(text) => Content::Text(text),
            Err(e) => Content::Unreadable(e),
        },
    };
    Item { id: location.clone(), location, input_position: position, content }
}

/// Total size on disk of the inputs, for the progress bar. Walks the same
/// files the scan reads.
pub fn total_input_bytes(inputs: &[PathBuf]) -> u64 {
    let mut total = 0;
    for root in inputs {
        if root.is_dir() {
            for entry in walk_dir(root).flatten() {
                if entry.file_type().is_file() {
                    total += entry.metadata().map(|m| m.len()).unwrap_or(0);
                }
            }
        } else {
            total += std::fs::metadata(root).map(|m| m.len()).unwrap_or(0);
        }
    }
    total
}
