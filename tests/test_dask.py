"""repair batch on Dask (a LocalCluster of worker processes) and on fsspec URLs.

The Dask run must give the same outputs, byte for byte, as the built-in process
pool: repaired texts, change logs, and the summary and state records but for
their timings. Skipped only where Dask (or fsspec) is not installed.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from repair.batch import BatchOptions, Job, Settings, Sources, run_batch
from repair.cli import main
from repair.dictionary import shipped_dictionary_paths

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "cases" / "articles"

needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="Dask is not installed (pip install 'spin-repair[dask]')")
needs_fsspec = pytest.mark.skipif(importlib.util.find_spec("fsspec") is None,
                                  reason="fsspec is not installed (pip install 'spin-repair[dask]')")

SETTINGS = Settings(tuple(str(p) for p in shipped_dictionary_paths()))
TIMINGS = ("seconds", "wall_seconds")


# --------------------------------------------------------------------------- corpus and comparison


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Seeds and spun articles (some in a subdirectory), a binary file, and a JSON Lines file."""
    root = tmp_path_factory.mktemp("corpus")
    src = root / "in"
    (src / "spun").mkdir(parents=True)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, src / seed.name)
    for article in sorted((ARTICLES / "spun").glob("*.txt"))[:16]:  # a fixed corpus as the set grows
        shutil.copy(article, src / "spun" / article.name)
    (src / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    clean = sorted((ARTICLES / "clean").glob("*.txt"))
    spun = sorted((ARTICLES / "spun").glob("*.txt"))
    with (root / "docs.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "clean-1", "text": clean[0].read_text(encoding="utf-8")}) + "\n")
        fh.write(json.dumps({"id": "spun-2", "text": spun[1].read_text(encoding="utf-8"),
                             "reference": clean[1].read_text(encoding="utf-8")}) + "\n")
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "../../escape", "text": spun[2].read_text(encoding="utf-8")[:800]}) + "\n")
    return root


def inputs_of(corpus: Path) -> tuple[str, ...]:
    return (str(corpus / "in"), str(corpus / "docs.jsonl"))


@pytest.fixture(scope="module")
def pool_out(corpus, tmp_path_factory) -> Path:
    """The reference run: the built-in process pool, two workers."""
    out = tmp_path_factory.mktemp("pool") / "out"
    totals = run_batch(BatchOptions(inputs_of(corpus), str(out), SETTINGS, jobs=2))
    assert totals.documents == 23 and totals.failed == 2  # bin.txt and the broken JSON line
    return out


def _drop(record: dict, keys) -> dict:
    return {k: v for k, v in record.items() if k not in keys}


