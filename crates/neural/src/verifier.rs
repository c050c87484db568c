//! The engine's [`Verifier`] backed by the neural language model.

use std::ops::Range;
use std::path::Path;

use unspin_engine::Verifier;

use crate::lm::NeuralLm;

/// Judges a restoration by how much more likely the neural model finds its
/// sentence with the suggestion than as written.
pub struct NeuralVerifier {
    lm: NeuralLm,
    /// Bytes of the sentence before the span kept as context.
    pub max_prefix: usize,
    /// Bytes of the sentence after the span scored (cut at whitespace).
    pub max_after: usize,
}

impl NeuralVerifier {
    pub fn load(path: &Path) -> anyhow::Result<NeuralVerifier> {
        Ok(NeuralVerifier { lm: NeuralLm::load(path)?, max_prefix: 160, max_after: 60 })
    }

    pub fn lm(&self) -> &NeuralLm {
        &self.lm
    }

    /// Log-probabilities (natural log) of the sentence as written and with
    /// each replacement, over the part from the span's word to the end.
    pub fn scores(&self, sentence: &str, span: Range<usize>, replacements: &[&str]) -> anyhow::Result<Vec<f32>> {
        let (from, cut) = crate::split_for_span(sentence, span.start, self.max_prefix);
        let end = crate::end_after_span(sentence, span.end, self.max_after);
        let written = &sentence[cut..end];
        let mut variants = vec![written.to_string()];
        for r in replacements {
            variants.push(format!("{}{}{}", &sentence[cut..span.start], r, &sentence[span.end..end]));
        }
        let refs: Vec<&str> = variants.iter().map(String::as_str).collect();
        self.lm.continuation_log_probs(&sentence[from..cut], &refs)
    }
}

impl Verifier for NeuralVerifier {
    fn gains(&self, sentence: &str, span: Range<usize>, replacements: &[&str]) -> Option<Vec<f32>> {
        if span.end > sentence.len() || !sentence.is_char_boundary(span.start) || !sentence.is_char_boundary(span.end) {
            return None;
        }
        let scores = self.scores(sentence, span, replacements).ok()?;
        Some(scores[1..].iter().map(|s| s - scores[0]).collect())
    }
}
