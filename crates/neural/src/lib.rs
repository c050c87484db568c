//! unspin's optional neural verifier: a small causal language model
//! (SmolLM2-135M as GGUF, see `scripts/fetch-neural.sh`) that re-scores the
//! statistical engine's findings (see [`unspin_engine::Verifier`]).
//!
//! The tokenizer ([`bpe`]) is always built; the model needs the `candle`
//! feature, which the `unspin` binary's `neural` feature turns on. Without
//! it nothing here compiles candle.

pub mod bpe;
#[cfg(feature = "candle")]
pub mod lm;
#[cfg(feature = "candle")]
mod verifier;

#[cfg(feature = "candle")]
pub use lm::NeuralLm;
#[cfg(feature = "candle")]
pub use verifier::NeuralVerifier;
/// The candle crates this one is built on (for tests and experiments).
#[cfg(feature = "candle")]
pub use {candle_core, candle_nn, candle_transformers};

/// The file name of the model in the model directory.
pub const MODEL_FILE: &str = "smollm2-135m.gguf";

/// Where a span's sentence is cut into a shared prefix and the part that
/// varies: before the whitespace that precedes the span's word, so that the
/// varying part starts with " word" as the tokenizer would split the whole.
/// The prefix keeps at most `max_prefix` bytes (cut at whitespace).
pub fn split_for_span(sentence: &str, span_start: usize, max_prefix: usize) -> (usize, usize) {
    let cut = sentence[..span_start].trim_end().len();
    let mut from = 0;
    if cut > max_prefix {
        let mut at = cut - max_prefix;
        while !sentence.is_char_boundary(at) {
            at += 1;
        }
        from = sentence[at..cut].find(char::is_whitespace).map_or(cut, |i| at + i);
        from += sentence[from..cut].len() - sentence[from..cut].trim_start().len();
    }
    (from, cut)
}

/// Where the scored part of a sentence ends: its end, or the first
/// whitespace at least `max_after` bytes after the span.
pub fn end_after_span(sentence: &str, span_end: usize, max_after: usize) -> usize {
    let mut at = (span_end + max_after).min(sentence.len());
    while !sentence.is_char_boundary(at) {
        at += 1;
    }
    sentence[at..].find(char::is_whitespace).map_or(sentence.len(), |i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_before_the_span_word() {
        let s = "The Joined Together States is a nation.";
        assert_eq!(split_for_span(s, 4, 1000), (0, 3));
        assert_eq!(&s[3..], " Joined Together States is a nation.");
        assert_eq!(split_for_span(s, 0, 1000), (0, 0));
        // A long prefix keeps its last words only.
        let (from, cut) = split_for_span(s, 30, 10);
        assert_eq!(&s[from..cut], "States is");
        assert_eq!(&s[..end_after_span(s, 22, 5)], "The Joined Together States is");
        assert_eq!(end_after_span(s, 22, 100), s.len());
    }
}