def outputs(out: Path) -> dict[str, bytes]:
    """Every repaired text and change log (not the summaries and state records)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).parts[0] != ".state" and not p.name.startswith("summary.")}


def records(out: Path, drop=TIMINGS) -> dict:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    states = {str(p.relative_to(out)): _drop(json.loads(p.read_text(encoding="utf-8")), drop)
              for p in sorted((out / ".state").rglob("*.json"))}
    md = re.sub(r"\| [0-9.]+ \|( [^|]* \|)$", r"| - |\1", (out / "summary.md").read_text(encoding="utf-8"),
                flags=re.M)
    md = re.sub(r"[0-9.]+ s of repair in [0-9.]+ s", "- s", md)
    return {"documents": [_drop(d, drop) for d in summary["documents"]],
            "totals": _drop(summary["totals"], drop), "states": states, "md": md}


def assert_same_as_pool(out: Path, pool_out: Path, drop=TIMINGS) -> None:
    expected = outputs(pool_out)
    assert len(expected) == 2 * 21  # 21 documents repaired, a text and a log each
    assert outputs(out) == expected  # byte for byte
    assert records(out, drop) == records(pool_out, drop)


# --------------------------------------------------------------------------- a cluster for the module


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}
                                  ) as cluster, distributed.Client(cluster) as client:
        yield client


def _count_loads_and_documents() -> None:
    """Run on each worker: count dictionary loads and repaired documents from now on."""
    import repair.batch
    import repair.distributed
    from repair.dictionary import PhraseDictionary

    stats = repair.batch.__dict__.setdefault("_test_stats", {"loads": 0, "documents": 0})
    if not getattr(PhraseDictionary.load, "_counting", False):
        load, repair_document = PhraseDictionary.load.__func__, repair.distributed.repair_document

        def counting_load(cls, paths):
            stats["loads"] += 1
            return load(cls, paths)

        def counting_repair(job):
            stats["documents"] += 1
            return repair_document(job)

        counting_load._counting = True
        PhraseDictionary.load = classmethod(counting_load)
        repair.distributed.repair_document = counting_repair
    stats.update(loads=0, documents=0)
    repair.batch._RESOURCES.clear()  # the next batch loads again, counted


def _stats() -> dict:
    import repair.batch

    return dict(repair.batch._test_stats)


@needs_dask
def test_dask_gives_the_same_outputs_as_the_pool_and_loads_once_per_worker(corpus, pool_out, client, tmp_path):
    from repair.distributed import run_dask

    client.run(_count_loads_and_documents)
    out = tmp_path / "dask"
    seen = []
    totals = run_batch(BatchOptions(inputs_of(corpus), str(out), SETTINGS),
                       on_record=lambda record, skipped: seen.append(record["id"]),
                       executor=lambda jobs: run_dask(jobs, SETTINGS, client, window=4))
    assert totals.documents == 23 and totals.ok == 21 and totals.failed == 2
    assert sorted(seen) == sorted(d["id"] for d in json.loads((out / "summary.json").read_text())["documents"])
    assert_same_as_pool(out, pool_out)

    stats = client.run(_stats)
    assert len(stats) == 2
    assert all(s["loads"] == 1 for s in stats.values()), stats  # once per worker, not once per document
    assert all(s["documents"] >= 1 for s in stats.values()), stats  # both workers took documents
    assert sum(s["documents"] for s in stats.values()) == 23


@needs_dask
def test_dask_with_file_urls_and_resume(corpus, pool_out, client, tmp_path):
    from repair.distributed import run_dask

    out = tmp_path / "urls"
    inputs = tuple(Path(p).as_uri() for p in inputs_of(corpus))
    options = BatchOptions(inputs, out.as_uri(), SETTINGS)
    run_batch(options, executor=lambda jobs: run_dask(jobs, SETTINGS, client))
    # The records name the inputs by their URLs; all else is the same.
    assert outputs(out) == outputs(pool_out)
    # (and the input fingerprints are fsspec's size:mtime, not os.stat's)
    drop = TIMINGS + ("input", "error", "fingerprint")
    got, expected = records(out, drop), records(pool_out, drop)
    assert _drop(got, ["md"]) == _drop(expected, ["md"])
    docs = json.loads((out / "summary.json").read_text())["documents"]
    assert docs[0]["input"].startswith("file://") and all(d["input"].startswith("file://") for d in docs)
    assert not list(out.rglob("*.tmp"))  # every temporary name was moved into place

    # --resume skips what is complete, and redoes a document whose log is missing.
    (out / "spun" / "01.txt.changes.jsonl").unlink()
    redone = []
    totals = run_batch(BatchOptions(inputs, out.as_uri(), SETTINGS, resume=True),
                       on_record=lambda record, skipped: skipped or redone.append(record["id"]),
                       executor=lambda jobs: run_dask(jobs, SETTINGS, client))
    assert sorted(redone) == ["bin.txt", "docs.jsonl:3", "spun/01.txt"]  # and the two that failed
    assert totals.skipped == 20 and outputs(out) == outputs(pool_out)


@needs_dask
def test_a_task_that_raises_becomes_an_error_record(corpus, client, tmp_path, monkeypatch):
    from repair.batch import iter_jobs
    from repair.distributed import run_dask

    tasks = []
    submit = client.submit
    monkeypatch.setattr(client, "submit",
                        lambda fn, jobs, *args, **kw: tasks.append(len(jobs)) or submit(fn, jobs, *args, **kw))

    out = str(tmp_path / "out")
    good = list(iter_jobs([str(corpus / "in" / "spun")], out, SETTINGS))
    broken = Job(id="broken", output="broken.txt", outdir=out, settings=SETTINGS)  # no path: a TypeError
    # After the first document, tasks hold several: the broken one shares a task with good ones.
    got = {r["id"]: r for r in run_dask([*good[:5], broken, *good[5:]], SETTINGS, client, window=1)}
    assert set(got) == {"broken"} | {j.id for j in good} and len(good) == 16
    assert got["broken"]["status"] == "error" and "TypeError" in got["broken"]["error"]
    assert tasks[0] == 1 and max(tasks) > 1 and sum(tasks) == 17
    assert all(got[j.id]["status"] == "ok" for j in good)
    state = json.loads((tmp_path / "out" / ".state" / "broken.txt.json").read_text())
    assert state["status"] == "error"  # recorded, so the summary and --resume see it


@needs_dask
def test_cli_scheduler_local(corpus, pool_out, tmp_path):
    import psutil

    children = {p.pid for p in psutil.Process().children(recursive=True)}
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", *inputs_of(corpus), "-o", str(out), "--scheduler", "local",
                                       "-j", "2"], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the binary file and the broken line failed
    assert "repair: on Dask: 2 worker(s) at tcp://" in result.stderr
    assert "23 document(s): 21 repaired, 2 failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert_same_as_pool(out, pool_out)
    # The LocalCluster is closed: its worker processes are gone (multiprocessing's resource
    # tracker, started by the first spawned process, stays for the life of this process).
    left = [psutil.Process(pid) for pid in {p.pid for p in psutil.Process().children(recursive=True)} - children
            if psutil.pid_exists(pid)]
    assert not [p for p in left if p.status() != psutil.STATUS_ZOMBIE
                and "resource_tracker" not in " ".join(p.cmdline())]


@needs_dask
def test_cli_scheduler_address(corpus, pool_out, client, tmp_path):
    import dask

    out = tmp_path / "out"
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    result = CliRunner().invoke(main, ["batch", *inputs_of(corpus), "-o", str(out), "--scheduler", address, "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert_same_as_pool(out, pool_out)
    assert len(client.nthreads()) == 2  # the cluster is still there: the CLI closed only its own client

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(main, ["batch", str(corpus / "in"), "-o", str(tmp_path / "x"),
                                           "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 1
    assert result.stderr.startswith("repair: error: --scheduler tcp://127.0.0.1:1: cannot connect to the Dask "
                                    "scheduler (") and result.stderr.count("\n") == 1


def test_scheduler_without_dask_is_one_line(corpus, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    result = CliRunner().invoke(main, ["batch", str(corpus / "in"), "-o", str(tmp_path / "out"),
                                       "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 1
    assert result.stderr == "repair: error: --scheduler needs Dask: pip install 'spin-repair[dask]'\n"
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- memory:// (one process)


@needs_fsspec
def test_memory_urls_with_the_serial_executor(corpus, pool_out):
    import fsspec

    fs = fsspec.filesystem("memory")
    base = f"/t{uuid.uuid4().hex[:8]}"
    try:
        for p in sorted((corpus / "in").rglob("*")):
            if p.is_file():
                fs.pipe_file(f"{base}/in/{p.relative_to(corpus / 'in').as_posix()}", p.read_bytes())
        fs.pipe_file(f"{base}/docs.jsonl", (corpus / "docs.jsonl").read_bytes())
        url = f"memory://{base}"
        args = ["batch", f"{url}/in", f"{url}/docs.jsonl", "-o", f"{url}/out", "-j", "1", "-q"]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 1 and "memory://" in result.stderr

        got = {path[len(base) + 5:]: fs.cat_file(path) for path in fs.find(f"{base}/out")
               if not path.startswith(f"{base}/out/.state/") and not path.rsplit("/", 1)[-1].startswith("summary.")}
        assert got == outputs(pool_out)  # byte for byte
        assert "escape.txt" in got and not any(".." in name for name in got)  # ids cannot leave OUTDIR
        summary = json.loads(fs.cat_file(f"{base}/out/summary.json"))
        pool = json.loads((pool_out / "summary.json").read_text())
        drop = TIMINGS + ("input", "error")
        assert [_drop(d, drop) for d in summary["documents"]] == [_drop(d, drop) for d in pool["documents"]]
        assert not [p for p in fs.find(f"{base}/out") if p.endswith(".tmp")]

        # --resume: all that succeeded is skipped.
        result = CliRunner().invoke(main, [*args[:-1], "--resume"], catch_exceptions=False)
        assert "21 repaired (21 already complete), 2 failed" in result.stderr

        # A URL --reference-dir: the reference of the same name is used.
        fs.pipe_file(f"{base}/refs/01.txt", (ARTICLES / "clean" / "01.txt").read_bytes())
        result = CliRunner().invoke(main, ["batch", f"{url}/in/spun/01.txt", "-o", f"{url}/out2",
                                           "--reference-dir", f"{url}/refs", "-j", "1", "-q"])
        assert result.exit_code == 0, result.output
        record = json.loads(fs.cat_file(f"{base}/out2/summary.json"))["documents"][0]
        assert record["reference"] == f"{url}/refs/01.txt"
        log = fs.cat_file(f"{base}/out2/01.txt.changes.jsonl").decode()
        assert '"reference"' in log

        # Missing URLs and an OUTDIR that is a file: one-line errors, as for plain paths.
        result = CliRunner().invoke(main, ["batch", f"{url}/nope", "-o", f"{url}/out3"])
        assert result.exit_code == 1 and result.stderr == f"repair: error: {url}/nope: no such file or directory\n"
        result = CliRunner().invoke(main, ["batch", f"{url}/in", "-o", f"{url}/docs.jsonl"])
        assert result.exit_code == 1 and "exists and is not a directory" in result.stderr
        result = CliRunner().invoke(main, ["batch", f"{url}/in", "-o", f"{url}/in"])
        assert result.exit_code == 1 and "is the input directory" in result.stderr
    finally:
        fs.rm(base, recursive=True)


@needs_dask
def test_a_worker_finds_the_shipped_dictionaries_where_it_has_them(tmp_path):
    """A client whose spin-repair is installed elsewhere than the workers': the shipped
    dictionaries are found by name on the worker, and the fingerprint (of the names and
    contents) is the client's."""
    from repair.distributed import _localize, _repair_task

    elsewhere = Settings(tuple(f"/nowhere/site-packages/dictionaries/{Path(p).name}"
                               for p in SETTINGS.dictionary_paths))
    local = _localize(elsewhere)
    assert local.dictionary_paths == SETTINGS.dictionary_paths
    assert local.fingerprint() == SETTINGS.fingerprint()
    src = tmp_path / "a.txt"
    src.write_bytes((ARTICLES / "spun" / "01.txt").read_bytes())
    job = Job(id="a.txt", output="a.txt", outdir=str(tmp_path / "out"), settings=elsewhere, path=str(src))
    assert _repair_task(job, SETTINGS.fingerprint())["status"] == "ok"
    with pytest.raises(RuntimeError, match="dictionaries differ"):
        _repair_task(job, "0" * 16)


