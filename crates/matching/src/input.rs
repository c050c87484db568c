//! Reading documents to index or to match: plain text files (one document
//! each, or one per line), directories of them, and JSON Lines; WARC and
//! Parquet files and compressed (.gz, .zst) files are read by the batch
//! scanner's readers (`unspin-batch`), exactly as `unspin scan` reads them.
//!
//! Everything else sees only [`Document`]s handed to a callback.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::Document;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// By extension: `.jsonl`/`.ndjson` are JSON Lines, anything else text.
    Auto,
    /// A whole file is one document.
    Text,
    /// Every line is a document.
    Lines,
    /// One JSON object per line.
    Jsonl,
    /// WARC records (responses reduced to their main text, WET conversions).
    Warc,
    /// A Parquet table with text and id columns.
    Parquet,
}

#[derive(Clone, Debug)]
pub struct InputOptions {
    pub format: Format,
    /// JSONL field holding the text.
    pub text_field: String,
    /// JSONL field holding the id; documents without one are named `file:line`.
    pub id_field: String,
}

impl Default for InputOptions {
    fn default() -> InputOptions {
        InputOptions { format: Format::Auto, text_field: "text".into(), id_field: "id".into() }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

fn err(s: impl Into<String>) -> InputError {
    InputError(s.into())
}

/// Checks that bytes are text: no NUL byte, valid UTF-8.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(err(format!("{name}: binary data (NUL byte at offset {at}); unspin reads UTF-8 text")));
    }
    String::from_utf8(bytes).map_err(|e| {
        err(format!("{name}: not valid UTF-8 (invalid byte at offset {}); convert it to UTF-8 first", e.utf8_error().valid_up_to()))
    })
}

/// Calls `sink` with every document of `input` ("-" is standard input; a
/// directory is read recursively, files in name order), in order.
pub fn read_documents(
    input: &str,
    opts: &InputOptions,
    sink: &mut dyn FnMut(Document) -> Result<(), InputError>,
) -> Result<(), InputError> {
    if input == "-" {
        return read_stream("<stdin>", "-", Box::new(std::io::stdin().lock()), opts, opts.format, sink);
    }
    let path = Path::new(input);
    let meta = std::fs::metadata(path).map_err(|e| err(format!("{input}: {}", describe_io(&e))))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        if files.is_empty() {
            return Err(err(format!("{input}: no files in this directory")));
        }
        for f in files {
            read_file(&f, opts, sink)?;
        }
        Ok(())
    } else {
        read_file(path, opts, sink)
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| err(format!("{}: {}", dir.display(), describe_io(&e))))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

fn is_jsonl(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("jsonl" | "ndjson"))
}

fn read_file(path: &Path, opts: &InputOptions, sink: &mut dyn FnMut(Document) -> Result<(), InputError>) -> Result<(), InputError> {
    let name = path.display().to_string();
    let lower = name.to_ascii_lowercase();
    let compressed = unspin_batch::compress::strip_compression_suffix(&lower).len() != lower.len();
    let format = match opts.format {
        Format::Auto => match unspin_batch::Format::of_path(path) {
            unspin_batch::Format::Warc => Format::Warc,
            unspin_batch::Format::Parquet => Format::Parquet,
            _ if is_jsonl(path) => Format::Jsonl,
            _ => Format::Text,
        },
        f => f,
    };
    let batch_format = match format {
        Format::Warc => Some(unspin_batch::Format::Warc),
        Format::Parquet => Some(unspin_batch::Format::Parquet),
        Format::Jsonl if compressed => Some(unspin_batch::Format::Jsonl),
        Format::Text if compressed => Some(unspin_batch::Format::Text),
        _ => None,
    };
    if let Some(batch_format) = batch_format {
        return read_with_batch(path, batch_format, opts, sink);
    }
    let file = std::fs::File::open(path).map_err(|e| err(format!("{name}: {}", describe_io(&e))))?;
    read_stream(&name, &name, Box::new(BufReader::with_capacity(1 << 20, file)), opts, format, sink)
}

fn read_stream(
    name: &str,
    id_base: &str,
    mut reader: Box<dyn BufRead + '_>,
    opts: &InputOptions,
    format: Format,
    sink: &mut dyn FnMut(Document) -> Result<(), InputError>,
) -> Result<(), InputError> {
    match format {
        Format::Warc | Format::Parquet => Err(err(format!("{name}: WARC and Parquet inputs are read from files, not from a stream"))),
        Format::Text | Format::Auto => {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(|e| err(format!("{name}: {e}")))?;
            let text = decode(name, bytes)?;
            sink(Document { id: id_base.to_string(), text })
        }
        Format::Lines | Format::Jsonl => {
            let mut line_no = 0usize;
            let mut buf = Vec::new();
            loop {
                buf.clear();
                let n = reader.read_until(b'\n', &mut buf).map_err(|e| err(format!("{name}: {e}")))?;
                if n == 0 {
                    return Ok(());
                }
                line_no += 1;
                let where_ = format!("{name}:{line_no}");
                let line = decode(&where_, std::mem::take(&mut buf))?;
                let line = line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(&line);
                if format == Format::Lines {
                    sink(Document { id: format!("{id_base}:{line_no}"), text: line.to_string() })?;
                    continue;
                }
                if line.trim().is_empty() {
                    continue;
                }
                sink(parse_json_line(line, &where_, &format!("{id_base}:{line_no}"), opts)?)?;
            }
        }
    }
}

