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

/// One row: the phrase to find, terms that must also occur in the document,
/// and the expected original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub phrase: String,
    pub context: Vec<String>,
    pub expected: String,
}

/// A compiled fingerprint list.
pub struct Fingerprints {
    rows: Vec<Fingerprint>,
    matcher: AhoCorasick,
    context_matcher: Option<AhoCorasick>,
    context_terms: Vec<String>,
}

/// Splits a PPS query such as `"surface region" AND "surface area"` into its
/// quoted terms. Returns None when the query has no quoted term.
pub fn parse_query(query: &str) -> Option<Vec<String>> {
    let mut terms = Vec::new();
    let mut rest = query;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let close = after.find('"')?;
        let term = after[..close].trim();
        if !term.is_empty() {
            terms.push(term.to_string());
        }
        rest = &after[close + 1..];
    }
    if terms.is_empty() {
        let bare = query.trim();
        if bare.is_empty() || bare.contains(" AND ") {
            return None;
        }
        terms.push(bare.to_string());
    }
    Some(terms)
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
            if expected.is_empty() || expected == "?" {
                continue;
            }
            let Some(mut terms) = parse_query(query) else { continue };
            let phrase = terms.remove(0);
            rows.push(Fingerprint { phrase, context: terms, expected: expected.to_string() });
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
            rows.iter().flat_map(|r| r.context.iter().map(|c| c.to_lowercase())).collect();
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
            if !row.context.iter().all(|c| has_context(c)) {
                continue;
            }
            let found = &text[s..e];
            out.push(Finding {
                start: s,
                end: e,
                text: found.to_string(),
                suggestion: unspin_text::apply_case(&row.expected.to_lowercase(), found),
                confidence: 1.0,
                source: Source::Fingerprint,
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
\"\"\"mystery phrase\"\"\",\"?\",\"3\"\n";

    #[test]
    fn parses_queries_and_skips_unknown_originals() {
        assert_eq!(parse_query("\"a b\" AND \"c\"").unwrap(), vec!["a b", "c"]);
        let fp = Fingerprints::from_csv("t.csv", CSV).unwrap();
        assert_eq!(fp.len(), 2);
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
    fn and_context_is_required() {
        let fp = Fingerprints::from_csv("t.csv", CSV).unwrap();
        assert!(fp.find("The surface region was large.").is_empty());
        let f = fp.find("The surface region, unlike the surface area, was large.");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].suggestion, "surface area");
    }
}
