//! The text a reader sees in an HTML page, with a map back to the page's
//! bytes: checking the text and not the markup, and restoring the page with
//! only words changed and every tag, script and attribute byte for byte.
//!
//! This is a tokenizer, not a parser: it skips tags, comments, and the
//! contents of `script`, `style` and the like; decodes character references;
//! and turns block-level tags (`p`, `div`, `br`, headings, list items, table
//! cells) into paragraph breaks so that sentences and paragraphs end where
//! the page's do. An inline tag (`b`, `a`, `span`) gives nothing, as it
//! shows nothing: "<b>Joined</b> Together" reads "Joined Together". A span
//! of the text whose bytes in the page are not one run of text (a tag or a
//! comment inside it) has no place to be restored to
//! ([`HtmlText::source_range`] is None).

use std::ops::Range;

/// An HTML page's visible text and where each part of it came from.
#[derive(Clone, Debug)]
pub struct HtmlText {
    /// The page's text: paragraphs separated by blank lines.
    pub text: String,
    /// Consecutive pieces of `text`, in order.
    pieces: Vec<Piece>,
}

#[derive(Clone, Copy, Debug)]
struct Piece {
    /// Where the piece starts in the text, and its length there.
    text_start: usize,
    text_len: usize,
    /// The bytes of the page it stands for.
    source_start: usize,
    source_len: usize,
    kind: PieceKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PieceKind {
    /// Page text copied byte for byte.
    Copy,
    /// A character reference ("&amp;", "&#8217;"), decoded.
    Reference,
    /// A paragraph break standing for a block-level tag: markup.
    Break,
}

/// Whether `text` is an HTML page or fragment rather than plain text: it
/// opens (after white space and a byte-order mark) with a doctype, a
/// comment or a tag, and closes some element somewhere.
pub fn looks_like_html(text: &str) -> bool {
    let head = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let opens = head.as_bytes().first() == Some(&b'<') && head.as_bytes().get(1).is_some_and(|&b| b.is_ascii_alphabetic() || b == b'!');
    opens && text.contains("</")
}

/// Elements whose content is not text a reader sees.
const HIDDEN: [&str; 7] = ["script", "style", "noscript", "template", "svg", "math", "iframe"];

/// Elements that start or end a block: a paragraph break in the text.
const BLOCKS: [&str; 34] = [
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "title", "tr",
];

impl HtmlText {
    pub fn new(html: &str) -> HtmlText {
        let mut view = HtmlText { text: String::with_capacity(html.len()), pieces: Vec::new() };
        let bytes = html.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'<' => match markup_at(html, i) {
                    Some((end, tag)) => {
                        // One break for a run of block tags ("</p><p>").
                        let after_break = view.last_is_break();
                        if tag.is_some_and(|name| BLOCKS.contains(&name.as_str())) && !after_break {
                            view.push(i, end - i, "\n\n", PieceKind::Break);
                        }
                        i = end;
                    }
                    None => i = view.copy(html, i),
                },
                b'&' => match reference_at(html, i) {
                    Some((len, decoded)) => {
                        view.push(i, len, decoded.encode_utf8(&mut [0; 4]), PieceKind::Reference);
                        i += len;
                    }
                    None => i = view.copy(html, i),
                },
                _ => i = view.copy(html, i),
            }
        }
        view
    }

    fn last_is_break(&self) -> bool {
        self.pieces.last().is_some_and(|p| p.kind == PieceKind::Break)
    }

    fn push(&mut self, source_start: usize, source_len: usize, text: &str, kind: PieceKind) {
        self.pieces.push(Piece { text_start: self.text.len(), text_len: text.len(), source_start, source_len, kind });
        self.text.push_str(text);
    }

    /// Copies the run of plain page text at `at` (at least its first
    /// character, which may be a "<" or "&" that starts nothing); returns
    /// where it ends.
    fn copy(&mut self, html: &str, at: usize) -> usize {
        let first = html[at..].chars().next().map_or(1, char::len_utf8);
        let end = html[at + first..].find(['<', '&']).map_or(html.len(), |k| at + first + k);
        match self.pieces.last_mut() {
            // Extend the previous copy when it ends where this starts.
            Some(p) if p.kind == PieceKind::Copy && p.source_start + p.source_len == at => {
                p.text_len += end - at;
                p.source_len += end - at;
                self.text.push_str(&html[at..end]);
            }
            _ => self.push(at, end - at, &html[at..end], PieceKind::Copy),
        }
        end
    }

    /// The bytes of the page that `range` of the text stands for, when they
    /// are one run of page text and character references; None when the
    /// range holds or crosses markup, or does not start and end on pieces'
    /// characters.
    pub fn source_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        if range.start >= range.end || range.end > self.text.len() {
            return None;
        }
        let find = |at: usize| self.pieces.partition_point(|p| p.text_start + p.text_len <= at);
        let (first, last) = (find(range.start), find(range.end - 1));
        let pieces = self.pieces.get(first..=last)?;
        if pieces.iter().any(|p| p.kind == PieceKind::Break) || pieces.windows(2).any(|w| w[0].source_start + w[0].source_len != w[1].source_start) {
            return None;
        }
        let (a, b) = (&pieces[0], &pieces[pieces.len() - 1]);
        let start = match a.kind {
            PieceKind::Copy => a.source_start + (range.start - a.text_start),
            _ if range.start == a.text_start => a.source_start,
            _ => return None,
        };
        let end = match b.kind {
            PieceKind::Copy => b.source_start + (range.end - b.text_start),
            _ if range.end == b.text_start + b.text_len => b.source_start + b.source_len,
            _ => return None,
        };
        Some(start..end)
    }
}

