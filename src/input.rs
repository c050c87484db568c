//! Reading documents: whole files, standard input, and lines.

use std::io::{BufRead, Read};

use crate::UserError;

/// Reads a file (or standard input for "-") as UTF-8 text. Binary data and
/// invalid UTF-8 are refused with the file name and the byte offset.
pub fn read(file: &str) -> anyhow::Result<String> {
    let (name, bytes) = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| UserError(format!("<stdin>: {e}")))?;
        ("<stdin>", buf)
    } else {
        let bytes = std::fs::read(file).map_err(|e| UserError(format!("{file}: {}", describe_io(&e))))?;
        (file, bytes)
    };
    decode(name, bytes).map_err(|m| UserError(m).into())
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if e.raw_os_error() == Some(21) => "is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// Checks that bytes are text: no NUL byte (binary files), valid UTF-8.
fn decode(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    refuse_binary(name, &bytes, 0)?;
    String::from_utf8(bytes).map_err(|e| not_utf8(name, e.utf8_error().valid_up_to()))
}

/// A NUL byte means binary data; `offset`: where `bytes` start in the input.
fn refuse_binary(name: &str, bytes: &[u8], offset: usize) -> Result<(), String> {
    match bytes.iter().position(|&b| b == 0) {
        Some(at) => Err(format!("{name}: binary data (NUL byte at offset {}); unspin reads UTF-8 text", offset + at)),
        None => Ok(()),
    }
}

fn not_utf8(name: &str, at: usize) -> String {
    format!("{name}: not valid UTF-8 (invalid byte at offset {at}); convert it to UTF-8 first")
}

/// An input read a line at a time (`--lines`), so that output follows input
/// in a pipe and memory stays at one line whatever the input's size.
pub struct Lines {
    name: String,
    /// Standard input, whose reader may be waiting on a producer: output
    /// is then flushed line by line.
    stdin: bool,
    reader: Box<dyn BufRead>,
    buffer: Vec<u8>,
    /// Bytes of the input before the current line.
    offset: usize,
}

impl Lines {
    /// Opens a file (or standard input for "-"); a missing file is an error
    /// here, before anything is read.
    pub fn open(file: &str) -> anyhow::Result<Lines> {
        let stdin = file == "-";
        let (name, reader): (String, Box<dyn BufRead>) = if stdin {
            ("<stdin>".into(), Box::new(std::io::BufReader::new(std::io::stdin())))
        } else {
            let f = std::fs::File::open(file).map_err(|e| UserError(format!("{file}: {}", describe_io(&e))))?;
            if f.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(UserError(format!("{file}: is a directory")).into());
            }
            (file.into(), Box::new(std::io::BufReader::new(f)))
        };
        Ok(Lines { name, stdin, reader, buffer: Vec::new(), offset: 0 })
    }

    pub fn is_stdin(&self) -> bool {
        self.stdin
    }

    /// The next line and its ending ("\n", "\r\n" or "" for an unterminated
    /// last line); None at the end. Binary data and invalid UTF-8 are errors
    /// naming the byte offset in the whole input, as for a whole file.
    pub fn next_line(&mut self) -> anyhow::Result<Option<(&str, &str)>> {
        self.offset += self.buffer.len();
        self.buffer.clear();
        let n = self.reader.read_until(b'\n', &mut self.buffer).map_err(|e| UserError(format!("{}: {e}", self.name)))?;
        if n == 0 {
            return Ok(None);
        }
        refuse_binary(&self.name, &self.buffer, self.offset).map_err(UserError)?;
        let line = std::str::from_utf8(&self.buffer).map_err(|e| UserError(not_utf8(&self.name, self.offset + e.valid_up_to())))?;
        Ok(Some(if let Some(body) = line.strip_suffix("\r\n") {
            (body, "\r\n")
        } else if let Some(body) = line.strip_suffix('\n') {
            (body, "\n")
        } else {
            (line, "")
        }))
    }
}

