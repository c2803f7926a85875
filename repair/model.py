"""Scoring candidate originals in context, and the document spin score.

The context model is a word bigram model built from the frequency lists that
ship inside symspellpy (English unigrams and bigrams counted over a large
corpus), averaged with the trigram model of :mod:`repair.trigram` when
pocketsphinx is installed; both install offline with the core. It answers one
question: in this sentence, is the candidate original more likely English
than the words that stand there now? The answer is a log-likelihood ratio
that the pipeline adds to each candidate's prior.
"""
from __future__ import annotations

import gc
import marshal
import math
import os
import re
import zlib
from collections.abc import Sequence
from contextlib import contextmanager
from functools import lru_cache

from .cache import cached, file_identity
from .trigram import TrigramModel, contexts

# Bigrams rarer than this are not in symspellpy's list; an absent bigram is
# estimated as independent words, capped just below this count.
_BIGRAM_FLOOR = 6_400_000
_UNSEEN_WORD = 20_000  # count given to words missing from the unigram list
# The bigram list was counted over a larger corpus than the unigram list: raw,
# "need a" would be 3x as frequent as "need". Bigram counts are divided by
# the smallest factor that keeps every common word's continuations summing
# to at most its own count (measured when the lists are parsed: about 59).
_SCALE_WORDS = 1000
_MEMO_SIZE = 1 << 14  # remembered log-probabilities (about 2 MB at most; 3 lookups in 4 hit it)
_UNIGRAM_LINE = re.compile(r"^(\S+) (\d+)\s*$", re.M)
_BIGRAM_LINE = re.compile(r"^(\S+ \S+) (\d+)\s*$", re.M)


class BigramModel:
    """Word bigram log-probabilities with a capped independence backoff."""

    def __init__(self, unigrams, bigrams, total: float | None = None, bigram_scale: float | None = None):
        # ``unigrams``/``bigrams``: any mapping with ``get`` from a word (a
        # "word1 word2" pair) to its count, as an int or a digit string.
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.total = total if total is not None else float(sum(map(int, unigrams.values()))) or 1.0
        self.bigram_scale = bigram_scale if bigram_scale is not None else _bigram_scale(unigrams, bigrams)
        self._memo: dict[tuple[str, str | None], float] = {}
        self.identity: str | None = None  # set when made from files
        # A trigram model that context_preference averages in (the default
        # model has one when pocketsphinx is installed; see repair.trigram).
        self.trigram: TrigramModel | None = None
        self._preference_memo: dict[tuple, float] = {}  # context_preference with a trigram model

    @classmethod
    def from_files(cls, unigram_path: str, bigram_path: str) -> "BigramModel":
        """symspellpy's formats: ``word count`` and ``word1 word2 count`` lines.
        Parsed once into shards kept in the user's cache (:mod:`repair.cache`);
        a run unpacks only the shards its words fall in."""
        identity = "\0".join(file_identity(p) for p in (unigram_path, bigram_path))
        total, scale, unigram_shards, bigram_shards = cached(
            "bigram-model", identity, lambda: _sharded_counts(unigram_path, bigram_path),
            valid=lambda v: isinstance(v, tuple) and len(v) == 4 and isinstance(v[0], float) and isinstance(v[1], float)
            and all(isinstance(s, list) and s and len(s) & (len(s) - 1) == 0 for s in v[2:]))
        model = cls(ShardedCounts(unigram_shards), ShardedCounts(bigram_shards), total, scale)
        model.identity = identity  # what resources derived from the model are cached by
        return model

    def unpack_all(self) -> None:
        """Unpack the counts now rather than shard by shard on first use: each
        becomes one plain dict, whose lookups skip the hashing into shards."""
        if isinstance(self.unigrams, ShardedCounts):
            self.unigrams = self.unigrams.unpack_all()
        if isinstance(self.bigrams, ShardedCounts):
            self.bigrams = self.bigrams.unpack_all()

    def count_of(self, word: str) -> int:
        """The corpus count of ``word`` (0 if unknown)."""
        return int(self.unigrams.get(word, 0))

    def count(self, word: str) -> float:
        return float(self.unigrams.get(word, _UNSEEN_WORD))

    def logp(self, word: str, prev: str | None) -> float:
        """log P(word | prev); ``prev`` None means no usable left context."""
        # The same few thousand word pairs come back in article after article.
        key = (word, prev)
        value = self._memo.get(key)
        if value is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            value = self._memo[key] = self._logp(word, prev)
        return value

    def _logp(self, word: str, prev: str | None) -> float:
        c_word = self.count(word)
        if prev is None:
            return math.log(c_word / self.total)
        c_prev = self.count(prev)
        pair = self.bigrams.get(prev + " " + word)
        if pair is None:
            pair = min(_BIGRAM_FLOOR * 0.5 / self.bigram_scale, c_prev * c_word / self.total)
        else:
            pair = float(pair) / self.bigram_scale
        return math.log(max(pair, 1.0) / c_prev)

    def sequence_logp(self, words: list[str], left: str | None, right: str | None) -> float:
        """log P(words, right | left) under the bigram chain."""
        logp = self.logp
        total = 0.0
        prev = left
        for w in words:
            total += logp(w, prev)
            prev = w
        if right is not None:
            total += logp(right, prev) - logp(right, None)
        return total


