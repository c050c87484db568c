//! Numbers rewritten by rule: spinners turn "three" into "3" and "180" into
//! "one hundred eighty" (or back), and no thesaurus lists such pairs. A
//! writer keeps one convention through a document (small numbers spelled
//! out, larger ones in digits, as news style has it, or the other way), so
//! the numbers written against the document's own majority convention are
//! the suspects, and the suggestion is the same number in the majority's
//! form. A document with no clear majority yields nothing.
//!
//! Some places take digits whatever the convention, and a spelled-out
//! number there is a spinner's whatever the rest of the document does:
//! touching a figure or a money, decimal, time or fraction sign ("$three
//! million", "six.five per cent", "1:forty eight"), after a month ("March
//! eleven"), as a list marker ("(four)"), or a compound of tens and units
//! written without its hyphen ("forty seven"). Those are restored to
//! digits by the second part of the rule ([`DigitContext`]).

use unspin_text::{Token, TokenKind};

use serde::{Deserialize, Serialize};

use crate::{Finding, Source};

const SMALL: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const TEENS: [&str; 10] =
    ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

const MONTHS: [&str; 24] = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// Fewest numbers in the majority form before the convention counts.
const MIN_MAJORITY: usize = 5;

/// A number as written: where, its value, and whether in words.
#[derive(Clone, Copy, Debug)]
struct Written {
    start: usize,
    end: usize,
    value: u64,
    in_words: bool,
    /// Words a spelled-out number takes ("one hundred eighty": 3).
    words: usize,
    /// First word of a sentence, where style guides spell numbers out.
    sentence_start: bool,
    /// In words, and a place that takes digits (see [`DigitContext`]).
    context: Option<DigitContext>,
}

/// A place where a number is written in digits whatever a document's
/// convention, so that a spelled-out number there is a swap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DigitContext {
    /// Touching a figure, or a money, decimal, time, fraction or per-cent
    /// sign: "$three million", "six.five", "1.09.three", "four:05",
    /// "4-7/eight", "eight,100", "thirteen%".
    Glued,
    /// A day after a month: "March eleven", "Oct. five".
    Date,
    /// A list marker: "(four)".
    ListMarker,
    /// Tens and units without the hyphen English writes between them:
    /// "forty seven" (the spinner's rendering of "47").
    Unhyphenated,
    /// An age in apposition after a name: "Jim, thirteen, was".
    Age,
}

impl DigitContext {
    pub const ALL: [DigitContext; 5] = [
        DigitContext::Glued,
        DigitContext::Date,
        DigitContext::ListMarker,
        DigitContext::Unhyphenated,
        DigitContext::Age,
    ];

    /// How often such a finding is a swap, on the development documents
    /// the confidence trees are fitted on (`fit_rules`: right findings
    /// plus one over all findings plus two).
    pub fn confidence(self) -> f64 {
        CONTEXT_CONFIDENCE[self as usize]
    }
}

/// [`DigitContext::confidence`], in the order of [`DigitContext::ALL`].
pub const CONTEXT_CONFIDENCE: [f64; 5] = [0.9942, 0.9697, 0.9375, 0.9882, 0.9231];

fn word_value(w: &str) -> Option<u64> {
    let w = w.to_ascii_lowercase();
    if let Some(i) = SMALL.iter().position(|&s| s == w) {
        return Some(i as u64);
    }
    if let Some(i) = TEENS.iter().position(|&s| s == w) {
        return Some(10 + i as u64);
    }
    if let Some(i) = TENS.iter().position(|&s| !s.is_empty() && s == w) {
        return Some(10 * i as u64);
    }
    // "twenty-five"
    let (t, u) = w.split_once('-')?;
    let t = TENS.iter().position(|&s| !s.is_empty() && s == t)? as u64;
    let u = SMALL.iter().position(|&s| s == u).filter(|&u| u > 0)? as u64;
    Some(10 * t + u)
}

fn scale_value(w: &str) -> Option<u64> {
    match w.to_ascii_lowercase().as_str() {
        "hundred" => Some(100),
        "thousand" => Some(1_000),
        "million" => Some(1_000_000),
        _ => None,
    }
}

