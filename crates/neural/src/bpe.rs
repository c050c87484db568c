//! Byte-level BPE as GPT-2 defined it, with SmolLM2's pre-tokenizer (every
//! digit a piece of its own, then the GPT-2 split into words, numbers,
//! punctuation runs and whitespace). The vocabulary and merges come from the
//! GGUF file (`tokenizer.ggml.tokens`, `tokenizer.ggml.merges`).

use std::collections::HashMap;

/// A byte-level BPE tokenizer.
pub struct Bpe {
    tokens: Vec<String>,
    ids: HashMap<String, u32>,
    /// (left, right) -> (rank, merged id)
    merges: HashMap<(u32, u32), (u32, u32)>,
    char_byte: HashMap<char, u8>,
    /// The token of each single byte; a byte the vocabulary lacks (some
    /// control characters) becomes the unknown token.
    byte_id: [u32; 256],
}

/// GPT-2's reversible map from bytes to printable characters: printable
/// Latin-1 bytes stand for themselves, the rest are moved to 256 and up.
fn byte_chars() -> [char; 256] {
    let mut out = ['\0'; 256];
    let mut next = 256u32;
    for b in 0..256u32 {
        let printable = (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || (0xae..=0xff).contains(&b);
        out[b as usize] = if printable {
            char::from_u32(b).unwrap()
        } else {
            let c = char::from_u32(next).unwrap();
            next += 1;
            c
        };
    }
    out
}

impl Bpe {
    /// `merges` are "left right" pairs, highest priority first.
    pub fn new(tokens: Vec<String>, merges: &[String]) -> Result<Bpe, String> {
        let ids: HashMap<String, u32> = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
        let mut merge_map = HashMap::with_capacity(merges.len());
        for (rank, m) in merges.iter().enumerate() {
            let (l, r) = m.split_once(' ').ok_or_else(|| format!("malformed merge {m:?}"))?;
            let (Some(&li), Some(&ri), Some(&mi)) = (ids.get(l), ids.get(r), ids.get(&format!("{l}{r}"))) else {
                continue;
            };
            merge_map.entry((li, ri)).or_insert((rank as u32, mi));
        }
        let byte_char = byte_chars();
        let char_byte = byte_char.iter().enumerate().map(|(b, &c)| (c, b as u8)).collect();
        let unknown = ids.get("<unk>").or_else(|| ids.get("<|endoftext|>")).copied().unwrap_or(0);
        let mut byte_id = [unknown; 256];
        let mut known = 0;
        for (b, c) in byte_char.iter().enumerate() {
            if let Some(&id) = ids.get(c.encode_utf8(&mut [0; 4]) as &str) {
                byte_id[b] = id;
                known += 1;
            }
        }
        if known < 188 {
            return Err(format!("not a byte-level vocabulary ({known} of 256 byte tokens)"));
        }
        Ok(Bpe { tokens, ids, merges: merge_map, char_byte, byte_id })
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The id of a token written as in the vocabulary (e.g. `<|endoftext|>`).
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        for piece in pre_tokenize(text) {
            self.encode_piece(piece, &mut out);
        }
        out
    }

    fn encode_piece(&self, piece: &str, out: &mut Vec<u32>) {
        let mut syms: Vec<u32> = piece.bytes().map(|b| self.byte_id[b as usize]).collect();
        loop {
            let best = syms
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| self.merges.get(&(w[0], w[1])).map(|&(rank, id)| (rank, i, id)))
                .min();
            let Some((_, i, id)) = best else { break };
            syms[i] = id;
            syms.remove(i + 1);
        }
        out.extend(syms);
    }

    /// The text of `ids` (invalid UTF-8 replaced).
    pub fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &id in ids {
            for c in self.tokens.get(id as usize).map(String::as_str).unwrap_or("").chars() {
                match self.char_byte.get(&c) {
                    Some(&b) => bytes.push(b),
                    None => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

fn is_other(c: char) -> bool {
    !c.is_whitespace() && !c.is_alphabetic() && !c.is_numeric()
}

/// Splits `text` as SmolLM2's tokenizer does before BPE: each numeric
/// character alone, and in between the GPT-2 pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
pub fn pre_tokenize(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut seg_start = 0;
    for (i, c) in text.char_indices() {
        if c.is_numeric() {
            split_gpt2(&text[seg_start..i], &mut out);
            out.push(&text[i..i + c.len_utf8()]);
            seg_start = i + c.len_utf8();
        }
    }
    split_gpt2(&text[seg_start..], &mut out);
    out
}

fn split_gpt2<'a>(s: &'a str, out: &mut Vec<&'a str>) {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let end_of = |k: usize| chars.get(k).map_or(s.len(), |&(b, _)| b);
    let run = |mut k: usize, f: fn(char) -> bool| {
        while k < chars.len() && f(chars[k].1) {
            k += 1;
        }
        k
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let next = chars.get(i + 1).map(|x| x.1);
        // Contractions.
        if c == '\'' {
            let rest = &s[chars[i].0..];
            if let Some(n) = ["'re", "'ve", "'ll", "'s", "'t", "'m", "'d"].iter().find(|p| rest.starts_with(**p)).map(|p| p.len()) {
                out.push(&rest[..n]);
                i = chars.partition_point(|&(b, _)| b < chars[i].0 + n);
                continue;
            }
        }
        let (from, class): (usize, Option<fn(char) -> bool>) = if c == ' ' && next.is_some_and(is_letter) {
            (i + 1, Some(is_letter))
        } else if c == ' ' && next.is_some_and(is_other) {
            (i + 1, Some(is_other))
        } else if is_letter(c) {
            (i, Some(is_letter))
        } else if is_other(c) {
            (i, Some(is_other))
        } else {
            (i, None)
        };
        let j = match class {
            Some(f) => run(from, f),
            None => {
                // Whitespace: a run up to the end, or all of it but the last
                // character when something follows (that one may lead the next word).
                let k = run(i, char::is_whitespace);
                if k == chars.len() || k - i == 1 {
                    k
                } else {
                    k - 1
                }
            }
        };
        out.push(&s[chars[i].0..end_of(j)]);
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vocabulary of the 256 byte tokens plus a few merges.
    fn toy() -> Bpe {
        let bc = byte_chars();
        let mut tokens: Vec<String> = vec!["<|endoftext|>".into()];
        tokens.extend(bc.iter().map(|c| c.to_string()));
        let merges: Vec<String> = ["Ġ t", "h e", "Ġt he", "Ġ a", "i n", "Ġa n", "Ġan d"].iter().map(|s| s.to_string()).collect();
        for m in &merges {
            tokens.push(m.replace(' ', ""));
        }
        Bpe::new(tokens, &merges).unwrap()
    }

    #[test]
    fn pre_tokenizer_follows_gpt2_with_single_digits() {
        assert_eq!(pre_tokenize("Hello world"), ["Hello", " world"]);
        assert_eq!(pre_tokenize("It's 2024, isn't it?"), ["It", "'s", " ", "2", "0", "2", "4", ",", " isn", "'t", " it", "?"]);
        assert_eq!(pre_tokenize("a  b\n\nc "), ["a", " ", " b", "\n", "\n", "c", " "]);
        assert_eq!(pre_tokenize("(x) -- y"), ["(", "x", ")", " --", " y"]);
        assert_eq!(pre_tokenize("naïve café"), ["naïve", " café"]);
    }

    #[test]
    fn merges_apply_by_rank() {
        let b = toy();
        let the = b.token_id("Ġthe").unwrap();
        let and = b.token_id("Ġand").unwrap();
        let ids = b.encode(" the and");
        assert_eq!(ids, [the, and]);
    }

    #[test]
    fn round_trip() {
        let b = toy();
        for s in ["The Joined Together States is a nation.", "naïve — “quoted” 42\n\ttabs", "", "  ", "日本語 and emoji 🙂"] {
            assert_eq!(b.decode(&b.encode(s)), s);
        }
    }
}
