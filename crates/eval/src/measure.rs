//! Running a detector over one kind of test material and counting.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::metrics::{self, ratio, Counts, Edit};
use crate::pps::{expected_variants, fill, TorturedPhrase};
use crate::spinner::Spun;
use crate::Detector;

/// A text containing one tortured phrase at a known span.
#[derive(Clone, Debug)]
pub struct PhraseInstance {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Acceptable restorations (normalised), see `expected_variants`.
    pub variants: Vec<String>,
}

/// Test texts for `phrases`: the phrase alone (`templates` None) or in each
/// carrier template. A fingerprint that demands other terms in the paper
/// (`AND`) gets a keywords line naming them, as the paper it comes from
/// would; rows with no restorable expected text are left out.
pub fn phrase_instances(phrases: &[TorturedPhrase], templates: Option<&[&str]>) -> Vec<PhraseInstance> {
    let mut out = Vec::new();
    for tp in phrases {
        let variants = expected_variants(tp);
        if variants.is_empty() {
            continue;
        }
        let keywords = if tp.require.is_empty() {
            String::new()
        } else {
            let terms: Vec<&str> = tp.require.iter().filter_map(|alts| alts.first().map(String::as_str)).collect();
            format!("\n\nKeywords: {}.", terms.join("; "))
        };
        let mut push = |(text, start, end): (String, usize, usize)| {
            out.push(PhraseInstance { text: text + &keywords, start, end, variants: variants.clone() });
        };
        match templates {
            None => push((tp.phrase.clone(), 0, tp.phrase.len())),
            Some(ts) => ts.iter().for_each(|t| push(fill(t, &tp.phrase))),
        }
    }
    out
}

/// Each instance after a whole document (`documents` in turn, a blank
/// line between), as a tortured phrase sits in a manuscript: evidence from
/// the rest of a long text, which a carrier sentence alone lacks, reaches
/// it there.
pub fn in_documents(instances: &[PhraseInstance], documents: &[&str]) -> Vec<PhraseInstance> {
    if documents.is_empty() {
        return Vec::new();
    }
    instances
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let prefix = format!("{}\n\n", documents[k % documents.len()]);
            PhraseInstance { text: format!("{prefix}{}", i.text), start: prefix.len() + i.start, end: prefix.len() + i.end, variants: i.variants.clone() }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhraseScores {
    pub instances: u64,
    /// Instances where some finding overlaps the phrase.
    pub flagged: u64,
    /// Instances whose restored text at the phrase is an expected original.
    pub exact: u64,
    pub findings: u64,
    /// Findings overlapping the phrase (the rest are in carrier text).
    pub findings_on_phrase: u64,
}

impl PhraseScores {
    pub fn recall(&self) -> Option<f64> {
        ratio(self.flagged, self.instances)
    }

    pub fn exact_rate(&self) -> Option<f64> {
        ratio(self.exact, self.instances)
    }

    /// Share of findings that are on the phrase: everything else in these
    /// texts is ordinary wording.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.findings_on_phrase, self.findings)
    }

    fn add(mut self, o: PhraseScores) -> PhraseScores {
        self.instances += o.instances;
        self.flagged += o.flagged;
        self.exact += o.exact;
        self.findings += o.findings;
        self.findings_on_phrase += o.findings_on_phrase;
        self
    }
}

pub fn score_phrases(detector: &dyn Detector, instances: &[PhraseInstance]) -> PhraseScores {
    instances
        .par_iter()
        .map(|inst| {
            let report = detector.check(&inst.text);
            let span = (inst.start, inst.end);
            let on_phrase = report.findings.iter().filter(|f| metrics::overlaps((f.start, f.end), span)).count() as u64;
            let edits: Vec<Edit> = report.findings.iter().map(Edit::of_finding).collect();
            let exact = inst.variants.iter().any(|v| {
                let gold = [Edit { start: inst.start, end: inst.end, replacement: v }];
                metrics::restored(&inst.text, &gold, &edits)[0]
            });
            PhraseScores {
                instances: 1,
                flagged: u64::from(on_phrase > 0),
                exact: u64::from(exact),
                findings: report.findings.len() as u64,
                findings_on_phrase: on_phrase,
            }
        })
        .reduce(PhraseScores::default, PhraseScores::add)
}

/// What the detector made of one spun document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpunDocScores {
    pub gold_spans: u64,
    pub tokens: Counts,
    pub exact_spans: u64,
    /// Gold spans restored exactly by one of each finding's first
    /// `OPTIONS` probable originals (its suggestion and alternatives).
    #[serde(default)]
    pub exact_in_options: u64,
    /// (word errors, reference words) of the spun text against the original.
    pub wer_before: (u64, u64),
    /// The same after replacing every finding with its suggestion.
    pub wer_after: (u64, u64),
    /// Paragraphs that restoring brought closer to the original, or not.
    #[serde(default)]
    pub paragraphs: metrics::ParagraphMoves,
    pub score: f64,
    pub spun: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpunScores {
    pub docs: u64,
    pub gold_spans: u64,
    pub tokens: Counts,
    pub exact_spans: u64,
    #[serde(default)]
    pub exact_in_options: u64,
    pub wer_before: (u64, u64),
    pub wer_after: (u64, u64),
    #[serde(default)]
    pub paragraphs: metrics::ParagraphMoves,
    /// Document scores and verdicts, in document order.
    pub scores: Vec<f64>,
    pub verdicts: Vec<bool>,
}

impl SpunScores {
    pub fn exact_rate(&self) -> Option<f64> {
        ratio(self.exact_spans, self.gold_spans)
    }

