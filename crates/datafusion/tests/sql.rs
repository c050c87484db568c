//! The functions in SQL give what the engine gives each text, on the model
//! scripts/setup.sh built (skipped without it, unless UNSPIN_REQUIRE_MODEL).

use std::path::PathBuf;
use std::sync::Arc;

use datafusion::arrow::array::{Array, BooleanArray, Float64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use unspin_engine::{Config, Engine, Format, Model};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn engine() -> Option<Engine> {
    let dir = std::env::var_os("UNSPIN_MODEL").map(PathBuf::from).unwrap_or_else(|| root().join("model"));
    match Model::open(&dir) {
        Ok(model) => Some(Engine::new(model, Config::default())),
        Err(e) if std::env::var_os("UNSPIN_REQUIRE_MODEL").is_some() => panic!("{}: {e}", dir.display()),
        Err(_) => None,
    }
}

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("data/examples").join(name)).unwrap()
}

#[tokio::test]
async fn sql_gives_what_the_engine_gives() {
    let Some(engine) = engine() else { return };
    let engine = Arc::new(engine);
    let page = "<html><body><script>var s = 'Joined Together States';</script><p>The Joined Together States is a nation.</p></body></html>";
    let texts = [Some(example("spun-news.txt")), Some(example("clean-news.txt")), None, Some(page.to_string())];
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false), Field::new("text", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(datafusion::arrow::array::Int64Array::from_iter_values(0..texts.len() as i64)),
            Arc::new(texts.iter().map(|t| t.as_deref()).collect::<StringArray>()),
        ],
    )
    .unwrap();
    let ctx = SessionContext::new();
    ctx.register_table("docs", Arc::new(MemTable::try_new(schema, vec![vec![batch]]).unwrap())).unwrap();
    unspin_datafusion::register(&ctx, engine.clone());
    let batches = ctx
        .sql("SELECT unspin_check(text) AS report, unspin_score(text) AS score, unspin_spun(text) AS spun, unspin_restore(text) AS restored FROM docs ORDER BY id")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, texts.len());
    let b = &batches[0];
    assert_eq!(b.num_rows(), texts.len(), "one batch");
    let report = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
    let score = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
    let spun = b.column(2).as_any().downcast_ref::<BooleanArray>().unwrap();
    let restored = b.column(3).as_any().downcast_ref::<StringArray>().unwrap();
    for (i, text) in texts.iter().enumerate() {
        let Some(text) = text else {
            assert!(report.is_null(i) && score.is_null(i) && spun.is_null(i) && restored.is_null(i));
            continue;
        };
        // The engine's reading, as `unspin check` gives it: the page as
        // a page.
        let format = if i == 3 { Format::Html } else { Format::Text };
        let (want_restored, want) = engine.restore_document(text, format, engine.config().min_confidence);
        assert_eq!(report.value(i), serde_json::to_string(&want).unwrap());
        assert_eq!((score.value(i), spun.value(i)), (want.score, want.spun));
        assert_eq!(restored.value(i), want_restored);
    }
    assert!(report.value(0).contains("\"findings\":[{"), "the spun example has findings");
    assert!(restored.value(3).contains("var s = 'Joined Together States'") && restored.value(3).contains("<p>The United States"), "{}", restored.value(3));
    // A literal is a scalar, answered as one.
    let one = ctx.sql("SELECT unspin_score('The Joined Together States is a nation.') AS s").await.unwrap().collect().await.unwrap();
    let s = one[0].column(0).as_any().downcast_ref::<Float64Array>().unwrap().value(0);
    assert_eq!(s, engine.check("The Joined Together States is a nation.").score);
}
