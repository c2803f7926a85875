"""Property tests (hypothesis) of the change-log contract of repair_text.

For any text: every change's ``before`` is ``input[start:end]``; applied changes
never overlap; replaying the changes on the input gives ``result.text``; no
spin change touches a quotation of the cleaned text; with nothing above the
confidence threshold the output is the cleanup-only output; and a second run
on the output changes nothing more.

Bugs these properties found are listed in tests/cases/known_failures.md; their
minimal examples are kept at the end of this file as regression tests.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair import PhraseDictionary, RepairConfig, repair_text
from repair.changelog import apply_changes
from repair.clean import clean_text
from repair.dictionary import parse_text
from repair.text import quotation_spans

# 100 examples with a fixed seed by default (stable, fast CI); for a longer search run e.g.
#   SPIN_REPAIR_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_properties.py
# which also draws new random examples on every run.
_EXAMPLES = int(os.environ.get("SPIN_REPAIR_EXAMPLES", "100"))
PROPERTY_SETTINGS = settings(max_examples=_EXAMPLES, deadline=None, derandomize=_EXAMPLES == 100, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies -------------------------------------------------------------------------------

SPECIAL_CHARS = [
    '"', "“", "”", "‘", "’", "'", "„", "«", "»",          # quotes
    "\n", "\r", "\r\n", "\n\n",                             # line breaks
    "😀", "👩\u200d👩\u200d👧", "🇺🇸",                       # emoji, ZWJ sequence, flag
    "\u0301", "\u0308", "e\u0301", "a\u030a",               # combining marks
    "שלום", "مرحبا", "\u200f", "\u202e",                    # RTL text and marks
    "\u00a0", "\u200b", "&amp;", "â€™", "\x07", "\ud800",   # what cleanup fixes
]

# Any characters (st.characters() leaves out surrogates: "\ud800" comes from SPECIAL_CHARS).
arbitrary_text = st.lists(st.one_of(st.characters(), st.sampled_from(SPECIAL_CHARS)),
                          max_size=200).map("".join)

SPUN_PHRASES = [
    "navy workouts", "in keeping with", "one in all", "well being", "stated", "additionally",
    "paperwork", "authorities", "final week", "a few of", "calls for", "safety ensures", "together with",
    "in addition to", "an in depth", "an imminent assault", "White Home", "12 months", "considered one of",
    "accountable", "basically", "principal", "throughout", "inflicting", "exercise",
]
PLAIN_WORDS = ["the", "a", "an", "of", "and", "said", "military", "troops", "it", "was", "Putin", "NATO",
               "Russia's", "Biden", "U.S.", "Mr.", "2021", "3.5", "Moscow", "Washington"]
PUNCTUATION = [".", ",", ";", ":", "!", "?", "—", "(", ")", "…"]
QUOTES = ['"', "“", "”", "‘", "’", "«", "»"]
EXOTIC = ["😀", "e\u0301", "\u0301", "שלום", "مرحبا", "\u200f", "👩\u200d👩\u200d👧"]


def _fullwidth(word: str, every: int) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() and n % every == 0 else c
                   for n, c in enumerate(word))


# Spun words as they arrive from the web: fullwidth letters, ligatures, mojibake.
# Cleanup edits inside and between dictionary matches (KF-1, KF-2).
DIRTY_SPUN = ([_fullwidth(p, 2) for p in SPUN_PHRASES[:8]] + [_fullwidth(p, 5) for p in SPUN_PHRASES[8:16]]
              + ["ﬁnal week", "paperworｋ", "ｆinal", "statｅｄ", "ａdditionally", "inﬂicting", "one in ａll"])
SEPARATORS = [" ", " ", " ", " ", "\n", "\r\n", "\r", "\n\n", "\t", "  "]
ODD_SPACES = ["\u00a0", "\u200b", "\u2009"]  # cleanup edits between words


def vocabulary_text(separators=SEPARATORS):
    spun = st.sampled_from(SPUN_PHRASES)
    piece = st.one_of(spun, spun, spun, spun.map(str.capitalize),  # weighted: more texts come out "spun"
                      st.sampled_from(DIRTY_SPUN), st.sampled_from(PLAIN_WORDS), st.sampled_from(PUNCTUATION),
                      st.sampled_from(QUOTES), st.sampled_from(EXOTIC))
    pair = st.tuples(piece, st.sampled_from(separators))
    return st.lists(pair, min_size=0, max_size=120).map(lambda ps: "".join(p + s for p, s in ps))


spun_vocabulary_text = vocabulary_text(SEPARATORS + ODD_SPACES)
any_text = st.one_of(arbitrary_text, spun_vocabulary_text)

# --- checks -----------------------------------------------------------------------------------


def check_contract(text: str, result) -> None:
    for c in result.changes:
        assert 0 <= c.start <= c.end <= len(text), c
        assert text[c.start:c.end] == c.before, c
        assert c.status in ("applied", "proposed")
    applied = sorted(result.applied, key=lambda c: (c.start, c.end))
    for a, b in zip(applied, applied[1:]):
        assert a.end <= b.start, f"applied changes overlap: {a} / {b}"
    assert apply_changes(text, result.changes) == result.text
    assert [c.id for c in result.changes] == [f"c{n:04d}" for n in range(1, len(result.changes) + 1)]


def quotations_in_input(text: str) -> list[tuple[int, int]]:
    cleaned, _, offsets = clean_text(text)
    return [(offsets.to_input(a), offsets.to_input(b, is_end=True)) for a, b in quotation_spans(cleaned)]


def _covered(lo: int, hi: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [lo, hi) lies inside the union of ``spans``."""
    for a, b in sorted(spans):
        if a <= lo < b:
            lo = b
        if lo >= hi:
            return True
    return lo >= hi


