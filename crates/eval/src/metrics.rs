//! Metric primitives: word tokens, span overlap, token-level detection
//! counts, exact restoration, word error rate and ROC AUC.

use serde::{Deserialize, Serialize};
use unspin_engine::Finding;

/// Lower-cased, whitespace runs collapsed to one space, trimmed: restorations
/// are judged on wording, not on case or spacing.
pub fn normalise(s: &str) -> String {
    s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Byte spans of the words of `text`: runs of letters and digits, with an
/// apostrophe or hyphen between two of them kept inside ("don't", "term-end").
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        let joins = (c == '\'' || c == '-' || c == '\u{2019}')
            && start.is_some()
            && chars.peek().is_some_and(|&(_, d)| d.is_alphanumeric());
        if joins {
            continue;
        }
        if let Some(s) = start.take() {
            spans.push((s, i));
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// The lower-cased words of `text` (punctuation is not a word).
pub fn words(text: &str) -> Vec<String> {
    word_spans(text).into_iter().map(|(s, e)| text[s..e].to_lowercase()).collect()
}

/// Half-open byte spans share at least one byte.
pub fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Detection counts. In token-level use, a unit is a word token of the spun
/// text; in phrase-level use, a unit is a phrase or a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }

    /// None when nothing was flagged.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// None when there was nothing to find.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

pub fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// For each token, whether any interval overlaps it.
pub fn covered(tokens: &[(usize, usize)], intervals: &[(usize, usize)]) -> Vec<bool> {
    let mut out = vec![false; tokens.len()];
    for &(s, e) in intervals {
        // Tokens are sorted and disjoint, so their ends are sorted too.
        let mut i = tokens.partition_point(|t| t.1 <= s);
        while i < tokens.len() && tokens[i].0 < e {
            out[i] = true;
            i += 1;
        }
    }
    out
}

/// Token-level detection counts over the word tokens of `text`: a token is
/// gold when it overlaps a gold span, predicted when it overlaps a finding.
pub fn token_counts(text: &str, gold: &[(usize, usize)], predicted: &[(usize, usize)]) -> Counts {
    let tokens = word_spans(text);
    let g = covered(&tokens, gold);
    let p = covered(&tokens, predicted);
    let mut c = Counts::default();
    for (g, p) in g.into_iter().zip(p) {
        match (g, p) {
            (true, true) => c.tp += 1,
            (false, true) => c.fp += 1,
            (true, false) => c.fn_ += 1,
            (false, false) => {}
        }
    }
    c
}

/// A replacement of `start..end` of some text.
#[derive(Clone, Copy, Debug)]
pub struct Edit<'a> {
    pub start: usize,
    pub end: usize,
    pub replacement: &'a str,
}

impl<'a> Edit<'a> {
    pub fn of_finding(f: &'a Finding) -> Edit<'a> {
        Edit { start: f.start, end: f.end, replacement: &f.suggestion }
    }

    /// A gold swap: its span of the spun text back to the original.
    pub fn of_gold(g: &'a crate::spinner::GoldSpan) -> Edit<'a> {
        Edit { start: g.start, end: g.end, replacement: &g.original }
    }

    /// The finding's `k`-th probable original: its suggestion (0), then its
    /// alternatives; the suggestion where it lists fewer.
    pub fn of_option(f: &'a Finding, k: usize) -> Edit<'a> {
        let replacement = k.checked_sub(1).and_then(|i| f.alternatives.get(i)).unwrap_or(&f.suggestion);
        Edit { start: f.start, end: f.end, replacement }
    }
}

/// For each gold edit (the true original of a span of `text`), whether the
/// findings restore it exactly.
///
/// Spans are compared region by region: a region is a maximal group of gold
/// spans and findings that overlap one another, so a finding that also takes
/// in a neighbouring word (or two gold spans at once) is judged on the text
/// it actually produces. Within a region, applying the findings (by the rules
/// of `unspin_engine::apply`) must give the same words as applying the gold,
/// ignoring case and spacing. Every gold span in a region shares its verdict.
pub fn restored(text: &str, gold: &[Edit], findings: &[Edit]) -> Vec<bool> {
    let valid = |e: &Edit| {
        e.start <= e.end && e.end <= text.len() && text.is_char_boundary(e.start) && text.is_char_boundary(e.end)
    };
    // (start, end, is_gold, index)
    let mut items: Vec<(usize, usize, bool, usize)> = Vec::new();
    items.extend(gold.iter().enumerate().filter(|(_, e)| valid(e)).map(|(i, e)| (e.start, e.end, true, i)));
    items.extend(findings.iter().enumerate().filter(|(_, e)| valid(e)).map(|(i, e)| (e.start, e.end, false, i)));
    items.sort_by_key(|&(s, _, is_gold, i)| (s, !is_gold, i));
    let mut verdict = vec![false; gold.len()];
    let mut k = 0;
    while k < items.len() {
        let (rs, mut re) = (items[k].0, items[k].1);
        let mut j = k + 1;
        while j < items.len() && items[j].0 < re.max(rs + 1) {
            re = re.max(items[j].1);
            j += 1;
        }
        let region = &items[k..j];
        if region.iter().any(|it| it.2) {
            let expected = splice(text, rs, re, &pick(region, true, gold));
            let got = splice(text, rs, re, &pick(region, false, findings));
            let ok = normalise(&expected) == normalise(&got);
            for it in region.iter().filter(|it| it.2) {
                verdict[it.3] = ok;
            }
        }
        k = j;
    }
    verdict
}

/// The edits of one kind in a region, in order of position (stable, as in
/// `unspin_engine::apply`).
fn pick<'a>(region: &[(usize, usize, bool, usize)], gold: bool, edits: &[Edit<'a>]) -> Vec<Edit<'a>> {
    let mut v: Vec<Edit> = region.iter().filter(|it| it.2 == gold).map(|it| edits[it.3]).collect();
    v.sort_by_key(|e| e.start);
    v
}

/// `text[start..end]` with the edits applied, skipping an edit that overlaps
/// an earlier one (as `unspin_engine::apply` does).
fn splice(text: &str, start: usize, end: usize, edits: &[Edit]) -> String {
    let mut out = String::new();
    let mut at = start;
    for e in edits {
        if e.start < at {
            continue;
        }
        out.push_str(&text[at..e.start]);
        out.push_str(e.replacement);
        at = e.end;
    }
    out.push_str(&text[at..end.max(at)]);
    out
}

/// Edit distance between two sequences (substitutions, insertions, deletions).
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// (word errors, reference words) of `hypothesis` against `reference`, over
/// lower-cased words with punctuation ignored.
///
/// Spinning and restoring never move a line break, so when both texts have
/// the same lines they are aligned line by line, which keeps the cost linear
/// in the document; otherwise the whole texts are aligned.
pub fn word_errors(reference: &str, hypothesis: &str) -> (u64, u64) {
    let ref_lines: Vec<&str> = reference.split('\n').collect();
    let hyp_lines: Vec<&str> = hypothesis.split('\n').collect();
    let ref_words = words(reference).len() as u64;
    if ref_lines.len() == hyp_lines.len() {
        let errors = ref_lines.iter().zip(&hyp_lines).map(|(r, h)| levenshtein(&words(r), &words(h)) as u64).sum();
        (errors, ref_words)
    } else {
        (levenshtein(&words(reference), &words(hypothesis)) as u64, ref_words)
    }
}

/// How restoring moved each paragraph (blank-line separated) relative to
/// the spun text: paragraphs whose restored words are closer to the
/// original's than the spun words were, as close, and further. A reader
/// prefers the restored paragraph only when it is closer; a further one is
/// a paragraph that restoring made worse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParagraphMoves {
    pub closer: u64,
    pub same: u64,
    pub further: u64,
}

