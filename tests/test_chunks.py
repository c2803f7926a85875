"""Very long texts are repaired in pieces (RepairConfig.max_chunk_chars)."""
from pathlib import Path

import pytest

from repair import RepairConfig, apply_changes, repair_text
from repair.pipeline import _chunk_bounds

SEED = (Path(__file__).resolve().parent.parent / "seeds" / "000_0a87bb4e7ef8a0af.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("text", [(SEED + "\n") * 6, (SEED + "\r\n") * 6])
def test_pieces_cut_at_line_breaks_give_the_same_repair(text):
    whole = repair_text(text)
    pieces = repair_text(text, config=RepairConfig(max_chunk_chars=5000))
    assert pieces.text == whole.text
    assert [(c.start, c.end, c.after) for c in pieces.changes] == [(c.start, c.end, c.after) for c in whole.changes]
    assert apply_changes(text, pieces.changes) == pieces.text
    assert len({c.id for c in pieces.changes}) == len(pieces.changes)
    assert all(text[f.start:f.end] == f.before for f in pieces.flagged)


def test_one_long_line_is_cut_between_sentences_and_replays():
    line = SEED.replace("\n", " ") * 4
    result = repair_text(line, config=RepairConfig(max_chunk_chars=3000))
    assert apply_changes(line, result.changes) == result.text
    assert all(line[c.start:c.end] == c.before for c in result.changes)
    for a, b in _chunk_bounds(line, 3000):
        assert b == len(line) or line[b - 1] in ".?!" or line[b] == " "


def test_bounds_cover_the_text_exactly():
    text = "word " * 10_000
    bounds = _chunk_bounds(text, 997)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(b1 == a2 for (_, b1), (a2, _) in zip(bounds, bounds[1:]))