class ShardedCounts:
    """A read-only mapping from a key to its count, kept as marshalled shards
    (by CRC-32 of the key) that are unpacked on first use: a short text looks
    up a few hundred keys, and unpacking all 325,000 was most of the start-up
    time of ``repair fix`` on a small file."""

    def __init__(self, shards: list[bytes]):
        self._blobs = shards
        self._shards: list[dict[str, int] | None] = [None] * len(shards)
        self._mask = len(shards) - 1  # a power of two

    def get(self, key: str, default=None):
        return self._shard(zlib.crc32(key.encode("utf-8", "surrogatepass")) & self._mask).get(key, default)

    def __len__(self) -> int:
        return sum(len(self._shard(k)) for k in range(len(self._blobs)))

    def unpack_all(self) -> dict[str, int]:
        """Every shard unpacked into one plain dict, for a long-running worker,
        which will need them all anyway (memory stays flat from the first
        document on). This mapping keeps only the merged dict."""
        merged: dict[str, int] = {}
        for k in range(len(self._blobs)):
            merged.update(self._shard(k))
        self._blobs, self._shards, self._mask = [marshal.dumps({})], [merged], 0
        return merged

    def values(self):
        for k in range(len(self._blobs)):
            yield from self._shard(k).values()

    def _shard(self, k: int) -> dict[str, int]:
        shard = self._shards[k]
        if shard is None:
            shard = self._shards[k] = marshal.loads(self._blobs[k])
        return shard


def _shard(counts: dict[str, int], n_shards: int) -> list[bytes]:
    shards: list[dict[str, int]] = [{} for _ in range(n_shards)]
    for key, count in counts.items():
        shards[zlib.crc32(key.encode("utf-8", "surrogatepass")) & (n_shards - 1)][key] = count
    return [marshal.dumps(shard) for shard in shards]


def _sharded_counts(unigram_path: str, bigram_path: str) -> tuple[float, list[bytes], list[bytes]]:
    with open(unigram_path, encoding="utf-8") as fh:
        unigrams = {w: int(c) for w, c in _UNIGRAM_LINE.findall(fh.read())}
    with open(bigram_path, encoding="utf-8") as fh:
        bigrams = {w: int(c) for w, c in _BIGRAM_LINE.findall(fh.read())}
    total = float(sum(unigrams.values())) or 1.0
    return total, _bigram_scale(unigrams, bigrams), _shard(unigrams, 256), _shard(bigrams, 1024)


