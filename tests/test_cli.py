"""The ``repair`` command line through click's CliRunner."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from repair.changelog import apply_changes, dumps, parse
from repair.cli import main

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def spun_file(tmp_path, seed000):
    path = tmp_path / "article.txt"
    path.write_bytes(seed000.encode("utf-8"))
    return path


def ok(result):
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output
    return result


def assert_one_line_error(result, *fragments):
    """Non-zero exit, no traceback, exactly one line on stderr naming the problem."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("repair: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""
    return lines[0]


# --- fix ------------------------------------------------------------------------------------

def test_fix_writes_the_repaired_text_to_stdout_and_a_summary_to_stderr(runner, spun_file, seed000):
    from repair import repair_text

    result = ok(runner.invoke(main, ["fix", str(spun_file)]))
    expected = repair_text(seed000).text
    assert result.stdout_bytes == expected.encode("utf-8")
    assert expected != seed000
    assert result.stderr.startswith("repair: ") and "change(s) applied" in result.stderr
    assert ok(runner.invoke(main, ["fix", "-q", str(spun_file)])).stderr == ""


def test_fix_output_file_and_log(runner, spun_file, tmp_path, seed000):
    out, log = tmp_path / "out.txt", tmp_path / "changes.jsonl"
    result = ok(runner.invoke(main, ["fix", str(spun_file), "-o", str(out), "--log", str(log)]))
    assert result.stdout == ""
    repaired = out.read_bytes().decode("utf-8")
    changes = parse(log.read_text(encoding="utf-8"))
    assert changes and any(c.sources != ["cleanup"] for c in changes)
    assert apply_changes(seed000, changes) == repaired
    assert "military" in repaired and "navy forces" not in repaired
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "changes.jsonl", "out.txt"]


def test_fix_spun_repairs_a_lightly_spun_text_the_score_leaves_alone(runner, tmp_path):
    # KF-10: spun at a rate of 0.2, its spin score is low (0.06); --spun says it is spun anyway.
    from conftest import CASES

    article = CASES / "known_failures" / "kf10_light_spin_02.txt"
    plain = ok(runner.invoke(main, ["fix", str(article), "--log", str(tmp_path / "a.jsonl")]))
    assert parse((tmp_path / "a.jsonl").read_text()) == []
    measured = re.search(r"spin score (\d\.\d\d)", plain.stderr).group(1)
    assert float(measured) < 0.2
    told = ok(runner.invoke(main, ["fix", str(article), "--spun", "--log", str(tmp_path / "b.jsonl")]))
    changes = parse((tmp_path / "b.jsonl").read_text())
    assert len([c for c in changes if c.status == "applied"]) >= 8
    assert f"spin score {measured}" in told.stderr  # the measured score is still what is reported
    assert apply_changes(article.read_text(encoding="utf-8"), changes) == told.stdout


def test_fix_reads_stdin(runner):
    result = ok(runner.invoke(main, ["fix", "-q", "-"], input="A plain sentence.\r\n".encode("utf-8")))
    # (click's Result.stdout turns CRLF into LF; the bytes are what was written)
    assert result.stdout_bytes == b"A plain sentence.\r\n"


def test_apply_reproduces_fix_output_byte_for_byte(runner, spun_file, tmp_path):
    fixed, log, replayed = tmp_path / "fixed.txt", tmp_path / "log.jsonl", tmp_path / "replayed.txt"
    ok(runner.invoke(main, ["fix", str(spun_file), "-o", str(fixed), "--log", str(log)]))
    ok(runner.invoke(main, ["apply", str(spun_file), str(log), "-o", str(replayed)]))
    assert replayed.read_bytes() == fixed.read_bytes()
    to_stdout = ok(runner.invoke(main, ["apply", str(spun_file), str(log)]))
    assert to_stdout.stdout_bytes == fixed.read_bytes()


def test_apply_crlf_input_round_trip(runner, tmp_path, seed000):
    src = tmp_path / "crlf.txt"
    src.write_bytes(seed000.replace("\n", "\r\n").encode("utf-8"))
    fixed, log, replayed = tmp_path / "f.txt", tmp_path / "l.jsonl", tmp_path / "r.txt"
    ok(runner.invoke(main, ["fix", str(src), "-o", str(fixed), "--log", str(log)]))
    ok(runner.invoke(main, ["apply", str(src), str(log), "-o", str(replayed)]))
    assert replayed.read_bytes() == fixed.read_bytes()
    assert fixed.read_bytes().count(b"\r\n") == seed000.count("\n")


