//! Helpers shared by the tests that run the `unspin` binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};

pub fn unspin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("unspin").unwrap()
}

/// A tiny model built from hand-written fixtures, so the contract tests do
/// not depend on the downloaded data.
pub fn fixture_model() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let arpa = std::fs::read_to_string(data.join("tiny.arpa")).unwrap();
    unspin_lm::convert::arpa_to_unspin(&arpa, &dir.path().join("lm.unspin")).unwrap();
    let moby = std::fs::read_to_string(data.join("tiny-moby.txt")).unwrap();
    unspin_lexicon::build::build(&moby, None, &dir.path().join("lexicon.unspin")).unwrap();
    dir
}

/// The real model made by scripts/setup.sh ($UNSPIN_MODEL when it holds
/// one). Tests that need it are skipped without it, unless
/// UNSPIN_REQUIRE_MODEL is set (scripts/test.sh sets it).
pub fn real_model() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("model");
    let dir = std::env::var_os("UNSPIN_MODEL").map(PathBuf::from).filter(|d| d.join("lm.unspin").is_file()).unwrap_or(dir);
    if dir.join("lm.unspin").is_file() && dir.join("lexicon.unspin").is_file() {
        return Some(dir);
    }
    if std::env::var_os("UNSPIN_REQUIRE_MODEL").is_some() {
        panic!("the real model is missing in {}; run scripts/setup.sh", dir.display());
    }
    eprintln!("skipped: no real model (run scripts/setup.sh)");
    None
}
