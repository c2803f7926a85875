"""The phrase dictionary: load, validate, and match in one pass over a text.

File format (UTF-8, tab-separated, one entry a line, ``#`` starts a comment)::

    spun<TAB>original<TAB>confidence<TAB>context<TAB>source

- ``spun``: the phrase as a spinner writes it (matched case-insensitively,
  word by word; punctuation counts as a word).
- ``original``: what it replaced; ``|`` separates alternatives, most likely
  first (the model picks among them in context).
- ``confidence``: 0..1, how likely this phrase is a spin when seen in a spun
  document (the document spin score and the model adjust it).
- ``context``: empty, or conditions joined by ``;``: ``before=its|turning its``
  (the words right before), ``after=on|from`` (the words right after),
  ``!before=``/``!after=`` (must not be), each with ``|``-separated
  alternatives of one or more words. Special words: ``<s>`` a sentence
  boundary (start in ``before=``, end in ``after=``), ``<num>`` any token with
  a digit, ``<poss>`` any possessive ("Russia's"), ``<p>`` any punctuation,
  ``<lower>`` any word written in lower case (so not a new sentence after an
  abbreviation's full stop: ``p.c.`` -> ``percent`` before "of", not before "Officials").
- A ``spun`` phrase with a capital letter ("White Home") is matched with its
  case exactly, and only such entries may change name-like (capitalised)
  words. Entries never change text inside quotations.
- ``source``: provenance of the entry (who or what says so).

A one-word entry whose context has a positive condition (``before=``,
``after=``) also matches everywhere else as a weak context-free copy (see
:func:`relaxed_entries`), unless another entry lists the word without one.

A header line ``spun<TAB>original<TAB>confidence<TAB>context<TAB>source`` is
allowed. Errors name the file and line.
"""
from __future__ import annotations

import hashlib
import importlib.resources
import os
import re
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Iterable

import ahocorasick

from .cache import cached
from .text import TOKEN_RE, Document, normalize_word

COLUMNS = ("spun", "original", "confidence", "context", "source")
CONTEXT_KEYS = ("before", "after", "!before", "!after")
MAX_PHRASE_WORDS = 12
# Prior of the context-free copy of a pair that entries know only in some
# contexts (see relaxed_entries): low, so that the context model decides, and
# below RepairConfig.min_evidence_prior, so that it never opens the gate.
RELAXED_PRIOR = 0.15
# How `repair learn` writes an entry's review counts in its source field.
REVIEW_COUNTS_RE = re.compile(r"learned: (\d+) accepted, (\d+) rejected")


class DictionaryError(ValueError):
    """A dictionary file that cannot be used; the message names file and line."""


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(normalize_word(t) for t in TOKEN_RE.findall(phrase))


