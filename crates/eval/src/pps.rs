//! Tortured phrases from Problematic Paper Screener (PPS) exports, and the
//! carrier sentences they are tested in.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::brown::Split;
use crate::rng::stable_hash;

/// One fingerprint row: the tortured phrase and what it stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TorturedPhrase {
    /// The first quoted string of the fingerprint query.
    pub phrase: String,
    /// Terms the query requires elsewhere in the paper (`AND`); each inner
    /// list is a choice (`AND ("a" OR "b")`).
    pub require: Vec<Vec<String>>,
    /// Terms whose presence cancels the fingerprint (`NOT`).
    pub exclude: Vec<String>,
    /// The "Expected Text" column, as written.
    pub expected: String,
    /// "Nb Retrieved Papers", when readable.
    pub papers: Option<u64>,
}

/// The parts of a PPS query such as `"surface region" AND "surface area"`,
/// `"android versatile" NOT "paranoid android"` or
/// `"approval information" AND ("validation test" OR "validation dataset")`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub phrase: String,
    pub require: Vec<Vec<String>>,
    pub exclude: Vec<String>,
}

#[derive(Debug, PartialEq)]
enum Tok {
    Term(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn lex(query: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut bare: Vec<&str> = Vec::new();
    let flush = |bare: &mut Vec<&str>, toks: &mut Vec<Tok>| {
        if !bare.is_empty() {
            toks.push(Tok::Term(bare.join(" ")));
            bare.clear();
        }
    };
    let mut rest = query;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else { break };
        match c {
            '"' => {
                flush(&mut bare, &mut toks);
                let after = &rest[1..];
                let close = after.find('"').unwrap_or(after.len());
                let term = after[..close].trim();
                if !term.is_empty() {
                    toks.push(Tok::Term(term.to_string()));
                }
                rest = after.get(close + 1..).unwrap_or("");
                // A proximity suffix ("..."~10) only loosens the match.
                if let Some(r) = rest.strip_prefix('~') {
                    rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
                }
            }
            '(' | ')' => {
                flush(&mut bare, &mut toks);
                toks.push(if c == '(' { Tok::Open } else { Tok::Close });
                rest = &rest[1..];
            }
            _ => {
                let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '"' | '(' | ')')).unwrap_or(rest.len());
                let word = &rest[..end];
                match word {
                    "AND" | "OR" | "NOT" => {
                        flush(&mut bare, &mut toks);
                        toks.push(match word {
                            "AND" => Tok::And,
                            "OR" => Tok::Or,
                            _ => Tok::Not,
                        });
                    }
                    _ => bare.push(word),
                }
                rest = &rest[end..];
            }
        }
    }
    flush(&mut bare, &mut toks);
    toks
}

/// Parses a PPS query. The phrase is the first term; None if there is none.
pub fn parse_query(query: &str) -> Option<Query> {
    let toks = lex(query);
    let mut it = toks.into_iter().peekable();
    let phrase = match it.next()? {
        Tok::Term(t) => t,
        _ => return None,
    };
    let mut q = Query { phrase, require: Vec::new(), exclude: Vec::new() };
    while let Some(op) = it.next() {
        let mut operand: Vec<String> = Vec::new();
        match it.next() {
            Some(Tok::Term(t)) => operand.push(t),
            Some(Tok::Open) => {
                for tok in it.by_ref() {
                    match tok {
                        Tok::Term(t) => operand.push(t),
                        Tok::Close => break,
                        _ => {}
                    }
                }
            }
            _ => break,
        }
        match op {
            Tok::And => q.require.push(operand),
            Tok::Not => q.exclude.extend(operand),
            // `"a" OR "b"` at the top: "b" is another spelling of the phrase.
            _ => {}
        }
    }
    Some(q)
}

/// Parses a PPS CSV export (header "Fingerprint - Tortured Phrase",
/// "Expected Text", "Nb Retrieved Papers"). Rows whose expected text is
/// unknown ("?", "???") or empty are skipped.
pub fn parse_pps_csv(text: &str) -> anyhow::Result<Vec<TorturedPhrase>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.context("reading a PPS CSV row")?;
        let (Some(query), Some(expected)) = (record.get(0), record.get(1)) else { continue };
        let expected = expected.trim();
        if expected.chars().all(|c| c == '?' || c.is_whitespace()) {
            continue;
        }
        let Some(q) = parse_query(query) else { continue };
        let papers = record.get(2).and_then(|n| n.replace([',', ' '], "").parse().ok());
        rows.push(TorturedPhrase {
            phrase: q.phrase,
            require: q.require,
            exclude: q.exclude,
            expected: expected.to_string(),
            papers,
        });
    }
    Ok(rows)
}