def check_quotations_untouched(text: str, result) -> None:
    """No spin change reaches into a quotation of the cleaned text. A spin change
    that absorbed a cleanup edit may cover a quote mark, but only through that edit."""
    cleaned, _, offsets = clean_text(text)
    spans = [(offsets.to_input(a), offsets.to_input(b, is_end=True)) for a, b in quotation_spans(cleaned)]
    cleanup_spans = [(e[0], e[1]) for e in offsets.edits]
    for c in result.applied:
        if c.sources == ["cleanup"]:
            continue
        for a, b in spans:
            lo, hi = max(a, c.start), min(b, c.end)
            if lo < hi:
                assert _covered(lo, hi, cleanup_spans), \
                    f"{c.before!r} -> {c.after!r} touches quotation {text[a:b]!r}"


# --- properties -------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(any_text)
def test_change_log_contract(text):
    check_contract(text, repair_text(text))


@PROPERTY_SETTINGS
@given(spun_vocabulary_text, st.one_of(st.none(), spun_vocabulary_text, arbitrary_text))
def test_change_log_contract_with_a_reference(text, reference):
    refs = [reference] if reference is not None else [text + " and the military exercises said so."]
    result = repair_text(text, references=refs)
    check_contract(text, result)
    check_quotations_untouched(text, result)


@PROPERTY_SETTINGS
@given(any_text)
def test_no_spin_change_touches_a_quotation(text):
    check_quotations_untouched(text, repair_text(text))


@PROPERTY_SETTINGS
@given(any_text)
def test_nothing_above_threshold_gives_the_cleanup_only_output(text):
    result = repair_text(text, config=RepairConfig(min_confidence=1.01))
    assert result.text == clean_text(text)[0]
    assert all(c.sources == ["cleanup"] for c in result.applied)
    check_contract(text, result)


@PROPERTY_SETTINGS
@given(spun_vocabulary_text)
def test_without_cleanup_the_contract_holds_too(text):
    result = repair_text(text, config=RepairConfig(cleanup=False))
    check_contract(text, result)
    assert all("cleanup" not in c.sources for c in result.changes)


@PROPERTY_SETTINGS
@given(any_text)
def test_second_run_changes_nothing_more(text):
    first = repair_text(text).text
    second = repair_text(first)
    assert [(c.before, c.after, c.sources) for c in second.applied] == []


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.sampled_from(SPUN_PHRASES + PLAIN_WORDS), st.sampled_from(PLAIN_WORDS + ["x y"]),
                          st.sampled_from(["0", "0.5", "0.99", "1"]),
                          st.sampled_from(["", "before=the", "!after=<s>", "before=<poss>|<num>"])),
                max_size=8),
       spun_vocabulary_text)
def test_user_dictionary_keeps_the_contract(rows, text):
    lines, seen = [], set()
    for spun, original, confidence, context in rows:
        if spun.lower() == original.lower() or (spun, context) in seen:
            continue
        seen.add((spun, context))
        lines.append("\t".join([spun, original, confidence, context, "hypothesis"]))
    dictionary = PhraseDictionary(parse_text("\n".join(lines), "user.tsv"))
    result = repair_text(text, dictionary=dictionary)
    check_contract(text, result)
    check_quotations_untouched(text, result)


# --- regressions: minimal examples of the bugs in known_failures.md (all fixed) -----------------

@pytest.mark.parametrize("text", ["He statｅｄ ａdditionally that.", "ｓｔａｔｅｄ ａdditionally ｆinal ｐaperwork"])
def test_regression_kf1_cleanup_edit_shared_by_two_spin_changes(text):
    # One cleanup edit ("ｅｄ ａ" -> "ed a") touched both "stated" and "additionally";
    # both absorbed it, the applied changes overlapped and repair_text raised.
    result = repair_text(text)
    check_contract(text, result)
    assert result.text == result.text.translate({c: c - 0xFEE0 for c in range(0xFF21, 0xFF5B)})


def test_regression_kf2_proposed_change_keeps_cleanup():
    # A proposed spin change used to absorb (and so drop) the cleanup edits it overlapped.
    text = "The navy workouts ended. He stated ａdditionally that one in all the paperwork was final. " * 3
    result = repair_text(text, config=RepairConfig(min_confidence=1.01))
    assert result.proposed, "the example must still have proposed changes to mean anything"
    assert result.text == clean_text(text)[0]
    check_contract(text, result)


def test_regression_kf3_article_of_a_user_entry():
    # "had a" -> "has a" then "a big" -> "an enormous" widened over the same "a".
    dictionary = PhraseDictionary(parse_text("had a\thas a\t0.99\t\tt\nbig\tenormous\t0.99\t\tt\n", "u.tsv"))
    text = "It had a big day. It had a big day. It had a big day."
    check_contract(text, repair_text(text, dictionary=dictionary, config=RepairConfig(min_confidence=0.05)))


def test_regression_kf3_article_of_a_reference_change():
    # The reference proposed "an" -> "a" and "White Home" -> "White House" widened over the same "an".
    text = "He saw an White Home today."
    result = repair_text(text, references=["He saw a White House today."])
    check_contract(text, result)
    assert result.text == "He saw a White House today."


def test_regression_kf4_second_run_keeps_the_text():
    # A no-break space at a line end became a trailing space that a second run removed.
    first = repair_text("The end.\u00a0\nNext line.").text
    assert first == "The end.\nNext line."
    assert repair_text(first).text == first