/// Parses the spelled-out number starting at token `i`; returns its value,
/// the index after it and whether tens and units stand unhyphenated in it.
/// "one hundred eighty", "two thousand", "five", "forty seven".
fn spelled(text: &str, tokens: &[Token], i: usize) -> Option<(u64, usize, bool)> {
    let word = |k: usize| tokens.get(k).filter(|t| t.kind == TokenKind::Word).map(|t| &text[t.start..t.end]);
    // Words of one number are separated by single spaces only.
    let joined = |k: usize| k < tokens.len() && text[tokens[k - 1].end..tokens[k].start] == *" ";
    let mut total = 0u64;
    // "a hundred", "a thousand": "a" is one before a scale word.
    let a_scale = word(i).is_some_and(|w| w.eq_ignore_ascii_case("a")) && joined(i + 1) && word(i + 1).and_then(scale_value).is_some();
    let mut current = if a_scale { 1 } else { word_value(word(i)?)? };
    let mut unhyphenated = false;
    let mut k = i + 1;
    loop {
        if !joined(k) {
            break;
        }
        let Some(mut w) = word(k) else { break };
        // "a hundred and fifteen": "and" between a scale word and the rest.
        if w.eq_ignore_ascii_case("and") && scale_value(&text[tokens[k - 1].start..tokens[k - 1].end]).is_some() && joined(k + 1) {
            match word(k + 1).filter(|w| word_value(w).is_some_and(|v| v < 100)) {
                Some(next) => {
                    k += 1;
                    w = next;
                }
                None => break,
            }
        }
        if let Some(s) = scale_value(w) {
            if s == 100 {
                current = current.max(1) * 100;
            } else {
                total += current.max(1) * s;
                current = 0;
            }
            k += 1;
        } else if let Some(v) = word_value(w) {
            // "hundred eighty", "thousand five": only after a scale word;
            // "forty seven": units after a bare tens word.
            let previous = &text[tokens[k - 1].start..tokens[k - 1].end];
            let after_scale = scale_value(previous).is_some()
                || (previous.eq_ignore_ascii_case("and") && k >= 2 && scale_value(&text[tokens[k - 2].start..tokens[k - 2].end]).is_some());
            let after_tens = (1..10).contains(&v) && TENS.iter().any(|&t| !t.is_empty() && t.eq_ignore_ascii_case(previous));
            if !(after_scale || after_tens) || v >= 100 {
                break;
            }
            unhyphenated |= after_tens;
            current += v;
            k += 1;
        } else {
            break;
        }
    }
    Some((total + current, k, unhyphenated))
}