@dataclass(frozen=True)
class Entry:
    spun: tuple[str, ...]
    originals: tuple[str, ...]
    confidence: float
    context: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    source: str
    file: str = ""
    line: int = 0
    surface: tuple[str, ...] | None = None  # exact-case words, for entries written with capitals
    relaxed_from: str = ""  # for a context-free copy (relaxed_entries): the rule of the entry it copies

    @property
    def spun_text(self) -> str:
        return " ".join(self.spun)

    @cached_property
    def rule(self) -> str:
        """Stable name of the entry, used to group its changes in review."""
        if self.relaxed_from:
            return f"{self.relaxed_from} (any context)"
        return f"{Path(self.file).name}:{self.line}" if self.file else f"entry:{self.spun_text}"

    def context_text(self) -> str:
        return "; ".join(f"{k}={'|'.join(' '.join(a) for a in alts)}" for k, alts in self.context)

    @property
    def key(self) -> tuple:
        """Identity of an entry: its phrase (exact case if cased) and context."""
        return (self.surface or self.spun, self.context)

    @cached_property
    def rejected_in_review(self) -> bool:
        """Whether reviewers rejected this entry's changes more often than they
        accepted them (counts written by `repair learn`). They judged each change
        in its context, so the context model may not overrule them."""
        m = REVIEW_COUNTS_RE.search(self.source)
        return m is not None and int(m.group(2)) > int(m.group(1))

    @property
    def cased(self) -> bool:
        return self.surface is not None

    def allows(self, doc: Document, i: int, j: int) -> bool:
        """Whether the case and context conditions hold for a match of tokens [i, j)."""
        if self.surface is not None and tuple(
                doc.text[doc.starts[k]:doc.ends[k]].replace("’", "'") for k in range(i, j)) != self.surface:
            return False
        norms = doc.norms
        for before, negated, single, phrases, others in self._conditions:
            # Plain words and phrases are the common case: set lookups, no loop
            # over the alternatives.
            # (The phrase and special-word checks run only when there are any:
            # most conditions are single words, and a generator costs.)
            if before:
                hit = i > 0 and norms[i - 1] in single
                if not hit and phrases:
                    hit = any(i >= k and tuple(norms[i - k:i]) in options for k, options in phrases)
                if not hit and others:
                    hit = any(_words_before(doc, i, alt) for alt in _next_to(others, norms[i - 1] if i > 0 else None))
            else:
                hit = j < len(norms) and norms[j] in single
                if not hit and phrases:
                    hit = any(tuple(norms[j:j + k]) in options for k, options in phrases)
                if not hit and others:
                    hit = any(_words_after(doc, j, alt) for alt in _next_to(others, norms[j] if j < len(norms) else None))
            if hit == negated:
                return False
        return True

    @cached_property
    def _conditions(self) -> tuple:
        # Made once per entry, on its first match: thousands of entries are
        # first matched within a corpus's first megabytes, so this is kept lean.
        compiled = []
        for key, alternatives in self.context:
            before = key.endswith("before")
            single, phrases = set(), {}
            # Alternatives with special words, by the word next to the match:
            # only those whose neighbour fits the token there are tried.
            by_neighbour: dict[str, list] = {}
            for a in alternatives:
                if _SPECIAL.isdisjoint(a):
                    if len(a) == 1:
                        single.add(a[0])
                    else:
                        phrases.setdefault(len(a), set()).add(a)
                else:
                    by_neighbour.setdefault(a[-1] if before else a[0], []).append(a)
            others = ({w: tuple(alts) for w, alts in by_neighbour.items() if w not in _SPECIAL},
                      tuple((w, tuple(alts)) for w, alts in by_neighbour.items() if w in _SPECIAL)) \
                if by_neighbour else None
            compiled.append((before, key.startswith("!"), frozenset(single),
                             tuple((k, frozenset(phrases[k])) for k in sorted(phrases)), others))
        # All must hold: a positive condition ("before=the") fails far more
        # often than an exclusion, so it is checked first.
        compiled.sort(key=lambda c: c[1])
        return tuple(compiled)

    def as_evidence(self) -> dict:
        return dict(self._evidence)

    @cached_property
    def _evidence(self) -> dict:
        ev = {"source": "dictionary", "entry": f"{self.spun_text} -> {'|'.join(self.originals)}",
              "confidence": self.confidence, "provenance": self.source}
        if self.context:
            ev["context"] = self.context_text()
        if self.file:
            ev["file"], ev["line"] = Path(self.file).name, self.line
        if self.relaxed_from:
            ev["relaxed_from"] = self.relaxed_from
        return ev


SPECIAL_WORDS = ("<s>", "<num>", "<poss>", "<p>", "<lower>")
_SPECIAL = frozenset(SPECIAL_WORDS)
_CLAUSE_END = frozenset(".,;:!?)—–-…")


def _word_fits(norm: str, word: str) -> bool:
    if word == "<num>":
        return any(c.isdigit() for c in norm)
    if word == "<poss>":
        return norm.endswith("'s") and len(norm) > 2
    if word == "<p>":
        return not (norm[0].isalnum() or norm[0] == "_")
    if word == "<lower>":
        # The norm has lost its case: this only says the token may fit (a
        # pre-filter); _token_fits looks at the text itself.
        return norm[0].isalpha()
    return norm == word


