"""The wheel against the model scripts/setup.sh builds: the same reports as
the `unspin` command, text and HTML, and its Spark helpers' column."""

import json
import os
import subprocess
import sys
import types
import unittest

import unspin
from unspin import spark

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODEL = os.environ.get("UNSPIN_MODEL", os.path.join(ROOT, "model"))
CLI = os.path.join(ROOT, "target", "release", "unspin")


def example(name):
    with open(os.path.join(ROOT, "data", "examples", name), encoding="utf-8") as f:
        return f.read()


def cli(*args, text):
    return subprocess.run([CLI, *args, "--model", MODEL], input=text.encode(), capture_output=True, check=True).stdout.decode()


class EngineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.engine = unspin.Engine(MODEL)

    def test_check_gives_what_the_command_prints(self):
        text = example("spun-news.txt")
        report = self.engine.check(text)
        self.assertTrue(report["findings"], report)
        if os.path.exists(CLI):
            self.assertEqual(report, json.loads(cli("check", "--json", text=text)))
            self.assertEqual(self.engine.restore(text), cli("restore", text=text))
        first = report["findings"][0]
        # Offsets are bytes of the UTF-8 text, as on the command line.
        self.assertEqual(text.encode()[first["start"]:first["end"]].decode(), first["text"])
        self.assertEqual(self.engine.profile, "general")

    def test_alternatives_as_on_the_command_line(self):
        text = example("spun-news.txt")
        listing = unspin.Engine(MODEL, alternatives=2)
        report = listing.check(text)
        self.assertTrue(any(f.get("alternatives") for f in report["findings"]), report)
        self.assertTrue(all(len(f.get("alternatives", [])) <= 2 for f in report["findings"]))
        self.assertNotIn("alternatives", json.dumps(self.engine.check(text)))
        if os.path.exists(CLI):
            self.assertEqual(report, json.loads(cli("check", "--json", "--alternatives", "2", text=text)))
        # The findings and the restoration are the same as without them.
        self.assertEqual(listing.restore(text), self.engine.restore(text))
        with self.assertRaises(ValueError):
            unspin.Engine(MODEL, alternatives=9)

    def test_html_pages_change_only_their_words(self):
        page = "<html><body><script>var s = 'Joined Together States';</script><p>The Joined Together States is a nation.</p></body></html>"
        restored = self.engine.restore(page)
        self.assertIn("var s = 'Joined Together States'", restored)
        self.assertIn("<p>The United States is a nation.</p>", restored)
        self.assertNotEqual(self.engine.restore(page, format="text"), restored)

    def test_many_documents_in_order_and_bad_arguments(self):
        texts = [example("spun-news.txt"), example("clean-news.txt"), ""]
        self.assertEqual(self.engine.check_many(texts), [self.engine.check(t) for t in texts])
        self.assertEqual(self.engine.check("")["findings"], [])
        with self.assertRaises(ValueError):
            self.engine.check("x", format="pdf")
        with self.assertRaises(ValueError):
            self.engine.check("x", threshold=2.0)
        with self.assertRaises(ValueError):
            unspin.Engine(MODEL, profile="news")
        with self.assertRaises(OSError):
            unspin.Engine(os.path.join(ROOT, "no-such-model"))
        low = self.engine.check(example("spun-news.txt"), threshold=0.3)["findings"]
        self.assertGreaterEqual(len(low), len(self.engine.check(example("spun-news.txt"))["findings"]))

    def test_spark_column_function(self):
        # Where pandas is not installed, a stand-in with the two
        # constructors the column functions call.
        try:
            import pandas as pd
        except ImportError:
            pd = types.ModuleType("pandas")
            pd.DataFrame = type("DataFrame", (dict,), {"columns": property(lambda self: list(self))})
            pd.Series = list
            sys.modules["pandas"] = pd
        check = spark.check_column(MODEL)
        texts = pd.Series([example("spun-news.txt"), None])
        frame = check(texts)
        self.assertEqual(list(frame.columns), ["score", "spun", "findings"])
        self.assertEqual(frame["findings"][0], self.engine.check(texts[0])["findings"])
        self.assertIsNone(frame["score"][1])
        self.assertIs(spark.engine(MODEL), spark.engine(MODEL))
        restored = spark.restore_column(MODEL)(texts)
        self.assertEqual(list(restored), [self.engine.restore(texts[0]), None])


if __name__ == "__main__":
    unittest.main()