    /// Share of gold spans one of the first `OPTIONS` probable originals
    /// restores exactly.
    pub fn exact_in_options_rate(&self) -> Option<f64> {
        ratio(self.exact_in_options, self.gold_spans)
    }

    pub fn wer_before(&self) -> Option<f64> {
        ratio(self.wer_before.0, self.wer_before.1)
    }

    pub fn wer_after(&self) -> Option<f64> {
        ratio(self.wer_after.0, self.wer_after.1)
    }

    /// Share of paragraphs that restoring brought closer to the original.
    pub fn paragraphs_closer(&self) -> Option<f64> {
        ratio(self.paragraphs.closer, self.paragraphs.total())
    }

    /// Share of paragraphs that restoring took further from it.
    pub fn paragraphs_further(&self) -> Option<f64> {
        ratio(self.paragraphs.further, self.paragraphs.total())
    }
}

/// How many probable originals of a finding the "exact in 3" figure reads:
/// its suggestion and its first two alternatives (the evaluation's engines
/// list two).
pub const OPTIONS: usize = 3;

pub fn score_spun_doc(detector: &dyn Detector, doc: &Spun) -> SpunDocScores {
    let report = detector.check(&doc.text);
    let gold_spans: Vec<(usize, usize)> = doc.gold.iter().map(|g| (g.start, g.end)).collect();
    let found: Vec<(usize, usize)> = report.findings.iter().map(|f| (f.start, f.end)).collect();
    let gold_edits: Vec<Edit> = doc.gold.iter().map(Edit::of_gold).collect();
    let finding_edits: Vec<Edit> = report.findings.iter().map(Edit::of_finding).collect();
    let exact_by = metrics::restored(&doc.text, &gold_edits, &finding_edits);
    let exact = exact_by.iter().filter(|&&ok| ok).count() as u64;
    // The same with each finding's k-th option in its place (all findings
    // of a region take their k-th together).
    let mut in_options = exact_by;
    for k in 1..OPTIONS {
        let edits: Vec<Edit> = report.findings.iter().map(|f| Edit::of_option(f, k)).collect();
        for (any, ok) in in_options.iter_mut().zip(metrics::restored(&doc.text, &gold_edits, &edits)) {
            *any |= ok;
        }
    }
    let restored = unspin_engine::apply(&doc.text, &report.findings);
    SpunDocScores {
        gold_spans: doc.gold.len() as u64,
        tokens: metrics::token_counts(&doc.text, &gold_spans, &found),
        exact_spans: exact,
        exact_in_options: in_options.iter().filter(|&&ok| ok).count() as u64,
        wer_before: metrics::word_errors(&doc.original, &doc.text),
        wer_after: metrics::word_errors(&doc.original, &restored),
        paragraphs: metrics::paragraph_moves(&doc.original, &doc.text, &restored),
        score: report.score,
        spun: report.spun,
    }
}

pub fn score_spun(detector: &dyn Detector, docs: &[Spun]) -> SpunScores {
    let per_doc: Vec<SpunDocScores> = docs.par_iter().map(|d| score_spun_doc(detector, d)).collect();
    let mut s = SpunScores::default();
    for d in per_doc {
        s.docs += 1;
        s.gold_spans += d.gold_spans;
        s.tokens.add(d.tokens);
        s.exact_spans += d.exact_spans;
        s.exact_in_options += d.exact_in_options;
        s.wer_before.0 += d.wer_before.0;
        s.wer_before.1 += d.wer_before.1;
        s.wer_after.0 += d.wer_after.0;
        s.wer_after.1 += d.wer_after.1;
        s.paragraphs.add(d.paragraphs);
        s.scores.push(d.score);
        s.verdicts.push(d.spun);
    }
    s
}

/// What the detector made of one clean document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CleanDocScores {
    pub words: u64,
    pub findings: u64,
    pub score: f64,
    pub spun: bool,
}

pub fn score_clean(detector: &dyn Detector, texts: &[&str]) -> Vec<CleanDocScores> {
    texts
        .par_iter()
        .map(|t| {
            let report = detector.check(t);
            CleanDocScores {
                words: metrics::word_spans(t).len() as u64,
                findings: report.findings.len() as u64,
                score: report.score,
                spun: report.spun,
            }
        })
        .collect()
}

/// The sentences of `text` (by the engine's own sentence breaks), each to
/// be checked as a document of its own: how `--lines` and one-sentence API
/// calls see text, without the rest of a document around it.
pub fn sentences(text: &str) -> Vec<&str> {
    let tokens = unspin_text::tokenize(text);
    unspin_text::sentences(text, &tokens)
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| &text[tokens[r.start].start..tokens[r.end - 1].end])
        .collect()
}

/// Findings per 1,000 words and the share of documents judged spun.
pub fn false_positive_rates(docs: &[CleanDocScores]) -> (Option<f64>, Option<f64>) {
    let words: u64 = docs.iter().map(|d| d.words).sum();
    let findings: u64 = docs.iter().map(|d| d.findings).sum();
    let per_k = ratio(findings * 1000, words);
    let spun = ratio(docs.iter().filter(|d| d.spun).count() as u64, docs.len() as u64);
    (per_k, spun)
}

/// ROC AUC of the score and accuracy of the verdict, spun copies positive,
/// clean documents negative.
pub fn verdict_quality(clean: &[CleanDocScores], spun: &SpunScores) -> (Option<f64>, Option<f64>) {
    let negatives: Vec<f64> = clean.iter().map(|d| d.score).collect();
    let auc = metrics::roc_auc(&spun.scores, &negatives);
    let correct = clean.iter().filter(|d| !d.spun).count() + spun.verdicts.iter().filter(|&&v| v).count();
    (auc, ratio(correct as u64, (clean.len() + spun.verdicts.len()) as u64))
}