def _token_fits(doc: Document, k: int, word: str) -> bool:
    if word == "<lower>":
        return doc.text[doc.starts[k]].islower()
    return _word_fits(doc.norms[k], word)


def _next_to(others: tuple, neighbour: str | None) -> list[tuple[str, ...]]:
    """The alternatives of a compiled condition that may hold given the token
    next to the match (None at the edge of the text)."""
    literal, special = others
    found = list(literal.get(neighbour, ())) if neighbour is not None else []
    for word, alts in special:
        if word == "<s>" or (neighbour is not None and _word_fits(neighbour, word)):
            found.extend(alts)
    return found


def _words_before(doc: Document, i: int, words: tuple[str, ...]) -> bool:
    if words[0] == "<s>":
        rest = words[1:]
        start = i - len(rest)
        at_start = start == 0 or (start > 0 and doc.sentence_of[start - 1] != doc.sentence_of[start])
        return at_start and _words_before(doc, i, rest) if rest else (
            i == 0 or doc.sentence_of[i - 1] != doc.sentence_of[i])
    k = len(words)
    return i >= k and all(_token_fits(doc, i - k + n, w) for n, w in enumerate(words))


def _words_after(doc: Document, j: int, words: tuple[str, ...]) -> bool:
    if words[-1] == "<s>":
        rest = words[:-1]
        end = j + len(rest)
        if end > len(doc.norms):
            return False
        at_end = end == len(doc.norms) or doc.sentence_of[end] != doc.sentence_of[end - 1] \
            or doc.norms[end] in _CLAUSE_END
        return at_end and (_words_after(doc, j, rest) if rest else True)
    k = len(words)
    return j + k <= len(doc.norms) and all(_token_fits(doc, j + n, w) for n, w in enumerate(words))


def _parse_context(field_text: str, where: str) -> tuple:
    conditions = []
    for part in field_text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or key not in CONTEXT_KEYS:
            raise DictionaryError(f"{where}: bad context condition {part!r} (use before=, after=, !before=, !after=)")
        alternatives = []
        for alt in value.split("|"):
            toks = tuple(t for word in alt.split()
                         for t in ((word,) if word in SPECIAL_WORDS else phrase_tokens(word)))
            if not toks:
                raise DictionaryError(f"{where}: empty alternative in context condition {part!r}")
            alternatives.append(toks)
        conditions.append((key, tuple(alternatives)))
    return tuple(conditions)


