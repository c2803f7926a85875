"""Faults: kills at random moments, a full disk, unwritable outputs (issue 6).

Nothing here may lose data: an output is either the old file or the complete
new one, inputs are never touched, and a killed batch resumes to the same
outputs as an uninterrupted run.
"""
from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import repair.files as files
from repair.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _corpus(tmp_path: Path, copies: int = 6) -> Path:
    src = tmp_path / "in"
    for n in range(copies):
        for p in sorted((ROOT / "tests" / "cases" / "articles" / "spun").glob("*.txt")):
            d = src / f"set{n}"
            d.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, d / p.name)
    return src


def _snapshot(outdir: Path) -> dict[str, bytes]:
    """Every output file (not the .state markers), with summary timings removed."""
    snap = {}
    for p in sorted(outdir.rglob("*")):
        rel = p.relative_to(outdir).as_posix()
        if not p.is_file() or rel.startswith(".state/") or rel == "summary.md" or p.name.endswith(".tmp"):
            continue
        data = p.read_bytes()
        if rel == "summary.json":
            summary = json.loads(data)
            for record in summary["documents"]:
                record.pop("seconds", None)
            data = json.dumps(sorted(summary["documents"], key=lambda r: r["id"]), sort_keys=True).encode()
        snap[rel] = data
    return snap


def _batch_cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "repair", "batch", str(src), "-o", str(out), "--jobs", "2", "--quiet", *extra]


def test_batch_killed_at_random_points_resumes_to_the_same_outputs(tmp_path):
    src = _corpus(tmp_path, copies=30)  # 480 documents: a few seconds of work to interrupt
    inputs_before = {p: p.read_bytes() for p in src.rglob("*.txt")}
    reference = tmp_path / "reference"
    subprocess.run(_batch_cmd(src, reference), check=True, cwd=ROOT, timeout=300)

    out = tmp_path / "out"
    rng = random.Random(20261123)
    kills = 0
    for _ in range(4):
        proc = subprocess.Popen(_batch_cmd(src, out, "--resume"), cwd=ROOT, start_new_session=True)
        time.sleep(rng.uniform(0.6, 1.6))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the batch and its workers, at once
            kills += 1
        proc.wait(timeout=60)
    done = subprocess.run(_batch_cmd(src, out, "--resume"), cwd=ROOT, timeout=300)
    assert done.returncode == 0
    assert kills >= 1, "the batch finished before any kill: make the corpus bigger"
    assert _snapshot(out) == _snapshot(reference)
    assert {p: p.read_bytes() for p in src.rglob("*.txt")} == inputs_before


def test_write_interrupted_midway_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old complete text", encoding="utf-8")

    def boom(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", boom)
    with pytest.raises(OSError):
        files.write_text_atomic(target, "new text " * 1000)
    assert target.read_text(encoding="utf-8") == "old complete text"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left


def test_fix_on_a_full_disk_gives_one_line_and_keeps_the_input(tmp_path, monkeypatch):
    article = tmp_path / "article.txt"
    article.write_text((ROOT / "seeds" / "000_0a87bb4e7ef8a0af.txt").read_text(encoding="utf-8"), encoding="utf-8")
    before = article.read_bytes()

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write_bytes_atomic", full)
    result = CliRunner().invoke(main, ["fix", str(article), "-o", str(tmp_path / "out.txt")])
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert "Traceback" not in result.output
    assert article.read_bytes() == before
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize("make_outdir", ["under_a_file", "missing_parent"])
def test_unwritable_outputs_give_a_clear_error(tmp_path, make_outdir):
    article = tmp_path / "article.txt"
    article.write_text("The navy workouts ended.\n", encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    where = blocker / "out.txt" if make_outdir == "under_a_file" else tmp_path / "no" / "such" / "out.txt"
    result = CliRunner().invoke(main, ["fix", str(article), "-o", str(where)])
    assert result.exit_code == 1
    assert result.output.startswith("repair: error: cannot write")
    assert len(result.output.strip().splitlines()) == 1


def test_batch_into_an_unusable_outdir_gives_a_clear_error(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("The navy workouts ended.\n", encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(src), "-o", str(blocker / "out"), "--jobs", "1", "--quiet"])
    assert result.exit_code == 1
    assert result.output.startswith("repair: error:")
    assert "Traceback" not in result.output
    assert (src / "a.txt").read_text(encoding="utf-8") == "The navy workouts ended.\n"
