//! The checkpoint that makes a scan resumable (see docs/SCAN.md).
//!
//! `OUT.checkpoint` sits next to a JSONL output `OUT`. After each chunk of
//! records is written and synced to disk, the checkpoint is replaced
//! atomically (written to a temporary file, synced, renamed) with the number
//! of input records finished and the output's length at that moment. A
//! resumed run truncates the output to that length (dropping any partial
//! tail a kill left behind), skips that many input records and appends.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Summary;

pub const FORMAT: &str = "unspin-scan-checkpoint";
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Always [`FORMAT`]: says what the file is.
    pub format: String,
    /// [`VERSION`]; other versions are refused.
    pub version: u32,
    /// A hash of the scan's inputs and options: a checkpoint resumes only the
    /// scan that wrote it.
    pub job: String,
    /// Input records finished (written, counted or skipped).
    pub items: u64,
    /// The output's length in bytes after those records.
    pub output_bytes: u64,
    /// True once the scan ran to the end.
    pub complete: bool,
    /// The counts so far.
    pub summary: Summary,
}

/// Where the checkpoint of output `out` lives.
pub fn path_for(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".checkpoint");
    out.with_file_name(name)
}

/// The job identity: an XXH3 hash of a description of the inputs and options.
pub fn job_id(description: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(description.as_bytes()))
}

impl Checkpoint {
    /// Reads a checkpoint; Ok(None) if there is none.
    pub fn load(path: &Path) -> Result<Option<Checkpoint>, String> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let c: Checkpoint = serde_json::from_str(&text).map_err(|e| format!("{}: not a scan checkpoint ({e})", path.display()))?;
        if c.format != FORMAT {
            return Err(format!("{}: not a scan checkpoint", path.display()));
        }
        if c.version != VERSION {
            return Err(format!("{}: checkpoint version {} is not supported (expected {VERSION})", path.display(), c.version));
        }
        Ok(Some(c))
    }

    /// Replaces the checkpoint atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let tmp = path.with_extension("checkpoint.tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(serde_json::to_string_pretty(self).map_err(io::Error::other)?.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_data()?;
        }
        fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let path = path_for(&out);
        assert_eq!(path.file_name().unwrap(), "out.jsonl.checkpoint");
        assert_eq!(Checkpoint::load(&path).unwrap(), None);
        let c = Checkpoint {
            format: FORMAT.into(),
            version: VERSION,
            job: job_id("a"),
            items: 7,
            output_bytes: 99,
            complete: false,
            summary: Summary::default(),
        };
        c.save(&path).unwrap();
        assert_eq!(Checkpoint::load(&path).unwrap(), Some(c.clone()));
        fs::write(&path, "{}").unwrap();
        assert!(Checkpoint::load(&path).unwrap_err().contains("not a scan checkpoint"));
        fs::write(&path, serde_json::to_string(&Checkpoint { version: 9, ..c }).unwrap()).unwrap();
        assert!(Checkpoint::load(&path).unwrap_err().contains("version 9"));
        assert_ne!(job_id("a"), job_id("b"));
    }
}
