//! SmolLM2 (a Llama-architecture decoder) from a GGUF file, on the CPU with
//! candle. Unlike a generator, a scorer needs the log-probability of every
//! token, and scoring many variants of one sentence should pay for their
//! shared beginning once; hence a forward pass of its own that returns all
//! positions' logits and takes an explicit key/value cache.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use candle_core::quantized::gguf_file;
use candle_core::{DType, Device, Tensor, D};

use crate::bpe::Bpe;

/// A weight matrix held transposed (`[in, out]`, contiguous), so that a
/// product reads it row by row.
struct Linear(Tensor);

impl Linear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims().to_vec();
        let (rows, k) = (dims[..dims.len() - 1].iter().product::<usize>(), dims[dims.len() - 1]);
        let y = x.reshape((rows, k))?.matmul(&self.0)?;
        let mut out = dims;
        *out.last_mut().unwrap() = self.0.dim(1)?;
        Ok(y.reshape(out)?)
    }
}

struct Layer {
    attn_norm: Tensor,
    wq: Linear,
    wk: Linear,
    wv: Linear,
    wo: Linear,
    ffn_norm: Tensor,
    gate: Linear,
    up: Linear,
    down: Linear,
}

/// Keys and values of a scored prefix, one pair per layer, each
/// `[batch, kv_heads, positions, head_dim]`.
#[derive(Clone)]
pub struct Cache {
    kv: Vec<(Tensor, Tensor)>,
    len: usize,
}

impl Cache {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The same prefix repeated for a batch of `n` continuations.
    fn repeat(&self, n: usize) -> Result<Cache> {
        if n == 1 {
            return Ok(self.clone());
        }
        let kv = self
            .kv
            .iter()
            .map(|(k, v)| Ok((Tensor::cat(&vec![k; n], 0)?, Tensor::cat(&vec![v; n], 0)?)))
            .collect::<Result<_>>()?;
        Ok(Cache { kv, len: self.len })
    }
}

/// A causal language model that scores text.
pub struct NeuralLm {
    bpe: Bpe,
    embed: Tensor,
    layers: Vec<Layer>,
    norm: Tensor,
    output: Linear,
    cos: Tensor,
    sin: Tensor,
    n_head: usize,
    n_kv: usize,
    head_dim: usize,
    eps: f32,
    bos: u32,
    max_positions: usize,
    device: Device,
}

