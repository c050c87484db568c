//! The evaluation report: figures as rows, rendered as JSON, a terminal
//! table or Markdown for EVALUATION.md.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Tortured,
    Spinning,
    CleanText,
    Verdicts,
    Speed,
    Matching,
    Ceiling,
    Thresholds,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Tortured,
        Section::Spinning,
        Section::CleanText,
        Section::Verdicts,
        Section::Speed,
        Section::Matching,
        Section::Ceiling,
        Section::Thresholds,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Tortured => "1. Unlisted tortured phrases",
            Section::Spinning => "2. Simulated spinning of clean text",
            Section::CleanText => "3. False positives on clean text",
            Section::Verdicts => "4. Document verdicts",
            Section::Speed => "5. Speed",
            Section::Matching => "6. Finding the source of a spun copy",
            Section::Ceiling => "7. Where the swaps go",
            Section::Thresholds => "8. Choosing a threshold",
        }
    }

    fn explanation(self) -> &'static str {
        match self {
            Section::Tortured => {
                "Phrases in the PPS November 2025 export that are not in the July 2025 export, alone on a line, in each of \
                 the neutral carrier sentences of crates/eval/data/carriers.txt, and in the first carrier sentence after a \
                 whole clean Brown science document of the same split (\"in documents\", as in a manuscript, where evidence \
                 from the rest of the text reaches the phrase; its precision counts the findings in the document too); and, \
                 as a check on the fingerprint path, a \
                 sample of listed July phrases. A fingerprint that requires other terms in the paper (`AND`) gets a \
                 \"Keywords:\" line naming them. recall: share of texts where a finding overlaps the phrase. exact: share whose \
                 restored text at the phrase is the expected original (ignoring case and spacing; bracketed context, an \
                 abbreviation the phrase lacks and `a/b` alternatives are optional). precision: share of findings that overlap \
                 the phrase (everything else in these texts is ordinary wording). Anchor: Martel, Lentschat & Labbé (2024) \
                 report recall 0.87 at precision 0.61 for unlisted tortured phrases."
            }
            Section::Spinning => {
                "Brown documents spun with the article-rewriter dictionary at the given share of eligible positions (seeded, \
                 reproducible). P/R/F1: word tokens of the spun text inside gold spans vs inside findings. exact: share of spun \
                 spans restored to the original wording; exact in 3: by the suggestion or one of the finding's first two \
                 alternatives (`--alternatives 2`). WER: word error rate against the original (lower-cased words, \
                 punctuation ignored) of the spun text and of the restored text. para closer / para further: share of \
                 paragraphs whose restored text is closer to the original than the spun text (fewer word errors), and \
                 further from it (a paragraph restoring made worse: a reader would prefer the spun one)."
            }
            Section::CleanText => {
                "Unaltered Brown documents, whole and (\"by sentence\") each sentence checked as a document of its own, as \
                 `--lines` sees text. findings/1k: findings per 1,000 words; docs spun: share of documents (or sentences) \
                 judged spun."
            }
            Section::Verdicts => {
                "Each clean document and its spun copy at the given rate. AUC: ROC AUC of the document score; accuracy: of the \
                 spun/not-spun verdict."
            }
            Section::Matching => {
                "Brown cut into passages of 150-300 words; every tenth passage (by a hash of its id) is held apart and the \
                 rest indexed. Indexed passages of the split and as many held-apart ones are spun at the given share of \
                 eligible positions, with the article-rewriter dictionary or with one-way Moby II swaps, and looked up. \
                 recall@1 / recall@10: share of indexed passages whose true source is the first / among the first ten \
                 matches reported; false match: share of held-apart passages for which anything is reported. \
                 immutables+lexicon: `unspin match` (LSH over shingles of the words no thesaurus swaps, then word \
                 alignment counting synonyms); word-shingle MinHash: 5-word shingles, 128 hashes, every indexed passage \
                 ranked by estimated Jaccard (no LSH losses), a match from 0.1 on. Thresholds of both were chosen on dev."
            }
            Section::Ceiling => {
                "The swaps of the documents spun at the highest rate of the run (section 2), sorted by what a restoration \
                 needs: the original among the lexicon's candidates of the spun phrase (or of its core, the words the two \
                 share at either end set aside), and the language model preferring the original in its five-word window \
                 (two words either side) by a factor of ten or more. share of swaps: of all the split's swaps; found: share \
                 of the class a finding overlaps; exact: share restored to the original wording. A swap in the first class \
                 is one the design can restore; the others need a larger lexicon or stronger statistics. Numbers and \
                 clause adverbs are restored by rule, outside the lexicon, and fall in the last class (the language model \
                 reads numbers spelled out)."
            }
            Section::Thresholds => {
                "The default engine at other values of `--threshold` (the minimum confidence of a reported finding; the \
                 default is the row marked \"default\"), on the documents spun at the highest rate of the run (section 2, \
                 its P, R, exact and paragraph figures), the same documents clean (section 3, checked whole), and the \
                 unlisted tortured phrases alone on a line (section 1). Lower thresholds find more at lower precision. The \
                 document score and verdict count the findings of the calibrated threshold whatever threshold is asked \
                 for, so clean docs spun stays as at the default. For screening, where every finding is read by a person, \
                 a lower threshold trades their time for recall."
            }
            Section::Speed => {
                "Single thread over the clean documents of the run. check: MB/s of checking; restore: MB/s of checking and \
                 applying the findings; peak RSS: getrusage ru_maxrss of the whole evaluation process; grep: \
                 `LC_ALL=C grep -c -i -F -f <July phrases> <corpus>` timed as a subprocess (best of 3) and the ratio of check speed to it."
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 0..1, three decimals.
    Share,
    Count,
    /// Any other quantity: two decimals, more when small.
    Number,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    /// None when undefined (e.g. precision with no findings at all).
    pub value: Option<f64>,
    pub kind: Kind,
}

impl Figure {
    pub fn share(name: &str, value: Option<f64>) -> Figure {
        Figure { name: name.into(), value, kind: Kind::Share }
    }

    pub fn count(name: &str, value: u64) -> Figure {
        Figure { name: name.into(), value: Some(value as f64), kind: Kind::Count }
    }

    pub fn number(name: &str, value: Option<f64>) -> Figure {
        Figure { name: name.into(), value, kind: Kind::Number }
    }

    fn formatted(&self) -> String {
        match (self.value, self.kind) {
            (None, _) => "-".into(),
            (Some(v), _) if !v.is_finite() => "-".into(),
            (Some(v), Kind::Share) => format!("{v:.3}"),
            (Some(v), Kind::Count) => format!("{v:.0}"),
            // Two decimals, or three significant digits for small values
            // (a speed ratio of 0.0024 must not print as 0.00).
            (Some(v), Kind::Number) if v != 0.0 && v.abs() < 0.1 => {
                let decimals = (-v.abs().log10()).ceil() as usize + 2;
                format!("{v:.decimals$}")
            }
            (Some(v), Kind::Number) => format!("{v:.2}"),
        }
    }
}

/// One line of results: a dataset, the detector run on it, the split and the
/// figures; or the reason it could not be measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub section: Section,
    pub dataset: String,
    pub detector: String,
    pub split: String,
    pub size: u64,
    /// What `size` counts: "docs", "texts", "MB", ...
    pub unit: String,
    pub figures: Vec<Figure>,
    /// Set when the row could not be measured; figures are then empty.
    pub skipped: Option<String>,
}