/// The markup at `at` (a "<"): where it ends, and for a tag its lower-cased
/// name. A hidden element (script, style) ends after its closing tag. None
/// when the "<" starts no markup ("a < b").
fn markup_at(html: &str, at: usize) -> Option<(usize, Option<String>)> {
    let rest = &html[at..];
    if let Some(body) = rest.strip_prefix("<!--") {
        return Some((body.find("-->").map_or(html.len(), |k| at + 4 + k + 3), None));
    }
    let after = rest.as_bytes().get(1)?;
    if !(after.is_ascii_alphabetic() || matches!(after, b'/' | b'!' | b'?')) {
        return None;
    }
    let closing = *after == b'/';
    let name: String = rest[1 + closing as usize..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    if closing && name.is_empty() {
        return None;
    }
    // The tag ends at the first ">" outside quoted attribute values.
    let mut quote = None;
    let mut end = html.len();
    for (k, c) in rest.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => {
                end = at + k + 1;
                break;
            }
            _ => {}
        }
    }
    if !closing && HIDDEN.contains(&name.as_str()) && !html[at..end].ends_with("/>") {
        // Everything up to the closing tag is hidden (or the rest of the
        // page, when it never closes).
        let lower_close = format!("</{name}");
        let end = find_ascii_case_insensitive(&html[end..], &lower_close)
            .map(|k| end + k)
            .map_or(html.len(), |close| html[close..].find('>').map_or(html.len(), |k| close + k + 1));
        return Some((end, Some(name)));
    }
    Some((end, (!name.is_empty()).then_some(name)))
}

fn find_ascii_case_insensitive(haystack: &str, lower_needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), lower_needle.as_bytes());
    (0..h.len().checked_sub(n.len())? + 1).find(|&k| h[k..k + n.len()].eq_ignore_ascii_case(n))
}

