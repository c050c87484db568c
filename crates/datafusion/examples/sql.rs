//! Runs a SQL query with the unspin functions over a Parquet, CSV or JSON
//! (newline-delimited) file registered as the table `docs`:
//!
//! cargo run --release --manifest-path crates/datafusion/Cargo.toml --example sql -- \
//!     docs.parquet "SELECT id, unspin_score(text) AS score FROM docs ORDER BY score DESC LIMIT 10"
//!
//! The model is found as the command line finds it ($UNSPIN_MODEL, ./model).
use std::sync::Arc;

use datafusion::prelude::*;

#[tokio::main]
async fn main() -> datafusion::error::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, query] = args.as_slice() else {
        eprintln!("usage: sql FILE QUERY   (FILE: .parquet, .csv or .json/.jsonl, registered as the table `docs`)");
        std::process::exit(2);
    };
    let model = unspin_engine::Model::locate(None).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let ctx = SessionContext::new();
    unspin_datafusion::register(&ctx, Arc::new(unspin_engine::Engine::new(model, Default::default())));
    if file.ends_with(".parquet") {
        ctx.register_parquet("docs", file, ParquetReadOptions::default()).await?;
    } else if file.ends_with(".csv") {
        ctx.register_csv("docs", file, CsvReadOptions::new()).await?;
    } else {
        ctx.register_json("docs", file, JsonReadOptions::default().file_extension(if file.ends_with(".jsonl") { ".jsonl" } else { ".json" })).await?;
    }
    ctx.sql(query).await?.show().await
}
