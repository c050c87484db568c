//! The Brown corpus as clean English prose, in three genres and two fixed splits.

use std::fmt;
use std::path::Path;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Genre {
    /// Press: reportage, editorial, reviews (ca, cb, cc).
    News,
    /// Imaginative prose (ck..cr).
    Fiction,
    /// Learned and scientific writing (cj).
    Science,
}

impl Genre {
    pub const ALL: [Genre; 3] = [Genre::News, Genre::Fiction, Genre::Science];

    pub fn name(self) -> &'static str {
        match self {
            Genre::News => "news",
            Genre::Fiction => "fiction",
            Genre::Science => "science",
        }
    }

    /// The genre of a Brown category name as written in `cats.txt`.
    pub fn of_category(category: &str) -> Option<Genre> {
        match category {
            "news" | "editorial" | "reviews" => Some(Genre::News),
            "learned" => Some(Genre::Science),
            "fiction" | "mystery" | "science_fiction" | "adventure" | "romance" | "humor" => Some(Genre::Fiction),
            _ => None,
        }
    }

    /// The genre from a file name's two-letter prefix (used without `cats.txt`).
    pub fn of_file(id: &str) -> Option<Genre> {
        match id.get(..2)? {
            "ca" | "cb" | "cc" => Some(Genre::News),
            "cj" => Some(Genre::Science),
            "ck" | "cl" | "cm" | "cn" | "cp" | "cr" => Some(Genre::Fiction),
            _ => None,
        }
    }
}

impl fmt::Display for Genre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Development data may be looked at and tuned on; test data only reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Dev,
    Test,
}

impl Split {
    pub const BOTH: [Split; 2] = [Split::Dev, Split::Test];

    pub fn name(self) -> &'static str {
        match self {
            Split::Dev => "dev",
            Split::Test => "test",
        }
    }

    /// Brown documents: odd file numbers (ca01, ca03, ...) are development,
    /// even ones test. Numbering restarts in every category, so each genre is
    /// halved evenly and the halves interleave through it.
    pub fn of_brown_file(id: &str) -> Split {
        let number: u32 = id.get(2..).and_then(|n| n.parse().ok()).unwrap_or(0);
        if number & 1 == 1 {
            Split::Dev
        } else {
            Split::Test
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug)]
pub struct BrownDoc {
    /// File name, e.g. "ca01".
    pub id: String,
    pub category: String,
    pub genre: Genre,
    pub split: Split,
    /// Detokenised prose; paragraphs separated by a blank line.
    pub text: String,
}

/// Turns Brown's tagged format ("The/at jury/nn said/vbd ./.") into prose.
/// Lines of a paragraph are its sentences; a blank line ends a paragraph, and
/// so does a change between headline lines (every tag ending in `-hl`) and
/// body lines, so a title never runs into the text under it.
pub fn detokenize(tagged: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut glue_next = false;
    let mut headline = false;
    for line in tagged.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            glue_next = false;
            continue;
        }
        let is_headline =
            line.split_whitespace().all(|t| t.rsplit_once('/').is_some_and(|(_, tag)| tag.ends_with("-hl")));
        if is_headline != headline && !current.is_empty() {
            paragraphs.push(std::mem::take(&mut current));
            glue_next = false;
        }
        headline = is_headline;
        for token in line.split_whitespace() {
            let word = match token.rfind('/') {
                Some(i) if i > 0 => &token[..i],
                _ => token,
            };
            let (word, kind) = classify(word);
            // "Jr." ending a sentence is tagged "Jr./np ./.": one period in print.
            if word == "." && current.ends_with('.') {
                continue;
            }
            if !current.is_empty() && !glue_next && kind != Kind::Close {
                current.push(' ');
            }
            current.push_str(word);
            glue_next = kind == Kind::Open;
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n\n")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Takes no space after it: opening quotes and brackets.
    Open,
    /// Takes no space before it: closing quotes and brackets, punctuation.
    Close,
    Word,
}