impl Row {
    pub fn new(
        section: Section,
        dataset: impl Into<String>,
        detector: &str,
        split: &str,
        size: u64,
        unit: &str,
    ) -> Row {
        Row {
            section,
            dataset: dataset.into(),
            detector: detector.into(),
            split: split.into(),
            size,
            unit: unit.into(),
            figures: Vec::new(),
            skipped: None,
        }
    }

    pub fn skipped(section: Section, dataset: impl Into<String>, detector: &str, split: &str, reason: &str) -> Row {
        let mut row = Row::new(section, dataset, detector, split, 0, "");
        row.skipped = Some(reason.into());
        row
    }

    pub fn with(mut self, figure: Figure) -> Row {
        self.figures.push(figure);
        self
    }

    /// The value of the named figure, if measured.
    pub fn figure(&self, name: &str) -> Option<f64> {
        self.figures.iter().find(|f| f.name == name).and_then(|f| f.value)
    }
}

/// A data source of the run and whether it was there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSource {
    pub name: String,
    pub path: String,
    pub available: bool,
    /// What was used of it, or why it could not be.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub quick: bool,
    pub seed: u64,
    pub rates: Vec<f64>,
    /// The split thresholds may be tuned on; the other is held out.
    pub tuning_split: String,
    /// How documents and phrases are assigned to splits.
    pub split_rules: Vec<String>,
    pub data: Vec<DataSource>,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
    /// Passed in by the caller (loading the model is not part of the run).
    pub model_load_seconds: Option<f64>,
    /// Worker threads of the quality rows (the speed row uses one).
    pub threads: usize,
    pub elapsed_seconds: f64,
}

