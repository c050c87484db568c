//! The document's reading of a restoration. A spinner swaps words all
//! through a text, so in a long text every restoration the sentence
//! evidence is sure of makes each other one likelier a swap: a suspect
//! among many sure ones is read more boldly than the same suspect alone.
//!
//! The document trees (boosted on from the statistical confidence trees,
//! see `crates/eval/examples/fit_confidence.rs`, `UNSPIN_DOC_TREES`) read a
//! restoration's evidence and its text's confidence mass: the
//! confidences of at least [`MASS_FLOOR`] of the text's other
//! restorations, per 1,000 words. They only raise a confidence, never
//! lower it: lowering the lone restoration of an otherwise quiet text
//! would cost the tortured phrase of a manuscript that has only one.
//! Raising sharpens clean long texts too, so long texts are read at a
//! threshold of their own, set by the same rule as the sentence's (every
//! genre's held-out clean development prose at most 0.9 findings per
//! 1,000 words); the engine folds that threshold into the confidences of
//! long texts as a shift of log-odds, so one threshold holds for every
//! text and `--threshold` moves both alike. A document the default suspect
//! rule finds spun enough for a thorough second look has no lone phrase in
//! quiet prose to lose: there the thorough trees are read both ways, as
//! they were fitted (`Profile::escalated_document`).

use crate::{shift_log_odds, ConfidenceModel, Evidence, Finding};

/// Texts of fewer whitespace-separated words are read by the sentence's
/// evidence alone (a sentence, a title, a line of `--lines`).
pub const MIN_WORDS: usize = 300;

/// A restoration adds its confidence to its text's mass from this
/// confidence up.
pub const MASS_FLOOR: f64 = 0.5;

/// The document trees read a restoration the sentence gives at least this
/// confidence; one below it keeps its confidence (less the long-text
/// margin). Raising such a restoration never carried one past the
/// threshold on held-out development prose (the same swaps and tortured
/// phrases found with a floor of 0, default or thorough), and skipping it
/// spares the trees about two thirds of their work.
pub const RAISE_FLOOR: f64 = 0.4;

/// The document trees' inputs: the evidence's features, the confidence
/// mass of the text's other restorations per 1,000 words, and the gate (1:
/// a text of at least [`MIN_WORDS`] words, whose trees apply).
pub const FEATURES: usize = Evidence::FEATURES + 2;

/// The document trees' inputs for a restoration with evidence `features`
/// in a text whose other restorations' confidence mass is `others_per_k`
/// per 1,000 words; `long` for a text of at least [`MIN_WORDS`] words.
/// The one layout the trees are fitted on and read with.
pub fn inputs(features: &[f32; Evidence::FEATURES], others_per_k: f64, long: bool) -> [f32; FEATURES] {
    let mut x = [0.0f32; FEATURES];
    x[..Evidence::FEATURES].copy_from_slice(features);
    x[Evidence::FEATURES] = others_per_k as f32;
    x[Evidence::FEATURES + 1] = long as u8 as f32;
    x
}

/// Document trees and the threshold of long texts they were read at.
#[derive(Clone, Debug)]
pub struct DocumentReading {
    pub trees: std::sync::Arc<ConfidenceModel>,
    /// The threshold at which long texts' raised confidences keep clean
    /// prose under the rule, where `short_threshold` is the one that does
    /// for the sentence's confidences.
    pub long_threshold: f64,
    pub short_threshold: f64,
    /// Whether the trees may lower a confidence as well as raise it (see
    /// `Profile::escalated_document`).
    pub both_ways: bool,
}

/// The findings of `detected` read in their document `text` by `reading`,
/// or as the sentence gave them where there is none: what a check hands
/// on to the threshold (and to a verifier).
pub fn read(reading: Option<&DocumentReading>, text: &str, detected: Vec<(Finding, Evidence)>) -> Vec<Finding> {
    match reading {
        Some(reading) => reading.apply(text, detected),
        None => detected.into_iter().map(|(f, _)| f).collect(),
    }
}

impl DocumentReading {
    /// The log-odds by which a long text's confidences move so that
    /// `short_threshold` reads them as `long_threshold` would.
    pub fn margin(&self) -> f64 {
        let logit = |p: f64| (p / (1.0 - p)).ln();
        logit(self.long_threshold) - logit(self.short_threshold)
    }

    /// The findings of `detected` with their confidences read in their
    /// document, `text`: unchanged in a text shorter than [`MIN_WORDS`].
    pub fn apply(&self, text: &str, detected: Vec<(Finding, Evidence)>) -> Vec<Finding> {
        let words = text.split_whitespace().count();
        if words < MIN_WORDS {
            return detected.into_iter().map(|(f, _)| f).collect();
        }
        let counted = |c: f64| if c >= MASS_FLOOR { c } else { 0.0 };
        let mass: f64 = detected.iter().map(|(f, _)| counted(f.confidence)).sum();
        let margin = self.margin();
        detected
            .into_iter()
            .map(|(mut finding, evidence)| {
                let raise = if finding.confidence >= RAISE_FLOOR {
                    let others = (mass - counted(finding.confidence)).max(0.0) * 1000.0 / words as f64;
                    let x = inputs(&evidence.features(), others, true);
                    let said = (self.trees.log_odds(&x) - self.trees.base) as f64;
                    if self.both_ways {
                        said
                    } else {
                        said.max(0.0)
                    }
                } else {
                    0.0
                };
                finding.confidence = shift_log_odds(finding.confidence, raise - margin);
                finding
            })
            .collect()
    }
}
