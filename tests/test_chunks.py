"""Very long texts are repaired in pieces (RepairConfig.max_chunk_chars)."""
import json
from pathlib import Path

import pytest

from repair import RepairConfig, apply_changes, repair_text
from repair.pipeline import _chunk_bounds, _reference_window

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


def test_a_long_reference_is_aligned_piece_by_piece_in_proportion():
    # The source of seed 000, repeated as often as the spun text: each piece of
    # the input sees only the matching stretch of the reference, which still
    # holds that piece's source sentences.
    gold = json.loads((Path(__file__).resolve().parent / "eval" / "seed000_gold.json").read_text(encoding="utf-8"))
    source, pos = [], 0
    for edit in sorted(gold["edits"], key=lambda e: e["start"]):
        source += [SEED[pos:edit["start"]], edit["expected"][0]]
        pos = edit["end"]
    source = "".join(source + [SEED[pos:]])
    text, reference = (SEED + "\n") * 8, (source + "\n") * 8
    size = 6000
    for start, end in _chunk_bounds(text, size):
        name, window = _reference_window(("ref", reference), 1, start, end, len(text), size)
        assert len(window) <= (end - start) * len(reference) / len(text) + size + 2
        assert window in reference
    whole = repair_text(text, references=[("ref", reference)], config=RepairConfig(max_chunk_chars=len(text) + 1))
    pieces = repair_text(text, references=[("ref", reference)], config=RepairConfig(max_chunk_chars=size))
    from_reference = [c for c in pieces.applied if "reference" in c.sources]
    assert from_reference and from_reference[-1].start > len(text) - len(SEED)  # the last copy too
    assert len(pieces.applied) >= 0.95 * len(whole.applied)
    assert apply_changes(text, pieces.changes) == pieces.text


def test_a_short_reference_is_used_whole_by_every_piece():
    ref = ("ref", "A short reference.\n" * 10)
    assert _reference_window(ref, 1, 5000, 10000, 20000, 3000) is ref
    assert _reference_window("plain text", 2, 0, 10, 100, 50) == "plain text"
