"""Tokens with character offsets, sentences, paragraphs and quotations.

Everything downstream works on token indices; offsets always point into the
text the tokens were made from, so a change can be reported exactly.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate, compress
from operator import itemgetter, or_
from dataclasses import dataclass, field

# Same notion of a word as the evaluation: letters/digits with inner
# apostrophes, or a single punctuation mark.
TOKEN_RE = re.compile(r"\w++(?:['’]\w++)*+|[^\w\s]")  # possessive: never backtracks, a quarter faster
_TOKEN_SPLIT = re.compile(f"({TOKEN_RE.pattern})")
# What str.isdigit accepts, in the forms found in text: decimal digits of any
# script, superscripts and subscripts.
_DIGIT = re.compile("[\\d\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089]+")

# A paragraph break: a line break followed by optional blank lines.
PARAGRAPH_RE = re.compile(r"\r\n|\r|\n")

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec no fig eq al approx dept est".split()
)
_SENTENCE_END = frozenset(".!?…")
_CLOSERS_AFTER_END = frozenset("\"'”’)]»")


def normalize_word(word: str) -> str:
    """Lowercase form used for matching: curly apostrophes become straight."""
    if "’" in word or "‘" in word:
        word = word.replace("’", "'").replace("‘", "'")
    return word.lower()


@dataclass(slots=True)
class Document:
    """A text split into tokens, with what is known about each token.

    ``starts``/``ends`` are character offsets of each token, ``norms`` their
    normalized form, ``sentence_of`` the sentence index of each token and
    ``protected`` whether a token must never be changed (inside a quotation,
    a name, a number).
    """

    text: str
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    norms: list[str] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)  # token index ranges
    sentence_of: list[int] = field(default_factory=list)
    protected: Sequence[bool] = field(default_factory=list)
    quoted: list[bool] = field(default_factory=list)
    name_like: list[bool] = field(default_factory=list)
    numeric: Sequence[bool] = field(default_factory=list)
    quotations: list[tuple[int, int]] = field(default_factory=list)  # character spans
    _word_count: int = -1

    def __len__(self) -> int:
        return len(self.starts)

    def token_text(self, i: int) -> str:
        return self.text[self.starts[i]:self.ends[i]]

    def span_text(self, i: int, j: int) -> str:
        """Text from the start of token i to the end of token j-1."""
        return self.text[self.starts[i]:self.ends[j - 1]]

    def is_word(self, i: int) -> bool:
        return self.norms[i][0].isalnum() or self.norms[i][0] == "_"

    def sentence_text(self, s: int) -> str:
        a, b = self.sentences[s]
        return self.span_text(a, b) if b > a else ""

    @property
    def word_count(self) -> int:
        if self._word_count < 0:
            self._word_count = sum(map(str.isalnum, map(itemgetter(0), self.norms)))
        return self._word_count


def tokenize(text: str) -> Document:
    """Split ``text`` into a :class:`Document` with sentences, quotations and protection."""
    # Per-token work is done by C-level builtins (split, map, accumulate,
    # compress) wherever it can be: this runs over every word of every input.
    doc = Document(text)
    # Curly apostrophes match as straight ones; the swap keeps every offset.
    straight = text.replace("’", "'") if "’" in text else text
    parts = _TOKEN_SPLIT.split(straight)  # separator, token, separator, ..., separator
    words = parts[1::2]
    bounds = list(accumulate(map(len, parts)))
    n = len(words)
    doc.starts = starts = bounds[0:2 * n:2]
    doc.ends = ends = bounds[1:2 * n:2]
    doc.norms = norms = list(map(str.lower, words))
    if "‘" in text:  # a left single quote is a token of its own
        for m in re.finditer("‘", text):
            norms[bisect_left(starts, m.start())] = "'"
    doc.sentences = _sentences(doc)
    sentence_of = [0] * n
    for s, (a, b) in enumerate(doc.sentences):
        sentence_of[a:b] = [s] * (b - a)
    doc.sentence_of = sentence_of
    doc.quotations = quotation_spans(text)
    quoted = _mask_spans(starts, doc.quotations)
    markup = markup_spans(text)
    if markup:  # HTML input: tags, scripts, styles and comments are never changed
        quoted = list(map(or_, quoted, _mask_spans(starts, markup)))
    doc.quoted = quoted
    doc.name_like = name_like = _name_like(doc, words)
    # Whether a token holds a digit is asked of a few tokens only (those a
    # change would touch): looked up per token, not found by a scan of the text.
    # (The functions must not hold the document: a cycle would keep every
    # document alive until the collector runs.)
    doc.numeric = numeric = TokenFlags(lambda k: _DIGIT.search(words[k]) is not None, n)
    doc.protected = TokenFlags(lambda k: quoted[k] or name_like[k] or numeric[k], n)
    return doc


class TokenFlags(Sequence):
    """A read-only list of per-token booleans, each computed on first use."""

    __slots__ = ("_compute", "_known", "_n")

    def __init__(self, compute, n: int):
        self._compute, self._known, self._n = compute, {}, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._n))]
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(k)
        value = self._known.get(k)
        if value is None:
            value = self._known[k] = self._compute(k)
        return value


_LINE_BREAK = re.compile(r"[\r\n]")
_NEWLINE = re.compile(r"\n")


def _sentences(doc: Document) -> list[tuple[int, int]]:
    """Token ranges of sentences: end punctuation followed by a capital, or a line break."""
    text, norms, starts, ends = doc.text, doc.norms, doc.starts, doc.ends
    n = len(norms)
    # Tokens that begin a line (a line break between them and the token before):
    # found once from the line breaks, not by slicing between every two tokens.
    breaks = _LINE_BREAK if "\r" in text else _NEWLINE  # a literal is searched far faster than a class
    line_first = {bisect_right(starts, m.start()) for m in breaks.finditer(text)}
    # Only two kinds of token can end a sentence: the last one of a line and an
    # end mark; visit those alone, in order.
    events = {k - 1 for k in line_first if 0 < k < n}
    events.update(compress(range(n), map(_SENTENCE_END.__contains__, norms)))

    bounds: list[tuple[int, int]] = []
    begin = 0
    for i in sorted(events):
        if i < begin:
            continue  # inside a stretch already closed by a look-ahead
        boundary_after = None  # index of first token of the next sentence
        if i + 1 < n and (i + 1) in line_first:
            boundary_after = i + 1
        elif norms[i] in _SENTENCE_END and i + 1 < n:
            j = i + 1
            while j < n and norms[j] in _CLOSERS_AFTER_END and starts[j] == ends[j - 1]:
                j += 1
            if j < n and starts[j] > ends[j - 1]:  # whitespace after the end mark
                nxt = text[starts[j]]
                if nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'(«":
                    prev = norms[i - 1] if i > 0 else ""
                    abbreviation = norms[i] == "." and (
                        prev in _ABBREVIATIONS or (len(prev) == 1 and prev.isalpha())
                    )
                    if not abbreviation or j in line_first:
                        boundary_after = j
            if boundary_after is None and j < n and j in line_first:
                boundary_after = j
        if boundary_after is not None:
            bounds.append((begin, boundary_after))
            begin = boundary_after
    if begin < n:
        bounds.append((begin, n))
    return bounds


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of lines (paragraphs), line breaks excluded."""
    spans, pos = [], 0
    for m in (PARAGRAPH_RE if "\r" in text else _NEWLINE).finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return spans