impl NeuralLm {
    /// Loads a Llama-architecture GGUF file with a GPT-2-style tokenizer
    /// (SmolLM2-135M as `scripts/fetch-neural.sh` fetches it).
    pub fn load(path: &Path) -> Result<NeuralLm> {
        let device = Device::Cpu;
        let mut file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
        let ct = gguf_file::Content::read(&mut file).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let md = |k: &str| ct.metadata.get(k).ok_or_else(|| anyhow!("{}: no {k} in the GGUF metadata", path.display()));
        let arch = md("general.architecture")?.to_string()?.clone();
        if arch != "llama" {
            bail!("{}: architecture {arch:?}, expected llama", path.display());
        }
        if md("tokenizer.ggml.model")?.to_string()? != "gpt2" {
            bail!("{}: not a byte-level BPE (gpt2) tokenizer", path.display());
        }
        let strings = |k: &str| -> Result<Vec<String>> {
            md(k)?.to_vec()?.iter().map(|v| Ok(v.to_string()?.clone())).collect()
        };
        let bpe = Bpe::new(strings("tokenizer.ggml.tokens")?, &strings("tokenizer.ggml.merges")?).map_err(|e| anyhow!("{e}"))?;
        // Documents were separated by <|endoftext|> in pre-training: it is
        // the start of a text.
        let bos = bpe.token_id("<|endoftext|>").unwrap_or(0);
        let u = |k: &str| -> Result<usize> { Ok(md(k)?.to_u32()? as usize) };
        let n_head = u("llama.attention.head_count")?;
        let n_kv = u("llama.attention.head_count_kv")?;
        let n_layers = u("llama.block_count")?;
        let dim = u("llama.embedding_length")?;
        let head_dim = dim / n_head;
        let eps = md("llama.attention.layer_norm_rms_epsilon")?.to_f32()?;
        let theta = md("llama.rope.freq_base").and_then(|v| Ok(v.to_f32()?)).unwrap_or(10_000.0);
        let max_positions = u("llama.context_length").unwrap_or(2048).min(2048);

        let mut q = |name: &str| ct.tensor(&mut file, name, &device).map_err(|e| anyhow!("{name}: {e}"));
        let embed_q = q("token_embd.weight")?;
        let embed = embed_q.dequantize(&device)?;
        // Weights are held as f32: candle's kernels for some quantized types
        // (Q4_1 among them) are scalar and slower than f32 matrix products
        // by an order of magnitude, and a scorer runs many tokens at once.
        let dense = |t: candle_core::quantized::QTensor| -> Result<Linear> { Ok(Linear(t.dequantize(&device)?.t()?.contiguous()?)) };
        let output = match q("output.weight") {
            Ok(t) => dense(t)?,
            Err(_) => Linear(embed.t()?.contiguous()?), // tied embeddings
        };
        let norm = q("output_norm.weight")?.dequantize(&device)?;
        let mut layers = Vec::with_capacity(n_layers);
        for i in 0..n_layers {
            let mut m = |s: &str| -> Result<Linear> { dense(q(&format!("blk.{i}.{s}.weight"))?) };
            layers.push(Layer {
                wq: m("attn_q")?,
                wk: m("attn_k")?,
                wv: m("attn_v")?,
                wo: m("attn_output")?,
                gate: m("ffn_gate")?,
                up: m("ffn_up")?,
                down: m("ffn_down")?,
                attn_norm: q(&format!("blk.{i}.attn_norm.weight"))?.dequantize(&device)?,
                ffn_norm: q(&format!("blk.{i}.ffn_norm.weight"))?.dequantize(&device)?,
            });
        }
        let inv: Vec<f32> = (0..head_dim).step_by(2).map(|i| 1.0 / theta.powf(i as f32 / head_dim as f32)).collect();
        let inv = Tensor::new(inv.as_slice(), &device)?.reshape((1, head_dim / 2))?;
        let pos = Tensor::arange(0u32, max_positions as u32, &device)?.to_dtype(DType::F32)?.reshape((max_positions, 1))?;
        let angles = pos.matmul(&inv)?;
        Ok(NeuralLm {
            bpe,
            embed,
            layers,
            norm,
            output,
            cos: angles.cos()?,
            sin: angles.sin()?,
            n_head,
            n_kv,
            head_dim,
            eps,
            bos,
            max_positions,
            device,
        })
    }

    pub fn tokenizer(&self) -> &Bpe {
        &self.bpe
    }

    /// The longest sequence (prefix and continuation) scored.
    pub fn max_positions(&self) -> usize {
        self.max_positions
    }

