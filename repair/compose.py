"""Phrases no entry lists, read as chains of word swaps that entries do list.

A spinner swaps words one at a time: "gradient descent" became "angle
plummet" because its thesaurus gives "angle" for "gradient" and "plummet" for
"descent". The dictionary's own entries teach those word swaps (every entry
whose spun and original phrases have the same number of words), and its
originals name the terms that get spun. A phrase that turns into a known term
when each of its words is swapped back, as some entry swapped it, is proposed
as that term; the context model and the document score judge it like any
other candidate.

Not every such phrase is spun. A variant is kept only when one of its swapped
words is at least ``MIN_RARITY`` times rarer than the word it stands for (a
spinner turns "deep", 53M in symspellpy's counts, into "profound", 4M;
"revealed", 13M, for "showed", 22M, may be a writer's choice), and not when
every pair of its words is a common collocation ("chronic illnesses").

The variants are made once per dictionary and model (about a second for the
shipped ones) and kept in the user's cache (:mod:`repair.cache`).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from itertools import compress, islice, product
from typing import Callable, Iterable

from .cache import cached

VERSION = 4           # bump when compose() changes: the cache is keyed by it
MAX_WORDS = 4         # longest term composed
SWAPS_PER_WORD = 6    # most frequent spun forms tried for each word of a term
VARIANTS_PER_TERM = 400
MIN_WORD_CHARS = 3    # short words ("of", "in") swap too freely to compose from
MIN_RARITY = 2.0
MAX_ANCHOR_COUNT = 40_000_000  # a variant is found by a swapped word rarer than this (symspellpy's counts)
# A term that begins or ends with a function word ("of light", "the way") is a
# fragment of a longer phrase, not a term of art.
_FUNCTION_WORDS = frozenset(
    "a an the of in on at to for from by with as and or but nor not no is are was were be been its their "
    "his her our your my this that these those it they we he she you i so than then".split())

Pair = tuple[tuple[str, ...], tuple[str, ...]]


class ComposedTerms:
    """Spun variants of known terms, found in a text through their rare words."""

    def __init__(self, variants: dict[str, str], anchors: dict[str, tuple[tuple[int, int], ...]]):
        self.variants = variants  # variant -> "term<TAB>the word swaps it was read with (a>b;c>d)"
        # A variant's rarest swapped word -> (its place in the variant, the variant's length):
        # only a few words in a hundred are such words, so a text is scanned for them alone.
        self._anchors = anchors

    @classmethod
    def from_entries(cls, entries: Iterable, model) -> "ComposedTerms":
        """Built from dictionary entries (anything with ``spun`` words and
        ``originals`` phrases) and a bigram model; read from the cache when
        the same entries and model were composed before."""
        from .dictionary import phrase_tokens

        entries = list(entries)

        def build():
            pairs = sorted({(tuple(e.spun), phrase_tokens(o)) for e in entries for o in e.originals})
            return compose(pairs, model.count, lambda a, b: bool(model.bigrams.get(a + " " + b)))

        model_identity = getattr(model, "identity", None)
        if model_identity is None:  # a model made in memory: nothing stable to key a cache by
            return cls(*build())
        settings = f"{VERSION} {MAX_WORDS} {SWAPS_PER_WORD} {VARIANTS_PER_TERM} {MIN_WORD_CHARS} {MIN_RARITY} " \
                   f"{MAX_ANCHOR_COUNT}\n"
        # The entries as written, not tokenized: computing this is most of a cache hit's time.
        identity = hashlib.sha256((settings + model_identity + "\n"
                                   + "\n".join(sorted(" ".join(e.spun) + "\t" + "|".join(e.originals) for e in entries)))
                                  .encode("utf-8", "surrogatepass")).digest()
        return cls(*cached("composed-terms", identity, build,
                           valid=lambda v: isinstance(v, tuple) and len(v) == 2))

    def __len__(self) -> int:
        return len(self.variants)

    def find(self, norms: list[str]) -> list[tuple[int, int, str, str]]:
        """(start, end, term, swaps) for every variant in a token list, by
        start; overlapping finds are all returned."""
        anchors, variants = self._anchors, self.variants
        n = len(norms)
        found: dict[tuple[int, int], tuple[int, int, str, str]] = {}
        for i in compress(range(n), map(anchors.__contains__, norms)):
            for offset, length in anchors[norms[i]]:
                start, end = i - offset, i - offset + length
                if start < 0 or end > n or (start, end) in found:
                    continue
                hit = variants.get(" ".join(norms[start:end]))
                if hit is not None:
                    term, _, swaps = hit.partition("\t")
                    found[start, end] = (start, end, term, swaps)
        return sorted(found.values())


def compose(pairs: list[Pair], count: Callable[[str], float], common_pair: Callable[[str, str], bool]
            ) -> tuple[dict[str, str], dict[str, tuple[tuple[int, int], ...]]]:
    """Every spun variant of every known term, from (spun words, original
    words) pairs, with the rare words each is found by. ``count`` gives a
    word's corpus count, ``common_pair`` whether two words are a common
    collocation. A variant that is itself a known term or an entry's spun
    phrase is left out: the first is genuine, the second is matched already."""
    swaps: dict[str, Counter] = defaultdict(Counter)  # original word -> its spun forms
    terms: set[tuple[str, ...]] = set()
    spun_phrases = {s for s, _ in pairs}
    for spun, original in pairs:
        if 2 <= len(original) <= MAX_WORDS and original[0] not in _FUNCTION_WORDS \
                and original[-1] not in _FUNCTION_WORDS:
            terms.add(original)
        if len(spun) == len(original):
            for s, o in zip(spun, original):
                if s != o and s.isalpha() and o.isalpha() and len(s) >= MIN_WORD_CHARS and len(o) >= MIN_WORD_CHARS:
                    swaps[o][s] += 1
    rare = {(s, o) for o, spun_forms in swaps.items() for s in spun_forms if count(o) >= MIN_RARITY * count(s)}
    variants: dict[str, str] = {}
    support: dict[str, int] = {}
    anchors: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for term in sorted(terms):
        options = [[(w, 0)] + [(s, n) for s, n in swaps[w].most_common(SWAPS_PER_WORD)] if w in swaps else [(w, 0)]
                   for w in term]
        for combo in islice(product(*options), 1, VARIANTS_PER_TERM):  # the first is the term itself
            words = tuple(w for w, _ in combo)
            rare_at = [k for k, (w, n) in enumerate(combo) if n and (w, term[k]) in rare]
            rare_at = [k for k in rare_at if count(words[k]) <= MAX_ANCHOR_COUNT]
            if not rare_at or words in terms or words in spun_phrases:
                continue
            if all(common_pair(a, b) for a, b in zip(words, words[1:])):
                continue
            key = " ".join(words)
            weight = min(n for _, n in combo if n)  # the weakest swap it needs
            if weight > support.get(key, 0):  # two terms, one variant: the better supported
                support[key] = weight
                swapped = ";".join(f"{w}>{o}" for (w, n), o in zip(combo, term) if n)
                variants[key] = " ".join(term) + "\t" + swapped
                k = min(rare_at, key=lambda k: count(words[k]))  # found by its rarest swapped word
                anchors[words[k]].add((k, len(words)))
    return variants, {w: tuple(sorted(places)) for w, places in anchors.items()}
