//! WARC (ISO 28500) records, plain or gzip/zstd compressed, as Common Crawl
//! publishes them: `response` records carrying HTML become documents (their
//! main text is extracted later, by a worker), WET `conversion` records are
//! text; every other record is skipped and counted. A malformed record is an
//! error item, and reading resumes at the next `WARC/` header line.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::compress::{read_line_bounded, Input, Line};
use crate::source::SourceOptions;
use crate::{decode_text, Content, ErrorKind, Item, ReadError};

/// Longest header line or header block accepted.
const MAX_HEADER: usize = 64 * 1024;

pub struct WarcReader {
    path: String,
    input: Input,
    options: Arc<SourceOptions>,
    counter: Arc<AtomicU64>,
    /// Offset in the decompressed stream.
    offset: u64,
    /// A header line read while resynchronising, to be parsed next.
    pending_line: Option<(u64, Vec<u8>)>,
    done: bool,
}

struct Header {
    warc_type: String,
    target_uri: Option<String>,
    record_id: Option<String>,
    content_type: Option<String>,
    content_length: Option<u64>,
}

impl WarcReader {
    pub fn new(path: String, input: Input, options: Arc<SourceOptions>, counter: Arc<AtomicU64>) -> WarcReader {
        WarcReader { path, input, options, counter, offset: 0, pending_line: None, done: false }
    }

    /// The next line and the offset it starts at.
    fn read_line(&mut self) -> io::Result<Option<(u64, Vec<u8>)>> {
        if let Some(pending) = self.pending_line.take() {
            return Ok(Some(pending));
        }
        let at = self.offset;
        match read_line_bounded(&mut self.input.reader, MAX_HEADER)? {
            Line::Eof => Ok(None),
            Line::Line(l) => {
                self.offset += l.len() as u64;
                Ok(Some((at, l)))
            }
            Line::TooLong(n) => {
                self.offset += n;
                Ok(Some((at, b"(line longer than 64 KB)".to_vec())))
            }
        }
    }

    /// Skips to the next line that starts a record, which is read next.
    fn resync(&mut self) -> io::Result<()> {
        while let Some((at, line)) = self.read_line()? {
            if is_version_line(&line) {
                self.pending_line = Some((at, line));
                break;
            }
        }
        Ok(())
    }

    fn item(&self, location: String, id: Option<String>, content: Content) -> Item {
        let input_position = self.counter.load(Ordering::Relaxed);
        Item { id: id.unwrap_or_else(|| location.clone()), location, input_position, content }
    }

    fn broken_stream(&mut self, location: String, e: &io::Error) -> Item {
        self.done = true;
        let error = if e.kind() == io::ErrorKind::UnexpectedEof && self.input.compression == crate::compress::Compression::None {
            ReadError::new(ErrorKind::Warc, "record cut short at the end of the file")
        } else {
            self.input.error(e)
        };
        self.item(location, None, Content::Unreadable(error))
    }

