"""Phrases no entry lists, read as chains of word swaps that entries do list.

A spinner swaps words one at a time: "artificial intelligence" became
"counterfeit consciousness" because its thesaurus gives "counterfeit" for
"artificial" and "consciousness" for "intelligence". The dictionary's own
entries teach those word swaps (every entry whose spun and original phrases
have the same number of words), and its originals name the terms that get
spun. A phrase that turns into a known term when each of its words is swapped
back, as some entry swapped it, is proposed as that term; the context model
and the document score judge it like any other candidate.

The variants of every term are made once per dictionary (about a second for
the shipped ones) and kept in the user's cache (:mod:`repair.cache`).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from itertools import compress, islice, product
from typing import Iterable

from .cache import cached

MAX_WORDS = 4         # longest term composed
SWAPS_PER_WORD = 6    # most frequent spun forms tried for each word of a term
VARIANTS_PER_TERM = 400
MIN_WORD_CHARS = 3    # short words ("of", "in") swap too freely to compose from
# A term that begins or ends with a function word ("of light", "the way") is a
# fragment of a longer phrase, not a term of art.
_FUNCTION_WORDS = frozenset(
    "a an the of in on at to for from by with as and or but nor not no is are was were be been its their "
    "his her our your my this that these those it they we he she you i so than then".split())


class ComposedTerms:
    """Spun variants of known terms, by their words joined with spaces."""

    def __init__(self, variants: dict[str, str], lengths: dict[str, tuple[int, ...]]):
        self.variants = variants  # variant -> "term<TAB>the word swaps it was read with (a>b;c>d)"
        self._lengths = lengths   # first word of a variant -> the numbers of words of those variants

    @classmethod
    def from_entries(cls, entries: Iterable) -> "ComposedTerms":
        """Built from dictionary entries (anything with ``spun`` words and
        ``originals`` phrases), or read from the cache when the same entries
        were composed before."""
        from .dictionary import phrase_tokens

        pairs = sorted({(tuple(e.spun), phrase_tokens(o)) for e in entries for o in e.originals})
        identity = hashlib.sha256("\n".join(" ".join(s) + "\t" + " ".join(o) for s, o in pairs)
                                  .encode("utf-8", "surrogatepass")).digest()
        variants, lengths = cached("composed-terms", identity, lambda: compose(pairs),
                                   valid=lambda v: isinstance(v, tuple) and len(v) == 2)
        return cls(variants, lengths)

    def __len__(self) -> int:
        return len(self.variants)

    def find(self, norms: list[str]) -> list[tuple[int, int, str, str]]:
        """(start, end, term, swaps) for every variant in a token list, leftmost
        and longest first; overlapping finds are all returned."""
        lengths, variants = self._lengths, self.variants
        found = []
        n = len(norms)
        for i in compress(range(n), map(lengths.__contains__, norms)):
            for length in reversed(lengths[norms[i]]):
                if i + length <= n:
                    hit = variants.get(" ".join(norms[i:i + length]))
                    if hit is not None:
                        term, _, swaps = hit.partition("\t")
                        found.append((i, i + length, term, swaps))
        return found


def compose(pairs: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
    """Every spun variant of every known term, from (spun words, original
    words) pairs, and the lengths of the variants by first word. A variant
    that is itself a known term or an entry's spun phrase is left out: the
    first is genuine, the second is matched already."""
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
    variants: dict[str, str] = {}
    support: dict[str, int] = {}
    for term in sorted(terms):
        options = [[(w, 0)] + [(s, n) for s, n in swaps[w].most_common(SWAPS_PER_WORD)] if w in swaps else [(w, 0)]
                   for w in term]
        for combo in islice(product(*options), 1, VARIANTS_PER_TERM):  # the first is the term itself
            words = tuple(w for w, _ in combo)
            if words in terms or words in spun_phrases:
                continue
            key = " ".join(words)
            weight = min(n for _, n in combo if n)  # the weakest swap it needs
            if weight > support.get(key, 0):  # two terms, one variant: the better supported
                support[key] = weight
                swapped = ";".join(f"{w}>{o}" for (w, n), o in zip(combo, term) if n)
                variants[key] = " ".join(term) + "\t" + swapped
    lengths: dict[str, set[int]] = defaultdict(set)
    for key in variants:
        words = key.split(" ")
        lengths[words[0]].add(len(words))
    return variants, {w: tuple(sorted(n)) for w, n in lengths.items()}
