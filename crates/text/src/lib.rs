//! Tokens with byte offsets, sentence breaks, and the normalisation that
//! turns written English into the word sequence the language model knows
//! (lower case, numbers spelled out).
//!
//! Every token is a byte range of the input, so a finding can name exact
//! bytes and a restoration can leave every other byte as it was.

pub mod markup;
mod numbers;

pub use numbers::spell_number;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, with inner apostrophes and hyphens ("don't", "long-term").
    Word,
    /// Digits with separators and decimals ("1,200", "3.5", "3rd", "5%").
    Number,
    /// Dotted abbreviations and titles ("U.S.", "e.g.", "Dr.").
    Abbreviation,
    /// Punctuation (".", ",", "—", quotes, brackets).
    Punct,
    /// Anything else: URLs, e-mail addresses, currency signs, emoji.
    Symbol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || is_mark(c)
}

/// Combining marks stay inside the word they modify.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Titles and common abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "gen", "gov", "sen",
    "rep", "rev", "mt", "ft", "no", "vol", "fig", "figs", "eq", "al", "approx", "dept", "est", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "col", "capt", "lt", "sgt", "messrs",
];

/// All non-whitespace tokens in order; the text between two tokens is only
/// whitespace.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut chars = text.char_indices().peekable();
    // Where the current run of non-space characters starts. A URL or an
    // e-mail address is looked for only at a run's start or just after an
    // opening bracket or quote there ("(see http://..."): looking from every
    // token would read a long run once per token, quadratic in its length.
    let mut run_start = 0;
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            run_start = start + c.len_utf8();
            continue;
        }
        let rest = &text[start..];
        let may_link = start == run_start || (start == run_start + 1 && matches!(text.as_bytes()[run_start], b'(' | b'[' | b'<' | b'"' | b'\''));
        if let Some(len) = may_link.then(|| url_or_email_len(rest)).flatten() {
            let end = start + len;
            while chars.peek().is_some_and(|&(i, _)| i < end) {
                chars.next();
            }
            tokens.push(Token { start, end, kind: TokenKind::Symbol });
            continue;
        }
        if is_word_char(c) {
            let mut end = start + c.len_utf8();
            // Letters, and apostrophes or hyphens that sit between letters.
            loop {
                let tail = &text[end..];
                let mut it = tail.chars();
                match it.next() {
                    // Letters followed by digits ("COVID19", "H2O") stay one token.
                    Some(n) if is_word_char(n) || n.is_ascii_digit() => {
                        end += n.len_utf8()
                    }
                    Some(n) if (is_apostrophe(n) || n == '-') && it.next().is_some_and(is_word_char) => {
                        end += n.len_utf8()
                    }
                    _ => break,
                }
            }
            // Dotted abbreviations: "U.S.", "e.g.", "Ph.D.", and titles "Dr.".
            let mut kind = TokenKind::Word;
            if let Some(len) = abbreviation_len(&text[start..], end - start) {
                end = start + len;
                kind = TokenKind::Abbreviation;
            }
            while chars.peek().is_some_and(|&(i, _)| i < end) {
                chars.next();
            }
            tokens.push(Token { start, end, kind });
            continue;
        }
        if c.is_ascii_digit() {
            let b = text.as_bytes();
            let mut end = start + 1;
            while end < b.len() {
                let ch = b[end];
                if ch.is_ascii_digit() {
                    end += 1;
                } else if (ch == b',' || ch == b'.') && end + 1 < b.len() && b[end + 1].is_ascii_digit() {
                    end += 1;
                } else {
                    break;
                }
            }
            // Ordinal suffixes and percent signs belong to the number.
            let tail = &text[end..];
            for suf in ["st", "nd", "rd", "th", "%"] {
                if tail.len() >= suf.len()
                    && tail.is_char_boundary(suf.len())
                    && tail[..suf.len()].eq_ignore_ascii_case(suf)
                    && !tail[suf.len()..].chars().next().is_some_and(char::is_alphanumeric)
                {
                    end += suf.len();
                    break;
                }
            }
            while chars.peek().is_some_and(|&(i, _)| i < end) {
                chars.next();
            }
            tokens.push(Token { start, end, kind: TokenKind::Number });
            continue;
        }
        let kind = if c.is_ascii_punctuation() || is_unicode_punct(c) { TokenKind::Punct } else { TokenKind::Symbol };
        let end = start + c.len_utf8();
        // Keep combining marks on a symbol with it, so offsets never split a grapheme.
        let mut end = end;
        while let Some(&(i, n)) = chars.peek() {
            if is_mark(n) || n == '\u{200D}' || n == '\u{FE0F}' {
                end = i + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        tokens.push(Token { start, end, kind });
    }
    tokens
}