def test_rejecting_one_record_changes_exactly_that_span(runner, spun_file, tmp_path, seed000):
    fixed, log = tmp_path / "fixed.txt", tmp_path / "log.jsonl"
    ok(runner.invoke(main, ["fix", str(spun_file), "-o", str(fixed), "--log", str(log)]))
    repaired = fixed.read_text(encoding="utf-8")
    changes = parse(log.read_text(encoding="utf-8"))
    applied = [c for c in changes if c.status == "applied"]
    target = next(c for c in applied if c.sources != ["cleanup"] and c.start > 200)
    # Where the target's replacement stands in the repaired text.
    shift = sum(len(c.after) - len(c.before) for c in applied if c.end <= target.start)
    pos = target.start + shift
    assert repaired[pos:pos + len(target.after)] == target.after

    target.status = "rejected"
    log.write_text(dumps(changes), encoding="utf-8")
    result = ok(runner.invoke(main, ["apply", str(spun_file), str(log)]))
    expected = repaired[:pos] + target.before + repaired[pos + len(target.after):]
    replayed = result.stdout_bytes.decode("utf-8")
    assert replayed == expected
    assert replayed[pos:pos + len(target.before)] == seed000[target.start:target.end]
    assert replayed != repaired


def test_apply_with_a_log_of_another_input_fails_cleanly(runner, spun_file, tmp_path):
    log = tmp_path / "log.jsonl"
    ok(runner.invoke(main, ["fix", str(spun_file), "-o", str(tmp_path / "o.txt"), "--log", str(log)]))
    other = tmp_path / "other.txt"
    other.write_text("Something else entirely, and much shorter.", encoding="utf-8")
    assert_one_line_error(runner.invoke(main, ["apply", str(other), str(log)]), "is this the log of another input?")


def test_apply_with_a_broken_log_names_the_line(runner, spun_file, tmp_path):
    log = tmp_path / "broken.jsonl"
    log.write_text('{"id": "c1", "start": 0, "end": 0, "before": "", "after": ""}\n{oops\n', encoding="utf-8")
    assert_one_line_error(runner.invoke(main, ["apply", str(spun_file), str(log)]), f"{log}:2: not JSON")


# Regression (known_failures.md KF-6, fixed): a log holding U+0085 replays.
def test_fix_log_of_input_with_nel_replays(runner, tmp_path):
    src = tmp_path / "nel.txt"
    src.write_text("The navy workouts\x85 ended.\n", encoding="utf-8")
    fixed, log = tmp_path / "f.txt", tmp_path / "l.jsonl"
    ok(runner.invoke(main, ["fix", str(src), "-o", str(fixed), "--log", str(log)]))
    result = ok(runner.invoke(main, ["apply", str(src), str(log)]))
    assert result.stdout_bytes == fixed.read_bytes()


# --- overwriting the input -------------------------------------------------------------------

def test_fix_refuses_to_overwrite_input_without_in_place(runner, spun_file, seed000):
    assert_one_line_error(runner.invoke(main, ["fix", str(spun_file), "-o", str(spun_file)]),
                          "refusing to overwrite the input", "--in-place")
    assert spun_file.read_text(encoding="utf-8") == seed000


def test_fix_in_place_keeps_a_backup(runner, spun_file, seed000, tmp_path):
    from repair import repair_text

    ok(runner.invoke(main, ["fix", str(spun_file), "-o", str(spun_file), "--in-place"]))
    backup = tmp_path / "article.txt.bak"
    assert backup.read_text(encoding="utf-8") == seed000
    assert spun_file.read_text(encoding="utf-8") == repair_text(seed000).text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "article.txt.bak"]


