"""repair learn and repair dict: growing a dictionary from reviews and aligned texts."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from repair.changelog import Change, dumps, parse
from repair.cli import main
from repair.dictionary import PhraseDictionary, load_file, shipped_dictionary_paths
from repair.learn import learned_confidence, mine_pairs

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "cases" / "articles"

TEST_DICT = (
    "stated\tsaid\t0.9\t\ttest\n"
    "safety ensures\tsecurity guarantees\t0.95\t\ttest\n"
    "youngsters\tchildren\t0.9\t\ttest\n"
    "bartering table\tnegotiating table\t0.95\t\ttest\n"
    "additionally\talso\t0.9\t\ttest\n"
)
ARTICLE = (
    "The officials stated on Monday that the safety ensures were final. "
    "Parents in the town stated that youngsters were safe at school.\n\n"
    "The officers additionally stated that the bartering table was ready for the talks.\n"
)
ARTICLE_2 = (
    "Diplomats stated that the safety ensures offered were not enough. "
    "The envoy additionally stated that the bartering table would stay open.\n"
)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def fix(tmp_path, text: str, name: str, *dicts) -> list[Change]:
    src = tmp_path / f"{name}.txt"
    src.write_text(text, encoding="utf-8")
    log = tmp_path / f"{name}.changes.jsonl"
    args = ["fix", src, "--no-dictionary", "-o", tmp_path / f"{name}.out.txt", "--log", log]
    for d in dicts:
        args += ["-d", d]
    result = run(*args)
    assert result.exit_code == 0, result.output
    return parse(log.read_text(encoding="utf-8"))


def reviewed(tmp_path, changes: list[Change], name: str, reject: set[str]) -> Path:
    for c in changes:
        if c.before in reject:
            c.status = "rejected"
    path = tmp_path / f"{name}.reviewed.jsonl"
    path.write_text(dumps(changes), encoding="utf-8")
    return path


def find(changes, before):
    return [c for c in changes if c.before == before]


def test_learn_from_reviewed_logs_lowers_rejected_and_counts_accepted(tmp_path):
    base = tmp_path / "test.tsv"
    base.write_text(TEST_DICT, encoding="utf-8")
    learned = tmp_path / "learned.tsv"

    first = fix(tmp_path, ARTICLE, "a", base)
    before = find(first, "safety ensures")[0]
    assert before.status == "applied" and before.rule == "test.tsv:2"
    log_a = reviewed(tmp_path, first, "a", reject={"safety ensures"})
    result = run("learn", "--from-log", log_a, "-d", learned)
    assert result.exit_code == 0, result.output
    assert "1 rejected" in result.stderr

    entries = {e.spun_text: e for e in load_file(learned)}
    assert entries["safety ensures"].confidence == learned_confidence(0.95, 0, 1) < 0.95
    assert entries["safety ensures"].source.startswith("learned: 0 accepted, 1 rejected; base 0.95 from test.tsv:2")
    assert "a.reviewed.jsonl" in entries["safety ensures"].source
    assert entries["stated"].confidence > 0.9 and entries["stated"].source.startswith("learned: 3 accepted, 0 rejected")
    # The learned entry overrides the base one (same phrase, same context) when loaded after it.
    merged = PhraseDictionary.load([base, learned])
    assert [e.confidence for e in merged.entries if e.spun_text == "safety ensures"] == [entries["safety ensures"].confidence]

    # A second fix with the learned dictionary proposes the rejected change with lower confidence.
    second = fix(tmp_path, ARTICLE, "a2", base, learned)
    again = [c for c in second if (c.start, c.end, c.after) == (before.start, before.end, before.after)]
    assert len(again) == 1 and again[0].confidence < before.confidence
    assert again[0].rule.startswith("learned.tsv:")

    # Learning the same log again changes nothing; a second reviewed log adds its counts.
    text_before = learned.read_text()
    result = run("learn", "--from-log", log_a, "-d", learned)
    assert "already learned" in result.stderr and learned.read_text() == text_before
    log_b = reviewed(tmp_path, fix(tmp_path, ARTICLE_2, "b", base, learned), "b", reject={"safety ensures"})
    assert run("learn", "--from-log", log_b, "-d", learned).exit_code == 0
    entries = {e.spun_text: e for e in load_file(learned)}
    assert entries["safety ensures"].source.startswith("learned: 0 accepted, 2 rejected; base 0.95")
    assert entries["safety ensures"].confidence == learned_confidence(0.95, 0, 2)
    assert entries["stated"].source.startswith("learned: 5 accepted, 0 rejected")
    assert len([e for e in load_file(learned) if e.spun_text == "stated"]) == 1  # merged, not duplicated

    third = fix(tmp_path, ARTICLE, "a3", base, learned)
    again3 = [c for c in third if (c.start, c.end, c.after) == (before.start, before.end, before.after)]
    assert again3 and again3[0].confidence < again[0].confidence  # lower with every rejection

    # Rejected a third time: below the apply threshold, so only proposed.
    log_c = reviewed(tmp_path, third, "c", reject={"safety ensures"})
    assert run("learn", "--from-log", log_c, "-d", learned).exit_code == 0
    fourth = fix(tmp_path, ARTICLE, "a4", base, learned)
    again4 = [c for c in fourth if (c.start, c.end, c.after) == (before.start, before.end, before.after)]
    assert again4 and again4[0].status == "proposed" and again4[0].confidence < 0.5
    assert find(fourth, "stated")[0].status == "applied" and find(fourth, "youngsters")[0].status == "applied"


def test_the_context_model_cannot_overrule_reviewers_who_rejected_an_entry(tmp_path):
    # The same entry at the same confidence: with more acceptances than
    # rejections the model lifts it over the threshold; with more rejections
    # it may only lower it.
    def status_of(source: str) -> tuple[str, float]:
        d = tmp_path / "d.tsv"
        d.write_text("stated\tsaid\t0.9\t\ttest\n"
                     f"safety ensures\tsecurity guarantees\t0.45\t\t{source}\n", encoding="utf-8")
        (change,) = find(fix(tmp_path, ARTICLE, "o", d), "safety ensures")
        model = [e for e in change.evidence if e["source"] == "model"]
        return change.status, model[0]["log_ratio"]

    assert status_of("learned: 3 accepted, 1 rejected; base 0.2") [0] == "applied"
    status, ratio = status_of("learned: 1 accepted, 3 rejected; base 0.7")
    assert status == "proposed" and ratio == 0.0


def test_learn_skips_cleanup_and_remembers_rejected_pairs(tmp_path):
    log = tmp_path / "r.jsonl"
    changes = [
        Change("c0001", 0, 3, "â€™", "'", ["cleanup"], 1.0, "applied", [], "cleanup"),
        Change("c0002", 10, 16, "Stated", "Said", ["reference"], 0.8, "applied",
               [{"source": "reference", "reference": "r.txt"}], "reference:r.txt"),
        Change("c0003", 20, 30, "households", "families", ["reference"], 0.6, "rejected",
               [{"source": "reference", "reference": "r.txt"}], "reference:r.txt"),
        Change("c0004", 40, 48, "White Home", "White House", ["reference"], 0.9, "applied", [], "reference:r.txt"),
        Change("c0005", 50, 55, "an ensure", "a guarantee", ["reference"], 0.9, "applied", [], "reference:r.txt"),
        Change("c0006", 60, 70, "in 2020", "in 2021", ["reference"], 0.9, "applied", [], "reference:r.txt"),
        Change("c0007", 70, 75, "final", "last", ["reference"], 0.3, "proposed", [], "reference:r.txt"),
    ]
    log.write_text(dumps(changes))
    learned = tmp_path / "l.tsv"
    result = run("learn", "--from-log", log, "-d", learned)
    assert result.exit_code == 0, result.output
    entries = {e.spun_text: e for e in load_file(learned)}
    assert set(entries) == {"stated", "white home", "ensure"}
    assert entries["stated"].originals == ("said",) and not entries["stated"].cased  # sentence capital dropped
    assert entries["white home"].cased and entries["white home"].originals == ("White House",)
    assert entries["ensure"].originals == ("guarantee",)  # the a/an agreement is not part of the spin
    assert entries["stated"].confidence == learned_confidence(None, 1, 0) == round(2 / 3, 3)
    text = learned.read_text()
    assert "# rejected-pair\thouseholds\tfamilies\t1" in text  # no entry for a never-accepted pair
    assert "cleanup" not in text

    # Accepted later: the earlier rejection still counts.
    log2 = tmp_path / "r2.jsonl"
    log2.write_text(dumps([Change("c0001", 0, 10, "households", "families", ["reference"], 0.7, "applied", [],
                                  "reference:r.txt")]))
    assert run("learn", "--from-log", log2, "-d", learned).exit_code == 0
    entries = {e.spun_text: e for e in load_file(learned)}
    assert entries["households"].source.startswith("learned: 1 accepted, 1 rejected")
    assert entries["households"].confidence == 0.5
    assert "rejected-pair\thouseholds" not in learned.read_text()


def test_learn_from_an_aligned_pair(tmp_path):
    spun, clean = ARTICLES / "spun" / "01.txt", ARTICLES / "clean" / "01.txt"
    pairs = mine_pairs(spun.read_text(encoding="utf-8"), clean.read_text(encoding="utf-8"))
    assert ("youngsters", "children") in pairs and ("bartering", "negotiating") in pairs
    learned = tmp_path / "mined.tsv"
    result = run("learn", spun, clean, "-d", learned, "--no-dictionary")
    assert result.exit_code == 0, result.output
    entries = load_file(learned)
    assert len(entries) == len(pairs) >= 10
    for e in entries:
        assert 1 <= len(e.spun) <= 4 and 1 <= len(e.originals[0].split()) <= 4
        assert not any(ch.isdigit() for ch in e.spun_text + e.originals[0])
        assert e.spun_text == e.spun_text.lower() and e.spun_text.replace(" ", "").replace("'", "").isalpha()
        assert 0.25 <= e.confidence <= 0.6
        assert e.source.startswith(f"learned from aligned pair {spun}|{clean}")
    by_phrase = {e.spun_text: e for e in entries}
    # A spun word rarer than its original starts at 0.4; one commoner than it
    # ("management" for "control") at 0.25, for the context model to judge.
    assert by_phrase["youngsters"].confidence >= 0.4
    assert by_phrase["management"].confidence == 0.25
    # With the shipped dictionaries, swaps they already list, in any context, are left out:
    # a context-free learned entry would override the conditions that keep genuine uses.
    learned2 = tmp_path / "mined2.tsv"
    result = run("learn", spun, clean, "-d", learned2)
    assert result.exit_code == 0
    shipped = PhraseDictionary.load(shipped_dictionary_paths())
    listed = {(e.spun, o.lower()) for e in shipped.entries for o in e.originals}
    learned_swaps = {(e.spun, e.originals[0].lower()) for e in load_file(learned2)}
    assert learned_swaps and not learned_swaps & listed
    assert len(learned_swaps) < len(entries)
    # Running it again adds nothing new.
    before = learned.read_text()
    run("learn", spun, clean, "-d", learned, "--no-dictionary")
    assert learned.read_text() == before


def test_learn_usage_errors(tmp_path):
    assert run("learn", "-d", tmp_path / "x.tsv").exit_code == 2
    assert run("learn", "--from-log", "-d", tmp_path / "x.tsv").exit_code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    result = run("learn", "--from-log", bad, "-d", tmp_path / "x.tsv")
    assert result.exit_code == 1 and "bad.jsonl:1" in result.stderr
    assert not (tmp_path / "x.tsv").exists()


def test_dict_check_reports_every_error_with_line(tmp_path):
    good = tmp_path / "good.tsv"
    good.write_text("# comment\nspun\toriginal\tconfidence\tcontext\tsource\nstated\tsaid\t0.9\t\tt\n")
    bad = tmp_path / "bad.tsv"
    bad.write_text("stated\tsaid\t0.9\t\tt\nfoo\tbar\t1.5\t\tt\nonly two\tfields\n"
                   "x\ty\t0.5\tbogus=1\tt\nstated\tsaid\t0.3\t\tt\n")
    result = run("dict", "check", good)
    assert result.exit_code == 0 and "ok, 1 entries" in result.output
    result = run("dict", "check", good, bad)
    assert result.exit_code == 1
    for line in (2, 3, 4, 5):
        assert f"{bad}:{line}:" in result.stderr
    assert f"{bad}:1:" not in result.stderr and "duplicate of line 1" in result.stderr
    assert run("dict", "check", tmp_path / "missing.tsv").exit_code == 1


def test_dict_stats_and_merge(tmp_path):
    a = tmp_path / "a.tsv"
    a.write_text("stated\tsaid\t0.5\t\tmaintainers\nsafety ensures\tsecurity guarantees\t0.95\t\tmaintainers\n"
                 "White Home\tWhite House\t0.9\t\tmaintainers\n")
    b = tmp_path / "b.tsv"
    b.write_text("stated\tsaid\t0.2\t\tlearned: 0 accepted, 3 rejected; base 0.5\n"
                 "youngsters\tchildren\t0.4\tbefore=the\tlearned from aligned pair s|o\n")
    result = run("dict", "stats", a, b, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["total"]["entries"] == 5 and data["total"]["multiword"] == 2 and data["total"]["single_word"] == 3
    assert data["total"]["by_provenance"] == {"maintainers": 3, "learned from reviewed logs": 1,
                                              "learned from aligned pairs": 1}
    assert data["total"]["by_confidence"]["0.90-1.00"] == 2 and data["total"]["with_context"] == 1
    assert data["total"]["cased"] == 1 and data["files"][str(a)]["entries"] == 3
    table = run("dict", "stats", a, b)
    assert table.exit_code == 0 and "by provenance" in table.output and "maintainers" in table.output

    out = tmp_path / "m.tsv"
    result = run("dict", "merge", a, b, "-o", out)
    assert result.exit_code == 0, result.output
    entries = {e.spun_text: e for e in load_file(out)}
    assert set(entries) == {"stated", "safety ensures", "white home", "youngsters"}
    assert entries["stated"].confidence == 0.2  # B wins for the same phrase and context
    assert entries["white home"].cased
    assert "1 of" in result.stderr and "overridden" in result.stderr
    bad = tmp_path / "bad.tsv"
    bad.write_text("x\ty\n")
    result = run("dict", "merge", a, bad, "-o", tmp_path / "n.tsv")
    assert result.exit_code == 1 and f"{bad}:1:" in result.stderr and not (tmp_path / "n.tsv").exists()
