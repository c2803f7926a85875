"""repair.changelog: the Change record, JSON Lines round trip and replay."""
from __future__ import annotations

import json

import pytest

from repair import repair_text
from repair.changelog import Change, ChangeLogError, apply_changes, dumps, parse


def change(start, end, before, after, status="applied", id="c1", **kw):
    return Change(id=id, start=start, end=end, before=before, after=after, sources=kw.pop("sources", ["dictionary"]),
                  confidence=kw.pop("confidence", 0.9), status=status, **kw)


def test_jsonl_round_trip_keeps_every_field():
    changes = [
        change(0, 4, "navy", "military", evidence=[{"source": "dictionary", "entry": "navy -> military"}],
               rule="news-spinner.tsv:12"),
        change(10, 12, "“é’", "\"e'", status="proposed", id="c2", sources=["reference", "model"], confidence=0.25),
        change(20, 20, "", "inserted\ttab\nnewline", status="rejected", id="c3"),
        change(30, 31, "😀", "", id="c4", evidence=[{"nested": {"list": [1, 2.5, None, True]}}]),
    ]
    text = dumps(changes)
    assert text.endswith("\n") and text.count("\n") == len(changes)
    for line in text.splitlines():
        json.loads(line)
    assert parse(text) == changes


def test_dumps_of_nothing_is_empty_and_parses_back():
    assert dumps([]) == ""
    assert parse("") == []
    assert parse("\n  \n") == []


def test_parse_fills_defaults():
    (c,) = parse('{"id": "x", "start": 1, "end": 2, "before": "a", "after": "b"}')
    assert (c.status, c.sources, c.confidence, c.evidence, c.rule) == ("applied", [], 1.0, [], "")


@pytest.mark.parametrize("line, fragment", [
    ("{not json", "log.jsonl:2: not JSON"),
    ("[1, 2]", "log.jsonl:2: a record must be a JSON object"),
    ('{"id": "x", "start": 1, "end": 2, "before": "a"}', "log.jsonl:2: not a change record (KeyError"),
    ('{"id": "x", "start": "one", "end": 2, "before": "a", "after": "b"}', "log.jsonl:2: not a change record"),
    ('{"id": "x", "start": 1, "end": 2, "before": "a", "after": "b", "status": "maybe"}',
     "log.jsonl:2: status must be one of applied, proposed, rejected"),
    ('{"id": "x", "start": 5, "end": 2, "before": "a", "after": "b"}', "log.jsonl:2: bad offsets 5..2"),
    ('{"id": "x", "start": -1, "end": 2, "before": "a", "after": "b"}', "log.jsonl:2: bad offsets"),
])
def test_parse_errors_name_the_line(line, fragment):
    good = change(0, 1, "a", "b").to_json()
    with pytest.raises(ChangeLogError) as info:
        parse(good + "\n" + line + "\n", "log.jsonl")
    assert fragment in str(info.value)


def test_apply_changes_applies_only_applied_records_in_offset_order():
    text = "The navy workouts ended final week."
    changes = [
        change(24, 29, "final", "last", id="c3"),
        change(4, 17, "navy workouts", "military exercises", id="c1"),
        change(18, 23, "ended", "stopped", status="proposed", id="c2"),
        change(30, 34, "week", "month", status="rejected", id="c4"),
    ]
    assert apply_changes(text, changes) == "The military exercises ended last week."


def test_apply_changes_handles_insertions_deletions_and_edges():
    text = "abc"
    assert apply_changes(text, [change(0, 0, "", ">")]) == ">abc"
    assert apply_changes(text, [change(3, 3, "", "<")]) == "abc<"
    assert apply_changes(text, [change(0, 3, "abc", "")]) == ""
    assert apply_changes(text, [change(1, 1, "", "-", id="a"), change(1, 2, "b", "B", id="b")]) == "a-Bc"
    assert apply_changes(text, []) == text


def test_apply_changes_refuses_a_record_whose_before_does_not_match():
    with pytest.raises(ChangeLogError, match=r"change c1: expected 'navy' at 4\.\.8, the input has 'army'"):
        apply_changes("The army left.", [change(4, 8, "navy", "military")])


def test_apply_changes_refuses_a_record_past_the_end():
    with pytest.raises(ChangeLogError, match="<past the end>"):
        apply_changes("short", [change(3, 12, "rt and long", "x")])


def test_apply_changes_refuses_overlapping_applied_records():
    text = "in keeping with the paperwork"
    changes = [change(0, 15, "in keeping with", "according to", id="c1"),
               change(11, 15, "with", "alongside", id="c2")]
    with pytest.raises(ChangeLogError, match="change c2: overlaps an earlier applied change at 11"):
        apply_changes(text, changes)
    # The same overlap is fine when one of them is not applied.
    changes[1].status = "rejected"
    assert apply_changes(text, changes) == "according to the paperwork"


def test_pipeline_log_round_trips_and_replays(seed000):
    result = repair_text(seed000)
    assert result.changes
    replayed = apply_changes(seed000, parse(dumps(result.changes)))
    assert replayed == result.text


# Regression (known_failures.md KF-6, fixed): records may hold U+0085/U+2028/U+2029, which
# json.dumps(ensure_ascii=False) writes raw; parse() must split the log at newlines only.
@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_round_trip_with_unicode_line_separators_inside_a_record(char):
    c = change(0, 3, f"a{char}b", "a b", sources=["cleanup"])
    assert parse(dumps([c])) == [c]


# Regression (KF-6, fixed): cleanup turns U+0085 (NEL) into "…"; the record holding the raw
# character must survive the log round trip.
def test_pipeline_log_with_nel_character_round_trips():
    text = "He said \x85 it."
    result = repair_text(text)
    assert apply_changes(text, parse(dumps(result.changes))) == result.text


def test_a_record_is_the_json_of_its_dict(seed000):
    # Records are written with one C encoder made once (changelog._encode).
    changes = repair_text(seed000).changes
    assert len(changes) > 20
    for c in changes:
        assert c.to_json() == json.dumps(c.to_dict(), ensure_ascii=False)
    odd = Change("c1", 0, 1, "\u2028é\"", "x\\", ["model"], float("nan"), "proposed", [{"n": [1, None, True]}], "")
    assert odd.to_json() == json.dumps(odd.to_dict(), ensure_ascii=False)
