"""Composed terms: phrases no entry lists, read as chains of the entries' word swaps."""
from __future__ import annotations

from repair import RepairConfig, detect_text, repair_text
from repair.compose import ComposedTerms, compose
from repair.dictionary import PhraseDictionary, parse_text

PAIRS = [
    (("counterfeit", "consciousness"), ("artificial", "intelligence")),
    (("profound", "learning"), ("deep", "learning")),
    (("neural", "organization"), ("neural", "network")),
    (("irregular", "woodland"), ("random", "forest")),
    (("of", "mild"), ("of", "light")),  # a fragment, not a term
]


# Corpus counts: the spinner's words are rarer than the words they stand for.
COUNTS = {"counterfeit": 1, "consciousness": 7, "artificial": 10, "intelligence": 31, "profound": 4, "deep": 53,
          "learning": 50, "neural": 5, "organization": 75, "network": 225, "irregular": 3, "random": 44,
          "woodland": 4, "forest": 43}


def count(word: str) -> float:
    return COUNTS.get(word, 20)


def never_common(a: str, b: str) -> bool:
    return False


def test_variants_come_from_the_word_swaps_of_other_entries():
    variants, anchors = compose(PAIRS, count, never_common)
    assert set(variants) == {"counterfeit intelligence", "artificial consciousness", "irregular forest",
                             "random woodland"}
    assert variants["counterfeit intelligence"].split("\t") == ["artificial intelligence", "counterfeit>artificial"]
    assert variants["irregular forest"].startswith("random forest\t")
    assert "counterfeit consciousness" not in variants  # an entry already: matched directly
    assert "artificial intelligence" not in variants    # a known term is genuine
    assert not any(v.startswith("of ") for v in variants.values())  # no term starts with a function word
    assert anchors["irregular"] == ((0, 2),) and anchors["woodland"] == ((1, 2),)
    assert "counterfeit" in anchors and "consciousness" in anchors  # each anchors its own variant


def test_a_variant_needs_a_rare_swap_and_an_uncommon_pair_of_words():
    assert "counterfeit intelligence" not in compose(PAIRS, lambda w: 10, never_common)[0]  # same frequency
    assert "counterfeit intelligence" not in compose(PAIRS, count, lambda a, b: True)[0]  # a common collocation


def test_find_reports_spans_with_their_swaps():
    composed = ComposedTerms(*compose(PAIRS, count, never_common))
    found = composed.find("we trained an irregular forest and counterfeit intelligence".split())
    assert (3, 5, "random forest", "irregular>random") in found
    assert (6, 8, "artificial intelligence", "counterfeit>artificial") in found


def _dictionary() -> PhraseDictionary:
    rows = ["spun\toriginal\tconfidence\tcontext\tsource"]
    rows += [f"{' '.join(s)}\t{' '.join(o)}\t0.95\t\ttest" for s, o in PAIRS]
    return PhraseDictionary(parse_text("\n".join(rows) + "\n", "test.tsv"))


SPUN = ("We apply counterfeit consciousness to the task, following recent work on profound learning. "
        "Our method trains an irregular woodland on the same data. ")


def test_a_spun_paragraph_gets_the_composed_term():
    text = SPUN + "The results show that counterfeit intelligence improves accuracy on all benchmarks."
    result = repair_text(text, dictionary=_dictionary())
    composed = [c for c in result.applied if c.rule == "model:composed"]
    assert [(c.before, c.after) for c in composed] == [("counterfeit intelligence", "artificial intelligence")]
    assert composed[0].sources[0] == "model"
    assert composed[0].evidence[0]["swaps"] == ["counterfeit>artificial"]
    assert "artificial intelligence improves" in result.text
    # The flags of detect_text carry it too.
    assert any(f.rule == "model:composed" for f in detect_text(text, dictionary=_dictionary()).flagged)
    off = repair_text(text, dictionary=_dictionary(), config=RepairConfig(use_composition=False))
    assert not any(c.rule == "model:composed" for c in off.changes)


def test_a_context_free_copy_of_an_entry_does_not_keep_a_composed_term_out():
    # "counterfeit" -> "fake" is known after "a" only; its context-free copy
    # (a weak candidate) also matches "counterfeit intelligence", where the
    # composed term competes with it and wins.
    rows = ["spun\toriginal\tconfidence\tcontext\tsource"]
    rows += [f"{' '.join(s)}\t{' '.join(o)}\t0.95\t\ttest" for s, o in PAIRS]
    rows.append("counterfeit\tfake\t0.6\tbefore=a\ttest")
    dictionary = PhraseDictionary(parse_text("\n".join(rows) + "\n", "test.tsv"))
    text = SPUN + "The results show that counterfeit intelligence improves accuracy on all benchmarks."
    result = repair_text(text, dictionary=dictionary)
    assert "artificial intelligence improves" in result.text
    assert any(c.rule == "test.tsv:7 (any context)" for c in repair_text(
        text, dictionary=dictionary, config=RepairConfig(use_composition=False, min_proposal=0.0)).changes)


