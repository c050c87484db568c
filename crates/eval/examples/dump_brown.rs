//! Prints the detokenised Brown documents of one split, one per line
//! (paragraph breaks as spaces), for looking at what the engine does.
use std::path::Path;
use unspin_eval::brown::{load_brown, select, Split};
fn main() -> anyhow::Result<()> {
    let split = if std::env::args().nth(1).as_deref() == Some("test") { Split::Test } else { Split::Dev };
    for d in select(&load_brown(Path::new(".cache/data/brown"))?, split, None) {
        println!("{}", d.text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Ok(())
}
