//! Helpers shared by the tests that run the `unspin` binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;

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

#[allow(unused_imports)] // the tests that need the real model use it
pub use unspin_test_support::real_model;
