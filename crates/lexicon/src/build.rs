//! Building the lexicon file from Moby II text and a WordNet 3.x database.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use unspin_store::{Store, Writer};

use crate::morph::Form;
use crate::{Lexicon, LexiconError, Posting, KIND, MAX_WORDS, MOBY, WORDNET_SIMILAR, WORDNET_SYNSET};

#[derive(Debug, Clone, Copy, Default)]
pub struct BuildStats {
    pub phrases: usize,
    pub relations: usize,
    pub irregular_forms: usize,
}

/// Lower-cases a thesaurus entry and keeps it only if it is 1..=4 plain words.
fn normalise(raw: &str) -> Option<String> {
    let mut s = raw.trim().to_lowercase().replace('_', " ");
    if let Some(p) = s.find('(') {
        s.truncate(p); // WordNet adjective markers: "able(a)"
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > MAX_WORDS {
        return None;
    }
    let ok = words.iter().all(|w| w.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'') && w.chars().any(char::is_alphabetic));
    ok.then(|| words.join(" "))
}

#[derive(Default)]
struct Relations {
    /// original -> spun -> flags
    syn: HashMap<String, HashMap<String, u8>>,
}

impl Relations {
    fn add(&mut self, original: &str, spun: &str, flag: u8) {
        if original == spun {
            return;
        }
        *self.syn.entry(original.to_string()).or_default().entry(spun.to_string()).or_default() |= flag;
    }
}

fn add_moby(rel: &mut Relations, moby: &str) {
    for line in moby.lines() {
        let mut parts = line.split(['|', ',']);
        let Some(head) = parts.next().and_then(normalise) else { continue };
        for s in parts.filter_map(normalise) {
            rel.add(&head, &s, MOBY);
        }
    }
}

fn add_wordnet(rel: &mut Relations, dir: &Path) -> Result<(), LexiconError> {
    for pos in ["noun", "verb", "adj", "adv"] {
        let path = dir.join(format!("data.{pos}"));
        let text = std::fs::read_to_string(&path)
            .map_err(|source| LexiconError::Io { path: path.display().to_string(), source })?;
        let mut members: HashMap<&str, Vec<String>> = HashMap::new();
        let mut similar: Vec<(&str, &str)> = Vec::new();
        for line in text.lines() {
            if line.starts_with(' ') {
                continue; // licence header
            }
            let fields: Vec<&str> = line.split(" | ").next().unwrap_or("").split_whitespace().collect();
            if fields.len() < 4 {
                continue;
            }
            let offset = fields[0];
            let Ok(count) = usize::from_str_radix(fields[3], 16) else { continue };
            let words: Vec<String> = (0..count).filter_map(|i| fields.get(4 + 2 * i).and_then(|w| normalise(w))).collect();
            let at = 4 + 2 * count;
            if let Some(np) = fields.get(at).and_then(|n| n.parse::<usize>().ok()) {
                for p in 0..np {
                    let b = at + 1 + 4 * p;
                    if fields.get(b) == Some(&"&") {
                        if let Some(target) = fields.get(b + 1) {
                            similar.push((offset, target));
                        }
                    }
                }
            }
            members.insert(offset, words);
        }
        for words in members.values() {
            for a in words {
                for b in words {
                    rel.add(a, b, WORDNET_SYNSET);
                }
            }
        }
        for (from, to) in similar {
            if let (Some(a), Some(b)) = (members.get(from), members.get(to)) {
                for x in a {
                    for y in b {
                        rel.add(x, y, WORDNET_SIMILAR);
                    }
                }
            }
        }
    }
    Ok(())
}