/// The character reference at `at` (a "&"): its length and the character.
fn reference_at(html: &str, at: usize) -> Option<(usize, char)> {
    let rest = &html[at + 1..];
    // A reference is short: looking no further keeps "&&&&..." linear.
    let semi = rest.bytes().take(33).position(|b| b == b';').filter(|&k| k > 0)?;
    let body = &rest[..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(code).filter(|&c| c != '\0')?
    } else {
        NAMED.iter().find(|(name, _)| *name == body).map(|&(_, c)| c)?
    };
    Some((semi + 2, c))
}

/// The named references prose uses; others are left as written.
const NAMED: [(&str, char); 24] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", ' '),
    ("rsquo", '’'),
    ("lsquo", '‘'),
    ("rdquo", '”'),
    ("ldquo", '“'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("hellip", '…'),
    ("shy", '\u{ad}'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("aacute", 'á'),
    ("agrave", 'à'),
    ("iacute", 'í'),
    ("oacute", 'ó'),
    ("uacute", 'ú'),
    ("ntilde", 'ñ'),
    ("ccedil", 'ç'),
    ("uuml", 'ü'),
];

/// `text` with the characters HTML gives meaning to written as references,
/// for putting a suggestion into a page.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_of_a_page_maps_back_to_its_bytes() {
        let html = "<!DOCTYPE html><html><head><title>Town news</title><style>p { color: red }</style>\
                    <script>var s = \"kidney disappointment\";</script></head><body><!-- note -->\
                    <p>The <b>Joined</b> Together States said&nbsp;it won&rsquo;t go.</p><p>A &lt; b &amp; c</p></body></html>";
        let view = HtmlText::new(html);
        assert_eq!(view.text, "\n\nTown news\n\nThe Joined Together States said it won’t go.\n\nA < b & c\n\n");
        assert!(!view.text.contains("kidney") && !view.text.contains("color"));
        let at = |w: &str| view.text.find(w).unwrap()..view.text.find(w).unwrap() + w.len();
        let source = |w: &str| view.source_range(at(w)).map(|r| &html[r]);
        assert_eq!(source("Together States"), Some("Together States"));
        assert_eq!(source("won’t"), Some("won&rsquo;t"));
        assert_eq!(source("said it"), Some("said&nbsp;it"));
        assert_eq!(source("& c"), Some("&amp; c"));
        // Across an inline tag or a paragraph break there is no one place.
        assert_eq!(source("Joined Together"), None);
        assert_eq!(source("go.\n\nA"), None);
    }

    #[test]
    fn what_starts_no_markup_is_text() {
        for plain in ["a < b and c > d", "fish & chips", "x &unknown; y", "<3 you", "&#0; &#xZZ;", "unclosed <b", "< /p>"] {
            let view = HtmlText::new(plain);
            if !plain.contains("<b") {
                assert_eq!(view.text, plain);
                assert_eq!(view.source_range(0..plain.len()), Some(0..plain.len()), "{plain}");
            }
        }
        // A hidden element that never closes hides the rest of the page.
        assert_eq!(HtmlText::new("<p>Hi</p><script>x = 1 < 2").text, "\n\nHi\n\n");
        // A tag's quoted attribute may hold ">".
        assert_eq!(HtmlText::new("<a title='a > b'>link</a> text").text, "link text");
        assert_eq!(HtmlText::new("<SCRIPT>hidden</Script>shown").text, "shown");
    }

    #[test]
    fn pages_are_told_from_plain_text() {
        assert!(looks_like_html("<!DOCTYPE html><html><body><p>x</p></body></html>"));
        assert!(looks_like_html("\u{feff}\n  <p>A fragment.</p>"));
        assert!(!looks_like_html("Plain text about <b> tags."));
        assert!(!looks_like_html("<3 is a heart, not a tag"));
        assert!(!looks_like_html("<p> an opening tag alone"));
    }

    #[test]
    fn suggestions_are_escaped_for_the_page() {
        assert_eq!(escape_html("R&D <b>"), "R&amp;D &lt;b&gt;");
        assert_eq!(escape_html("plain words"), "plain words");
    }
}