fn is_unicode_punct(c: char) -> bool {
    matches!(c, '‘' | '’' | '“' | '”' | '–' | '—' | '…' | '«' | '»' | '‹' | '›' | '¡' | '¿' | '·' | '„' | '‚' | '•')
}

fn abbreviation_len(s: &str, word_len: usize) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(word_len) != Some(&b'.') {
        return None;
    }
    let word = &s[..word_len];
    // Single letters chained with periods: "U.S.", "e.g.", "J." as an initial.
    if word.chars().count() <= 2 && word.chars().all(|c| c.is_alphabetic()) {
        let mut end = word_len + 1;
        loop {
            let rest = &s[end..];
            let mut it = rest.char_indices();
            match (it.next(), it.next()) {
                (Some((_, c)), Some((j, '.'))) if c.is_alphabetic() => end += j + 1,
                _ => break,
            }
        }
        let chained = end > word_len + 1;
        let single_upper = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
        if chained || single_upper || ABBREVIATIONS.contains(&word.to_lowercase().as_str()) {
            return Some(end);
        }
        return None;
    }
    if ABBREVIATIONS.contains(&word.to_lowercase().as_str()) {
        return Some(word_len + 1);
    }
    None
}

fn url_or_email_len(s: &str) -> Option<usize> {
    let lower_start = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let is_url = lower_start.starts_with("http://") || lower_start.starts_with("https://") || lower_start.starts_with("www.");
    let end = s.find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"').unwrap_or(s.len());
    let cand = &s[..end];
    let cand = cand.trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '\'', '’', '”']);
    if is_url && cand.len() > 4 {
        return Some(cand.len());
    }
    if let Some(at) = cand.find('@') {
        let (user, host) = (&cand[..at], &cand[at + 1..]);
        if !user.is_empty()
            && host.contains('.')
            && user.chars().all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
            && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        {
            return Some(cand.len());
        }
    }
    None
}

/// Sentence boundaries as ranges of token indices covering all tokens.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // A blank line between tokens ends a paragraph.
        if i > start {
            let gap = &text[tokens[i - 1].end..t.start];
            if gap.matches('\n').count() >= 2 {
                out.push(start..i);
                start = i;
            }
        }
        let s = &text[t.start..t.end];
        if t.kind == TokenKind::Punct && matches!(s, "." | "!" | "?" | "…") {
            let mut end = i + 1;
            // Runs of terminal punctuation and closing quotes/brackets stay with the sentence.
            while end < tokens.len()
                && tokens[end].kind == TokenKind::Punct
                && matches!(&text[tokens[end].start..tokens[end].end], "." | "!" | "?" | "\"" | "'" | "’" | "”" | ")" | "]")
                && tokens[end].start == tokens[end - 1].end
            {
                end += 1;
            }
            out.push(start..end);
            start = end;
            i = end;
            continue;
        }
        i += 1;
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

/// Cuts `text` into consecutive byte ranges of at most `max_bytes` that
/// together cover it, for checking a very long text a block at a time.
/// Each cut falls at the last paragraph break (a blank line) in the second
/// half of the block; failing that at the last line break, then after the
/// last sentence end (". ", "! ", "? "), then after the last whitespace, so
/// that no word and, as far as the text allows, no sentence or paragraph is
/// split. A block with none of these in its second half (one enormous
/// "word") is cut at the character boundary at or before `max_bytes`.
/// Every range starts and ends on a character boundary and is non-empty;
/// a `max_bytes` under 4, the longest character, is taken as 4.
pub fn blocks(text: &str, max_bytes: usize) -> Vec<std::ops::Range<usize>> {
    let max_bytes = max_bytes.max(4);
    let mut out = Vec::new();
    let mut start = 0;
    while text.len() - start > max_bytes {
        let mut limit = start + max_bytes;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let window = &text[start..limit];
        let half = window.len() / 2;
        let after = |pattern: &str| window.rfind(pattern).map(|at| at + pattern.len()).filter(|&cut| cut > half);
        let after_whitespace = || {
            window.char_indices().rev().find(|&(_, c)| c.is_whitespace()).map(|(at, c)| at + c.len_utf8()).filter(|&cut| cut > half)
        };
        let cut = after("\n\n")
            .or_else(|| after("\n"))
            .or_else(|| [". ", "! ", "? "].iter().filter_map(|p| after(p)).max())
            .or_else(after_whitespace)
            // `limit` is a boundary at least one character past `start`
            // (`max_bytes` is at least 4), so the window is never empty.
            .unwrap_or(window.len());
        out.push(start..start + cut);
        start += cut;
    }
    if start < text.len() || text.is_empty() {
        out.push(start..text.len());
    }
    out
}

