//! Known tortured-phrase fingerprints (Problematic Paper Screener exports).
//!
//! An optional extra input: the model finds phrases nobody has listed, a list
//! makes sure the ones already listed are never missed.

use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::{Finding, Source};

#[derive(Debug, thiserror::Error)]
pub enum FingerprintError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: line {line}: {message}")]
    Parse { path: String, line: u64, message: String },
    #[error("{path}: no usable fingerprint rows (expected a CSV with a quoted phrase and its expected text per row)")]
    Empty { path: String },
}

/// One row: the phrase to find, what else the document must (or must not)
/// contain, and the expected original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub phrase: String,
    pub context: Query,
    pub expected: String,
}

/// The context part of a PPS query after its first phrase: every group must
/// have at least one term present (`AND "x"`, `AND ("x" OR "y")`), and no
/// excluded term may be present (`NOT "x"`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub all_of: Vec<Vec<String>>,
    pub none_of: Vec<String>,
}

impl Query {
    fn terms(&self) -> impl Iterator<Item = &String> {
        self.all_of.iter().flatten().chain(&self.none_of)
    }
}

/// A compiled fingerprint list.
#[derive(Clone)]
pub struct Fingerprints {
    rows: Vec<Fingerprint>,
    matcher: AhoCorasick,
    context_matcher: Option<AhoCorasick>,
    context_terms: Vec<String>,
}

/// Parses a PPS query such as `"surface region" AND "surface area"`,
/// `"x" AND ("a" OR "b")` or `"x" NOT "y"` into its first phrase and the
/// context it demands. Returns None when the query has no phrase.
pub fn parse_query(query: &str) -> Option<(String, Query)> {
    #[derive(PartialEq)]
    enum Tok {
        Term(String),
        And,
        Or,
        Not,
        Open,
        Close,
    }
    let mut toks = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('"') {
            let close = r.find('"')?;
            let term = r[..close].trim();
            if !term.is_empty() {
                toks.push(Tok::Term(term.to_string()));
            }
            rest = r[close + 1..].trim_start();
        } else if let Some(r) = rest.strip_prefix('(') {
            toks.push(Tok::Open);
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix(')') {
            toks.push(Tok::Close);
            rest = r.trim_start();
        } else {
            let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')').unwrap_or(rest.len());
            match &rest[..end] {
                "AND" => toks.push(Tok::And),
                "OR" => toks.push(Tok::Or),
                "NOT" => toks.push(Tok::Not),
                _ => return None,
            }
            rest = rest[end..].trim_start();
        }
    }
    let mut it = toks.into_iter();
    let Some(Tok::Term(phrase)) = it.next() else { return None };
    let mut q = Query::default();
    let mut negate = false;
    let mut group: Option<Vec<String>> = None;
    for t in it {
        match t {
            Tok::And => negate = false,
            Tok::Not => negate = true,
            Tok::Or => {}
            Tok::Open => group = Some(Vec::new()),
            Tok::Close => {
                if let Some(g) = group.take() {
                    if negate {
                        q.none_of.extend(g);
                    } else if !g.is_empty() {
                        q.all_of.push(g);
                    }
                }
            }
            Tok::Term(term) => match (&mut group, negate) {
                (Some(g), _) => g.push(term),
                (None, true) => q.none_of.push(term),
                (None, false) => q.all_of.push(vec![term]),
            },
        }
    }
    Some((phrase, q))
}

