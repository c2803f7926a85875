"""Quality targets from the issue, scored with the vendored scorer
(tests/eval/score.py) against gold edit lists (offsets into the spun text)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CASES, SEEDS, apply_gold, read, spin_changes
from repair import PhraseDictionary, RepairConfig, repair_text
from repair.clean import clean_text
from repair.text import quotation_spans

SPUN_ARTICLES = sorted((CASES / "articles" / "spun").glob("*.txt"))
# Articles spun with a table written blind, in seed 000's style, by someone who
# never saw the dictionaries (tests/cases/articles/README.md): they measure how
# the tool does on a spinner whose swaps it does not know, and have guards of their own.
BLIND_TABLE_ARTICLES = {f"{n}" for n in range(53, 69)}
KNOWN_TABLE_ARTICLES = [p for p in SPUN_ARTICLES if p.stem not in BLIND_TABLE_ARTICLES]
CLEAN_FILES = sorted((CASES / "negative").glob("*.txt")) + sorted((CASES / "articles" / "clean").glob("*.txt"))


def summary(s: dict) -> str:
    return (f"P={s['precision']} R={s['recall']} F1={s['f1']} false={s['false_changes']} "
            f"wrong={s['wrong'][:5]} missed={s['missed'][:5]}")


# --- the gold data itself ---------------------------------------------------------------------

def test_seed000_gold_rebuilds_a_plausible_source(seed000, seed000_gold, seed000_source, score):
    assert len(seed000_gold["edits"]) >= 50
    assert "according to documents" in seed000_source
    assert "in keeping with paperwork" not in seed000_source
    # The scorer's sanity checks: the source scores F1 1.0, the unchanged spun text recall 0.
    assert score(seed000, seed000_source, seed000_gold)["f1"] == 1.0
    assert score(seed000, seed000, seed000_gold)["recall"] == 0.0


@pytest.mark.parametrize("spun_path", SPUN_ARTICLES, ids=lambda p: p.stem)
def test_article_gold_rebuilds_the_clean_article(spun_path):
    gold = json.loads(read(spun_path.with_suffix(".gold.json")))
    clean = CASES / "articles" / "clean" / spun_path.name
    assert apply_gold(read(spun_path), gold) == read(clean)


# --- (a) seed 000 with its own source as the reference, no dictionary -------------------------

@pytest.mark.parametrize("how", ["config", "empty-dictionary"])
def test_seed000_with_source_reference_and_no_dictionary(how, seed000, seed000_gold, seed000_source, score):
    if how == "config":
        result = repair_text(seed000, references=[seed000_source], config=RepairConfig(use_dictionary=False))
    else:
        result = repair_text(seed000, references=[seed000_source], dictionary=PhraseDictionary())
    assert all("dictionary" not in c.sources for c in result.changes)
    s = score(seed000, result.text, seed000_gold)
    assert s["f1"] >= 0.98, summary(s)
    assert s["false_changes"] == 0, summary(s)


def test_seed000_with_source_reference_and_the_dictionaries(seed000, seed000_gold, seed000_source, score):
    # With the dictionaries as well, the source still decides: a dictionary change may not
    # touch a word the source writes as the input does ("core calls for for" -> "core demands for",
    # not "core demands": one "for" is the source's own). Measured F1 1.0 (0.971 before).
    s = score(seed000, repair_text(seed000, references=[seed000_source]).text, seed000_gold)
    assert s["f1"] >= 0.99 and s["false_changes"] == 0, summary(s)


# --- (b) seed 000 with seed 001 (another article on the story) as the reference ---------------

@pytest.mark.xfail(strict=True, reason=(
    "Quality target not met yet: seed 000 with reference seed 001 measured F1 0.9255 when the "
    "issue was filed and 0.9408 (P 0.9524, R 0.9296) on 2026-11-23 (sessions 5 and 6), with 1 "
    "false change (the second 'precept' -> 'principle', which the gold leaves unmarked), 'of' -> "
    "'in' missed inside 'calls for for safety ensures of', and 'starting', 'much' missed; target "
    "F1 >= 0.95 and no false changes."))
def test_seed000_with_seed001_reference_meets_target(seed000, seed001, seed000_gold, score):
    s = score(seed000, repair_text(seed000, references=[seed001]).text, seed000_gold)
    assert s["f1"] >= 0.95 and s["false_changes"] == 0, summary(s)


def test_seed000_with_seed001_reference_does_not_regress(seed000, seed001, seed000_gold, score):
    s = score(seed000, repair_text(seed000, references=[seed001]).text, seed000_gold)
    assert s["f1"] >= 0.90, summary(s)
    assert s["false_changes"] <= 2, summary(s)


# --- (c) seed 001 is clean: no spin changes -----------------------------------------------------

def test_seed001_without_reference_gets_no_spin_changes(seed001):
    result = repair_text(seed001)
    assert [(c.before, c.after, c.sources) for c in spin_changes(result)] == []
    assert result.spin_score < 0.5


# --- (d) clean text: negative cases and clean articles --------------------------------------------

@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_clean_text_gets_no_spin_changes(path):
    text = read(path)
    result = repair_text(text)
    assert [(c.before, c.after, c.sources, c.confidence) for c in spin_changes(result)] == []
    assert result.text == clean_text(text)[0]


def test_there_are_enough_clean_cases():
    assert len(CLEAN_FILES) >= 60


# --- (e) spun articles: aggregate precision and recall -----------------------------------------

@pytest.fixture(scope="module")
def article_scores(score):
    rows = {}
    for path in SPUN_ARTICLES:
        spun = read(path)
        gold = json.loads(read(path.with_suffix(".gold.json")))
        rows[path.stem] = score(spun, repair_text(spun).text, gold)
    return rows


def aggregate(rows: dict) -> tuple[float, float]:
    changes = sum(s["tool_changes"] for s in rows.values())
    right_changes = sum(round(s["precision"] * s["tool_changes"]) for s in rows.values())
    gold = sum(s["gold"] for s in rows.values())
    found = sum(round(s["recall"] * s["gold"]) for s in rows.values())
    return right_changes / changes, found / gold


def test_spun_articles_aggregate_precision_and_recall(article_scores):
    rows = {p.stem: article_scores[p.stem] for p in KNOWN_TABLE_ARTICLES}
    assert len(rows) >= 16
    precision, recall = aggregate(rows)
    report = {k: (s["precision"], s["recall"]) for k, s in rows.items()}
    # Regression guards, a little under the figures of 2026-11-23 (P 0.971, R 0.788 over articles 01-40).
    assert precision >= 0.95, f"aggregate precision {precision:.4f}; per article {report}"
    assert recall >= 0.75, f"aggregate recall {recall:.4f}; per article {report}"


def test_articles_of_a_blind_spinner_table_aggregate_precision_and_recall(article_scores):
    rows = {stem: article_scores[stem] for stem in sorted(BLIND_TABLE_ARTICLES)}
    precision, recall = aggregate(rows)
    # Regression guards, a little under the first measurements (2026-11-23, session 7:
    # P 0.894, R 0.419 over 53-60; P 0.907, R 0.433 over 61-68, a second blind
    # table; 0.918 and 0.433 over both at the end of session 7). Far from the targets: most of such a table's
    # swaps are in no dictionary entry, and where an entry reads a word otherwise
    # than the table, the change is wrong.
    assert precision >= 0.85, f"aggregate precision {precision:.4f}"
    assert recall >= 0.38, f"aggregate recall {recall:.4f}"


@pytest.mark.parametrize("stem", [p.stem for p in SPUN_ARTICLES])
def test_every_spun_article_is_detected_and_partly_repaired(stem, article_scores):
    s = article_scores[stem]
    assert s["tool_changes"] > 0 and s["recall"] > 0.2, summary(s)
    # A blind table's articles are held to their aggregate guard above.
    assert stem in BLIND_TABLE_ARTICLES or s["precision"] >= 0.8, summary(s)


# --- (f) quotations are never changed -------------------------------------------------------------

QUOTED_INPUTS = sorted(SEEDS.glob("*.txt")) + SPUN_ARTICLES


def quotation_spans_in_input(text: str) -> list[tuple[int, int]]:
    """Quotations of the cleaned text, mapped back to offsets in ``text``."""
    cleaned, _, offsets = clean_text(text)
    return [(offsets.to_input(a), offsets.to_input(b, is_end=True)) for a, b in quotation_spans(cleaned)]


@pytest.mark.parametrize("path", QUOTED_INPUTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_spin_change_touches_a_quotation(path):
    text = read(path)
    spans = quotation_spans_in_input(text)
    result = repair_text(text)
    inside = [(c.before, c.after) for c in spin_changes(result)
              if any(c.start < b and a < c.end for a, b in spans)]
    assert inside == []


def test_quoted_text_of_the_seeds_and_articles_survives_verbatim():
    total = 0
    for path in QUOTED_INPUTS:
        text = read(path)
        out = repair_text(text).text
        for a, b in quotation_spans(text):
            quote = text[a:b]
            total += 1
            assert out.count(quote) >= text.count(quote), f"{path.name}: {quote!r} was changed"
    assert total >= 100, "the inputs should hold plenty of quotations"


@pytest.mark.parametrize("marks", ["“”", '""', "‘’", "''", "«»", "„“"])
def test_spun_words_inside_quotations_are_kept(seed000, marks):
    quote = marks[0] + "the navy workouts, one in all the final paperwork, in keeping with the authorities" + marks[1]
    text = seed000 + "\n\nA diplomat called it " + quote + ".\n"
    out = repair_text(text).text
    assert quote in out
    # ... while the same words outside the quotation are repaired.
    assert "military exercises" in repair_text(seed000 + "\n\nthe navy workouts ended.\n").text.splitlines()[-1]


def test_a_title_case_headline_is_repaired_but_its_names_kept(seed000):
    text = "US Navy Workouts Continue In Keeping With Leaked NATO Paperwork\n\n" + seed000
    headline = repair_text(text).text.splitlines()[0]
    assert headline == "US Military Exercises Continue According to Leaked NATO Documents"
    text = "US NAVY WORKOUTS CONTINUE IN KEEPING WITH LEAKED NATO PAPERWORK\n\n" + seed000
    headline = repair_text(text).text.splitlines()[0]
    assert headline == "US MILITARY EXERCISES CONTINUE ACCORDING TO LEAKED NATO DOCUMENTS"


def test_an_abbreviation_keeps_its_full_stop_only_at_a_sentence_end(seed000):
    text = seed000 + "\n\nHe won 54 p.c. of the vote. Prices rose 5 p.c. Officials stated more. Growth was 3 p.c., they stated.\n"
    last = repair_text(text).text.splitlines()[-1]
    assert last == "He won 54 percent of the vote. Prices rose 5 percent. Officials said more. Growth was 3 percent, they said."
    text = seed000 + "\n\nThey gathered in Tahrir Sq. Police watched from Tahrir Sq. on Friday. They left Tahrir Sq.\n"
    last = repair_text(text).text.splitlines()[-1]
    assert last == "They gathered in Tahrir Square. Police watched from Tahrir Square on Friday. They left Tahrir Square."


# --- (e) ordinary phrases inside a spun article -------------------------------------------------

GENUINE_IN_SPUN = [line for line in read(CASES / "in_spun" / "genuine.txt").splitlines()
                   if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("sentence", GENUINE_IN_SPUN, ids=lambda s: " ".join(s.split()[:4]))
def test_an_ordinary_phrase_in_a_spun_article_keeps_its_words(seed000, sentence):
    # The document is spun (score 1.0), so only the entries' context and the
    # model stand between these phrases and a change.
    text = seed000.rstrip("\n") + "\n\n" + sentence + "\n"
    result = repair_text(text)
    assert result.spin_score > 0.9
    tail = len(text) - len(sentence) - 1
    assert [(c.before, c.after) for c in spin_changes(result) if c.end > tail] == []


SPUN_IN_SPUN = [tuple(line.split("\t")) for line in read(CASES / "in_spun" / "spun.tsv").splitlines()
                if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("spun, expected", SPUN_IN_SPUN, ids=lambda s: " ".join(s.split()[:4]))
def test_a_spun_sentence_in_a_spun_article_is_repaired(seed000, spun, expected):
    def last_paragraph(sentence: str) -> str:
        return repair_text(seed000.rstrip("\n") + "\n\n" + sentence + "\n").text.rsplit("\n\n", 1)[1].rstrip("\n")

    assert last_paragraph(spun) == expected
    assert last_paragraph(expected) == expected  # the original wording is not "repaired" in turn


@pytest.mark.xfail(strict=True, reason="KF-10: spinning at a rate of 0.2 is not told from chance matches")
def test_kf10_lightly_spun_article_is_seen():
    text = read(CASES / "known_failures" / "kf10_light_spin_02.txt")
    assert repair_text(text).spin_score >= 0.5


@pytest.mark.xfail(strict=True, reason="KF-11: composition reads a genuine 'robust' as the spinner's 'strong'")
def test_kf11_genuine_robust_in_a_spun_article_is_kept(seed000):
    sentence = "The bridge is robust enough to carry heavy lorries, engineers said."
    text = seed000.rstrip("\n") + "\n\n" + sentence + "\n"
    assert repair_text(text).text.endswith(sentence + "\n")


def test_kf9_british_clean_text_stays_clean():
    # KF-9 (tests/cases/known_failures.md): dense with words spinners like, but full of "said".
    text = read(CASES / "known_failures" / "kf9_british_council.txt")
    result = repair_text(text)
    assert spin_changes(result) == [] and result.spin_score < 0.5
    assert repair_text(text, config=RepairConfig(unspun_words=())).spin_score >= 0.5