def test_apply_refuses_to_overwrite_its_input(runner, spun_file, tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text("", encoding="utf-8")
    assert_one_line_error(runner.invoke(main, ["apply", str(spun_file), str(log), "-o", str(spun_file)]),
                          "refusing to overwrite the input")


def test_log_must_not_overwrite_input_or_output(runner, spun_file, tmp_path):
    out = tmp_path / "o.txt"
    assert_one_line_error(runner.invoke(main, ["fix", str(spun_file), "--log", str(spun_file)]),
                          "change log must not overwrite")
    assert_one_line_error(runner.invoke(main, ["fix", str(spun_file), "-o", str(out), "--log", str(out)]),
                          "change log must not overwrite")


# --- one-line errors --------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["fix", "apply", "detect"])
def test_missing_file(runner, tmp_path, command):
    missing = tmp_path / "missing.txt"
    args = [command, str(missing)] + ([str(missing)] if command == "apply" else [])
    assert_one_line_error(runner.invoke(main, args), f"{missing}: no such file")


@pytest.mark.parametrize("command", ["fix", "detect"])
def test_binary_png_file(runner, tmp_path, command):
    png = tmp_path / "photo.txt"
    png.write_bytes(PNG)
    assert_one_line_error(runner.invoke(main, [command, str(png)]), f"{png}: looks like a PNG image")


@pytest.mark.parametrize("command", ["fix", "detect"])
def test_directory_input(runner, tmp_path, command):
    assert_one_line_error(runner.invoke(main, [command, str(tmp_path)]), f"{tmp_path}: is a directory")


def test_reference_errors_are_one_line(runner, spun_file, tmp_path):
    png = tmp_path / "ref.png"
    png.write_bytes(PNG)
    assert_one_line_error(runner.invoke(main, ["fix", str(spun_file), "-r", str(png)]), "looks like a PNG image")


@pytest.mark.parametrize("command", ["fix", "detect"])
def test_dictionary_with_a_bad_line(runner, spun_file, tmp_path, command):
    bad = tmp_path / "mine.tsv"
    bad.write_text("# my words\nstated\tsaid\t0.9\t\tme\nnavy workouts\tmilitary exercises\t0.9\n",
                   encoding="utf-8")
    line = assert_one_line_error(runner.invoke(main, [command, str(spun_file), "-d", str(bad)]))
    assert f"{bad}:3:" in line and "expected 5 tab-separated fields" in line


def test_missing_dictionary(runner, spun_file, tmp_path):
    assert_one_line_error(runner.invoke(main, ["fix", str(spun_file), "-d", str(tmp_path / "no.tsv")]),
                          "no such dictionary file")


def test_detect_reports_readable_inputs_and_fails_for_the_others(runner, spun_file, tmp_path):
    missing = tmp_path / "missing.txt"
    result = runner.invoke(main, ["detect", "--json", str(spun_file), str(missing)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["input"] == str(spun_file)
    assert result.stderr.strip() == f"repair: error: {missing}: no such file"


def test_usage_error_exits_2(runner):
    result = runner.invoke(main, ["fix"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert runner.invoke(main, ["fix", "x.txt", "--min-confidence", "2"]).exit_code == 2


# --- detect -----------------------------------------------------------------------------------

def test_detect_json_seed000_is_spun_and_seed001_is_not(runner, seed000_path, seed001_path):
    result = ok(runner.invoke(main, ["detect", "--json", str(seed000_path), str(seed001_path)]))
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in reports] == [str(seed000_path), str(seed001_path)]
    spun, clean = reports
    assert spun["spun"] is True and spun["spin_score"] >= 0.5
    assert clean["spun"] is False and clean["spin_score"] < 0.5
    assert spun["words"] > 500 and clean["words"] > 500
    assert len(spun["flagged"]) > 20
    text = seed000_path.read_text(encoding="utf-8")
    for f in spun["flagged"]:
        assert text[f["start"]:f["end"]] == f["text"]
        assert set(f) >= {"start", "end", "text", "suggestion", "signal", "sources", "rule"}


def test_detect_no_spans(runner, seed000_path):
    result = ok(runner.invoke(main, ["detect", "--json", "--no-spans", str(seed000_path)]))
    assert json.loads(result.stdout)["flagged"] == []


def test_detect_table_output(runner, seed000_path, seed001_path):
    result = ok(runner.invoke(main, ["detect", str(seed000_path), str(seed001_path)]))
    assert "(spun," in result.stdout and "(clean," in result.stdout


# --- help -------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [[], ["fix"], ["apply"], ["detect"]])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(runner, args, flag):
    result = ok(runner.invoke(main, args + [flag]))
    assert "Usage:" in result.stdout


def test_version(runner):
    assert "spin-repair" in ok(runner.invoke(main, ["--version"])).stdout
