//! JSONL: one JSON object per line; the text and the id are taken from the
//! fields named by the options, every other field is skipped unparsed.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::compress::{read_line_bounded, Input, Line};
use crate::source::SourceOptions;
use crate::{Content, ErrorKind, Item, ReadError};

pub struct JsonlReader {
    path: String,
    input: Input,
    options: Arc<SourceOptions>,
    counter: Arc<AtomicU64>,
    line: u64,
    done: bool,
}

impl JsonlReader {
    pub fn new(path: String, input: Input, options: Arc<SourceOptions>, counter: Arc<AtomicU64>) -> JsonlReader {
        JsonlReader { path, input, options, counter, line: 0, done: false }
    }
}

impl Iterator for JsonlReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        let read = read_line_bounded(&mut self.input.reader, self.options.max_document_bytes);
        self.line += 1;
        let location = format!("{}:{}", self.path, self.line);
        let position = self.counter.load(Ordering::Relaxed);
        let item = |id: String, content| Item { id, location: location.clone(), input_position: position, content };
        match read {
            Ok(Line::Eof) => {
                self.done = true;
                None
            }
            Err(e) => {
                // A stream that breaks (a truncated gzip) ends this file: the
                // lines read so far are kept, the break is one error.
                self.done = true;
                Some(item(location.clone(), Content::Unreadable(self.input.error(&e))))
            }
            Ok(Line::TooLong(n)) => Some(item(
                location.clone(),
                Content::Unreadable(ReadError::new(
                    ErrorKind::TooLarge,
                    format!("line of {n} bytes is larger than the {} MB document limit", self.options.max_document_bytes >> 20),
                )),
            )),
            Ok(Line::Line(bytes)) => {
                if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                    return Some(item(location.clone(), Content::Skipped("blank line")));
                }
                Some(item(location.clone(), Content::JsonLine(bytes)))
            }
        }
    }
}

/// The (id, text) of one JSONL line.
pub fn parse_line(bytes: &[u8], options: &SourceOptions) -> Result<(Option<String>, String), ReadError> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let line = std::str::from_utf8(bytes).map_err(|e| {
        ReadError::new(ErrorKind::Encoding, format!("not valid UTF-8 (invalid byte at column {})", e.valid_up_to() + 1))
    })?;
    let mut de = serde_json::Deserializer::from_str(line);
    let fields = Fields { text_field: &options.text_field, id_field: &options.id_field };
    let found = fields.deserialize(&mut de).map_err(|e| ReadError::new(ErrorKind::Json, format!("malformed JSON: {e}")))?;
    de.end().map_err(|e| ReadError::new(ErrorKind::Json, format!("malformed JSON: {e}")))?;
    match found.text {
        Some(Ok(text)) => Ok((found.id, text)),
        Some(Err(kind)) => Err(ReadError::new(ErrorKind::Json, format!("field \"{}\" is {kind}, not a string", options.text_field))),
        None => Err(ReadError::new(ErrorKind::Json, format!("no field \"{}\"", options.text_field))),
    }
}

struct Fields<'a> {
    text_field: &'a str,
    id_field: &'a str,
}

struct Found {
    /// The text, or the JSON type it had instead of a string.
    text: Option<Result<String, &'static str>>,
    id: Option<String>,
}

impl<'de> DeserializeSeed<'de> for Fields<'_> {
    type Value = Found;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Fields<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut found = Found { text: None, id: None };
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.text_field {
                let value: serde_json::Value = map.next_value()?;
                found.text = Some(match value {
                    serde_json::Value::String(s) => Ok(s),
                    other => Err(type_name(&other)),
                });
            } else if key == self.id_field {
                let value: serde_json::Value = map.next_value()?;
                found.id = match value {
                    serde_json::Value::String(s) => Some(s),
                    serde_json::Value::Null => None,
                    other => Some(other.to_string()),
                };
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

fn type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> SourceOptions {
        SourceOptions::default()
    }

    #[test]
    fn takes_text_and_id_and_skips_other_fields() {
        let (id, text) = parse_line(br#"{"meta":{"a":[1,2,{"text":"no"}]},"id":42,"text":"Hello \u00e9"}"#, &opts()).unwrap();
        assert_eq!(id.as_deref(), Some("42"));
        assert_eq!(text, "Hello é");
    }

    #[test]
    fn names_what_is_wrong() {
        let e = parse_line(br#"{"id":"a"}"#, &opts()).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Json, "no field \"text\""));
        let e = parse_line(br#"{"text":3}"#, &opts()).unwrap_err();
        assert!(e.message.contains("a number"), "{e}");
        let e = parse_line(br#"{"text":"a""#, &opts()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Json);
        let e = parse_line(br#"["text"]"#, &opts()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Json);
        let e = parse_line(b"{\"text\":\"caf\xe9\"}", &opts()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Encoding);
        assert!(e.message.contains("column 13"), "{e}");
        let e = parse_line(br#"{"text":"a"} {"#, &opts()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Json);
    }
}