    /// Runs `ids` (`batch` rows of equal length, row-major) after `past`;
    /// returns log-probabilities `[batch, len, vocab]` of the next token at
    /// every position (`[batch, 1, vocab]` at the last one unless
    /// `all_positions`), and the cache extended by `ids`.
    fn forward(&self, ids: &[u32], batch: usize, past: Option<&Cache>, all_positions: bool) -> Result<(Tensor, Cache)> {
        let len = ids.len() / batch;
        let offset = past.map_or(0, |c| c.len);
        if offset + len > self.max_positions {
            bail!("{} positions, at most {}", offset + len, self.max_positions);
        }
        let ids_t = Tensor::from_slice(ids, (batch * len,), &self.device)?;
        let mut x = self.embed.index_select(&ids_t, 0)?.reshape((batch, len, ()))?;
        let cos = self.cos.narrow(0, offset, len)?;
        let sin = self.sin.narrow(0, offset, len)?;
        let total = offset + len;
        let mask: Vec<f32> =
            (0..len).flat_map(|i| (0..total).map(move |j| if j > offset + i { f32::NEG_INFINITY } else { 0.0 })).collect();
        let mask = Tensor::from_slice(&mask, (1, 1, len, total), &self.device)?;
        let mut kv_out = Vec::with_capacity(self.layers.len());
        for (li, layer) in self.layers.iter().enumerate() {
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, self.eps)?;
            let q = layer.wq.forward(&h)?.reshape((batch, len, self.n_head, self.head_dim))?.transpose(1, 2)?.contiguous()?;
            let k = layer.wk.forward(&h)?.reshape((batch, len, self.n_kv, self.head_dim))?.transpose(1, 2)?.contiguous()?;
            let v = layer.wv.forward(&h)?.reshape((batch, len, self.n_kv, self.head_dim))?.transpose(1, 2)?.contiguous()?;
            let q = candle_nn::rotary_emb::rope_i(&q, &cos, &sin)?;
            let k = candle_nn::rotary_emb::rope_i(&k, &cos, &sin)?;
            let (k, v) = match past {
                Some(c) => {
                    let (pk, pv) = &c.kv[li];
                    (Tensor::cat(&[pk, &k], 2)?, Tensor::cat(&[pv, &v], 2)?)
                }
                None => (k, v),
            };
            kv_out.push((k.clone(), v.clone()));
            let rep = self.n_head / self.n_kv;
            let k = candle_transformers::utils::repeat_kv(k, rep)?.contiguous()?;
            let v = candle_transformers::utils::repeat_kv(v, rep)?.contiguous()?;
            let att = (q.matmul(&k.t()?)? / (self.head_dim as f64).sqrt())?;
            let att = att.broadcast_add(&mask)?;
            let att = candle_nn::ops::softmax_last_dim(&att)?;
            let y = att.matmul(&v)?.transpose(1, 2)?.reshape((batch, len, ()))?;
            x = (x + layer.wo.forward(&y)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, self.eps)?;
            let g = candle_nn::ops::silu(&layer.gate.forward(&h)?)?;
            let m = (g * layer.up.forward(&h)?)?;
            x = (x + layer.down.forward(&m)?)?;
        }
        let x = if all_positions { x } else { x.narrow(1, len - 1, 1)?.contiguous()? };
        let x = candle_nn::ops::rms_norm(&x, &self.norm, self.eps)?;
        let logits = self.output.forward(&x)?;
        let logp = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
        Ok((logp, Cache { kv: kv_out, len: total }))
    }

    /// Scores a prefix: the cache after `<|endoftext|> prefix` and the
    /// log-probabilities of the token that follows.
    fn prefix(&self, prefix: &str) -> Result<(Cache, Vec<f32>)> {
        let mut ids = vec![self.bos];
        ids.extend(self.bpe.encode(prefix));
        let (logp, cache) = self.forward(&ids, 1, None, false)?;
        let last = logp.get(0)?.get(0)?.to_vec1::<f32>()?;
        Ok((cache, last))
    }

    /// For each continuation, the natural-log probability of its tokens after
    /// `prefix` (at the start of a text). The prefix is run once; the
    /// continuations share its cache and run as one batch. A continuation
    /// should start where the prefix's last pre-token ends (e.g. with the
    /// space before a word), so that the two tokenize as the whole would.
    pub fn continuation_log_probs(&self, prefix: &str, continuations: &[&str]) -> Result<Vec<f32>> {
        if continuations.is_empty() {
            return Ok(Vec::new());
        }
        let (cache, first) = self.prefix(prefix)?;
        let seqs: Vec<Vec<u32>> = continuations.iter().map(|c| self.bpe.encode(c)).collect();
        let width = seqs.iter().map(Vec::len).max().unwrap_or(0);
        let mut out: Vec<f32> = seqs.iter().map(|s| s.first().map_or(0.0, |&t| first[t as usize])).collect();
        if width <= 1 {
            return Ok(out);
        }
        // Right padding: a causal model never lets a real token see the pad
        // after it, and the pads' own predictions are not read.
        let n = seqs.len();
        let mut ids = Vec::with_capacity(n * (width - 1));
        for s in &seqs {
            ids.extend(s.iter().take(width - 1));
            ids.extend(std::iter::repeat_n(self.bos, width - 1 - s.len().min(width - 1)));
        }
        let past = cache.repeat(n)?;
        let (logp, _) = self.forward(&ids, n, Some(&past), true)?;
        for (i, s) in seqs.iter().enumerate() {
            if s.len() < 2 {
                continue;
            }
            let targets = Tensor::from_slice(&s[1..], (s.len() - 1, 1), &self.device)?;
            let rows = logp.get(i)?.narrow(0, 0, s.len() - 1)?;
            let picked = rows.gather(&targets, 1)?.sum_all()?.to_scalar::<f32>()?;
            out[i] += picked;
        }
        Ok(out)
    }

    /// The natural-log probability of each text on its own (its tokens after
    /// `<|endoftext|>`).
    pub fn sentence_log_probs(&self, texts: &[&str]) -> Result<Vec<f32>> {
        texts.iter().map(|t| Ok(self.continuation_log_probs("", &[t])?[0])).collect()
    }
}