    fn next_record(&mut self) -> Option<Item> {
        // Records are separated by blank lines.
        let (start, first) = loop {
            match self.read_line() {
                Ok(None) => return None,
                Err(e) => return Some(self.broken_stream(format!("{}@{}", self.path, self.offset), &e)),
                Ok(Some((_, line))) if line.iter().all(|b| b.is_ascii_whitespace()) => continue,
                Ok(Some(found)) => break found,
            }
        };
        let location = format!("{}@{start}", self.path);
        if !is_version_line(&first) {
            let shown = String::from_utf8_lossy(&first[..first.len().min(40)]).trim_end().to_string();
            if let Err(e) = self.resync() {
                return Some(self.broken_stream(location, &e));
            }
            return Some(self.item(location, None, Content::Unreadable(ReadError::new(ErrorKind::Warc, format!("expected a WARC record, found {shown:?}")))));
        }
        let header = match self.read_header() {
            Ok(Ok(h)) => h,
            Ok(Err(message)) => {
                if let Err(e) = self.resync() {
                    return Some(self.broken_stream(location, &e));
                }
                return Some(self.item(location, None, Content::Unreadable(ReadError::new(ErrorKind::Warc, message))));
            }
            Err(e) => return Some(self.broken_stream(location, &e)),
        };
        let Some(length) = header.content_length else {
            if let Err(e) = self.resync() {
                return Some(self.broken_stream(location, &e));
            }
            return Some(self.item(location, None, Content::Unreadable(ReadError::new(ErrorKind::Warc, "record without a valid Content-Length"))));
        };
        let id = header.target_uri.clone().or_else(|| header.record_id.clone());
        let limit = self.options.max_document_bytes as u64;
        let wanted = matches!(header.warc_type.as_str(), "response" | "conversion" | "resource");
        // Bodies of records that are not documents are read past, not kept.
        let keep = if wanted { length.min(limit + 1) } else { 0 };
        let mut body = Vec::with_capacity(keep as usize);
        let got = match (&mut self.input.reader).take(keep).read_to_end(&mut body) {
            Ok(n) => n as u64,
            Err(e) => return Some(self.broken_stream(location, &e)),
        };
        let skipped = match io::copy(&mut (&mut self.input.reader).take(length - got), &mut io::sink()) {
            Ok(n) => n,
            Err(e) => return Some(self.broken_stream(location, &e)),
        };
        self.offset += got + skipped;
        if got + skipped < length {
            self.done = true;
            let message = format!("record cut short: {} of {length} content bytes", got + skipped);
            return Some(self.item(location, id, Content::Unreadable(ReadError::new(ErrorKind::Warc, message))));
        }
        let content = match header.warc_type.as_str() {
            "response" => Content::HttpResponse { message: body, truncated: length > limit },
            "conversion" | "resource" => {
                let media = header.content_type.as_deref().map(media_type).unwrap_or_default();
                match media.as_str() {
                    "text/plain" if length > limit => too_large(limit),
                    "text/plain" => match decode_text(body) {
                        Ok(t) => Content::Text(t),
                        Err(e) => Content::Unreadable(e),
                    },
                    "text/html" | "application/xhtml+xml" if header.warc_type == "resource" => {
                        if length > limit {
                            too_large(limit)
                        } else {
                            html_content(body, None)
                        }
                    }
                    _ => Content::Skipped("WARC record that is not text"),
                }
            }
            "warcinfo" => Content::Skipped("WARC warcinfo record"),
            "request" => Content::Skipped("WARC request record"),
            "metadata" => Content::Skipped("WARC metadata record"),
            "revisit" => Content::Skipped("WARC revisit record"),
            _ => Content::Skipped("WARC record of another type"),
        };
        Some(self.item(location, id, content))
    }

    /// The named fields of the header block; Err(message) if it is malformed.
    fn read_header(&mut self) -> io::Result<Result<Header, String>> {
        let mut header = Header { warc_type: String::new(), target_uri: None, record_id: None, content_type: None, content_length: None };
        let mut size = 0;
        let mut length_text: Option<String> = None;
        loop {
            let Some((_, line)) = self.read_line()? else {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "header cut short"));
            };
            size += line.len();
            if size > MAX_HEADER {
                return Ok(Err("WARC header block larger than 64 KB".into()));
            }
            let line = trim_eol(&line);
            if line.is_empty() {
                break;
            }
            let Ok(line) = std::str::from_utf8(line) else {
                return Ok(Err("WARC header that is not UTF-8".into()));
            };
            if line.starts_with([' ', '\t']) {
                continue; // folded continuation of a field we do not need
            }
            let Some((name, value)) = line.split_once(':') else {
                return Ok(Err(format!("malformed WARC header line {:?}", &line[..line.len().min(60)])));
            };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "warc-type" => header.warc_type = value.to_ascii_lowercase(),
                "warc-target-uri" => header.target_uri = Some(value.trim_matches(['<', '>']).to_string()),
                "warc-record-id" => header.record_id = Some(value.to_string()),
                "content-type" => header.content_type = Some(value.to_string()),
                "content-length" => length_text = Some(value.to_string()),
                _ => {}
            }
        }
        header.content_length = length_text.and_then(|t| t.parse().ok());
        Ok(Ok(header))
    }
}

impl Iterator for WarcReader {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        let item = self.next_record();
        if item.is_none() {
            self.done = true;
        }
        item
    }
}

fn is_version_line(line: &[u8]) -> bool {
    line.starts_with(b"WARC/")
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn too_large(limit: u64) -> Content {
    Content::Unreadable(ReadError::new(ErrorKind::TooLarge, format!("larger than the {} MB document limit", limit >> 20)))
}

/// "text/html; charset=UTF-8" -> "text/html".
fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset")).then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    })
}