pub fn load_pps(path: &Path) -> anyhow::Result<Vec<TorturedPhrase>> {
    let bytes = std::fs::read(path).with_context(|| format!("PPS export {}", path.display()))?;
    parse_pps_csv(&String::from_utf8_lossy(&bytes)).with_context(|| format!("PPS export {}", path.display()))
}

/// Rows of `newer` whose phrase (ignoring case) is in no row of `older`: the
/// phrases a detector built from `older` has never been told about. The first
/// row of each phrase is kept.
pub fn unlisted(newer: &[TorturedPhrase], older: &[TorturedPhrase]) -> Vec<TorturedPhrase> {
    let listed: HashSet<String> = older.iter().map(|t| t.phrase.to_lowercase()).collect();
    dedup(newer).into_iter().filter(|t| !listed.contains(&t.phrase.to_lowercase())).collect()
}

/// The first row of each phrase (ignoring case), in file order.
pub fn dedup(rows: &[TorturedPhrase]) -> Vec<TorturedPhrase> {
    let mut seen = HashSet::new();
    rows.iter().filter(|t| seen.insert(t.phrase.to_lowercase())).cloned().collect()
}

/// Phrases are split by a stable hash (FNV-1a 64) of the lower-cased phrase:
/// even hashes development, odd test. Adding rows to a list never moves a
/// phrase between halves.
pub fn phrase_split(phrase: &str) -> Split {
    if stable_hash(&phrase.to_lowercase()) & 1 == 0 {
        Split::Dev
    } else {
        Split::Test
    }
}

/// Acceptable restorations of a phrase, lower-cased and whitespace-normalised.
///
/// The expected texts are written for people: "[neural network] layer
/// outputs" (bracketed context), "magnetic resonance imaging (MRI)"
/// (an abbreviation the phrase does not have), "contagious/transmissible
/// diseases" (alternatives), "..., see https://...". Each reading counts,
/// and so does the text exactly as written. Empty when nothing restorable is
/// left.
pub fn expected_variants(tp: &TorturedPhrase) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |s: &str, out: &mut Vec<String>| {
        let n = crate::metrics::normalise(s);
        if !n.is_empty() && n.chars().any(|c| c.is_alphanumeric()) && !out.contains(&n) {
            out.push(n);
        }
    };
    push(&tp.expected, &mut out);
    let mut cleaned = tp.expected.replace(['\\', '"', '?'], "");
    for cut in [", see ", "(see ", " see http", "http"] {
        if let Some(i) = cleaned.find(cut) {
            cleaned.truncate(i);
        }
    }
    let cleaned = remove_between(&cleaned, '[', ']');
    let mut readings = vec![cleaned.clone()];
    if !tp.phrase.contains('(') {
        readings.push(remove_between(&cleaned, '(', ')'));
    }
    for reading in readings {
        push(&reading, &mut out);
        for alt in slash_alternatives(&reading) {
            push(&alt, &mut out);
        }
    }
    out
}

fn remove_between(s: &str, open: char, close: char) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        if c == open {
            depth += 1;
        } else if c == close && depth > 0 {
            depth -= 1;
        } else if depth == 0 {
            out.push(c);
        }
    }
    out
}

/// "contagious/transmissible diseases" -> both single readings. Capped, since
/// several slashed words multiply.
fn slash_alternatives(s: &str) -> Vec<String> {
    let mut readings: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let options: Vec<&str> =
            if word.contains('/') { word.split('/').filter(|w| !w.is_empty()).collect() } else { vec![word] };
        let mut next = Vec::new();
        for r in &readings {
            for o in &options {
                if next.len() < 16 {
                    next.push(if r.is_empty() { o.to_string() } else { format!("{r} {o}") });
                }
            }
        }
        readings = next;
    }
    readings
}

/// The neutral science-paper sentences phrases are tested in (`{}` marks the
/// phrase), from `crates/eval/data/carriers.txt`.
pub fn carriers() -> Vec<&'static str> {
    include_str!("../data/carriers.txt").lines().map(str::trim).filter(|l| l.contains("{}")).collect()
}

