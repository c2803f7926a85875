"""detect_text: the document score and flagged spans of repair_text, without changes."""
from __future__ import annotations

import gc

import pytest

from repair import RepairConfig, detect_text, repair_text
from repair.changelog import dumps

from conftest import SEEDS, read, seed_path


@pytest.mark.parametrize("number", ["000", "001"])
def test_detect_text_agrees_with_repair_text(number):
    text = read(seed_path(number))
    detected, repaired = detect_text(text), repair_text(text)
    assert detected.spin_score == repaired.spin_score
    assert detected.word_count == repaired.word_count
    assert dumps(detected.flagged) == dumps(repaired.flagged)
    assert detected.changes == [] and detected.text == text


def test_detect_text_on_a_long_text_cut_in_pieces():
    text = (read(seed_path("000")) + "\n") * 3
    config = RepairConfig(max_chunk_chars=4000)
    detected, repaired = detect_text(text, config=config), repair_text(text, config=config)
    assert detected.spin_score == pytest.approx(repaired.spin_score)
    assert dumps(detected.flagged) == dumps(repaired.flagged)
    assert all(text[f.start:f.end] == f.before for f in detected.flagged)


def test_the_spun_seed_is_flagged_and_the_clean_one_is_not():
    assert detect_text(read(seed_path("000"))).spin_score >= 0.9
    assert detect_text(read(seed_path("001"))).spin_score < 0.5
    assert len(list(SEEDS.glob("*.txt"))) == 2


def test_the_collector_is_switched_back_on():
    assert gc.isenabled()
    detect_text("The officers stated one in all the navy workouts.")
    repair_text("The officers stated one in all the navy workouts.")
    assert gc.isenabled()