def test_a_known_term_that_needs_fewer_swaps_is_preferred():
    # "public pursuit" is a variant of "national interest" (public for national,
    # pursuit for interest); "public interest" is a known term too and needs
    # one swap only.
    rows = [f"{' '.join(s)}\t{' '.join(o)}\t0.95\t\ttest" for s, o in PAIRS] + [
        "public park\tnational park\t0.9\t\ttest", "pursuit rates\tinterest rates\t0.9\t\ttest",
        "nationwide interest\tnational interest\t0.9\t\ttest"]
    public_interest = "public curiosity\tpublic interest\t0.9\t\ttest"
    text = SPUN + "He argued that he had acted in the public pursuit when he sent the files."

    def composed(extra_rows):
        header = ["spun\toriginal\tconfidence\tcontext\tsource"]
        dictionary = PhraseDictionary(parse_text("\n".join(header + rows + extra_rows) + "\n", "test.tsv"))
        return [c for c in repair_text(text, dictionary=dictionary).applied if c.rule == "model:composed"]

    chosen = composed([public_interest])
    assert [(c.before, c.after) for c in chosen] == [("public pursuit", "public interest")]
    assert chosen[0].evidence[0]["swaps"] == ["pursuit>interest"]
    assert chosen[0].evidence[0]["composed"] == "public pursuit -> public interest"
    # Without "public interest" among the known terms, only the full term is read.
    assert [(c.before, c.after) for c in composed([])] == [("public pursuit", "national interest")]


def test_a_clean_paragraph_is_left_alone():
    text = "The results show that counterfeit intelligence reports were filed by the agency last year."
    assert repair_text(text, dictionary=_dictionary()).changes == []


def test_synonyms_of_similar_frequency_are_not_composed():
    # With the real counts, "revealed" (13M) is not rare enough beside "showed" (22M): a writer may choose it.
    from repair.model import default_model

    pairs = PAIRS + [(("survey", "confirmed"), ("survey", "showed")), (("study", "revealed"), ("study", "showed"))]
    rows = ["spun\toriginal\tconfidence\tcontext\tsource"] + [f"{' '.join(s)}\t{' '.join(o)}\t0.95\t\ttest" for s, o in pairs]
    dictionary = PhraseDictionary(parse_text("\n".join(rows) + "\n", "test.tsv"))
    assert "survey revealed" not in dictionary.composed(default_model()).variants
    assert "survey revealed" in compose([(s, o) for s, o in pairs], lambda w: {"revealed": 1}.get(w, 100), never_common)[0]
    result = repair_text(SPUN + "A survey revealed the same pattern.", dictionary=dictionary)
    assert not any(c.rule == "model:composed" for c in result.changes)


def test_held_out_tortured_phrases_are_found_by_composition():
    # The held-out phrases of tests/cases/tortured_heldout.tsv are in no dictionary:
    # composition finds a share of them, and changes almost no established term.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from evaluate_tortured import measure

    with_composition = measure(RepairConfig())
    without = measure(RepairConfig(use_composition=False))
    cases = with_composition["cases"]
    assert cases > 1000
    assert with_composition["corrected"] >= 0.09 * cases > 2 * without["corrected"]
    assert with_composition["detected"] >= 0.15 * cases
    assert with_composition["control_changed"] <= 0.01 * cases


def test_an_accepted_composed_change_is_learned_as_an_entry(tmp_path):
    from repair.changelog import dumps
    from repair.dictionary import load_file
    from repair.learn import learn_from_logs

    text = SPUN + "The results show that counterfeit intelligence improves accuracy on all benchmarks."
    result = repair_text(text, dictionary=_dictionary())
    assert any(c.rule == "model:composed" and c.status == "applied" for c in result.changes)
    log = tmp_path / "reviewed.jsonl"
    log.write_text(dumps(result.changes), encoding="utf-8")
    learned = tmp_path / "learned.tsv"
    learn_from_logs([str(log)], str(learned))
    entries = {e.spun: e.originals for e in load_file(learned)}
    assert entries[("counterfeit", "intelligence")] == ("artificial intelligence",)