/// Why the spelled-out number of tokens `i..next` (value `value`) stands
/// where digits belong, if it does.
fn digit_context(text: &str, tokens: &[Token], i: usize, next: usize, value: u64, unhyphenated: bool) -> Option<DigitContext> {
    let (start, end) = (tokens[i].start, tokens[next - 1].end);
    let before: Vec<char> = text[..start].chars().rev().take(2).collect();
    let mut after = text[end..].chars();
    let (next_char, next2) = (after.next(), after.next());
    let digit = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_digit());
    // A number word across a sign with no space ("six.five"): both halves
    // of a figure were spelled out.
    let touching = |a: usize, b: usize| a < tokens.len() && b < tokens.len() && tokens[a].end == tokens[b].start;
    let sign = |k: usize| matches!(&text[tokens[k].start..tokens[k].end], "." | ":" | "," | "/");
    let number_word = |k: usize| tokens[k].kind == TokenKind::Word && word_value(&text[tokens[k].start..tokens[k].end]).is_some();
    let last = next - 1;
    let word_before = i >= 2 && touching(i - 2, i - 1) && touching(i - 1, i) && sign(i - 1) && number_word(i - 2);
    let word_after = touching(last, last + 1) && touching(last + 1, last + 2) && sign(last + 1) && number_word(last + 2);
    let glued_before = word_before
        || match before.first() {
            Some('$' | '£' | '€' | '#') => true,
            Some('.' | ':' | ',' | '/' | '-') => digit(before.get(1)),
            c => digit(c),
        };
    let glued_after = word_after
        || match next_char {
            Some('%') => true,
            Some('.' | ':' | ',' | '/') => digit(next2.as_ref()),
            c => digit(c.as_ref()),
        };
    if glued_before || glued_after {
        return Some(DigitContext::Glued);
    }
    if (1..=20).contains(&value) && before.first() == Some(&'(') && next_char == Some(')') {
        return Some(DigitContext::ListMarker);
    }
    // The month just before: "March eleven", "Oct. five" ("May" is as
    // often the verb). A full month name followed by a full stop ends a
    // sentence ("in October. Two of them").
    let abbreviated = |w: &str| MONTHS[12..].contains(&w);
    let month = match i.checked_sub(1).map(|k| (k, &text[tokens[k].start..tokens[k].end])) {
        Some((k, ".")) if k >= 1 && tokens[k - 1].end == tokens[k].start => {
            Some(text[tokens[k - 1].start..tokens[k - 1].end].to_ascii_lowercase()).filter(|w| abbreviated(w))
        }
        Some((_, w)) => Some(w.trim_end_matches('.').to_ascii_lowercase()).filter(|m| !w.ends_with('.') || abbreviated(m)),
        None => None,
    };
    if (1..=31).contains(&value) && month.is_some_and(|m| m != "may" && MONTHS.contains(&m.as_str())) {
        return Some(DigitContext::Date);
    }
    if unhyphenated {
        return Some(DigitContext::Unhyphenated);
    }
    let word_at = |t: &Token| &text[t.start..t.end];
    let comma_after = next_char == Some(',');
    let name_before = i >= 2
        && word_at(&tokens[i - 1]) == ","
        && tokens[i - 2].kind == TokenKind::Word
        && word_at(&tokens[i - 2]).starts_with(char::is_uppercase)
        && word_value(word_at(&tokens[i - 2])).is_none();
    if (2..=99).contains(&value) && comma_after && name_before {
        return Some(DigitContext::Age);
    }
    None
}

/// A plain digit string ("3", "180", "12,000"), not a decimal, ordinal,
/// percentage, time, money or part of a date or list marker.
fn digits(text: &str, tokens: &[Token], i: usize) -> Option<u64> {
    let t = &tokens[i];
    let s = &text[t.start..t.end];
    if !s.chars().all(|c| c.is_ascii_digit() || c == ',') || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let touching = |a: &Token, b: &Token| a.end == b.start;
    let token = |k: usize| &text[tokens[k].start..tokens[k].end];
    if i > 0 {
        let prev = &tokens[i - 1];
        let opener = matches!(token(i - 1), "(" | "\"" | "“" | "'" | "‘");
        if (touching(prev, t) && !opener) || prev.kind == TokenKind::Number || MONTHS.contains(&token(i - 1).to_ascii_lowercase().as_str()) {
            return None;
        }
        // A label or a name's number: "No. 3", "Sept. 7", "World War 2",
        // "Leopold 2", "(2)". A capitalised word opening a sentence is not a
        // label ("Only 5 came").
        let label = prev.kind == TokenKind::Abbreviation
            || token(i - 1) == "("
            || (token(i - 1).starts_with(char::is_uppercase) && i >= 2 && !matches!(token(i - 2), "." | "!" | "?" | "\"" | "“"));
        if label {
            return None;
        }
    }
    if let Some(next) = tokens.get(i + 1) {
        // "3." ending a sentence is a number; "3.5", "3:00", "3-2", "3rd" are not plain.
        let closer = matches!(token(i + 1), "." | "," | ";" | "!" | "?" | ")" | "\"" | "”" | "’")
            && tokens.get(i + 2).is_none_or(|after| after.start > next.end);
        if (touching(t, next) && !closer) || next.kind == TokenKind::Number || MONTHS.contains(&token(i + 1).to_ascii_lowercase().as_str()) {
            return None;
        }
        // A list marker "2)", a clock time or measure "6 p.m.", "8 o'clock",
        // "8 lbs.", "2 per cent", an age in apposition ", 8,".
        let apposition = token(i + 1) == "," && i > 0 && token(i - 1) == ",";
        if token(i + 1) == ")" || next.kind == TokenKind::Abbreviation || matches!(token(i + 1), "o'clock" | "per") || apposition {
            return None;
        }
    }
    // A number opening a line is more often a list item or a heading.
    if text[..t.start].trim_end_matches([' ', '\t']).ends_with('\n') || t.start == 0 {
        return None;
    }
    s.replace(',', "").parse().ok()
}