/// An HTTP response: an HTML document if it is a 2xx with an HTML body.
pub fn response_content(body: &[u8], truncated: bool, limit: u64) -> Content {
    let Some(split) = find(body, b"\r\n\r\n").map(|i| i + 4).or_else(|| find(body, b"\n\n").map(|i| i + 2)) else {
        return Content::Skipped("WARC response that is not HTTP");
    };
    let Ok(head) = std::str::from_utf8(&body[..split]) else {
        return Content::Skipped("WARC response that is not HTTP");
    };
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("");
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if !status.starts_with("HTTP/") {
        return Content::Skipped("WARC response that is not HTTP");
    }
    if !code.starts_with('2') {
        return Content::Skipped("HTTP response other than 2xx");
    }
    let mut content_type = String::new();
    let mut chunked = false;
    let mut encoding = String::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-type" => content_type = v.trim().to_string(),
                "transfer-encoding" => chunked = v.to_ascii_lowercase().contains("chunked"),
                "content-encoding" => encoding = v.trim().to_ascii_lowercase(),
                _ => {}
            }
        }
    }
    let media = media_type(&content_type);
    if media != "text/html" && media != "application/xhtml+xml" {
        return Content::Skipped("HTTP response that is not HTML");
    }
    if truncated {
        return too_large(limit);
    }
    let mut payload = body[split..].to_vec();
    if chunked {
        match dechunk(&payload) {
            Some(p) => payload = p,
            None => return Content::Unreadable(ReadError::new(ErrorKind::Warc, "malformed chunked HTTP body")),
        }
    }
    match encoding.as_str() {
        "" | "identity" => {}
        "gzip" | "x-gzip" | "deflate" => {
            let mut out = Vec::new();
            let result = if encoding == "deflate" {
                flate2::read::ZlibDecoder::new(&payload[..]).take(limit + 1).read_to_end(&mut out)
            } else {
                flate2::read::MultiGzDecoder::new(&payload[..]).take(limit + 1).read_to_end(&mut out)
            };
            if let Err(e) = result {
                return Content::Unreadable(ReadError::new(ErrorKind::Decompress, format!("HTTP body: {encoding} stream corrupt ({e})")));
            }
            if out.len() as u64 > limit {
                return too_large(limit);
            }
            payload = out;
        }
        other => return Content::Unreadable(ReadError::new(ErrorKind::Decompress, format!("HTTP body in unsupported content encoding {other:?}"))),
    }
    html_content(payload, charset_of(&content_type))
}

/// HTML bytes as text: UTF-8, or Windows-1252/Latin-1 when the page says so
/// (in HTTP or in a `<meta>` near the top). Other encodings are an error.
pub fn html_content(bytes: Vec<u8>, declared: Option<String>) -> Content {
    if bytes.contains(&0) {
        return Content::Unreadable(ReadError::new(ErrorKind::Binary, "binary data (NUL byte) in an HTML page"));
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(s) => return Content::Html(s),
        Err(e) => e.into_bytes(),
    };
    let charset = declared.or_else(|| meta_charset(&bytes[..bytes.len().min(2048)]));
    match charset.as_deref() {
        Some("iso-8859-1" | "latin1" | "latin-1" | "windows-1252" | "cp1252" | "us-ascii" | "ascii") => {
            Content::Html(bytes.iter().map(|&b| windows_1252(b)).collect())
        }
        Some(other) => Content::Unreadable(ReadError::new(ErrorKind::Encoding, format!("HTML in unsupported encoding {other:?}"))),
        None => Content::Unreadable(ReadError::new(ErrorKind::Encoding, "HTML that is not valid UTF-8 and declares no charset")),
    }
}

fn meta_charset(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = text.find("charset=")? + "charset=".len();
    let rest = text[at..].trim_start_matches(['"', '\'']);
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| rest[..end].to_string())
}

/// WHATWG's windows-1252 (which is also what "iso-8859-1" means on the web).
fn windows_1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => char::from_u32(HIGH[(b - 0x80) as usize] as u32).unwrap_or('\u{FFFD}'),
        _ => b as char,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes an HTTP/1.1 chunked body.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let eol = find(body, b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size..)?;
        body = body.strip_prefix(b"\r\n").unwrap_or(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n").unwrap(), b"Wikipedia");
        assert!(dechunk(b"zz\r\nWiki").is_none());
    }

    #[test]
    fn latin1_html_is_transcoded_when_declared() {
        match html_content(b"<p>caf\xe9 \x93q\x94</p>".to_vec(), Some("iso-8859-1".into())) {
            Content::Html(s) => assert_eq!(s, "<p>caf\u{e9} \u{201c}q\u{201d}</p>"),
            other => panic!("{other:?}"),
        }
        match html_content(b"<meta charset=\"windows-1252\"><p>caf\xe9</p>".to_vec(), None) {
            Content::Html(s) => assert!(s.ends_with("caf\u{e9}</p>")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(html_content(b"<p>caf\xe9</p>".to_vec(), None), Content::Unreadable(e) if e.kind == ErrorKind::Encoding));
    }
}