def parse_line(line: str, where: str, file: str = "", lineno: int = 0) -> Entry | None:
    """One dictionary line to an Entry; None for comments, blanks and the header."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    fields = line.rstrip("\r\n").split("\t")
    if [f.strip() for f in fields[:2]] == ["spun", "original"]:
        return None
    if len(fields) != len(COLUMNS):
        raise DictionaryError(f"{where}: expected {len(COLUMNS)} tab-separated fields "
                              f"({', '.join(COLUMNS)}), found {len(fields)}")
    spun_field, original_field, conf_field, context_field, source = (f.strip() for f in fields)
    spun = phrase_tokens(spun_field)
    if not spun:
        raise DictionaryError(f"{where}: empty spun phrase")
    if len(spun) > MAX_PHRASE_WORDS:
        raise DictionaryError(f"{where}: spun phrase longer than {MAX_PHRASE_WORDS} words")
    originals = tuple(o.strip() for o in original_field.split("|") if o.strip())
    if not originals:
        raise DictionaryError(f"{where}: empty original")
    if any(phrase_tokens(o) == spun for o in originals):
        raise DictionaryError(f"{where}: maps {spun_field!r} onto itself")
    try:
        confidence = float(conf_field)
    except ValueError:
        raise DictionaryError(f"{where}: confidence must be a number in 0..1, not {conf_field!r}") from None
    if not 0.0 <= confidence <= 1.0:
        raise DictionaryError(f"{where}: confidence must be in 0..1, not {confidence}")
    if not source:
        raise DictionaryError(f"{where}: empty source (every entry needs its provenance)")
    surface = None
    if spun_field != spun_field.lower():
        surface = tuple(t.replace("’", "'") for t in TOKEN_RE.findall(spun_field))
    return Entry(spun, originals, confidence, _parse_context(context_field, where), source, file, lineno, surface)


def parse_text(text: str, name: str) -> list[Entry]:
    entries: list[Entry] = []
    seen: dict[tuple, int] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        where = f"{name}:{lineno}"
        entry = parse_line(line, where, name, lineno)
        if entry is None:
            continue
        key = entry.key
        if key in seen:
            raise DictionaryError(f"{where}: duplicate of line {seen[key]} ({entry.spun_text!r} with the same context)")
        seen[key] = lineno
        entries.append(entry)
    return entries


def read_dictionary_text(path: str | Path) -> str:
    """A dictionary file's text; errors (missing, a directory, unreadable, not
    UTF-8) as DictionaryError naming the file (and line)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DictionaryError(f"{path}: no such dictionary file") from None
    except IsADirectoryError:
        raise DictionaryError(f"{path}: is a directory, not a dictionary file") from None
    except OSError as exc:
        raise DictionaryError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        lineno = data[:exc.start].count(b"\n") + 1
        raise DictionaryError(f"{path}:{lineno}: not UTF-8 (byte {data[exc.start]:#04x})") from None


_CACHE_MIN_CHARS = 100_000  # smaller files parse in a few milliseconds


