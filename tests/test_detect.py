"""detect_text: the document score and flagged spans of repair_text, without changes."""
from __future__ import annotations

import gc
import json

import pytest

from repair import RepairConfig, detect_text, repair_text
from repair.changelog import dumps
from repair.model import logit

from conftest import CASES, SEEDS, read, seed_path


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


def test_one_swap_repeated_weighs_less_than_as_many_different_swaps():
    # A writer's habit repeats one word; a spinner swaps many different ones.
    filler = "The committee met on Monday to review the budget for the coming year. "
    habit = "".join(f"{filler}The chair stated that the plan was sound. " for _ in range(4))
    spinner = (f"{filler}The chair stated that the plan was sound. "
               f"{filler}Members additionally asked for a vote. "
               f"{filler}The vote was held in keeping with the rules. "
               f"{filler}It was one in all the longest sessions. ")
    assert detect_text(spinner).spin_score > detect_text(habit).spin_score
    flat = RepairConfig(repeat_signal_weight=1.0)
    assert detect_text(habit, config=flat).spin_score > detect_text(habit).spin_score


def test_a_press_release_full_of_one_writers_habits_is_left_alone():
    text = read(CASES / "negative" / "business_04.txt")
    result = repair_text(text)
    assert result.spin_score < 0.5 and result.changes == []
    # Counted at full weight, its repeated "stated" and "additionally" would make it look
    # far more spun (0.25 against 0.09: 1.3 nats more; above 0.5 before weak signals
    # counted for less).
    flat = repair_text(text, config=RepairConfig(repeat_signal_weight=1.0)).spin_score
    assert logit(flat) - logit(result.spin_score) > 1.0


def test_a_swap_repeated_hundreds_of_times_counts_a_few_times_only():
    # A list that says "additionally" on every line is one habit, not hundreds of signs of a spinner.
    lines = "".join(f"* {n}: additionally, fix a typo in the {n}th section of the guide\n" for n in range(300))
    result = repair_text(lines)
    assert result.spin_score < 0.5 and result.changes == []
    doc_log = "".join(f"* doc: fix a typo in the {n}th section of the guide\n" for n in range(300))
    assert repair_text(doc_log).changes == []  # found in /usr/share/doc: scored 1.0 in session 5
    unlimited = RepairConfig(repeat_signal_limit=10_000)
    assert detect_text(lines, config=unlimited).spin_score >= 0.5  # counted every time, it would look spun


@pytest.mark.parametrize("name", ["02", "14"])
def test_a_lightly_spun_article_is_seen_and_repaired(name, score):
    # Spun at a rate of 0.4 (tests/cases/light_spin/README.md): about 24 swaps in 600 words.
    text = read(CASES / "light_spin" / f"{name}.txt")
    gold = json.loads(read(CASES / "light_spin" / f"{name}.gold.json"))
    result = repair_text(text)
    assert result.spin_score >= 0.5
    verdict = score(text, result.text, gold)
    assert verdict["precision"] >= 0.9 and verdict["recall"] >= 0.4, verdict
    # Weighed at one, full intensity only, the "said"s it keeps outweigh its signals.
    assert detect_text(text, config=RepairConfig(spin_intensities=(1.0,))).spin_score < 0.5


def test_a_text_known_to_be_spun_logs_the_score_its_decisions_used():
    text = read(CASES / "known_failures" / "kf10_light_spin_02.txt")
    result = repair_text(text, config=RepairConfig(known_spun=True))
    assert result.spin_score < 0.1  # the measured score is reported
    scores = {e["document_score"] for c in result.applied for e in c.evidence if "document_score" in e}
    assert scores == {1.0}  # ... and each change's evidence names the score it was decided with


def test_no_intensity_given_means_full_intensity():
    text = read(SEEDS / "000_0a87bb4e7ef8a0af.txt")
    assert detect_text(text, config=RepairConfig(spin_intensities=())).spin_score == \
        detect_text(text, config=RepairConfig(spin_intensities=(1.0,))).spin_score


def test_weak_candidates_are_no_evidence_of_spinning(tmp_path):
    # The same swaps at a prior under min_evidence_prior (as the context-free
    # copies of context-bound entries have) leave the document score alone,
    # and are repaired once the text is known to be spun.
    from repair.dictionary import PhraseDictionary, parse_text

    pairs = [("stated", "said"), ("additionally", "also"), ("paperwork", "documents"), ("navy", "military")]
    text = ("The minister stated that the navy had sent paperwork to the court. "
            "Officials additionally stated that the navy would keep the paperwork.\n")

    def dictionary(prior: float) -> PhraseDictionary:
        return PhraseDictionary(parse_text("\n".join(f"{s}\t{o}\t{prior}\t\ttest" for s, o in pairs), "t.tsv"))

    weak, strong = dictionary(0.15), dictionary(0.3)
    assert repair_text(text, dictionary=strong).spin_score > 0.5
    result = repair_text(text, dictionary=weak)
    assert result.spin_score < 0.2 and result.changes == []
    counted = repair_text(text, dictionary=weak, config=RepairConfig(min_evidence_prior=0.1))
    assert counted.spin_score > result.spin_score
    told = repair_text(text, dictionary=weak, config=RepairConfig(known_spun=True))
    assert {c.after for c in told.applied} >= {"said", "also"}
