//! Helpers shared by the tests of several crates.

use std::path::{Path, PathBuf};

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real model made by scripts/setup.sh: `$UNSPIN_MODEL` when it holds
/// one, else `model/` at the workspace root. Tests that need it are
/// skipped without it (`None`, with a note on stderr), unless
/// `UNSPIN_REQUIRE_MODEL` is set (scripts/test.sh sets it), when a missing
/// model fails the test instead of passing it unseen.
pub fn real_model() -> Option<PathBuf> {
    let holds_model = |d: &Path| d.join("lm.unspin").is_file() && d.join("lexicon.unspin").is_file();
    let dir = std::env::var_os("UNSPIN_MODEL")
        .map(PathBuf::from)
        .filter(|d| holds_model(d))
        .unwrap_or_else(|| workspace_root().join("model"));
    if holds_model(&dir) {
        return Some(dir);
    }
    if std::env::var_os("UNSPIN_REQUIRE_MODEL").is_some() {
        panic!("the real model is missing in {}; run scripts/setup.sh", dir.display());
    }
    eprintln!("skipped: no real model (run scripts/setup.sh)");
    None
}