@needs_fsspec
def test_file_urls_follow_no_symbolic_link_out(tmp_path):
    src, elsewhere, out = tmp_path / "in", tmp_path / "elsewhere", tmp_path / "out"
    (src / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    out.mkdir()
    (src / "a.txt").write_bytes((ARTICLES / "spun" / "01.txt").read_bytes())
    (src / "sub" / "b.txt").write_bytes((ARTICLES / "spun" / "02.txt").read_bytes())
    (tmp_path / "secret.txt").write_text("The officials stated it.")
    (src / "link.txt").symlink_to(tmp_path / "secret.txt")
    (src / "linkdir").symlink_to(elsewhere, target_is_directory=True)
    (out / "sub").symlink_to(elsewhere, target_is_directory=True)  # an OUTDIR subdirectory leading out
    result = CliRunner().invoke(main, ["batch", src.as_uri(), "-o", out.as_uri(), "-j", "1", "-q"])
    assert result.exit_code == 1
    docs = {d["id"]: d for d in json.loads((out / "summary.json").read_text())["documents"]}
    assert set(docs) == {"a.txt", "link.txt", "sub/b.txt"}  # linkdir/ not entered
    assert docs["a.txt"]["status"] == "ok"
    assert "symbolic link" in docs["link.txt"]["error"] and not (out / "link.txt").exists()
    assert "leads outside" in docs["sub/b.txt"]["error"]
    assert list(elsewhere.iterdir()) == []