/// `template` with `phrase` in place of `{}`, and the phrase's byte span.
/// A phrase opening the sentence gets a capital first letter.
pub fn fill(template: &str, phrase: &str) -> (String, usize, usize) {
    let at = template.find("{}").expect("a carrier template contains {}");
    let phrase = if at == 0 { crate::spinner::match_case(phrase, "X") } else { phrase.to_string() };
    let text = format!("{}{}{}", &template[..at], phrase, &template[at + 2..]);
    (text, at, at + phrase.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        let q = parse_query("\"surface region\" AND \"surface area\"").unwrap();
        assert_eq!(q.phrase, "surface region");
        assert_eq!(q.require, vec![vec!["surface area".to_string()]]);
        let q = parse_query("\"android versatile\" NOT \"paranoid android\"").unwrap();
        assert!(q.require.is_empty());
        assert_eq!(q.exclude, vec!["paranoid android"]);
        let q = parse_query("\"approval information\" AND (\"validation test\" OR \"validation dataset\")").unwrap();
        assert_eq!(q.require, vec![vec!["validation test".to_string(), "validation dataset".to_string()]]);
        let q = parse_query("\"extricating highlights\"~20 NOT specular").unwrap();
        assert_eq!(q.phrase, "extricating highlights");
        assert_eq!(q.exclude, vec!["specular"]);
        let q = parse_query("\"business knowledge\" AND business intelligence").unwrap();
        assert_eq!(q.require, vec![vec!["business intelligence".to_string()]]);
        let q = parse_query("\"affirmed recuperated demise\" OR \"affirmed recuperated passing\"").unwrap();
        assert_eq!(q.phrase, "affirmed recuperated demise");
        assert!(q.require.is_empty() && q.exclude.is_empty());
        assert_eq!(parse_query("").map(|q| q.phrase), None);
    }

    fn tp(phrase: &str, expected: &str) -> TorturedPhrase {
        TorturedPhrase {
            phrase: phrase.into(),
            require: vec![],
            exclude: vec![],
            expected: expected.into(),
            papers: None,
        }
    }

    #[test]
    fn variants_of_expected_texts() {
        let v = expected_variants(&tp("layer yields", "[neural network] layer outputs"));
        assert!(v.contains(&"layer outputs".to_string()), "{v:?}");
        let v = expected_variants(&tp("magnetic reverberation imaging", "magnetic resonance imaging (MRI)"));
        assert!(
            v.contains(&"magnetic resonance imaging".to_string())
                && v.contains(&"magnetic resonance imaging (mri)".to_string())
        );
        let v = expected_variants(&tp("irresistible infections", "contagious/transmissible diseases"));
        assert!(v.contains(&"contagious diseases".to_string()) && v.contains(&"transmissible diseases".to_string()));
        let v = expected_variants(&tp("social impact UTAUT", "social influence, see https://en.wikipedia.org/x"));
        assert!(v.contains(&"social influence".to_string()));
        let v = expected_variants(&tp("negative and ensuing", "\\\"negative and subsequent\\\""));
        assert!(v.contains(&"negative and subsequent".to_string()));
        let v = expected_variants(&tp("interstitial lung contaminations (ILDs)", "interstitial lung diseases (ILDs)"));
        assert_eq!(v, vec!["interstitial lung diseases (ilds)".to_string()]);
        assert!(expected_variants(&tp("x", "[...]")).is_empty());
    }

    #[test]
    fn carriers_are_neutral_templates() {
        let c = carriers();
        assert!(c.len() >= 6);
        let opening = c.iter().find(|t| t.starts_with("{}")).expect("one template opens with the phrase");
        let (text, s, e) = fill(opening, "counterfeit consciousness");
        assert_eq!(&text[s..e], "Counterfeit consciousness");
        let (text, s, e) = fill("We use {} here.", "grouping methods");
        assert_eq!(text, "We use grouping methods here.");
        assert_eq!(&text[s..e], "grouping methods");
    }

    #[test]
    fn split_is_stable_and_roughly_even() {
        let dev = (0..1000).filter(|i| phrase_split(&format!("phrase {i}")) == Split::Dev).count();
        assert!((400..600).contains(&dev), "{dev}");
        assert_eq!(phrase_split("Grouping Methods"), phrase_split("grouping methods"));
    }
}
