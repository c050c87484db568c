"""The wheel's column functions in a real PySpark job (local mode, two
worker processes): every report and restoration a pandas UDF returns is
the one the engine gives for the same text. Run by scripts/pyspark-test.sh."""

import os
import unittest

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, pandas_udf

import unspin
from unspin.spark import REPORT_SCHEMA, check_column, restore_column

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODEL = os.environ.get("UNSPIN_MODEL", os.path.join(ROOT, "model"))


def example(name):
    with open(os.path.join(ROOT, "data", "examples", name), encoding="utf-8") as f:
        return f.read()


def as_dict(report):
    """A report row as `unspin check --json` prints it."""
    return {
        "score": report.score,
        "spun": report.spun,
        "findings": [f.asDict() for f in report.findings],
    }


class SparkColumnsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = (
            SparkSession.builder.master("local[2]")
            .appName("unspin-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
        cls.engine = unspin.Engine(MODEL)
        cls.texts = [
            example("spun-news.txt"),
            example("clean-news.txt"),
            None,
            "",
            "<p>The Joined Together States is a nation.</p><script>var s = 'Joined Together States';</script>",
            "Über die Joined Together States — «kidney disappointment» — 東京.",
        ]

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

    def frame(self):
        rows = [(i, t) for i, t in enumerate(self.texts)]
        # Two partitions, so that both worker processes check documents.
        return self.spark.createDataFrame(rows, "id long, text string").repartition(2)

    def test_reports_and_restorations_are_the_engines(self):
        check = pandas_udf(check_column(MODEL), REPORT_SCHEMA)
        restore = pandas_udf(restore_column(MODEL), "string")
        df = self.frame().withColumn("report", check(col("text"))).withColumn("restored", restore(col("text")))
        rows = sorted(df.collect(), key=lambda r: r.id)
        self.assertEqual([r.text for r in rows], self.texts)
        spun_seen = False
        for r in rows:
            if r.text is None:
                # A pandas UDF cannot return a null struct: a null text gets
                # a report whose fields are null.
                self.assertEqual((r.report.score, r.report.spun, r.report.findings), (None, None, None))
                self.assertIsNone(r.restored)
                continue
            self.assertEqual(as_dict(r.report), self.engine.check(r.text), r.text[:60])
            self.assertEqual(r.restored, self.engine.restore(r.text))
            spun_seen |= bool(r.report.findings)
        self.assertTrue(spun_seen)
        # The HTML page is read as a page: the script keeps its words.
        page = rows[4].restored
        self.assertIn("The United States is a nation.", page)
        self.assertIn("var s = 'Joined Together States'", page)

    def test_settings_reach_the_executors(self):
        text = example("spun-news.txt")
        strict = pandas_udf(check_column(MODEL, threshold=0.99), REPORT_SCHEMA)
        thorough = pandas_udf(check_column(MODEL, thorough=True), REPORT_SCHEMA)
        df = self.spark.createDataFrame([(text,)], "text string")
        row = df.select(strict(col("text")).alias("strict"), thorough(col("text")).alias("thorough")).collect()[0]
        self.assertEqual(as_dict(row.strict), unspin.Engine(MODEL, threshold=0.99).check(text))
        self.assertEqual(as_dict(row.thorough), unspin.Engine(MODEL, thorough=True).check(text))
        self.assertLess(len(row.strict.findings), len(self.engine.check(text)["findings"]))


if __name__ == "__main__":
    unittest.main()