impl EvalReport {
    pub fn mode(&self) -> &'static str {
        if self.quick {
            "quick"
        } else {
            "full"
        }
    }

    pub fn rows_in(&self, section: Section) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(move |r| r.section == section)
    }

    /// The first row matching section, dataset, detector and split.
    pub fn row(&self, section: Section, dataset: &str, detector: &str, split: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.section == section && r.dataset == dataset && r.detector == detector && r.split == split)
    }

    /// Plain text for the terminal.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "unspin evaluation ({} mode, seed {}, {} threads, {:.1} s; tune on the {} split only)",
            self.mode(),
            self.seed,
            self.threads,
            self.elapsed_seconds,
            self.tuning_split
        );
        for section in Section::ALL {
            let rows: Vec<&Row> = self.rows_in(section).collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{}", section.title());
            let (header, body) = grid(&rows);
            let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
            for line in &body {
                for (w, cell) in widths.iter_mut().zip(line) {
                    *w = (*w).max(cell.len());
                }
            }
            let render = |cells: &[String]| -> String {
                let parts: Vec<String> = cells
                    .iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(i, (c, w))| if i < 3 { format!("{c:<w$}") } else { format!("{c:>w$}") })
                    .collect();
                parts.join("  ").trim_end().to_string()
            };
            let _ = writeln!(out, "  {}", render(&header));
            for (line, row) in body.iter().zip(&rows) {
                match &row.skipped {
                    Some(reason) => {
                        let _ = writeln!(out, "  {}  skipped: {reason}", render(&line[..3]));
                    }
                    None => {
                        let _ = writeln!(out, "  {}", render(line));
                    }
                }
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out);
            for note in &self.notes {
                let _ = writeln!(out, "note: {note}");
            }
        }
        out
    }

    /// Markdown for EVALUATION.md.
    pub fn to_markdown(&self, commit: &str, date: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Evaluation\n");
        let _ = writeln!(out, "Produced by `unspin eval{}`.\n", if self.quick { " --quick" } else { "" });
        let _ = writeln!(out, "- Date: {date}");
        let _ = writeln!(out, "- Commit: `{commit}`");
        let _ = writeln!(
            out,
            "- Mode: {} (seed {}, spin rates {})",
            self.mode(),
            self.seed,
            self.rates.iter().map(|r| format!("{:.0}%", r * 100.0)).collect::<Vec<_>>().join(", ")
        );
        let _ = writeln!(
            out,
            "- Tuning: thresholds and the confidence model are fitted on the **{}** split only; the other split is held out and reported alongside. The confidence model's trees were fitted on these very development documents and remember them, so the development rows flatter it; the held-out split is the measure (cross-validated development figures: `cargo run --release -p unspin-eval --example fit_confidence`).",
            self.tuning_split
        );
        for rule in &self.split_rules {
            let _ = writeln!(out, "- Split: {rule}");
        }
        if let Some(s) = self.model_load_seconds {
            let _ = writeln!(out, "- Model load: {s:.2} s");
        }
        let _ = writeln!(out, "- Run time: {:.1} s on {} threads", self.elapsed_seconds, self.threads);
        let _ = writeln!(out, "\n## Data\n");
        let _ = writeln!(out, "| data | path | used |");
        let _ = writeln!(out, "|---|---|---|");
        for d in &self.data {
            let used = if d.available { d.detail.clone() } else { format!("**missing**: {}", d.detail) };
            let _ = writeln!(out, "| {} | `{}` | {} |", cell(&d.name), cell(&d.path), cell(&used));
        }
        for section in Section::ALL {
            let rows: Vec<&Row> = self.rows_in(section).collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n## {}\n", section.title());
            let _ = writeln!(out, "{}\n", section.explanation());
            let (header, body) = grid(&rows);
            let _ = writeln!(out, "| {} |", header.join(" | "));
            let _ = writeln!(
                out,
                "|{}",
                header.iter().enumerate().map(|(i, _)| if i < 3 { "---|" } else { "---:|" }).collect::<String>()
            );
            for (line, row) in body.iter().zip(&rows) {
                let cells: Vec<String> = match &row.skipped {
                    Some(reason) => {
                        let mut c: Vec<String> = line[..3].to_vec();
                        c.push(format!("skipped: {reason}"));
                        c.resize(header.len(), String::new());
                        c
                    }
                    None => line.clone(),
                };
                let _ = writeln!(out, "| {} |", cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\n## Notes\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }
}

/// Header and cells of a section: dataset, detector, split, size, then the
/// union of figure names in order of first appearance.
fn grid(rows: &[&Row]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for f in &r.figures {
            if !names.contains(&f.name) {
                names.push(f.name.clone());
            }
        }
    }
    let mut header: Vec<String> = ["dataset", "detector", "split", "size"].iter().map(|s| s.to_string()).collect();
    header.extend(names.iter().cloned());
    let body = rows
        .iter()
        .map(|r| {
            let size =
                if r.skipped.is_some() { String::new() } else { format!("{} {}", r.size, r.unit).trim().to_string() };
            let mut line = vec![r.dataset.clone(), r.detector.clone(), r.split.clone(), size];
            for n in &names {
                line.push(r.figures.iter().find(|f| &f.name == n).map(Figure::formatted).unwrap_or_default());
            }
            line
        })
        .collect();
    (header, body)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_their_significant_digits() {
        assert_eq!(Figure::number("x", Some(0.0024)).formatted(), "0.00240");
        assert_eq!(Figure::number("x", Some(0.06)).formatted(), "0.0600");
        assert_eq!(Figure::number("x", Some(12.345)).formatted(), "12.35");
        assert_eq!(Figure::number("x", Some(0.0)).formatted(), "0.00");
        assert_eq!(Figure::share("x", Some(0.5)).formatted(), "0.500");
        assert_eq!(Figure::count("x", 42).formatted(), "42");
        assert_eq!(Figure::share("x", None).formatted(), "-");
    }
}
