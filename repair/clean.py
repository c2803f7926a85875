"""ftfy-based cleanup, logged as changes like every other edit.

Text is fixed one line at a time (in pieces of a few thousand characters, cut
at spaces, so a 50 MB line costs no more than many short ones) and each fixed
piece is diffed against the original to give small, exact changes. Line
breaks are never touched: paragraphs survive, CRLF stays CRLF.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

import unicodedata
from typing import TYPE_CHECKING

from .changelog import Change

if TYPE_CHECKING:
    import ftfy

# ftfy and rapidfuzz are imported where a text needs them: most texts need no
# fix, and the imports are a large part of the CLI's start-up time.

CHUNK = 4000

_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_SPACE_RUN = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
# Trailing blanks, odd spaces included (they would become plain trailing spaces).
_TRAILING = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u200b\u2060\ufeff]+$")
_LINE_SPLIT = re.compile(r"(\r\n|\r|\n)")
# What ftfy could change: entities, controls, fullwidth forms and ligatures,
# lone surrogates. Mojibake and non-NFC text are checked separately
# (ftfy.badness, unicodedata). Odd spaces and invisible characters are not
# here: ftfy leaves them alone or does what _fix_whitespace does (U+3000 to a
# space, U+FEFF removed), so a line holding only those needs no ftfy pass.
_MAY_NEED_FTFY = re.compile("[&\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                            "\ufb00-\ufb06\uff01-\uff5e\ud800-\udfff]")
_ODD_OR_INVISIBLE = re.compile("[\u00a0\u00ad\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff]")
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                            "\u03a9\u0393\u03c0\u2500-\u25ff]")
_ASCII_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_HTML_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^<>]*|/[a-zA-Z][a-zA-Z0-9]*\s*)>")


def looks_like_html(text: str) -> bool:
    """True when the text carries HTML tags (then entities are left alone too)."""
    return len(_HTML_TAG.findall(text[:200000])) >= 3


def _ftfy_config(html: bool) -> "ftfy.TextFixerConfig":
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=not html,
        remove_terminal_escapes=True,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=True,
        fix_character_width=True,
        uncurl_quotes=False,  # quotation marks carry meaning for quote protection
        fix_line_breaks=False,  # line endings are kept as they were
        fix_surrogates=True,
        remove_control_chars=True,
        normalization="NFC",
        explain=False,
    )


def _fix_whitespace(piece: str) -> str:
    piece = _ODD_SPACES.sub(" ", piece)
    piece = _INVISIBLE.sub("", piece)
    return _SPACE_RUN.sub(" ", piece)


def _pieces(line: str):
    """Cut a line into pieces of about CHUNK characters at spaces."""
    pos, n = 0, len(line)
    while pos < n:
        end = min(n, pos + CHUNK)
        if end < n:
            cut = line.rfind(" ", pos + CHUNK // 2, end)
            if cut > pos:
                end = cut
        yield pos, line[pos:end]
        pos = end


class OffsetMap:
    """Maps offsets in the cleaned text back to offsets in the input."""

    def __init__(self, edits: list[tuple[int, int, int, int]]):
        self.edits = edits  # (in_start, in_end, out_start, out_end), in order
        self._out_starts = [e[2] for e in edits]

    def to_input(self, pos: int, is_end: bool = False) -> int:
        """Input offset of cleaned offset ``pos``; a position inside a cleanup
        edit widens to the whole edit, so a span never splits one."""
        k = (bisect_left(self._out_starts, pos) if is_end else bisect_right(self._out_starts, pos)) - 1
        if k < 0:
            return pos
        in_start, in_end, _, out_end = self.edits[k]
        if pos < out_end:
            return in_end if is_end else in_start
        return in_end + (pos - out_end)


def clean_text(text: str, html: bool | None = None) -> tuple[str, list[Change], OffsetMap]:
    """Return the cleaned text, the cleanup changes (offsets in ``text``) and the offset map."""
    if _nothing_to_fix(text):  # most articles: one scan of the whole text, no ftfy
        return text, [], OffsetMap([])
    if html is None:
        html = looks_like_html(text)
    config = _ftfy_config(html)
    out: list[str] = []
    changes: list[Change] = []
    edits: list[tuple[int, int, int, int]] = []
    in_pos = out_pos = 0
    for part in _LINE_SPLIT.split(text):
        if part in ("\r\n", "\r", "\n") or not part:
            out.append(part)
            in_pos += len(part)
            out_pos += len(part)
            continue
        stripped = _TRAILING.sub("", part)
        for offset, piece in _pieces(stripped):
            need = _needed_fix(piece)
            if need == "ftfy":
                fixed, why = _fix_piece(piece, config)
            else:  # ftfy would change nothing here: spaces and invisibles at most
                fixed, why = (_fix_whitespace(piece) if need else piece), ["whitespace"]
            if offset + len(piece) == len(stripped):
                # The line's end: a fix may have made trailing blanks ("&nbsp;").
                fixed = _TRAILING.sub("", fixed)
            if fixed != piece:
                for a, b, c, d in _diff_spans(piece, fixed):
                    edits.append((in_pos + offset + a, in_pos + offset + b, out_pos + c, out_pos + d))
                    changes.append(Change(
                        id="", start=in_pos + offset + a, end=in_pos + offset + b,
                        before=piece[a:b], after=fixed[c:d], sources=["cleanup"], confidence=1.0,
                        status="applied", evidence=[{"source": "cleanup", "fixes": why}], rule="cleanup",
                    ))
            out.append(fixed)
            out_pos += len(fixed)
        if len(stripped) < len(part):
            edits.append((in_pos + len(stripped), in_pos + len(part), out_pos, out_pos))
            changes.append(Change(
                id="", start=in_pos + len(stripped), end=in_pos + len(part), before=part[len(stripped):],
                after="", sources=["cleanup"], confidence=1.0, status="applied",
                evidence=[{"source": "cleanup", "fixes": ["trailing whitespace"]}], rule="cleanup",
            ))
        in_pos += len(part)
    return "".join(out), changes, OffsetMap(edits)


def _nothing_to_fix(text: str) -> bool:
    """True when no line of ``text`` has trailing blanks and no piece of it
    would need a fix (:func:`_needed_fix`): the same checks, run once over the whole text."""
    # Blanks at a line end: spaces and tabs here; the other blanks are in
    # _MAY_NEED_FTFY. Substring tests, far cheaper than a regex over the text.
    if text[-1:] in (" ", "\t") or any(b + e in text for b in " \t" for e in "\r\n"):
        return False
    return _needed_fix(text) is None


def _needed_fix(piece: str) -> str | None:
    """A cheap test before ftfy: most lines of a clean article need nothing.
    "ftfy" when ftfy could change something, "whitespace" when only runs of
    spaces could change (ftfy is not run: it costs far more), else None."""
    if _ASCII_PRINTABLE.fullmatch(piece):
        if "&" in piece:
            return "ftfy"
    # UTF-8 mojibake read as Latin-1/Windows-1252/MacRoman always holds one of
    # the hint characters; only around them is ftfy's badness check worth running.
    elif _MAY_NEED_FTFY.search(piece) or not unicodedata.is_normalized("NFC", piece) or _bad_near_hints(piece):
        return "ftfy"
    elif _ODD_OR_INVISIBLE.search(piece):
        return "whitespace"
    return "whitespace" if "  " in piece else None


def _bad_near_hints(text: str) -> bool:
    """ftfy's badness test, run only around the characters mojibake is made
    of: its pattern matches sequences of a few characters, and the whole-text
    search costs far more than a few windows."""
    for m in _MOJIBAKE_HINT.finditer(text):
        i = m.start()
        if _window_is_bad(text[max(0, i - 4):i + 5]):
            return True
    return False


@lru_cache(maxsize=4096)
def _window_is_bad(window: str) -> bool:
    from ftfy.badness import is_bad

    return is_bad(window)  # names with accents come back again and again


def _fix_piece(piece: str, config: "ftfy.TextFixerConfig") -> tuple[str, list[str]]:
    """ftfy and the whitespace fixes, repeated until stable (a fix can reveal
    another, e.g. mojibake next to a C1 control), so cleanup is idempotent;
    with the names of the fixes made, for the change log. The first pass
    explains itself: ftfy is not run a second time only to say what it did."""
    import ftfy

    # A piece holds no line break, so fix_and_explain sees what fix_text would.
    fixed, explanation = ftfy.fix_and_explain(piece, config._replace(explain=True))
    steps: list[str] = []
    for step in explanation or ():
        name = str(step[1] if isinstance(step, tuple) else getattr(step, "transformation", step))
        if name not in steps:
            steps.append(name)
    fixed = _fix_whitespace(fixed)
    for _ in range(2 if fixed != piece else 0):
        again = _fix_whitespace(ftfy.fix_text(fixed, config))
        if again == fixed:
            break
        fixed = again
    if _fix_whitespace(piece) != piece and "whitespace" not in steps:
        steps.append("whitespace")
    return fixed, steps


def _diff_spans(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Small edit spans turning a into b, adjacent edits merged."""
    spans: list[list[int]] = []
    from rapidfuzz.distance import Levenshtein

    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        if spans and op.src_start - spans[-1][1] <= 1:
            spans[-1][1], spans[-1][3] = op.src_end, op.dest_end
        else:
            spans.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [tuple(s) for s in spans]