fn collect(text: &str, tokens: &[Token]) -> Vec<Written> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        match t.kind {
            TokenKind::Number => {
                if let Some(value) = digits(text, tokens, i) {
                    out.push(Written { start: t.start, end: t.end, value, in_words: false, words: 0, sentence_start: false, context: None });
                }
                i += 1;
            }
            TokenKind::Word => match spelled(text, tokens, i) {
                Some((value, next, unhyphenated)) => {
                    let end = tokens[next - 1].end;
                    let context = digit_context(text, tokens, i, next, value, unhyphenated);
                    // "one" is as often a pronoun ("no one", "one of them"),
                    // unless it stands where only a figure would ("$one").
                    let lone_one = value == 1 && next == i + 1 && context.is_none();
                    let previous_is_number = i > 0 && tokens[i - 1].kind == TokenKind::Number && context.is_none();
                    if !lone_one && !previous_is_number {
                        let sentence_start = i == 0 || matches!(&text[tokens[i - 1].start..tokens[i - 1].end], "." | "!" | "?" | "\"" | "“");
                        let words = text[t.start..end].split(' ').count();
                        out.push(Written { start: t.start, end, value, in_words: true, words, sentence_start, context });
                    }
                    i = next;
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    out
}

/// `written` (worth `n`) in digits: the part to replace and its digits. A
/// closing "million" stays as written: "three million" is "3 million", as
/// writers put it, not "3,000,000".
fn digits_before_scale(n: u64, written: &str) -> (&str, String) {
    if let Some((head, last)) = written.rsplit_once(' ') {
        if let Some(scale) = scale_value(last).filter(|&s| s >= 1_000_000 && n % s == 0) {
            return (head, in_digits(n / scale));
        }
    }
    (written, in_digits(n))
}

fn in_digits(n: u64) -> String {
    let s = n.to_string();
    if n < 10_000 {
        return s;
    }
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn in_words(n: u64) -> String {
    unspin_text::spell_number(n).join(" ")
}

/// What the rule saw behind one of its findings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum NumberEvidence {
    /// Written against the document's convention.
    Convention(Convention),
    /// Spelled out where digits belong.
    Context(DigitContext),
}

impl NumberEvidence {
    pub fn confidence(&self) -> f64 {
        match self {
            NumberEvidence::Convention(c) => c.confidence(),
            NumberEvidence::Context(c) => c.confidence(),
        }
    }
}

/// How strong the document's convention is in the number's range.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Convention {
    /// Numbers of the range written the majority's way.
    pub majority: usize,
    /// Written the other way (this one among them).
    pub minority: usize,
    /// The range below ten ("three" / "3"), or ten and above.
    pub small: bool,
    /// The suggestion spells the number out.
    pub to_words: bool,
}

impl Convention {
    /// The majority's lead, 0..1: (majority − minority) / all.
    pub fn lead(&self) -> f64 {
        (self.majority - self.minority) as f64 / (self.majority + self.minority) as f64
    }

    /// How often a finding with this evidence is a swap put back, fitted on
    /// the development split (`fit_rules` in unspin-eval): a logistic
    /// curve in the lead and the range, on the same clean and spun development documents
    /// the confidence trees are fitted on, so that a number's confidence
    /// and a word's read against one threshold.
    pub fn confidence(&self) -> f64 {
        let [bias, lead, small] = NUMBER_WEIGHTS;
        let z = bias + lead * self.lead() + if self.small { small } else { 0.0 };
        1.0 / (1.0 + (-z).exp())
    }
}

/// Bias, lead weight and small-range weight of
/// [`Convention::confidence`]. A spelled-out "one hundred eighty" among
/// digits is nearly always a swap; a "4" among spelled-out small numbers
/// (or "four" among digits) only when the convention is strong, since
/// writers mix small numbers freely.
pub const NUMBER_WEIGHTS: [f64; 3] = [3.3622, 3.0724, -5.1143];

/// Findings for the numbers spelled out where digits belong, and for those
/// written against the document's convention, per range (below ten, ten
/// and above), with the evidence behind each and its confidence.
pub fn number_evidence(text: &str, tokens: &[Token]) -> Vec<(Finding, NumberEvidence)> {
    let numbers = collect(text, tokens);
    let mut findings = Vec::new();
    let finding = |n: &Written, suggestion: String, confidence: f64| {
        let written = &text[n.start..n.end];
        Finding {
            start: n.start,
            end: n.end,
            text: written.to_string(),
            suggestion: unspin_text::apply_case(&suggestion, written),
            confidence,
            source: Source::Model,
            alternatives: Vec::new(),
        }
    };
    for n in &numbers {
        if let Some(context) = n.context {
            let (head, suggestion) = digits_before_scale(n.value, &text[n.start..n.end]);
            let head = Written { end: n.start + head.len(), ..*n };
            findings.push((finding(&head, suggestion, context.confidence()), NumberEvidence::Context(context)));
        }
    }
    for small in [true, false] {
        let group: Vec<&Written> = numbers.iter().filter(|n| (n.value < 10) == small && n.value >= 2).collect();
        let words = group.iter().filter(|n| n.in_words).count();
        let figures = group.len() - words;
        let (majority, minority, majority_in_words) =
            if words > figures { (words, figures, true) } else { (figures, words, false) };
        if majority < MIN_MAJORITY || minority == 0 || majority == minority {
            continue;
        }
        let convention = Convention { majority, minority, small, to_words: majority_in_words };
        // Writers spell out round large numbers ("ten", "twenty-five
        // thousand", "three million") and any number opening a sentence
        // whatever their convention; a spinner's "one hundred eighty" is
        // neither.
        let suspect = |n: &&&Written| {
            n.context.is_none()
                && n.in_words != majority_in_words
                && !(n.in_words && (n.sentence_start || (!small && n.words < 3)))
                && (small || n.in_words)
        };
        for n in group.iter().filter(suspect) {
            let suggestion = if majority_in_words { in_words(n.value) } else { in_digits(n.value) };
            findings.push((finding(n, suggestion, convention.confidence()), NumberEvidence::Convention(convention)));
        }
    }
    findings.sort_by_key(|(f, _)| f.start);
    findings
}

/// The rule's findings (see [`number_evidence`]).
pub(crate) fn number_findings(text: &str, tokens: &[Token]) -> Vec<Finding> {
    number_evidence(text, tokens).into_iter().map(|(f, _)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        let tokens = unspin_text::tokenize(text);
        number_findings(text, &tokens).into_iter().map(|f| (f.text, f.suggestion)).collect()
    }

    #[test]
    fn spelled_numbers_parse() {
        let text = "one hundred eighty and twenty-five and two thousand five and nine";
        let tokens = unspin_text::tokenize(text);
        let found: Vec<u64> = collect(text, &tokens).iter().map(|n| n.value).collect();
        assert_eq!(found, vec![180, 25, 2005, 9]);
        let text = "a hundred and sixty, two thousand and nine, a thousand and a day, seventy five";
        let tokens = unspin_text::tokenize(text);
        let found: Vec<u64> = collect(text, &tokens).iter().map(|n| n.value).collect();
        assert_eq!(found, vec![160, 2009, 1000, 75]);
    }

    #[test]
    fn the_minority_form_is_restored_to_the_majority() {
        let text = "Three men and five women came. Two left, then 4 returned. Seven stayed, six went, nine slept, eight ate and two sang.";
        assert_eq!(run(text), vec![("4".to_string(), "four".to_string())]);
        let text = "It cost 120 dollars for 35 people over 14 days in 12 towns, 40 miles apart, 55 in all, 23 of them old, and one hundred eighty more.";
        assert_eq!(run(text), vec![("one hundred eighty".to_string(), "180".to_string())]);
    }

    #[test]
    fn no_majority_no_findings() {
        assert!(run("Three men and 4 women.").is_empty());
        assert!(run("Two, three and four; then 5 and 6 and 7.").is_empty());
        // Dates, percentages, money, decimals and list markers are not counted.
        assert!(run("Two, three and four came on May 5, 1961 with 5% and $5 and 5.5.\n5 items").is_empty());
        // "one" as a pronoun is not a number.
        assert!(run("No one saw two or three or four of them, only 1.").is_empty());
    }

    #[test]
    fn confidence_grows_with_the_lead_and_large_numbers_are_surer() {
        let small = |majority, minority| Convention { majority, minority, small: true, to_words: true }.confidence();
        assert!(small(9, 1) > small(6, 4));
        assert!(small(6, 4) > small(5, 4));
        let large = Convention { majority: 6, minority: 4, small: false, to_words: false }.confidence();
        assert!(large > small(6, 4));
        for c in [small(5, 4), small(99, 1), large] {
            assert!(c > 0.0 && c < 1.0);
        }
    }

    #[test]
    fn numbers_spelled_out_where_digits_belong_are_restored_to_digits() {
        let pairs = |text: &str| -> Vec<(String, String)> { run(text) };
        let one = |written: &str, suggestion: &str| vec![(written.to_string(), suggestion.to_string())];
        // Touching money, decimal, time and thousands signs.
        assert_eq!(pairs("It will cost some $three million next year."), one("three", "3"));
        assert_eq!(pairs("The first $four,800 of pay is taxed."), one("four", "4"));
        assert_eq!(
            pairs("The tax rises to six.five per cent."),
            vec![("six".to_string(), "6".to_string()), ("five".to_string(), "5".to_string())]
        );
        assert_eq!(pairs("The verdict came at four:05 in the afternoon."), one("four", "4"));
        assert_eq!(pairs("He ran it in 1:forty eight flat."), one("forty eight", "48"));
        assert_eq!(pairs("The loans reached $forty three,000 in all."), one("forty three", "43"));
        assert_eq!(pairs("The town spends $a hundred and fifteen,000 a year."), one("a hundred and fifteen", "115"));
        // A day after a month; a list marker; an age after a name.
        assert_eq!(pairs("Washington, March eleven (UPI) -- Prices fell."), one("eleven", "11"));
        assert_eq!(pairs("Workshops open Oct. five in Tallahassee."), one("five", "5"));
        assert_eq!(pairs("He wants (four) catchers and a pitcher."), one("four", "4"));
        assert_eq!(pairs("Her daughter, Christine, eleven, died of burns."), one("eleven", "11"));
        // Tens and units without their hyphen.
        assert_eq!(pairs("The club has seventy five couples as members."), one("seventy five", "75"));
        assert_eq!(pairs("Seventy five couples came."), one("Seventy five", "75"));
    }

    #[test]
    fn numbers_in_words_where_writers_put_them_are_left_alone() {
        for text in [
            "Seventy-five couples came, and forty-seven stayed.",
            "She may one day return; in May five of them did.",
            "Three men, two women and one child (one of them mine) came at four o'clock.",
            "He was one of five, Jim said, and none of them 3.",
            "The vote was five to four.",
            "Jim, a boy of eleven, ran.",
            "Peace came in October. Two of the addresses were delivered.",
            "He shouted, \"One, two, three\"! And then two more.",
            "Twenty-five thousand people and three million dollars.",
        ] {
            assert!(run(text).is_empty(), "{text}: {:?}", run(text));
        }
    }

    #[test]
    fn places_that_take_digits_outrank_the_convention() {
        let text = "It cost 120 dollars for 35 people over 14 days in 12 towns, 40 miles apart, 55 in all, and $sixty seven,000 more.";
        let tokens = unspin_text::tokenize(text);
        let found = number_evidence(text, &tokens);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.suggestion, "67");
        assert_eq!(found[0].1, NumberEvidence::Context(DigitContext::Glued));
        assert_eq!(found[0].0.confidence, DigitContext::Glued.confidence());
    }
}
