"""A word trigram model, for judging a candidate with two words of context.

The model is CMU Sphinx's generic US English language model (``en-us.lm.bin``,
a 3-gram back-off model, BSD licence), which ships inside the PyPI package
``pocketsphinx``; pocketsphinx's own C code reads it and answers each query.
The bigram model of :mod:`repair.model` knows only pairs seen over 6 million
times; this one knows far rarer pairs and triples ("turning its back" against
"turning its again"), so the two are averaged. Without pocketsphinx the
bigram model judges alone.
"""
from __future__ import annotations

import os

# A word the model does not know scores as a very rare one, not as impossible
# (log 0): the written word and the candidate stay comparable.
_UNKNOWN_LOGP = -12.0
_LOG_UNIT = 1e-4  # pocketsphinx answers in units of log base 1.0001
_MEMO_SIZE = 1 << 15
_SENTENCE_END = frozenset(".!?")


class TrigramModel:
    """log P(word | two words before) from a pocketsphinx ``NGramModel``."""

    def __init__(self, ngram_model):
        self._model = ngram_model
        self._memo: dict[tuple[str, ...], float] = {}

    @classmethod
    def load(cls) -> "TrigramModel | None":
        """The model shipped in pocketsphinx, or None when it is not installed."""
        try:
            import pocketsphinx
        except (ImportError, OSError):  # not installed, or its C library does not load here
            return None
        path = os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us.lm.bin")
        if not os.path.isfile(path):
            return None
        pocketsphinx.set_loglevel("FATAL")  # it logs every load to stderr otherwise
        return cls(pocketsphinx.NGramModel.readfile(path))

    def __reduce__(self):
        # pocketsphinx's model cannot be pickled: a copy sent to another
        # process (a Spark or Dask task holding a model) loads its own there.
        return (TrigramModel.load, ())

    def logp(self, query: tuple[str, ...]) -> float:
        """Natural log P(query[0] | query[1:]); the history is most recent word first."""
        value = self._memo.get(query)
        if value is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            value = self._memo[query] = max(self._model.prob(query) * _LOG_UNIT, _UNKNOWN_LOGP)
        return value

    def preference(self, norms: list[str], i: int, j: int, candidate: list[str]) -> float:
        """log P(candidate in context) - log P(tokens [i, j) in context): the
        two words on each side, or the sentence boundary when it is nearer."""
        left, right = contexts(norms, i, j)
        return self.preference_between(left, norms[i:j], candidate, right)

    def preference_between(self, left: list[str], written: list[str], candidate: list[str],
                           right: list[str]) -> float:
        """The same, given the contexts (see :func:`contexts`)."""
        return (self._sequence_logp(left + candidate + right, len(left))
                - self._sequence_logp(left + written + right, len(left)))

    def _sequence_logp(self, words: list[str], start: int) -> float:
        """Sum of log P(words[k] | the two words before it) for k >= start."""
        memo_get, logp = self._memo.get, self.logp
        total = 0.0
        for k in range(start, len(words)):
            # The query tuple is written out: this runs for every candidate.
            query = (words[k], words[k - 1], words[k - 2]) if k >= 2 else (words[1], words[0]) if k else (words[0],)
            value = memo_get(query)
            total += logp(query) if value is None else value
        return total


def contexts(norms: list[str], i: int, j: int) -> tuple[list[str], list[str]]:
    """The words the model sees around tokens [i, j): up to two on each side,
    in text order, cut at punctuation (a sentence boundary is "<s>" / "</s>")."""
    left = _context(norms, i - 1, -1, "<s>")
    left.reverse()
    return left, _context(norms, j, 1, "</s>")


def _context(norms: list[str], k: int, step: int, boundary: str) -> list[str]:
    """Up to two words from token k on, going ``step``; stops at punctuation,
    which ends the context, or stands as ``boundary`` if it ends a sentence."""
    words: list[str] = []
    while len(words) < 2 and 0 <= k < len(norms) and norms[k][0].isalnum():
        words.append(norms[k])
        k += step
    if len(words) < 2 and (not 0 <= k < len(norms) or norms[k] in _SENTENCE_END):
        words.append(boundary)
    return words
