//! Counts of a scan. Every input record lands in exactly one of
//! `documents`, `errors` or `skipped`, so they add up to `items`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ErrorKind;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Input records read.
    pub items: u64,
    /// Documents checked.
    pub documents: u64,
    /// Checked documents judged spun.
    pub spun: u64,
    /// Checked documents not written because their score is below --min-score.
    pub below_min_score: u64,
    /// Documents that could not be read, by kind.
    pub errors: BTreeMap<ErrorKind, u64>,
    /// Input records that are not documents (WARC requests, blank JSONL lines), by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Bytes of text checked.
    pub text_bytes: u64,
    /// Bytes of input read from disk (compressed size for compressed files).
    pub input_bytes: u64,
    /// Records written to the output.
    pub output_records: u64,
    /// Wall-clock seconds, over all runs of a resumed scan.
    pub seconds: f64,
}

impl Summary {
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub fn skipped_count(&self) -> u64 {
        self.skipped.values().sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let share = if self.documents == 0 { 0.0 } else { 100.0 * self.spun as f64 / self.documents as f64 };
        let mb = self.text_bytes as f64 / 1e6;
        let secs = self.seconds.max(1e-9);
        writeln!(
            f,
            "{} input records: {} documents checked, {} unreadable, {} skipped",
            self.items,
            self.documents,
            self.error_count(),
            self.skipped_count()
        )?;
        writeln!(f, "spun: {} of {} documents ({share:.1}%)", self.spun, self.documents)?;
        if self.below_min_score > 0 {
            writeln!(f, "below --min-score (not written): {}", self.below_min_score)?;
        }
        if !self.errors.is_empty() {
            let parts: Vec<String> = self.errors.iter().map(|(k, n)| format!("{} {n}", k.name())).collect();
            writeln!(f, "unreadable: {}", parts.join(", "))?;
        }
        if !self.skipped.is_empty() {
            let parts: Vec<String> = self.skipped.iter().map(|(k, n)| format!("{k} {n}")).collect();
            writeln!(f, "skipped: {}", parts.join(", "))?;
        }
        write!(
            f,
            "{} output records; {mb:.1} MB of text in {:.1} s ({:.2} MB/s, {:.1} documents/s)",
            self.output_records,
            self.seconds,
            mb / secs,
            self.documents as f64 / secs
        )
    }
}
