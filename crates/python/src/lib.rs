//! The `unspin` Python module: the engine of the `unspin` command, checking
//! and restoring text from Python (and so from PySpark, one engine per
//! executor process; see `python/unspin/spark.py`).
//!
//! Reports cross into Python as the JSON `unspin check --json` prints,
//! which the Python side parses: one format, the command line's, for every
//! caller. Checking releases the interpreter's lock, so threads of one
//! process check in parallel.

use std::path::PathBuf;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use unspin_engine::{Config, Engine as Checker, Format, Model, Profile, Report};

/// A format name, as `unspin check --format` takes it.
fn parse_format(name: &str) -> PyResult<Format> {
    Format::parse(name).ok_or_else(|| PyValueError::new_err(format!("unknown format {name:?} (give one of {})", Format::NAMES.join(", "))))
}

/// A loaded model and its settings; share one per process.
#[pyclass(frozen, module = "unspin._unspin")]
struct Engine {
    checker: Checker,
}

fn json(report: &Report) -> String {
    serde_json::to_string(report).expect("a report serializes")
}

fn check_threshold(threshold: Option<f64>) -> PyResult<()> {
    match threshold {
        Some(t) if !(0.0..=1.0).contains(&t) => Err(PyValueError::new_err(format!("threshold must be between 0 and 1, got {t}"))),
        _ => Ok(()),
    }
}

impl Engine {
    /// A request's threshold, checked, or the engine's own.
    fn threshold_or_default(&self, threshold: Option<f64>) -> PyResult<f64> {
        check_threshold(threshold)?;
        Ok(threshold.unwrap_or(self.checker.config().min_confidence))
    }
}

#[pymethods]
impl Engine {
    /// Opens the model in `model` (default: as the command line finds it:
    /// $UNSPIN_MODEL, ./model, ...) with the settings of `unspin check
    /// --profile PROFILE [--thorough] [--threshold THRESHOLD] [--alternatives N]`.
    #[new]
    #[pyo3(signature = (model = None, profile = "general", thorough = false, threshold = None, alternatives = 0))]
    fn new(py: Python<'_>, model: Option<PathBuf>, profile: &str, thorough: bool, threshold: Option<f64>, alternatives: usize) -> PyResult<Engine> {
        let profile = Profile::parse(profile).ok_or_else(|| PyValueError::new_err(format!("unknown profile {profile:?} (give \"general\" or \"web\")")))?;
        check_threshold(threshold)?;
        if alternatives > 8 {
            return Err(PyValueError::new_err(format!("alternatives must be between 0 and 8, got {alternatives}")));
        }
        let model = py.detach(|| Model::locate(model.as_deref())).map_err(|e| PyOSError::new_err(e.to_string()))?;
        let mut config = Config::for_profile(profile, thorough);
        if let Some(t) = threshold {
            config.min_confidence = t;
        }
        config.alternatives = alternatives;
        Ok(Engine { checker: Checker::new(model, config) })
    }

    /// The report of `unspin check --json` on `text`, as JSON.
    #[pyo3(signature = (text, format = "auto", threshold = None))]
    fn check_json(&self, py: Python<'_>, text: &str, format: &str, threshold: Option<f64>) -> PyResult<String> {
        let (format, threshold) = (parse_format(format)?, self.threshold_or_default(threshold)?);
        Ok(py.detach(|| json(&self.checker.check_document(text, format, threshold))))
    }

    /// The reports of many documents, in order, as JSON.
    #[pyo3(signature = (texts, format = "auto", threshold = None))]
    fn check_many_json(&self, py: Python<'_>, texts: Vec<String>, format: &str, threshold: Option<f64>) -> PyResult<Vec<String>> {
        let (format, threshold) = (parse_format(format)?, self.threshold_or_default(threshold)?);
        Ok(py.detach(|| texts.iter().map(|t| json(&self.checker.check_document(t, format, threshold))).collect()))
    }

    /// `text` with every finding replaced by its suggestion, every other
    /// byte unchanged (`unspin restore`).
    #[pyo3(signature = (text, format = "auto"))]
    fn restore(&self, py: Python<'_>, text: &str, format: &str) -> PyResult<String> {
        let (format, threshold) = (parse_format(format)?, self.checker.config().min_confidence);
        Ok(py.detach(|| self.checker.restore_document(text, format, threshold).0))
    }

    /// The confidence a finding needs to be reported.
    #[getter]
    fn threshold(&self) -> f64 {
        self.checker.config().min_confidence
    }

    #[getter]
    fn profile(&self) -> &'static str {
        self.checker.config().profile.name()
    }
}

#[pymodule]
fn _unspin(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