impl ParagraphMoves {
    pub fn add(&mut self, other: ParagraphMoves) {
        self.closer += other.closer;
        self.same += other.same;
        self.further += other.further;
    }

    pub fn total(&self) -> u64 {
        self.closer + self.same + self.further
    }
}

/// Compares `spun` and `restored` with `original` a paragraph at a time.
/// Spinning and restoring never move a line break, so the three texts have
/// the same paragraphs; if they do not, the whole text counts as one.
pub fn paragraph_moves(original: &str, spun: &str, restored: &str) -> ParagraphMoves {
    let split = |t| -> Vec<&str> { str::split(t, "\n\n").collect() };
    let (mut o, mut s, mut r) = (split(original), split(spun), split(restored));
    if o.len() != s.len() || o.len() != r.len() {
        (o, s, r) = (vec![original], vec![spun], vec![restored]);
    }
    let mut moves = ParagraphMoves::default();
    for ((o, s), r) in o.iter().zip(&s).zip(&r) {
        let (before, words) = word_errors(o, s);
        if words == 0 {
            continue;
        }
        let after = word_errors(o, r).0;
        match after.cmp(&before) {
            std::cmp::Ordering::Less => moves.closer += 1,
            std::cmp::Ordering::Equal => moves.same += 1,
            std::cmp::Ordering::Greater => moves.further += 1,
        }
    }
    moves
}