/// The language-model words for one token: lower case, typographic
/// apostrophes made plain, numbers spelled out; none for punctuation.
pub fn lm_words(text: &str, token: &Token) -> Vec<String> {
    let s = &text[token.start..token.end];
    match token.kind {
        TokenKind::Word => vec![s.to_lowercase().replace('’', "'")],
        TokenKind::Abbreviation => {
            let letters: String = s.chars().filter(|c| *c != '.').collect::<String>().to_lowercase();
            vec![letters]
        }
        TokenKind::Number => numbers::number_words(s),
        TokenKind::Punct | TokenKind::Symbol => Vec::new(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseShape {
    Lower,
    Title,
    Upper,
    Mixed,
}

pub fn case_shape(word: &str) -> CaseShape {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() || letters.iter().all(|c| !c.is_uppercase()) {
        return CaseShape::Lower;
    }
    if letters.len() >= 2 && letters.iter().all(|c| !c.is_lowercase()) {
        return CaseShape::Upper;
    }
    if letters[0].is_uppercase() && letters[1..].iter().all(|c| !c.is_uppercase()) {
        return CaseShape::Title;
    }
    if letters.len() == 1 {
        return CaseShape::Title;
    }
    CaseShape::Mixed
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Gives a lower-case replacement the casing of the text it replaces.
pub fn apply_case(replacement: &str, replaced: &str) -> String {
    let words: Vec<&str> = replaced.split_whitespace().collect();
    let shapes: Vec<CaseShape> = words.iter().map(|w| case_shape(w)).collect();
    if !shapes.is_empty() && shapes.iter().all(|s| *s == CaseShape::Upper)
        && replaced.chars().filter(|c| c.is_alphabetic()).count() >= 2
    {
        return replacement.to_uppercase();
    }
    match shapes.first() {
        Some(CaseShape::Title | CaseShape::Upper) => {
            // Every word capitalised, as in names and titles, when the replaced
            // text had more than one word and all were capitalised.
            if words.len() > 1 && shapes.iter().all(|s| matches!(s, CaseShape::Title | CaseShape::Upper)) {
                replacement.split(' ').map(capitalise).collect::<Vec<_>>().join(" ")
            } else {
                capitalise(replacement)
            }
        }
        _ => replacement.to_string(),
    }
}

/// "a" or "an" for the word that follows, by how the word is pronounced.
pub fn indefinite_article(next_word: &str) -> &'static str {
    let w = next_word.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = w.to_lowercase();
    if lower.is_empty() {
        return "a";
    }
    let first = lower.chars().next().unwrap();
    if first.is_ascii_digit() {
        // "an 8", "an 11", "an 18", "an 80"
        return if lower.starts_with('8') || lower.starts_with("11") || lower.starts_with("18") { "an" } else { "a" };
    }
    // All-capital initialisms are read letter by letter: "an MBA", "a UN".
    if w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase()) {
        return if "aefhilmnorsx".contains(first) { "an" } else { "a" };
    }
    for silent in ["hour", "honest", "honor", "honour", "heir"] {
        if lower.starts_with(silent) {
            return "an";
        }
    }
    for yoo in ["uni", "use", "usu", "uti", "ura", "uro", "eu", "ewe", "one", "once", "ubiq", "uk", "ufo"] {
        if lower.starts_with(yoo) {
            return "a";
        }
    }
    if "aeiou".contains(first) {
        "an"
    } else {
        "a"
    }
}