fn irregular_forms(dir: Option<&Path>) -> Result<String, LexiconError> {
    let mut out = String::new();
    let Some(dir) = dir else { return Ok(out) };
    for pos in ["noun", "verb", "adj"] {
        let path = dir.join(format!("{pos}.exc"));
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|source| LexiconError::Io { path: path.display().to_string(), source })?;
        for line in text.lines() {
            let mut it = line.split_whitespace();
            let (Some(form), Some(lemma)) = (it.next(), it.next()) else { continue };
            let (form, lemma) = (form.replace('_', " "), lemma.replace('_', " "));
            let kind = match pos {
                "noun" => Form::Plural,
                // The present of "be" other than "is" has no form kind here
                // ("am", "are" are not past tenses).
                "verb" if matches!(form.as_str(), "am" | "are") => continue,
                "verb" if form.ends_with("ing") => Form::Gerund,
                "verb" if matches!(form.as_str(), "is" | "has") => Form::ThirdPerson,
                "verb" if form.ends_with('s') && !form.ends_with("ss") && form.len() > 3 => Form::ThirdPerson,
                "verb" => Form::Past,
                _ if form.ends_with("est") => Form::Superlative,
                _ => Form::Comparative,
            };
            out.push_str(&format!("{form}\t{lemma}\t{}\n", kind.code()));
        }
    }
    Ok(out)
}

fn to_writer(rel: Relations, irregular: String) -> (Writer, BuildStats) {
    let mut phrases: HashSet<&str> = HashSet::new();
    for (o, spun) in &rel.syn {
        phrases.insert(o);
        for s in spun.keys() {
            phrases.insert(s);
        }
    }
    let mut sorted: Vec<&str> = phrases.into_iter().collect();
    sorted.sort_unstable();
    let id: HashMap<&str, u32> = sorted.iter().enumerate().map(|(i, p)| (*p, i as u32)).collect();
    let mut degree = vec![0u32; sorted.len()];
    let mut reverse: Vec<Vec<Posting>> = vec![Vec::new(); sorted.len()];
    let mut relations = 0;
    for (o, spun) in &rel.syn {
        let oid = id[o.as_str()];
        degree[oid as usize] = spun.len() as u32;
        for (s, flags) in spun {
            reverse[id[s.as_str()] as usize].push(Posting { original: oid, flags: *flags as u32 });
            relations += 1;
        }
    }
    let mut text = Vec::new();
    let mut offsets = Vec::with_capacity(sorted.len() + 1);
    for p in &sorted {
        offsets.push(text.len() as u32);
        text.extend_from_slice(p.as_bytes());
    }
    offsets.push(text.len() as u32);
    let mut rev_offsets = Vec::with_capacity(sorted.len() + 1);
    let mut postings = Vec::with_capacity(relations);
    for mut list in reverse {
        rev_offsets.push(postings.len() as u32);
        list.sort_by_key(|p| p.original);
        postings.extend(list);
    }
    rev_offsets.push(postings.len() as u32);
    let stats = BuildStats { phrases: sorted.len(), relations, irregular_forms: irregular.lines().count() };
    let mut w = Writer::new(KIND);
    w.add("phrases", text);
    w.add_pod("phrase_offsets", &offsets);
    w.add_pod("reverse_offsets", &rev_offsets);
    w.add_pod("postings", &postings);
    w.add_pod("degree", &degree);
    w.add("irregular", irregular.into_bytes());
    (w, stats)
}

fn collect(moby_text: &str, wordnet_dir: Option<&Path>) -> Result<(Writer, BuildStats), LexiconError> {
    let mut rel = Relations::default();
    add_moby(&mut rel, moby_text);
    if let Some(dir) = wordnet_dir {
        add_wordnet(&mut rel, dir)?;
    }
    Ok(to_writer(rel, irregular_forms(wordnet_dir)?))
}

/// Builds the lexicon file at `out`.
pub fn build(moby_text: &str, wordnet_dir: Option<&Path>, out: &Path) -> Result<BuildStats, LexiconError> {
    let (w, stats) = collect(moby_text, wordnet_dir)?;
    w.write(out)?;
    Ok(stats)
}

/// Builds a lexicon in memory (tests, small experiments).
pub fn build_in_memory(moby_text: &str, wordnet_dir: Option<&Path>) -> Result<Lexicon, LexiconError> {
    let (w, _) = collect(moby_text, wordnet_dir)?;
    Lexicon::from_store(Store::from_bytes("<memory>", &w.to_bytes(), KIND)?)
}