/// Area under the ROC curve: the probability that a random positive scores
/// above a random negative, ties counting one half (Mann-Whitney U). None
/// when either class is empty.
pub fn roc_auc(positives: &[f64], negatives: &[f64]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() {
        return None;
    }
    let mut all: Vec<(f64, bool)> =
        positives.iter().map(|&s| (s, true)).chain(negatives.iter().map(|&s| (s, false))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0.total_cmp(&all[i].0).is_eq() {
            j += 1;
        }
        // Tied scores share the mean of ranks i+1..=j.
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * all[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let (np, nn) = (positives.len() as f64, negatives.len() as f64);
    Some((rank_sum - np * (np + 1.0) / 2.0) / (np * nn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_spans_keep_contractions_and_compounds() {
        let t = "Don't stop -- the term-end 'report', 42.";
        let w: Vec<&str> = word_spans(t).iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(w, vec!["Don't", "stop", "the", "term-end", "report", "42"]);
    }

    #[test]
    fn levenshtein_basics() {
        assert_eq!(levenshtein(&[1, 2, 3], &[1, 2, 3]), 0);
        assert_eq!(levenshtein(&[1, 2, 3], &[1, 9, 3]), 1);
        assert_eq!(levenshtein(&[1, 2, 3], &[1, 3]), 1);
        assert_eq!(levenshtein::<u8>(&[], &[1, 2]), 2);
        assert_eq!(levenshtein(&[1, 2, 3, 4], &[2, 3, 4, 5]), 2);
    }

    #[test]
    fn paragraph_moves_compare_each_paragraph_with_the_original() {
        let original = "The United States is big.\n\nIt was a good day.\n\nNothing happened.\n\nHe said so.";
        let spun = "The Joined Together States is big.\n\nIt was a fine day.\n\nNothing happened.\n\nHe stated so.";
        // First and last paragraphs restored, second untouched, third altered wrongly.
        let restored = "The United States is big.\n\nIt was a fine day.\n\nNothing occurred.\n\nHe said so.";
        assert_eq!(paragraph_moves(original, spun, restored), ParagraphMoves { closer: 2, same: 1, further: 1 });
        // A wrong suggestion over a spun word is as far as the spun word.
        let wrong = "The Joined Together States is big.\n\nIt was a nice day.\n\nNothing happened.\n\nHe stated so.";
        assert_eq!(paragraph_moves(original, spun, wrong), ParagraphMoves { closer: 0, same: 4, further: 0 });
        // Texts whose paragraphs do not line up count as one paragraph.
        assert_eq!(paragraph_moves("a b\n\nc", "a x\n\nc", "a b c"), ParagraphMoves { closer: 1, same: 0, further: 0 });
    }

    #[test]
    fn word_errors_counts_substituted_phrases() {
        assert_eq!(word_errors("The United States is big.", "the united states is big"), (0, 5));
        assert_eq!(word_errors("The United States is big.", "The Joined Together States is big."), (2, 5));
        // Different line structure falls back to a whole-text alignment.
        assert_eq!(word_errors("a b\nc d", "a b c x"), (1, 4));
    }

    #[test]
    fn restored_regions() {
        let text = "We met a joined together states official.";
        let s = text.find("joined").unwrap();
        let e = s + "joined together states".len();
        let gold = [Edit { start: s, end: e, replacement: "United States" }];
        let exact = [Edit { start: s, end: e, replacement: "united  states" }];
        assert_eq!(restored(text, &gold, &exact), vec![true]);
        // A finding that also rewrites the article is judged on its region.
        let wider = [Edit { start: s - 2, end: e, replacement: "the United States" }];
        assert_eq!(restored(text, &gold, &wider), vec![false]);
        let wider_ok = [Edit { start: s - 2, end: e, replacement: "a United States" }];
        assert_eq!(restored(text, &gold, &wider_ok), vec![true]);
        let partial = [Edit { start: s, end: s + 6, replacement: "united" }];
        assert_eq!(restored(text, &gold, &partial), vec![false]);
        assert_eq!(restored(text, &gold, &[]), vec![false]);
    }

    #[test]
    fn auc_on_hand_made_scores() {
        assert_eq!(roc_auc(&[0.9, 0.8], &[0.1, 0.2, 0.3]), Some(1.0));
        assert_eq!(roc_auc(&[0.1, 0.2], &[0.8, 0.9]), Some(0.0));
        assert_eq!(roc_auc(&[0.5, 0.5], &[0.5, 0.5, 0.5]), Some(0.5));
        assert_eq!(roc_auc(&[0.9, 0.4], &[0.4, 0.1]), Some(0.875));
        assert_eq!(roc_auc(&[], &[0.1]), None);
    }
}