_DOUBLE_OPEN = "“„«"
_QUOTE_CHARS = re.compile("[\"“”„«»‘’']")
_DOUBLE_CLOSE = "”»"
# A straight single quote left open longer than this (characters) opened an
# elision ('em, 'cause), not a quotation: a later apostrophe (the players'
# union) must not close it over a whole paragraph.
_MAX_STRAIGHT_QUOTE = 400


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of direct quotations, quote marks included.

    Double quotes, straight or curly, are paired within a paragraph; a quotation
    still open at the end of a paragraph is protected up to there, so an
    unbalanced mark never reaches the rest of the article; a German „ closes
    with “. Single quotes, curly or straight (British style), count when they
    open at a word start before a letter and close before a non-letter, so
    apostrophes (don't, the players' union, '90s) open nothing. A stray closing
    mark (a straight quote right after a digit, as in 6'2") opens nothing.
    """
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        open_at = -1
        single_at = {"‘": -1, "'": -1}  # pending single openers, curly and straight apart
        for m in _QUOTE_CHARS.finditer(text, p_start, p_end):
            i = m.start()
            ch = text[i]
            if ch in _DOUBLE_OPEN or ch in _DOUBLE_CLOSE or ch == '"':
                if open_at < 0:
                    closer_shaped = ch in _DOUBLE_CLOSE or (
                        ch == '"' and i > p_start and text[i - 1].isalnum()
                        and (i + 1 >= p_end or not text[i + 1].isalnum())
                    )
                    if not closer_shaped:
                        open_at = i
                elif ch in _DOUBLE_CLOSE or ch == '"' or (ch == "“" and text[open_at] == "„"):
                    spans.append((open_at, i + 1))
                    open_at = -1
                continue
            if open_at >= 0:
                continue  # single quotes inside a double quotation are part of it
            opener = "‘" if ch == "’" else ch
            at = single_at[opener]
            if at >= 0 and ch != "‘" and (i + 1 >= p_end or not text[i + 1].isalpha()):
                if ch == "'" and i - at > _MAX_STRAIGHT_QUOTE:
                    single_at["'"] = -1  # an elision ('em, 'cause), not a quotation: forget it
                else:
                    spans.append((at, i + 1))
                    single_at[opener] = -1
            elif at < 0 and ch != "’" and (i == p_start or not text[i - 1].isalnum()) \
                    and i + 1 < p_end and text[i + 1].isalpha():
                single_at[ch] = i
        if open_at >= 0:
            spans.append((open_at, p_end))
        # An unmatched opening single quote is too often an apostrophe ('90s,
        # 'em) to protect the rest of its paragraph: it protects nothing.
    spans.sort()
    return spans


_MARKUP = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|</?[a-zA-Z][^<>]*>",
                     re.S | re.I)


def markup_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of HTML markup (tags, and whole script/style elements and
    comments) when the text looks like HTML (three or more tags), else []."""
    if "<" not in text:
        return []
    spans = [m.span() for m in _MARKUP.finditer(text)]
    return spans if len(spans) >= 3 else []


def _mask_spans(starts: list[int], spans: list[tuple[int, int]]) -> list[bool]:
    """Tokens that start inside any of ``spans`` (character spans)."""
    mask = [False] * len(starts)
    for a, b in spans:
        i, j = bisect_left(starts, a), bisect_left(starts, b)
        if j > i:
            mask[i:j] = [True] * (j - i)
    return mask


_OPENING_MARKS = frozenset(("(", "“", '"', "‘", "«", "—", ":"))


def _name_like(doc: Document, words: list[str]) -> list[bool]:
    """Tokens that look like names: capitalised inside a sentence, or all capitals.
    A capital that opens a sentence or follows an opening mark within its
    sentence ("(The", "“We") is an ordinary word unless all capitals."""
    sentence_first = {a for a, _ in doc.sentences}
    norms, sentence_of = doc.norms, doc.sentence_of
    mask = [False] * len(words)
    for i in compress(range(len(words)), map(str.isupper, map(itemgetter(0), words))):
        if i in sentence_first or (norms[i - 1] in _OPENING_MARKS and sentence_of[i - 1] == sentence_of[i]):
            if _all_caps(words[i]):
                mask[i] = True  # acronyms such as NATO, even at a sentence start
        else:
            mask[i] = True
    titles = [(a, b) for a, b in doc.sentences
              if b - a > 3 and words[b - 1] != "." and _title_case(words, a, b)]
    if titles:
        # In a title-case headline every word has a capital, so a capital says
        # nothing there: a word stays a name unless the rest of the text writes
        # it in lower case and never capitalised inside a sentence ("US Navy
        # Workouts Continue": "navy workouts" below; "White House" stays).
        # A headline in capitals throughout says as little, except in short
        # words that are not small words: acronyms (US, EU, WHO) stay names.
        in_titles = {i for a, b in titles for i in range(a, b)}
        in_capitals = {i for a, b in titles if all(_all_caps(w) or len(w) == 1 for w in words[a:b] if w[0].isalpha())
                       for i in range(a, b)}
        lower = {w for w, word in zip(norms, words) if word[0].islower()}
        lower.difference_update(norms[i] for i in compress(range(len(mask)), mask) if i not in in_titles)
        for i in in_titles:
            if mask[i] and norms[i] in lower and (not _all_caps(words[i]) or (
                    i in in_capitals and (len(words[i]) >= 4 or norms[i] in _TITLE_SMALL_WORDS))):
                mask[i] = False
    return mask


# Words a title-case headline may leave in lower case.
_TITLE_SMALL_WORDS = frozenset("a an the and or but nor of in on at to for by with as from into via vs per up off".split())


def match_case_at(doc: Document, i: int, template: str, replacement: str) -> str:
    """:func:`match_case` for a replacement of the text starting at token i,
    with a headline's small words kept small."""
    return headline_small_word(doc, i, match_case(template, replacement))


def headline_small_word(doc: Document, i: int, word: str) -> str:
    """``word`` (already given the case of token i) in lower case if it is a
    small word replacing a capitalised one inside a line, as only a title-case
    headline has them ("Glaciers Within the Alps" -> "Glaciers in the Alps")."""
    if (word[:1].isupper() and word.lower() in _TITLE_SMALL_WORDS and i > doc.sentences[doc.sentence_of[i]][0]
            and doc.norms[i - 1] not in _OPENING_MARKS):
        return word.lower()
    return word


def _title_case(words: list[str], a: int, b: int) -> bool:
    """Whether tokens [a, b) read as a title-case headline: at least three
    words of four letters or more, each capitalised, with no lower-case word
    but the small ones. (The caller has checked that no full stop ends them: a
    headline may end in a question or exclamation mark, not a full stop.)"""
    long_words = 0
    for w in words[a:b]:
        if not w[0].isalpha():
            continue
        if w[0].islower():
            if w not in _TITLE_SMALL_WORDS:
                return False
        elif len(w) >= 4:
            long_words += 1
    return long_words >= 3


def _all_caps(word: str) -> bool:
    if not word.isupper():  # fast path: no cased letter, or a lower-case one
        return False
    return sum(1 for c in word if c.isalpha()) > 1


_WORD_PARTS = re.compile(r"[ -]")


def match_case(template: str, replacement: str) -> str:
    """Give ``replacement`` the capitalisation pattern of ``template``.

    "Navy" -> "military" gives "Military"; "NAVY" gives "MILITARY"; a
    replacement that carries its own capitals ("NATO") is kept as written.
    """
    if not replacement or not template:
        return replacement
    if replacement != replacement.lower():
        return replacement
    if _all_caps(template):
        return replacement.upper()
    if template[0].isupper():
        words = _WORD_PARTS.split(template)
        if len(words) > 1 and all(w[:1].isupper() for w in words if w[:1].isalpha()):
            # Title case: "Navy Workouts" -> "Military Exercises", "Final-Minute" -> "Last-Minute"
            parts = _WORD_PARTS.split(replacement)
            seps = _WORD_PARTS.findall(replacement)
            parts = [w if n and w in _TITLE_SMALL_WORDS else w[:1].upper() + w[1:] for n, w in enumerate(parts)]
            return "".join(p + sep for p, sep in zip(parts, seps + [""]))
        return replacement[0].upper() + replacement[1:]
    return replacement