def load_file(path: str | Path) -> list[Entry]:
    """A dictionary file's entries. Large files are parsed once and then read
    from the user's cache (see :mod:`repair.cache`) until their text changes."""
    text, name = read_dictionary_text(path), str(Path(path))
    if len(text) < _CACHE_MIN_CHARS:
        return parse_text(text, name)
    slot = hashlib.sha256(os.path.abspath(name).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    width = len(fields(Entry))
    rows = cached(f"dictionary-{slot}", name + "\0" + text,
                  lambda: [tuple(getattr(e, f.name) for f in fields(Entry)) for e in parse_text(text, name)],
                  valid=lambda v: isinstance(v, list) and all(isinstance(r, tuple) and len(r) == width for r in v))
    return [Entry(*row) for row in rows]


def shipped_dictionary_paths() -> list[Path]:
    """The dictionaries that ship with spin-repair (``dictionaries/*.tsv``)."""
    repo_dir = Path(__file__).resolve().parent.parent / "dictionaries"
    if repo_dir.is_dir():
        return sorted(repo_dir.glob("*.tsv"))
    try:
        installed = importlib.resources.files("repair.dictionaries")
    except ModuleNotFoundError:
        return []
    return sorted(Path(str(p)) for p in installed.iterdir() if p.name.endswith(".tsv"))


def relaxed_entries(entries: Iterable[Entry], prior: float = RELAXED_PRIOR) -> list[Entry]:
    """Context-free copies of the one-word swaps that entries know only in some contexts.

    A positive condition (before=/after=) marks the contexts an entry's author
    was sure of; elsewhere the same swap may still be a spin, which only the
    context model can judge. Each word that no entry lists without such a
    condition gets one copy, with every original its entries give (those of
    the surest entries first), at ``prior`` (or at its entries' highest
    confidence, if that is lower). Phrases are left as they are: their other
    words are already a context their author chose ("the fireplace" for "the
    fire" would also turn a genuine fireplace into a fire), as are entries
    written with capitals.
    """
    bound: dict[tuple[str, ...], list[Entry]] = {}
    anywhere = set()
    for e in entries:
        if e.surface is not None or len(e.spun) > 1:
            continue
        if any(not key.startswith("!") for key, _ in e.context):
            bound.setdefault(e.spun, []).append(e)
        else:
            anywhere.add(e.spun)
    copies = []
    for spun, group in bound.items():
        if spun in anywhere:
            continue
        group.sort(key=lambda e: -e.confidence)  # the surest entries' originals first: they win ties
        originals = tuple(dict.fromkeys(o for e in group for o in e.originals))
        confidence = min(prior, max(e.confidence for e in group))
        copies.append(Entry(spun, originals, confidence, (), f"{group[0].source}; any context",
                            relaxed_from=group[0].rule))
    return copies


@dataclass(slots=True)
class Match:
    start: int  # token index
    end: int    # token index, exclusive
    entries: list[Entry] = field(default_factory=list)


class PhraseDictionary:
    """Entries indexed in an Aho-Corasick automaton over normalized words."""

    def __init__(self, entries: Iterable[Entry] = (), relaxed_prior: float | None = RELAXED_PRIOR):
        """``relaxed_prior``: prior of the context-free copies of context-bound
        entries (:func:`relaxed_entries`); None makes none."""
        self.entries: list[Entry] = list(entries)
        self._composed = None
        self._originals: frozenset[str] | None = None
        self._by_key: dict[str, list[Entry]] = {}
        copies = relaxed_entries(self.entries, relaxed_prior) if relaxed_prior is not None else []
        for e in self.entries + copies:
            self._by_key.setdefault(" " + " ".join(e.spun) + " ", []).append(e)
        self._automaton = ahocorasick.Automaton()
        for key, group in self._by_key.items():
            # Stored with the key: its length, the number of words, and whether
            # every entry matches anywhere (no case or context condition to check).
            free = all(not e.context and e.surface is None for e in group)
            self._automaton.add_word(key, (len(key), len(group[0].spun), free, group))
        if self._by_key:
            self._automaton.make_automaton()

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> "PhraseDictionary":
        """Load dictionary files in order. An entry with the same phrase and
        context as one in an earlier file replaces it (so a user's or a learned
        dictionary can lower or raise a shipped entry's confidence); within one
        file such a duplicate is an error."""
        by_key: dict[tuple, Entry] = {}
        for p in paths:
            for entry in load_file(p):
                by_key[entry.key] = entry
        return cls(by_key.values())

    def __len__(self) -> int:
        return len(self.entries)

    def composed(self, model):
        """Spun variants of the terms the entries know, as judged with ``model``
        (:mod:`repair.compose`), made on first use."""
        if self._composed is None or self._composed[0] is not model:
            from .compose import ComposedTerms

            self._composed = (model, ComposedTerms.from_entries(self.entries, model))
        return self._composed[1]

    def lookup(self, words: Iterable[str]) -> list[Entry]:
        return self._by_key.get(" " + " ".join(words) + " ", [])

    def is_original(self, words: Iterable[str]) -> bool:
        """Whether some entry gives these (normalized) words as an original."""
        if self._originals is None:
            self._originals = frozenset(" ".join(phrase_tokens(o)) for e in self.entries for o in e.originals)
        return " ".join(words) in self._originals

    def match(self, doc: Document) -> list[Match]:
        """All entry matches in the document, in one pass of the automaton.

        Context conditions are checked here; protection (quotes, names) is the
        pipeline's business.
        """
        if not self._by_key or not doc.norms:
            return []
        # The stream is " w1 w2 ... wn " (no token holds a space): the index of
        # the token after a space is the number of spaces before that space.
        stream = " " + " ".join(doc.norms) + " "
        matches = []
        pos = spaces = 0  # spaces in stream[:pos]; hits come nearly in order, so counting is linear
        for end_char, (length, n_words, free, group) in self._automaton.iter(stream):
            start = end_char - length + 1  # the key's leading space
            if start >= pos:
                spaces += stream.count(" ", pos, start)
            else:
                spaces -= stream.count(" ", start, pos)
            pos = start
            first = spaces
            last = first + n_words
            allowed = group if free else [e for e in group if e.allows(doc, first, last)]
            if allowed:
                matches.append(Match(first, last, allowed))
        return matches