def _bigram_scale(unigrams, bigrams) -> float:
    """How many times larger the bigram counts run than the unigram counts: the
    largest ratio, over the most frequent words, of the counts of the pairs a
    word starts to the word's own count (at least 1)."""
    counts = {w: int(c) for w, c in unigrams.items()}
    common = set(sorted(counts, key=counts.__getitem__, reverse=True)[:_SCALE_WORDS])
    following: dict[str, int] = dict.fromkeys(common, 0)
    for pair, c in bigrams.items():
        first = pair.partition(" ")[0]
        if first in following:
            following[first] += int(c)
    return max([1.0] + [following[w] / counts[w] for w in common if counts[w] > 0])


@lru_cache(maxsize=1)
def default_model() -> BigramModel:
    """The bigram model from symspellpy's bundled frequency lists, with the
    trigram model of pocketsphinx when it is installed (loaded once per process)."""
    import symspellpy

    base = os.path.dirname(symspellpy.__file__)
    with collector_paused():
        model = BigramModel.from_files(
            os.path.join(base, "frequency_dictionary_en_82_765.txt"),
            os.path.join(base, "frequency_bigramdictionary_en_243_342.txt"),
        )
    model.trigram = TrigramModel.load()
    return model


@contextmanager
def collector_paused(freeze: bool = True):
    """Pause the garbage collector while making hundreds of thousands of
    objects (it would rescan them many times: ~40% of the model's load time,
    and time growing faster than size when a long text piles up its changes).
    ``freeze``: the objects live as long as the process, never scan them again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def _context_word(norms: list[str], k: int) -> str | None:
    if 0 <= k < len(norms) and norms[k][0].isalnum():
        return norms[k]
    return None


def context_preference(model: BigramModel, norms: list[str], i: int, j: int, candidate: list[str]) -> float:
    """How much more likely ``candidate`` is than tokens [i, j) in their context
    (natural-log likelihood ratio; > 0 favours the candidate). With a trigram
    model, the mean of its ratio and the bigram model's: on the development
    articles the mean repaired more than either alone."""
    trigram = model.trigram
    if trigram is None:
        return _bigram_preference(model, norms, i, j, candidate)
    # Both models see no further than the trigram's contexts, and the same
    # phrase in the same words comes back across articles: remembered.
    left, right = contexts(norms, i, j)
    written = norms[i:j]
    key = (tuple(left), tuple(written), tuple(candidate), tuple(right))
    value = model._preference_memo.get(key)
    if value is None:
        if len(model._preference_memo) >= _MEMO_SIZE:
            model._preference_memo.clear()
        value = model._preference_memo[key] = 0.5 * (
            _bigram_preference(model, norms, i, j, candidate)
            + trigram.preference_between(left, written, candidate, right))
    return value


def _bigram_preference(model: BigramModel, norms: list[str], i: int, j: int, candidate: list[str]) -> float:
    left = _context_word(norms, i - 1)
    right = _context_word(norms, j)
    if j - i == 1 and len(candidate) == 1:
        # One word for one, the common case: P(right) cancels out.
        logp, written, proposed = model.logp, norms[i], candidate[0]
        ratio = logp(proposed, left) - logp(written, left)
        if right is not None:
            ratio += logp(right, proposed) - logp(right, written)
        return ratio
    current = norms[i:j]
    return (model.sequence_logp(candidate, left, right)
            - model.sequence_logp(current, left, right))


def context_fit(model: BigramModel, norms: list[str], i: int, word: str) -> float:
    """Pointwise mutual information of ``word`` at position i with its left and
    right neighbours (nats): how well the word fits there, whatever its
    frequency. Unseen pairs count as independent (0)."""
    left = _context_word(norms, i - 1)
    right = _context_word(norms, i + 1)
    fit = 0.0
    if left is not None:
        fit += model.logp(word, left) - model.logp(word, None)
    if right is not None:
        fit += model.logp(right, word) - model.logp(right, None)
    return fit


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    if x < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


def document_spin_score(signals: list[float], word_count: int, clean_rate: float,
                        spun_rate: float, prior_log_odds: float, weights: list[float] | None = None,
                        unspun: int = 0, unspun_swap_rate: float = 0.4, unspun_writer_rate: float = 0.05,
                        intensities: Sequence[float] = (1.0,)) -> float:
    """Probability-like 0..1 score that a document was spun.

    ``signals`` are the per-match spin probabilities found in the document (the
    dictionary prior combined with the context model, before any document-level
    gating); those at 0.5 or more are summed into a count of spins, each by how
    far it stands above a coin flip (0 at 0.5, 1 at 1.0) and times its weight
    (1 if ``weights`` is None): a page of ordinary words that spinners also
    like ("keen", "shut", "autumn", each at 0.6-0.8) is weak evidence, a
    handful of unmistakable ones ("one in all", "well being") strong.
    That count is weighed as a Poisson observation under two rates per 100
    words, one for clean text (a few chance matches) and one for spun text,
    so one or two matches in a short clean paragraph never add up to "spun"
    while a long spun article does. ``unspun`` words a spinner would have
    swapped, left as written, count against spinning. A spinner of each of
    the ``intensities`` (shares of a full spin: of its signal rate above the
    clean one, and of ``unspun_swap_rate``) is tried, and the one that
    explains the document best is taken.
    """
    if word_count <= 0:
        return 0.0
    weights = weights or [1.0] * len(signals)
    expected = sum((2.0 * s - 1.0) * w for s, w in zip(signals, weights) if s >= 0.5)
    hundreds = word_count / 100.0
    log_ratios = []
    for intensity in intensities or (1.0,):
        rate = clean_rate + intensity * (spun_rate - clean_rate)
        kept = 1.0 - min(0.95, intensity * unspun_swap_rate)
        log_ratios.append(expected * math.log(rate / clean_rate) - hundreds * (rate - clean_rate)
                          + unspun * math.log(kept / (1.0 - unspun_writer_rate)))
    # The intensity that explains the document best (a likelihood-ratio test
    # over a few intensities): a mean would let the unlikely ones dilute the
    # evidence of a short, densely spun text.
    return sigmoid(prior_log_odds + max(log_ratios))


# Function words and very common words that a spinner's thesaurus leaves alone
# or whose synonyms say nothing (the bigram model would prefer them anywhere).
_NOT_PROPOSED = frozenset(
    "that this with from have been were they their there which would could should about after "
    "before other into than then them these those what when where while will your also more most "
    "some such only over very just even much many like make made said says year years time".split()
)


def thesaurus_candidates(doc, model: BigramModel, thesaurus, covered: set[int], min_ratio: float,
                         min_count: int, prior: float) -> list:
    """Single-word candidates from thesaurus synonyms the context model prefers
    by at least ``min_ratio`` nats, for words no other source covers."""
    from .candidate import Candidate
    from .thesaurus import base_forms, inflect

    found = []
    for i, norm in enumerate(doc.norms):
        if i in covered or doc.protected[i] or len(norm) < 4 or not norm.isalpha() or norm in _NOT_PROPOSED:
            continue
        options: set[str] = set()
        for base, suffix in base_forms(norm):
            for synonym in thesaurus.synonyms(base):
                for form in inflect(synonym, suffix):
                    if form != norm and model.count_of(form) >= min_count:
                        options.add(form)
        if not options:
            continue
        own_fit = context_fit(model, doc.norms, i, norm)
        scored = sorted(((context_fit(model, doc.norms, i, o) - own_fit, o) for o in options), reverse=True)
        ratio, best = scored[0]
        if ratio < min_ratio:
            continue
        runner_up = scored[1][0] if len(scored) > 1 else float("-inf")
        found.append(Candidate(
            i, i + 1, best, ["model"], prior,
            [{"source": "model", "thesaurus": "moby", "log_ratio": round(ratio, 2),
              "margin": round(ratio - runner_up, 2) if runner_up > float("-inf") else None,
              "alternatives": [o for _, o in scored[1:4]]}],
            "model:thesaurus",
        ))
    return found
