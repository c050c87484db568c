//! `unspin build-model`: turns the downloaded public data into unspin's
//! memory-mapped model files.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::UserError;

#[derive(Args)]
pub struct BuildArgs {
    /// Directory made by scripts/fetch-data.sh.
    #[arg(long, value_name = "DIR", default_value = ".cache/data")]
    data: PathBuf,
    /// Where to write lm.unspin, lexicon.unspin and candidates.unspin.
    #[arg(long, value_name = "DIR", default_value = "model")]
    out: PathBuf,
}

fn need(path: PathBuf) -> anyhow::Result<PathBuf> {
    if path.exists() {
        Ok(path)
    } else {
        Err(UserError(format!("{}: missing; run scripts/fetch-data.sh first", path.display())).into())
    }
}

pub fn run(args: &BuildArgs) -> anyhow::Result<()> {
    let sphinx = need(args.data.join("pocketsphinx/en-us.lm.bin"))?;
    let wordnet = need(args.data.join("wordnet"))?;
    std::fs::create_dir_all(&args.out).map_err(|e| UserError(format!("{}: {e}", args.out.display())))?;
    // A candidate table left from an earlier build would not match the new
    // files if this build stops half-way.
    let cand_out = args.out.join(unspin_engine::model::CANDIDATES_FILE);
    if cand_out.exists() {
        std::fs::remove_file(&cand_out).map_err(|e| UserError(format!("{}: {e}", cand_out.display())))?;
    }

    let t = Instant::now();
    let lm_out = args.out.join(unspin_engine::model::LM_FILE);
    unspin_lm::convert::sphinx_to_unspin(&sphinx, &lm_out)?;
    eprintln!("unspin: wrote {} in {:.1}s", lm_out.display(), t.elapsed().as_secs_f64());

    let t = Instant::now();
    let lex_out = args.out.join(unspin_engine::model::LEXICON_FILE);
    let moby = thesaurus_moby::uncompress();
    unspin_lexicon::build::build(&moby, Some(&wordnet), &lex_out)?;
    eprintln!("unspin: wrote {} in {:.1}s", lex_out.display(), t.elapsed().as_secs_f64());

    let t = Instant::now();
    let lm = unspin_lm::LanguageModel::open(&lm_out)?;
    let lexicon = unspin_lexicon::Lexicon::open(&lex_out)?;
    let max = unspin_engine::Config::default().max_lexicon_candidates;
    unspin_engine::candidates::write(&lm, &lexicon, max, &cand_out)?;
    eprintln!("unspin: wrote {} in {:.1}s", cand_out.display(), t.elapsed().as_secs_f64());
    // Read back from disk, the files are mapped in huge pages where the
    // kernel can (see `unspin_store::drop_from_page_cache`).
    for path in [&lm_out, &lex_out, &cand_out] {
        unspin_store::drop_from_page_cache(path)?;
    }
    Ok(())
}
