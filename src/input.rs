//! Reading documents: whole files, standard input, and lines.

use std::io::Read;

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
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(format!("{name}: binary data (NUL byte at offset {at}); unspin reads UTF-8 text"));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!("{name}: not valid UTF-8 (invalid byte at offset {}); convert it to UTF-8 first", e.utf8_error().valid_up_to())
    })
}

/// Splits text into lines, each with its own ending ("\n", "\r\n" or "" for
/// an unterminated last line), so output can reproduce the input's layout.
pub fn lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n').map(|l| {
        if let Some(body) = l.strip_suffix("\r\n") {
            (body, "\r\n")
        } else if let Some(body) = l.strip_suffix('\n') {
            (body, "\n")
        } else {
            (l, "")
        }
    })
}