fn classify(word: &str) -> (&str, Kind) {
    match word {
        "``" => ("\"", Kind::Open),
        "''" => ("\"", Kind::Close),
        "`" => ("'", Kind::Open),
        "'" => ("'", Kind::Close),
        "(" | "[" | "{" => (word, Kind::Open),
        ")" | "]" | "}" => (word, Kind::Close),
        // Runs of sentence punctuation: ".", "?", "!", "...", "?!", ",", ";", ":".
        _ if word.chars().all(|c| matches!(c, '.' | ',' | ';' | ':' | '?' | '!')) => (word, Kind::Close),
        _ => (word, Kind::Word),
    }
}

/// Loads the documents of the three evaluated genres, sorted by file name.
/// Categories come from `cats.txt` when present, else from file prefixes.
pub fn load_brown(dir: &Path) -> anyhow::Result<Vec<BrownDoc>> {
    if !dir.is_dir() {
        bail!("Brown corpus not found at {} (scripts/fetch-data.sh downloads it)", dir.display());
    }
    let mut files: Vec<(String, String)> = Vec::new();
    let cats = dir.join("cats.txt");
    if cats.is_file() {
        let listing = std::fs::read_to_string(&cats).with_context(|| format!("reading {}", cats.display()))?;
        for line in listing.lines() {
            let mut parts = line.split_whitespace();
            if let (Some(id), Some(category)) = (parts.next(), parts.next()) {
                files.push((id.to_string(), category.to_string()));
            }
        }
    } else {
        for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.len() == 4 && name.starts_with('c') && name[2..].bytes().all(|b| b.is_ascii_digit()) {
                files.push((name.clone(), name[..2].to_string()));
            }
        }
    }
    let mut docs = Vec::new();
    for (id, category) in files {
        let Some(genre) = Genre::of_category(&category).or_else(|| Genre::of_file(&id)) else { continue };
        let path = dir.join(&id);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let tagged = String::from_utf8_lossy(&bytes);
        docs.push(BrownDoc { split: Split::of_brown_file(&id), text: detokenize(&tagged), id, category, genre });
    }
    if docs.is_empty() {
        bail!("no news, fiction or learned documents in {}", dir.display());
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(docs)
}

/// Up to `n` documents of each genre in `split`, spread evenly over the
/// genre (so a small sample still covers all of its categories).
pub fn select(docs: &[BrownDoc], split: Split, n: Option<usize>) -> Vec<BrownDoc> {
    let mut out = Vec::new();
    for genre in Genre::ALL {
        let pool: Vec<&BrownDoc> = docs.iter().filter(|d| d.genre == genre && d.split == split).collect();
        out.extend(spread(&pool, n).into_iter().cloned());
    }
    out
}

/// `n` items at even strides through `items` (all of them when n is None or large).
pub fn spread<T: Clone>(items: &[T], n: Option<usize>) -> Vec<T> {
    match n {
        Some(n) if n < items.len() => (0..n).map(|i| items[i * items.len() / n].clone()).collect(),
        _ => items.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_alternates_by_file_number() {
        assert_eq!(Split::of_brown_file("ca01"), Split::Dev);
        assert_eq!(Split::of_brown_file("ca02"), Split::Test);
        assert_eq!(Split::of_brown_file("cr09"), Split::Dev);
    }

    #[test]
    fn genres_from_categories_and_prefixes_agree() {
        for (id, cat) in [
            ("ca01", "news"),
            ("cb03", "editorial"),
            ("cc02", "reviews"),
            ("cj10", "learned"),
            ("ck01", "fiction"),
            ("cr09", "humor"),
        ] {
            assert_eq!(Genre::of_category(cat), Genre::of_file(id), "{id}");
        }
        assert_eq!(Genre::of_category("government"), None);
        assert_eq!(Genre::of_file("ch01"), None);
    }

    #[test]
    fn spread_covers_the_range() {
        let items: Vec<u32> = (0..10).collect();
        assert_eq!(spread(&items, Some(5)), vec![0, 2, 4, 6, 8]);
        assert_eq!(spread(&items, Some(20)).len(), 10);
        assert_eq!(spread(&items, None).len(), 10);
    }
}
