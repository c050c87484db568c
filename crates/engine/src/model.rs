//! Locating and opening the model files a built-in engine needs.

use std::path::{Path, PathBuf};

use unspin_lexicon::Lexicon;
use unspin_lm::LanguageModel;

use crate::candidates::{CandidateError, CandidateTable};

/// File names inside a model directory.
pub const LM_FILE: &str = "lm.unspin";
pub const LEXICON_FILE: &str = "lexicon.unspin";
/// Optional: the candidate originals of every single word, precomputed
/// (see `crate::candidates`).
pub const CANDIDATES_FILE: &str = "candidates.unspin";

/// The command that builds the model, named in every "model missing" error.
pub const SETUP_HINT: &str = "run `scripts/setup.sh` (or `unspin build-model`) to build it";

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no unspin model found (looked in {looked}); {SETUP_HINT}")]
    NotFound { looked: String },
    #[error("model directory {dir}: {file} is missing; {SETUP_HINT}")]
    MissingFile { dir: PathBuf, file: &'static str },
    #[error("{0}")]
    Lm(#[from] unspin_lm::LmError),
    #[error("{0}")]
    Lexicon(#[from] unspin_lexicon::LexiconError),
    #[error("{0}")]
    Candidates(#[from] CandidateError),
}

/// The language model and the lexicon, loaded together, and the candidate
/// table made from them when the model directory has one.
pub struct Model {
    pub lm: LanguageModel,
    pub lexicon: Lexicon,
    /// Only a speed-up: without it (model directories built before it
    /// existed, small test models) the engine computes the same candidates
    /// from the lexicon.
    pub candidates: Option<CandidateTable>,
    pub dir: PathBuf,
}

impl Model {
    /// Opens `dir/lm.unspin`, `dir/lexicon.unspin` and, if present,
    /// `dir/candidates.unspin` (read into memory, `unspin_store::Store::load`). A candidate table made from
    /// other model files is an error rather than silently ignored: the
    /// engine would be correct without it but several times slower on
    /// fresh text, and the fix (`unspin build-model`) is quick.
    pub fn open(dir: &Path) -> Result<Model, ModelError> {
        let lm_path = dir.join(LM_FILE);
        let lex_path = dir.join(LEXICON_FILE);
        if !lm_path.is_file() {
            return Err(ModelError::MissingFile { dir: dir.to_path_buf(), file: LM_FILE });
        }
        if !lex_path.is_file() {
            return Err(ModelError::MissingFile { dir: dir.to_path_buf(), file: LEXICON_FILE });
        }
        let lm = LanguageModel::open(&lm_path)?;
        let lexicon = Lexicon::open(&lex_path)?;
        let cand_path = dir.join(CANDIDATES_FILE);
        let candidates = if cand_path.is_file() {
            let table = CandidateTable::open(&cand_path)?;
            table.check_made_from(&lm, &lexicon)?;
            Some(table)
        } else {
            None
        };
        Ok(Model { lm, lexicon, candidates, dir: dir.to_path_buf() })
    }

    /// Opens the model at `explicit`, or else the first of the default places.
    pub fn locate(explicit: Option<&Path>) -> Result<Model, ModelError> {
        if let Some(dir) = explicit {
            return Model::open(dir);
        }
        let candidates = default_model_dirs();
        for dir in &candidates {
            if dir.join(LM_FILE).is_file() {
                return Model::open(dir);
            }
        }
        Err(ModelError::NotFound {
            looked: candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        })
    }
}

/// Where a model is looked for, in order: `$UNSPIN_MODEL`, `./model`, the
/// `model` directory of the source tree a binary was built in, and
/// `$XDG_DATA_HOME/unspin/model` (or `~/.local/share/unspin/model`).
pub fn default_model_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(p) = std::env::var_os("UNSPIN_MODEL") {
        dirs.push(PathBuf::from(p));
    }
    dirs.push(PathBuf::from("model"));
    if let Ok(exe) = std::env::current_exe() {
        // target/{debug,release}/unspin -> <repo>/model
        if let Some(repo) = exe.parent().and_then(|p| p.parent()).and_then(|p| p.parent()) {
            dirs.push(repo.join("model"));
        }
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
        dirs.push(PathBuf::from(data).join("unspin/model"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".local/share/unspin/model"));
    }
    dirs
}
