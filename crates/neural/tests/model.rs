//! Tests on the real model (scripts/fetch-neural.sh); they pass with a note
//! when it is missing. Run: cargo test --release -p unspin-neural --features candle
#![cfg(feature = "candle")]

use std::path::PathBuf;
use std::sync::OnceLock;

use unspin_engine::Verifier;
use unspin_neural::{candle_core, candle_nn, candle_transformers, NeuralLm, NeuralVerifier};

fn model_path() -> Option<PathBuf> {
    let dir = std::env::var_os("UNSPIN_MODEL").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../model")
    });
    let p = dir.join(unspin_neural::MODEL_FILE);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: no {} (run scripts/fetch-neural.sh)", p.display());
        None
    }
}

fn verifier() -> Option<&'static NeuralVerifier> {
    static V: OnceLock<Option<NeuralVerifier>> = OnceLock::new();
    V.get_or_init(|| model_path().map(|p| NeuralVerifier::load(&p).unwrap())).as_ref()
}

#[test]
fn tokenizer_round_trips_and_uses_whole_words() {
    let Some(v) = verifier() else { return };
    let bpe = v.lm().tokenizer();
    for s in [
        "The Joined Together States is a nation.",
        "Counterfeit consciousness, i.e. AI, isn't new: 1956's Dartmouth workshop.",
        "  Leading spaces,\ttabs\nand\n\nnewlines — “quotes” café 日本 🙂 ",
        "",
    ] {
        assert_eq!(bpe.decode(&bpe.encode(s)), s);
    }
    let ids = bpe.encode("Hello world, the United States");
    let pieces: Vec<String> = ids.iter().map(|&i| bpe.decode(&[i])).collect();
    assert_eq!(pieces, ["Hello", " world", ",", " the", " United", " States"]);
    assert_eq!(bpe.encode("2024").len(), 4, "digits are split one by one");
}

#[test]
fn prefers_the_original_wording() {
    let Some(v) = verifier() else { return };
    let s = "The Joined Together States is a large nation in North America.";
    let span = 4..22;
    let gains = v.gains(s, span, &["United", "Disjoint"]).unwrap();
    assert!(gains[0] > 3.0, "{gains:?}");
    let s = "Counterfeit consciousness is changing how people work.";
    let gains = v.gains(s, 0..25, &["Artificial intelligence"]).unwrap();
    assert!(gains[0] > 3.0, "{gains:?}");
    // No change, no gain.
    let g = v.gains(s, 0..11, &["Counterfeit"]).unwrap();
    assert!(g[0].abs() < 1e-3, "{g:?}");
}

#[test]
fn shared_prefix_scores_as_the_whole_sentence() {
    let Some(v) = verifier() else { return };
    let lm: &NeuralLm = v.lm();
    let whole = lm.sentence_log_probs(&["The cat sat on the mat."]).unwrap()[0];
    let split = lm.continuation_log_probs("The cat", &[" sat on the mat.", " sat on the rug."]).unwrap();
    let prefix = lm.sentence_log_probs(&["The cat"]).unwrap()[0];
    assert!((prefix + split[0] - whole).abs() < 0.05, "{prefix} + {} vs {whole}", split[0]);
    assert!(split[0] > split[1] - 5.0);
    assert!(whole < 0.0);
}

#[test]
fn matches_candles_own_llama() {
    let Some(path) = model_path() else { return };
    let v = verifier().unwrap();
    let ids = v.lm().tokenizer().encode("Paris is the capital of");
    let mut full = vec![0u32];
    full.extend(&ids);
    // Reference: candle-transformers' quantized Llama, last position.
    let mut f = std::fs::File::open(&path).unwrap();
    let ct = candle_core::quantized::gguf_file::Content::read(&mut f).unwrap();
    let dev = candle_core::Device::Cpu;
    let mut reference = candle_transformers::models::quantized_llama::ModelWeights::from_gguf(ct, &mut f, &dev).unwrap();
    let input = candle_core::Tensor::new(full.as_slice(), &dev).unwrap().unsqueeze(0).unwrap();
    let logits = reference.forward(&input, 0).unwrap().squeeze(0).unwrap();
    let logp = candle_nn::ops::log_softmax(&logits, 0).unwrap().to_vec1::<f32>().unwrap();
    let paris = v.lm().tokenizer().encode(" France")[0];
    let ours = v.lm().continuation_log_probs("Paris is the capital of", &[" France"]).unwrap()[0];
    assert!((ours - logp[paris as usize]).abs() < 0.05, "ours {ours}, candle {}", logp[paris as usize]);
    assert!(ours > -3.0, "{ours}");
}