/// Reads one file with the batch scanner's readers. A record that cannot be
/// read (a malformed WARC record, a page with no main text) is reported on
/// standard error with its location and left out; the others go on.
fn read_with_batch(
    path: &Path,
    format: unspin_batch::Format,
    opts: &InputOptions,
    sink: &mut dyn FnMut(Document) -> Result<(), InputError>,
) -> Result<(), InputError> {
    use unspin_batch::Content;
    let options = unspin_batch::SourceOptions {
        format,
        text_field: opts.text_field.clone(),
        id_field: opts.id_field.clone(),
        ..Default::default()
    };
    for item in unspin_batch::Sources::new(&[path.to_path_buf()], options.clone()) {
        let item = item.resolve(&options);
        let text = match item.content {
            Content::Text(text) => Ok(text),
            Content::Html(page) => unspin_batch::html::main_text(&page),
            Content::Unreadable(e) => Err(e),
            _ => continue,
        };
        match text {
            Ok(text) => sink(Document { id: item.id, text })?,
            Err(e) => eprintln!("unspin: {}: {e}; left out", item.location),
        }
    }
    Ok(())
}

/// One JSON Lines record as a document.
pub fn parse_json_line(line: &str, where_: &str, default_id: &str, opts: &InputOptions) -> Result<Document, InputError> {
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| err(format!("{where_}: not valid JSON ({e})")))?;
    let obj = v.as_object().ok_or_else(|| err(format!("{where_}: expected a JSON object")))?;
    let text = match obj.get(&opts.text_field) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(err(format!("{where_}: field {:?} is not a string", opts.text_field))),
        None => return Err(err(format!("{where_}: no field {:?} (choose one with --text-field)", opts.text_field))),
    };
    let id = match obj.get(&opts.id_field) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        None | Some(serde_json::Value::Null) => default_id.to_string(),
        Some(_) => return Err(err(format!("{where_}: field {:?} is neither a string nor a number", opts.id_field))),
    };
    Ok(Document { id, text })
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &str, opts: &InputOptions) -> Result<Vec<Document>, InputError> {
        let mut docs = Vec::new();
        read_documents(input, opts, &mut |d| {
            docs.push(d);
            Ok(())
        })?;
        Ok(docs)
    }

    #[test]
    fn directories_jsonl_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "second file").unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "nested").unwrap();
        std::fs::write(dir.path().join("c.jsonl"), "{\"id\": 7, \"text\": \"seven\"}\n\n{\"text\": \"no id\"}\n").unwrap();
        let docs = collect(dir.path().to_str().unwrap(), &InputOptions::default()).unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, vec!["second file", "seven", "no id", "nested"]);
        assert_eq!(docs[1].id, "7");
        assert!(docs[2].id.ends_with("c.jsonl:3"), "{}", docs[2].id);
        let lines = InputOptions { format: Format::Lines, ..InputOptions::default() };
        let f = dir.path().join("b.txt");
        assert_eq!(collect(f.to_str().unwrap(), &lines).unwrap().len(), 1);
    }

    #[test]
    fn bad_input_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("x.jsonl");
        std::fs::write(&j, "{\"text\": \"ok\"}\n{\"body\": \"wrong field\"}\n").unwrap();
        let e = collect(j.to_str().unwrap(), &InputOptions::default()).unwrap_err().0;
        assert!(e.contains("x.jsonl:2") && e.contains("\"text\""), "{e}");
        std::fs::write(&j, "not json\n").unwrap();
        assert!(collect(j.to_str().unwrap(), &InputOptions::default()).unwrap_err().0.contains("not valid JSON"));
        let b = dir.path().join("b.txt");
        std::fs::write(&b, b"ab\x00c").unwrap();
        assert!(collect(b.to_str().unwrap(), &InputOptions::default()).unwrap_err().0.contains("binary"));
        std::fs::write(&b, b"caf\xe9").unwrap();
        assert!(collect(b.to_str().unwrap(), &InputOptions::default()).unwrap_err().0.contains("UTF-8"));
        assert!(collect("/no/such/file", &InputOptions::default()).unwrap_err().0.contains("no such file"));
    }
}
