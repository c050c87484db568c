use std::path::Path;
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;
fn main() -> anyhow::Result<()> {
    let split = if std::env::args().nth(1).as_deref() == Some("test") { Split::Test } else { Split::Dev };
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = select(&load_brown(Path::new(".cache/data/brown"))?, split, None);
    for rate in [0.1, 0.2, 0.3] {
        for s in unspin_eval::spin_docs(&spinner, &docs, rate, 20240601) {
            println!("{}", serde_json::json!({"rate": rate, "text": s.text, "gold": s.gold}));
        }
    }
    Ok(())
}