impl Fingerprints {
    pub fn load(path: &Path) -> Result<Fingerprints, FingerprintError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| FingerprintError::Io { path: name.clone(), source })?;
        let text = String::from_utf8(bytes).map_err(|e| FingerprintError::Parse {
            path: name.clone(),
            line: 0,
            message: format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        })?;
        Fingerprints::from_csv(&name, &text)
    }

    /// Parses a PPS CSV export: column 1 the query, column 2 the expected text.
    /// Rows whose expected text is "?" or empty are skipped.
    pub fn from_csv(name: &str, text: &str) -> Result<Fingerprints, FingerprintError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| FingerprintError::Parse {
                path: name.to_string(),
                line: e.position().map(|p| p.line()).unwrap_or(0),
                message: e.to_string(),
            })?;
            let (Some(query), Some(expected)) = (record.get(0), record.get(1)) else { continue };
            let expected = expected.trim();
            // "?" (and "??", "???") marks an unknown original.
            if expected.is_empty() || expected.chars().all(|c| c == '?') {
                continue;
            }
            let Some((phrase, context)) = parse_query(query) else { continue };
            rows.push(Fingerprint { phrase, context, expected: expected.to_string() });
        }
        Fingerprints::from_rows(rows).ok_or(FingerprintError::Empty { path: name.to_string() })
    }

    pub fn from_rows(rows: Vec<Fingerprint>) -> Option<Fingerprints> {
        if rows.is_empty() {
            return None;
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(rows.iter().map(|r| r.phrase.as_str()))
            .ok()?;
        let mut context_terms: Vec<String> =
            rows.iter().flat_map(|r| r.context.terms().map(|c| c.to_lowercase())).collect();
        context_terms.sort();
        context_terms.dedup();
        let context_matcher = if context_terms.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&context_terms)
                .ok()
        };
        Some(Fingerprints { rows, matcher, context_matcher, context_terms })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// All fingerprint matches in `text` on whole-word boundaries whose
    /// context terms (the `AND` part of a query) also occur in the text.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let mut present = vec![false; self.context_terms.len()];
        if let Some(cm) = &self.context_matcher {
            for m in cm.find_overlapping_iter(text) {
                present[m.pattern().as_usize()] = true;
            }
        }
        let has_context = |term: &str| {
            let t = term.to_lowercase();
            self.context_terms.binary_search(&t).map(|i| present[i]).unwrap_or(false)
        };
        let mut out = Vec::new();
        for m in self.matcher.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            if !is_word_boundary(text, s) || !is_word_boundary(text, e) {
                continue;
            }
            let row = &self.rows[m.pattern().as_usize()];
            let q = &row.context;
            if !q.all_of.iter().all(|g| g.iter().any(|c| has_context(c))) || q.none_of.iter().any(|c| has_context(c)) {
                continue;
            }
            let found = &text[s..e];
            out.push(Finding {
                start: s,
                end: e,
                text: found.to_string(),
                suggestion: unspin_text::apply_case(&row.expected, found),
                confidence: 1.0,
                source: Source::Fingerprint,
                alternatives: Vec::new(),
            });
        }
        out
    }
}

fn is_word_boundary(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at..].chars().next();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    !(word(before) && word(after))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\"Fingerprint - Tortured Phrase\",\"Expected Text\",\"Nb Retrieved Papers\"\n\
\"\"\"surface region\"\" AND \"\"surface area\"\"\",\"surface area\",\"41,395\"\n\
\"\"\"counterfeit consciousness\"\"\",\"artificial intelligence\",\"900\"\n\
\"\"\"mystery phrase\"\"\",\"?\",\"3\"\n\
\"\"\"other mystery\"\"\",\"???\",\"3\"\n\
\"\"\"corridor impact\"\" AND (\"\"magnetic\"\" OR \"\"sensor\"\")\",\"Hall effect\",\"66\"\n\
\"\"\"cell separation\"\" NOT \"\"with MACS\"\"\",\"cell sorting\",\"6\"\n";

    #[test]
    fn parses_queries_and_skips_unknown_originals() {
        let (p, q) = parse_query("\"a b\" AND \"c\"").unwrap();
        assert_eq!((p.as_str(), q.all_of.clone()), ("a b", vec![vec!["c".to_string()]]));
        let (_, q) = parse_query("\"x\" AND (\"a\" OR \"b\")").unwrap();
        assert_eq!(q.all_of, vec![vec!["a".to_string(), "b".to_string()]]);
        let (_, q) = parse_query("\"x\" NOT \"x y\"").unwrap();
        assert_eq!((q.all_of.len(), q.none_of.clone()), (0, vec!["x y".to_string()]));
        let fp = Fingerprints::from_csv("t.csv", CSV).unwrap();
        assert_eq!(fp.len(), 4);
    }

    #[test]
    fn matches_whole_words_case_insensitively_and_keeps_case() {
        let fp = Fingerprints::from_csv("t.csv", CSV).unwrap();
        let text = "Counterfeit consciousness is here; counterfeit consciousnesses are not.";
        let f = fp.find(text);
        assert_eq!(f.len(), 1);
        assert_eq!(&text[f[0].start..f[0].end], "Counterfeit consciousness");
        assert_eq!(f[0].suggestion, "Artificial intelligence");
        assert_eq!(f[0].source, Source::Fingerprint);
    }

    #[test]
    fn or_groups_and_not_terms_are_honoured() {
        let fp = Fingerprints::from_csv("t.csv", CSV).unwrap();
        assert!(fp.find("The corridor impact was measured.").is_empty());
        assert_eq!(fp.find("A sensor shows the corridor impact.")[0].suggestion, "Hall effect");
        assert_eq!(fp.find("Magnetic cell separation works.").len(), 1);
        assert!(fp.find("Magnetic cell separation with MACS works.").is_empty());
    }

    #[test]
    fn and_context_is_required() {
        let fp = Fingerprints::from_csv("t.csv", CSV).unwrap();
        assert!(fp.find("The surface region was large.").is_empty());
        let f = fp.find("The surface region, unlike the surface area, was large.");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].suggestion, "surface area");
    }
}
