"""repair.clean: ftfy cleanup logged as exact, replayable changes."""
from __future__ import annotations

import pytest

from repair.changelog import apply_changes
from repair.clean import OffsetMap, clean_text, looks_like_html


def cleaned(text: str) -> str:
    out, changes, _ = clean_text(text)
    # Every cleanup, whatever it fixed, replays to the cleaned text.
    assert apply_changes(text, changes) == out
    for c in changes:
        assert text[c.start:c.end] == c.before
        assert c.sources == ["cleanup"] and c.status == "applied" and c.rule == "cleanup"
        assert c.evidence and c.evidence[0]["source"] == "cleanup" and c.evidence[0]["fixes"]
    return out


@pytest.mark.parametrize("dirty, clean", [
    ("I donâ€™t know", "I don’t know"),
    ("â€œQuotedâ€\x9d text", "“Quoted” text"),
    ("The cafÃ© opened", "The café opened"),
    ("Tom &amp; Jerry", "Tom & Jerry"),
    ("5 &lt; 6 &quot;ok&quot;", '5 < 6 "ok"'),
    ("it&#8217;s", "it’s"),
    ("a\u00a0b", "a b"),
    ("wide\u3000space and\u2009thin", "wide space and thin"),
    ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
    ("bell\x07 and null\x00 controls", "bell and null controls"),
    ("\x1b[31mred\x1b[0m", "red"),
    ("ﬁnal ﬂow", "final flow"),
    ("Ｆｕｌｌｗｉｄｔｈ", "Fullwidth"),
    ("cafe\u0301", "café"),
    ("two  spaces", "two spaces"),
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),
])
def test_cleanup_fixes(dirty, clean):
    assert cleaned(dirty) == clean


def test_mojibake_change_is_small_and_exact():
    text = "I donâ€™t know"
    _, changes, _ = clean_text(text)
    assert [(c.start, c.end, c.before, c.after) for c in changes] == [(5, 8, "â€™", "’")]


def test_line_endings_and_blank_lines_are_kept():
    text = "Title\r\n\r\nFirst para.\r\nSecond\u00a0para.\n\n\nThird.\rFourth.\r\n"
    out = cleaned(text)
    assert out == "Title\r\n\r\nFirst para.\r\nSecond para.\n\n\nThird.\rFourth.\r\n"


def test_trailing_whitespace_is_removed_but_leading_indent_kept():
    assert cleaned("  indented line   \n\tnext\t\n") == "  indented line\n\tnext\n"


def test_clean_text_is_unchanged_and_logs_nothing():
    text = "A clean “paragraph” with Russia’s troops — 3.5 percent.\n\nAnother one."
    out, changes, offsets = clean_text(text)
    assert out == text and changes == [] and offsets.edits == []


def test_empty_and_whitespace_only():
    out, changes, offsets = clean_text("")
    assert (out, changes, offsets.edits) == ("", [], [])
    assert cleaned("\n\n") == "\n\n"
    assert cleaned("   \n \t ") == "\n"


def test_curly_quotes_are_not_uncurled():
    assert cleaned("“He said ‘no’.”") == "“He said ‘no’.”"


def test_html_input_keeps_entities_and_tags():
    html = "<p>Tom &amp; Jerry</p>\n<p>said&nbsp;so</p>\n<b>x</b>"
    assert looks_like_html(html)
    assert cleaned(html) == html
    assert not looks_like_html("a <b>bold</b> claim &amp; more")  # under three tags: plain text
    assert cleaned("a <b>bold</b> claim &amp; more") == "a <b>bold</b> claim & more"


def test_long_line_is_fixed_in_pieces_with_exact_offsets():
    unit = "The navy donâ€™t stop.\u00a0"
    text = unit * 2000 + "End."  # one line of ~46k characters, cut into pieces at spaces
    out = cleaned(text)
    assert out == "The navy don’t stop. " * 2000 + "End."


# Regression (known_failures.md KF-4, fixed): an odd space at a line end is trailing whitespace too.
@pytest.mark.parametrize("text", ["end\u00a0", "line\u3000\nnext", "x \u00a0"])
def test_cleanup_is_idempotent(text):
    once = cleaned(text)
    assert cleaned(once) == once


def test_offset_map_maps_cleaned_offsets_back_to_the_input():
    text = "Xâ€™s and ﬁne"
    out, _, offsets = clean_text(text)
    assert out == "X’s and fine"
    assert offsets.to_input(0) == 0
    assert offsets.to_input(out.index("s and")) == text.index("s and")
    assert offsets.to_input(out.index("fine")) == text.index("ﬁne")
    assert offsets.to_input(len(out), is_end=True) == len(text)
    # Inside an edit, a start widens to the edit's start and an end to its end.
    assert offsets.to_input(out.index("’")) == 1
    assert offsets.to_input(out.index("’") + 1, is_end=True) == 4
    assert OffsetMap([]).to_input(7) == 7


# Regression (KF-5, fixed): ftfy decodes more once a neighbouring C1 control is fixed;
# cleanup repeats until nothing changes.
def test_cleanup_is_idempotent_after_c1_controls():
    once = cleaned("\x80\xa0â€™")
    assert cleaned(once) == once


# Regression (KF-8, fixed): blanks that a fix leaves at a line end are stripped in the same edit.
@pytest.mark.parametrize("text", ["Paragraph.&nbsp;", "end \x07", "x\t\x1b[0m", " \x1f", "a  \x07\nb"])
def test_no_trailing_whitespace_after_fixes(text):
    once = cleaned(text)
    assert all(line == line.rstrip(" \t") for line in once.splitlines()), repr(once)
    assert cleaned(once) == once
