"""repair batch: parallel runs, bad documents, resume, safe output paths, references."""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from repair.batch import (Job, Settings, iter_jobs, repair_document, safe_relative_path)
from repair.changelog import apply_changes, parse
from repair.cli import main
from repair.files import read_text
from repair.pipeline import repair_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
ARTICLES = ROOT / "tests" / "cases" / "articles"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def tree_digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def corpus(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(SEEDS[0].read_bytes())
    (src / "b.txt").write_bytes(SEEDS[1].read_bytes())
    (src / "sub" / "c.txt").write_bytes(SEEDS[0].read_bytes())
    (src / "notes.md").write_text("not matched by the default glob")
    (src / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return src


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def test_batch_two_jobs_records_bad_document_and_replays(corpus, tmp_path):
    out = tmp_path / "out"
    before = tree_digest(corpus)
    result = run("batch", corpus, "-o", out, "--jobs", "2")
    assert result.exit_code == 1, result.output  # one document failed
    assert tree_digest(corpus) == before  # inputs untouched

    data = summary(out)
    docs = {d["id"]: d for d in data["documents"]}
    assert set(docs) == {"a.txt", "b.txt", "sub/c.txt", "bin.txt"}
    assert docs["bin.txt"]["status"] == "error" and "PNG" in docs["bin.txt"]["error"]
    assert data["totals"]["documents"] == 4 and data["totals"]["ok"] == 3 and data["totals"]["failed"] == 1
    assert not (out / "bin.txt").exists()
    for rel, seed in (("a.txt", SEEDS[0]), ("b.txt", SEEDS[1]), ("sub/c.txt", SEEDS[0])):
        text = read_text(str(seed))
        repaired = (out / rel).read_text(encoding="utf-8")
        changes = parse((out / (rel + ".changes.jsonl")).read_text(encoding="utf-8"))
        assert apply_changes(text, changes) == repaired  # the log replays to the output
        assert repaired == repair_text(text).text  # same as a single `repair fix`
        assert docs[rel]["applied"] == sum(c.status == "applied" for c in changes)
        assert docs[rel]["seconds"] >= 0 and docs[rel]["spin_score"] is not None
    assert docs["a.txt"]["applied"] > 10  # the spun seed was repaired
    md = (out / "summary.md").read_text()
    assert "| bin.txt |" in md and "4 documents, 3 repaired, 1 failed" in md
    assert "repair: error:" in result.stderr and "bin.txt" in result.stderr


def test_resume_redoes_only_incomplete_documents(corpus, tmp_path):
    out = tmp_path / "out"
    assert run("batch", corpus, "-o", out, "--jobs", "2", "--quiet").exit_code == 1
    a_mtime = (out / "a.txt").stat().st_mtime_ns
    (out / "sub" / "c.txt.changes.jsonl").unlink()  # as if killed between the text and the log
    result = run("batch", corpus, "-o", out, "--jobs", "2", "--resume")
    assert result.exit_code == 1  # bin.txt still fails
    assert (out / "sub" / "c.txt.changes.jsonl").exists()
    assert (out / "a.txt").stat().st_mtime_ns == a_mtime  # complete: not redone
    assert "2 already complete" in result.stderr
    docs = {d["id"]: d for d in summary(out)["documents"]}
    assert len(docs) == 4 and docs["a.txt"]["status"] == "ok" and docs["sub/c.txt"]["status"] == "ok"

    # Another dictionary makes earlier outputs stale: --resume redoes them.
    extra = tmp_path / "extra.tsv"
    extra.write_text("officials\tofficers\t0.3\t\ttest\n")
    run("batch", corpus, "-o", out, "--jobs", "1", "--resume", "-d", extra, "-q")
    assert (out / "a.txt").stat().st_mtime_ns != a_mtime


def test_batch_spun_repairs_what_the_score_leaves_alone_and_resume_sees_the_option(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    light = ROOT / "tests" / "cases" / "known_failures" / "kf10_light_spin_02.txt"
    (src / "light.txt").write_bytes(light.read_bytes())
    out = tmp_path / "out"
    assert run("batch", src, "-o", out, "--jobs", "1", "-q").exit_code == 0
    assert (out / "light.txt").read_bytes() == light.read_bytes()  # judged clean: left alone
    assert run("batch", src, "-o", out, "--jobs", "1", "-q", "--resume", "--spun").exit_code == 0
    repaired = (out / "light.txt").read_text(encoding="utf-8")
    assert repaired != light.read_text(encoding="utf-8")  # --resume redid it: the options changed
    changes = parse((out / "light.txt.changes.jsonl").read_text(encoding="utf-8"))
    assert apply_changes(read_text(str(light)), changes) == repaired


def test_jsonl_ids_cannot_leave_outdir(tmp_path):
    text = SEEDS[0].read_text(encoding="utf-8")[:600]
    ids = ["../../evil", "/etc/passwd", "a/../../b", "..", "", "C:\\Windows\\x", ".state/x",
           "summary.json", "dup", "dup", "x\x00y", "sub/./ok", 42, "a:b*c?"]
    src = tmp_path / "docs.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i in ids:
            fh.write(json.dumps({"id": i, "text": text}) + "\n")
        fh.write("{broken json\n")
        fh.write(json.dumps({"id": "with-ref", "text": text, "reference": text.replace("stated", "said")}) + "\n")
    out = tmp_path / "deep" / "out"
    outside_before = sorted([p.name for p in tmp_path.iterdir()] + ["deep"])
    result = run("batch", src, "-o", out, "--jobs", "1", "-q")
    assert result.exit_code == 1  # the broken line
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]
    real_out = os.path.realpath(out)
    files = [p for p in out.rglob("*") if p.is_file()]
    for p in files:
        assert os.path.realpath(p).startswith(real_out + os.sep)
    docs = summary(out)["documents"]
    assert len(docs) == len(ids) + 2
    outputs = [d["output"] for d in docs]
    assert len(set(outputs)) == len(outputs)  # duplicates got distinct names
    assert all(".." not in Path(o).parts and not o.startswith("/") for o in outputs)
    assert "summary.json" in {p.name for p in out.iterdir()}
    json.loads((out / "summary.json").read_text())  # not overwritten by the document named so
    broken = [d for d in docs if d["status"] == "error"]
    assert len(broken) == 1 and "not JSON" in broken[0]["error"]
    ok = [d for d in docs if d["status"] == "ok"]
    assert all((out / d["output"]).is_file() for d in ok)
    with_ref = next(d for d in docs if d["id"] == "with-ref")
    log = parse((out / with_ref["log"]).read_text())
    assert with_ref["status"] == "ok" and log


def test_safe_relative_path():
    assert safe_relative_path("../../x/./y/..//z") == "x/y/z"
    assert safe_relative_path("/abs/path.txt") == "abs/path.txt"
    assert safe_relative_path("..") == "document"
    assert safe_relative_path(".hidden/a") == "_.hidden/a"
    assert safe_relative_path("summary.md") == "_summary.md"
    assert len(safe_relative_path("x" * 1000).encode()) <= 200


def test_symlinks_out_of_the_input_tree_are_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("The officials stated that the safety ensures were final.")
    outside_dir = tmp_path / "elsewhere"
    outside_dir.mkdir()
    (outside_dir / "z.txt").write_text("The officials stated it.")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(SEEDS[0].read_bytes())
    (src / "link.txt").symlink_to(secret)
    (src / "inside.txt").symlink_to(src / "a.txt")
    (src / "linkdir").symlink_to(outside_dir, target_is_directory=True)
    out = tmp_path / "out"
    result = run("batch", src, "-o", out, "-j", "1", "-q")
    assert result.exit_code == 1
    docs = {d["id"]: d for d in summary(out)["documents"]}
    assert set(docs) == {"a.txt", "inside.txt", "link.txt"}  # linkdir/ not entered
    assert docs["link.txt"]["status"] == "error" and "symbolic link" in docs["link.txt"]["error"]
    assert not (out / "link.txt").exists()
    assert docs["inside.txt"]["status"] == "ok"


def test_outdir_inside_input_is_skipped_and_same_dir_refused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(SEEDS[0].read_bytes())
    assert run("batch", src, "-o", src / "out", "-j", "1", "-q").exit_code == 0
    assert run("batch", src, "-o", src / "out", "-j", "1", "-q").exit_code == 0  # its outputs are not inputs
    assert [d["id"] for d in summary(src / "out")["documents"]] == ["a.txt"]
    result = run("batch", src, "-o", src, "-j", "1")
    assert result.exit_code == 1 and "input directory" in result.stderr


def test_references_by_directory_and_by_pairs(tmp_path):
    src, refs = tmp_path / "in", tmp_path / "refs"
    src.mkdir()
    refs.mkdir()
    (src / "01.txt").write_bytes((ARTICLES / "spun" / "01.txt").read_bytes())
    (src / "02.txt").write_bytes((ARTICLES / "spun" / "02.txt").read_bytes())
    (refs / "01.txt").write_bytes((ARTICLES / "clean" / "01.txt").read_bytes())
    out = tmp_path / "out"
    assert run("batch", src, "-o", out, "--reference-dir", refs, "-j", "1", "-q").exit_code == 0
    docs = {d["id"]: d for d in summary(out)["documents"]}
    assert docs["01.txt"]["reference"].endswith("01.txt") and docs["02.txt"]["reference"] is None
    log = parse((out / "01.txt.changes.jsonl").read_text())
    assert any("reference" in c.sources for c in log)

    pairs = tmp_path / "pairs.csv"
    pairs.write_text("input,reference\nin/02.txt,clean02.txt\n")
    (tmp_path / "clean02.txt").write_bytes((ARTICLES / "clean" / "02.txt").read_bytes())
    out2 = tmp_path / "out2"
    assert run("batch", src / "02.txt", src / "01.txt", "-o", out2, "--pairs", pairs, "-j", "1", "-q").exit_code == 0
    docs = {d["id"]: d for d in summary(out2)["documents"]}
    assert docs["02.txt"]["reference"].endswith("clean02.txt") and docs["01.txt"]["reference"] is None
    assert any("reference" in c.sources for c in parse((out2 / "02.txt.changes.jsonl").read_text()))


def test_too_large_document_and_missing_input(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "big.txt").write_text("word " * 2000)
    (src / "small.txt").write_text("The officials stated it.")
    out = tmp_path / "out"
    result = run("batch", src, "-o", out, "-j", "1", "--max-bytes", "1000", "-q")
    assert result.exit_code == 1
    docs = {d["id"]: d for d in summary(out)["documents"]}
    assert "too large" in docs["big.txt"]["error"] and docs["small.txt"]["status"] == "ok"
    result = run("batch", tmp_path / "nope", "-o", out)
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_repair_document_is_a_plain_function_of_a_job(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(SEEDS[0].read_bytes())
    settings = Settings(dictionary_paths=())
    jobs = list(iter_jobs([str(src)], str(tmp_path / "out"), settings))
    assert len(jobs) == 1 and isinstance(jobs[0], Job)
    job = pickle.loads(pickle.dumps(jobs[0]))  # what another executor would ship
    record = repair_document(job)
    assert record["status"] == "ok" and record["id"] == "a.txt"
    assert (tmp_path / "out" / "a.txt").read_text() == repair_text(
        SEEDS[0].read_text(encoding="utf-8"), dictionary=None, config=settings.config()).text
    assert json.loads((tmp_path / "out" / ".state" / "a.txt.json").read_text())["status"] == "ok"
