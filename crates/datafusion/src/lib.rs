//! unspin as scalar functions of [Apache DataFusion](https://datafusion.apache.org):
//! DataFusion reads the corpus (Parquet, CSV, JSON, its partitions on every
//! core) and runs the query; unspin checks each text.
//!
//! | function | returns |
//! |---|---|
//! | `unspin_check(text)` | the report `unspin check --json` prints, as JSON (use DataFusion's JSON functions or parse it downstream) |
//! | `unspin_score(text)` | the document score (0..1) |
//! | `unspin_spun(text)` | the verdict |
//! | `unspin_restore(text)` | the text with every finding replaced (`unspin restore`) |
//!
//! A null text gives null. A text that is an HTML page (it opens with a tag
//! or doctype and closes an element) is read as `unspin check` reads one:
//! its visible text, with findings and the restored page at their bytes in
//! the page. One engine (one mapped model) serves every partition:
//!
//! ```no_run
//! # async fn run() -> datafusion::error::Result<()> {
//! use std::sync::Arc;
//! use datafusion::prelude::*;
//! let engine = unspin_engine::Engine::new(unspin_engine::Model::open("model".as_ref()).unwrap(), Default::default());
//! let ctx = SessionContext::new();
//! unspin_datafusion::register(&ctx, Arc::new(engine));
//! ctx.register_parquet("docs", "docs.parquet", ParquetReadOptions::default()).await?;
//! ctx.sql("SELECT id, unspin_score(text) AS score FROM docs ORDER BY score DESC LIMIT 10").await?.show().await?;
//! # Ok(()) }
//! ```

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Float64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{create_udf, ColumnarValue, ScalarUDF, Volatility};
use datafusion::prelude::SessionContext;
use unspin_engine::{Engine, Format, Report};

/// Registers the four functions with `ctx`.
pub fn register(ctx: &SessionContext, engine: Arc<Engine>) {
    for f in functions(engine) {
        ctx.register_udf(f);
    }
}

/// The report on `text`, as `unspin check` (format auto) gives it.
fn report(engine: &Engine, text: &str) -> Report {
    engine.check_document(text, Format::Auto, engine.config().min_confidence)
}

/// The four functions, on one engine.
pub fn functions(engine: Arc<Engine>) -> Vec<ScalarUDF> {
    let e = engine.clone();
    let check = text_function("unspin_check", DataType::Utf8, move |texts: &StringArray| {
        Arc::new(texts.iter().map(|t| t.map(|t| serde_json::to_string(&report(&e, t)).expect("a report serializes"))).collect::<StringArray>())
    });
    let e = engine.clone();
    let score = text_function("unspin_score", DataType::Float64, move |texts: &StringArray| {
        Arc::new(texts.iter().map(|t| t.map(|t| report(&e, t).score)).collect::<Float64Array>())
    });
    let e = engine.clone();
    let spun = text_function("unspin_spun", DataType::Boolean, move |texts: &StringArray| {
        Arc::new(texts.iter().map(|t| t.map(|t| report(&e, t).spun)).collect::<BooleanArray>())
    });
    let e = engine;
    let restore = text_function("unspin_restore", DataType::Utf8, move |texts: &StringArray| {
        Arc::new(texts.iter().map(|t| t.map(|t| e.restore_document(t, Format::Auto, e.config().min_confidence).0)).collect::<StringArray>())
    });
    vec![check, score, spun, restore]
}

/// A function of one text argument (any string type, cast to Utf8) whose
/// values `f` computes for a whole array of texts.
fn text_function(name: &str, returns: DataType, f: impl Fn(&StringArray) -> ArrayRef + Send + Sync + 'static) -> ScalarUDF {
    let fun = move |args: &[ColumnarValue]| -> Result<ColumnarValue> {
        let [arg] = args else { return exec_err!("unspin functions take one text argument, got {}", args.len()) };
        let scalar = matches!(arg, ColumnarValue::Scalar(_));
        let array = arg.to_array(1)?;
        let array = cast(&array, &DataType::Utf8)?;
        let Some(texts) = array.as_any().downcast_ref::<StringArray>() else { return exec_err!("unspin functions take text") };
        let out = f(texts);
        Ok(if scalar { ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?) } else { ColumnarValue::Array(out) })
    };
    create_udf(name, vec![DataType::Utf8], returns, Volatility::Immutable, Arc::new(fun))
}
