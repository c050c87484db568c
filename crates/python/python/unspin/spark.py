"""unspin in PySpark: each Python worker process loads the model once
(about 260 MB, read into memory; with ``UNSPIN_MAP_MODEL=1`` in the
executors' environment it is mapped instead, so that the processes of one
machine share its pages) and checks its partitions' documents.

    from unspin.spark import check_column, REPORT_SCHEMA
    from pyspark.sql.functions import pandas_udf
    check = pandas_udf(check_column("/data/unspin-model"), REPORT_SCHEMA)
    df.withColumn("report", check("text"))

The model directory must be readable at the same path on every executor,
and the wheel installed in the Python the workers run (``PYSPARK_PYTHON``).
The returned column is a struct of ``score``, ``spun`` and ``findings`` (an
array of structs), as ``unspin check --json`` prints them; a null text gets
a report whose three fields are null (a pandas UDF cannot return a null
struct). PySpark and pandas are needed only where these functions run;
scripts/pyspark-test.sh runs them in a local PySpark job.
"""

import threading

from . import Engine

# The engine of this process, per set of settings.
_engines = {}
_lock = threading.Lock()

REPORT_SCHEMA = (
    "score double, spun boolean, findings array<struct<start: long, end: long, text: string, "
    "suggestion: string, confidence: double, source: string>>"
)


def engine(model=None, profile="general", thorough=False, threshold=None):
    """This process's engine for these settings, loaded on first use."""
    key = (model, profile, thorough, threshold)
    with _lock:
        if key not in _engines:
            _engines[key] = Engine(model, profile=profile, thorough=thorough, threshold=threshold)
        return _engines[key]


def check_column(model=None, profile="general", thorough=False, threshold=None, format="auto"):
    """A function from a pandas Series of texts to a DataFrame of reports,
    for ``pandas_udf(..., REPORT_SCHEMA)``. A null text gets a report of
    nulls."""

    def check(texts):
        import pandas as pd

        e = engine(model, profile, thorough, threshold)
        present = [t for t in texts if isinstance(t, str)]
        reports = iter(e.check_many(present, format=format))
        rows = [next(reports) if isinstance(t, str) else None for t in texts]
        return pd.DataFrame(
            {
                "score": [r["score"] if r else None for r in rows],
                "spun": [r["spun"] if r else None for r in rows],
                "findings": [r["findings"] if r else None for r in rows],
            }
        )

    return check


def restore_column(model=None, profile="general", thorough=False, threshold=None, format="auto"):
    """A function from a pandas Series of texts to the restored texts, for
    ``pandas_udf(..., "string")``."""

    def restore(texts):
        import pandas as pd

        e = engine(model, profile, thorough, threshold)
        return pd.Series([e.restore(t, format=format) if isinstance(t, str) else None for t in texts])

    return restore
