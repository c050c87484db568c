"""Find machine-spun text and restore the original wording.

The engine of the ``unspin`` command::

    import unspin
    engine = unspin.Engine("model")            # a model directory made by scripts/setup.sh
    report = engine.check("The Joined Together States is a nation.")
    report["findings"][0]["suggestion"]        # 'United'
    engine.restore("The Joined Together States is a nation.")

A report is what ``unspin check --json`` prints: ``score`` (0..1), ``spun``
and ``findings``, each with byte offsets ``start`` and ``end`` into the text
encoded as UTF-8, ``text``, ``suggestion``, ``confidence`` and ``source``
(and ``alternatives``, other probable originals, when the engine lists
them).
For Spark, see :mod:`unspin.spark`.
"""

import json

from ._unspin import Engine as _Engine, __version__

__all__ = ["Engine", "__version__"]


class Engine:
    """A loaded model and its settings. Loading reads the model files
    (about 260 MB, a fifth of a second; ``UNSPIN_MAP_MODEL=1`` maps them
    instead, for processes that should share them); share one engine per
    process. Checking releases the interpreter's lock, so threads check in
    parallel.

    ``model``: the model directory (default: as the command line finds it,
    ``$UNSPIN_MODEL`` or ``./model``); ``profile``: ``"general"``,
    ``"web"`` or ``"papers"``; ``thorough``: look harder, about five times slower;
    ``threshold``: the confidence a finding needs to be shown (default: the
    profile's; the score and verdict do not depend on it);
    ``alternatives``: list up to this many other probable originals with
    each finding of the model (0 to 8, as ``--alternatives``).
    """

    def __init__(self, model=None, profile="general", thorough=False, threshold=None, alternatives=0):
        self._engine = _Engine(None if model is None else str(model), profile, thorough, threshold, alternatives)

    @property
    def threshold(self):
        return self._engine.threshold

    @property
    def profile(self):
        return self._engine.profile

    def check(self, text, format="auto", threshold=None):
        """The report on one document (a dict). ``format``: ``"text"``,
        ``"html"`` (the text a reader sees; offsets into the page) or
        ``"auto"``."""
        return json.loads(self._engine.check_json(text, format, threshold))

    def check_many(self, texts, format="auto", threshold=None):
        """The reports on many documents, in order."""
        return [json.loads(r) for r in self._engine.check_many_json(list(texts), format, threshold)]

    def restore(self, text, format="auto"):
        """The text with every finding replaced by its suggestion; every
        other character unchanged (in an HTML page, every tag)."""
        return self._engine.restore(text, format)
