#!/usr/bin/env python3
"""Speed and scale figures for spin-repair, printed as tables (issue 5).

    python benchmarks/run.py            # default run, about 10 minutes on 2 cores
    python benchmarks/run.py --quick    # about 2 minutes, smaller samples
    python benchmarks/run.py --full     # the 1 GB corpus (hours at today's speed)
    python benchmarks/run.py --only throughput,peers --markdown figures.md --json figures.json

Sections (``--only`` takes a comma-separated subset):

  load        dictionary load time (shipped dictionaries: parse, automaton), model load
  cli         start-up of the ``repair`` command (``--help``; ``fix`` on a tiny file), best of N
  throughput  MB/s and documents/s of detect, fix, and fix with a reference, one core and all
              cores (a process pool, dictionary and model loaded once per worker), peak RSS
  memory      peak memory while streaming N, 2N and 4N documents (RSS and tracemalloc)
  docsize     time per MB for single documents of 1 KB .. 10 MB, per stage; flags superlinear growth
  dictsize    load and matching time per MB for synthetic dictionaries of 1k .. 100k entries
  peers       our one-pass matcher against a loop over the phrase list (10k entries), our
              alignment (rapidfuzz) against difflib.SequenceMatcher on the same sentence pairs
  targets     the issue's targets, measured (reported, not asserted)
  profile     cProfile hotspots of fix and fix+reference (only when a speed target is missed,
              or with --profile)

Every timed run that measures memory or throughput runs in a fresh subprocess,
so its peak RSS is its own. The machine is shared and noisy: compare ratios
within one run rather than figures across runs. MB means 10^6 bytes of UTF-8
input text.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime
import difflib
import gc
import json
import math
import multiprocessing as mp
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
for p in (str(ROOT), str(BENCH_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)

import corpus as corpus_mod  # noqa: E402

MB = 1e6

PRESETS = {
    "quick": dict(sample="1MB", single_sample=None, mem_docs=40, throughput_repeats=1, docsizes=["1KB", "10KB", "100KB", "1MB"],
                  dictsizes=[1000, 10000, 100000], dict_text="200KB", peer_text="100KB", peer_entries=10000,
                  align_docs=40, cli_repeats=3, load_repeats=3, size_budget=60, profile_bytes="150KB",
                  growth_sizes=(30_000, 300_000)),
    "default": dict(sample="3MB", single_sample=None, mem_docs=100, throughput_repeats=2,
                    docsizes=["1KB", "10KB", "100KB", "1MB", "10MB"],
                    dictsizes=[1000, 3000, 10000, 30000, 100000], dict_text="1MB", peer_text="200KB",
                    peer_entries=10000, align_docs=120, cli_repeats=5, load_repeats=5, size_budget=150,
                    profile_bytes="300KB"),
    "full": dict(sample="1GB", single_sample="100MB", mem_docs=1000, throughput_repeats=1,
                 docsizes=["1KB", "10KB", "100KB", "1MB", "10MB"],
                 dictsizes=[1000, 3000, 10000, 30000, 100000], dict_text="10MB", peer_text="1MB",
                 peer_entries=10000, align_docs=500, cli_repeats=10, load_repeats=10, size_budget=900,
                 profile_bytes="1MB"),
}
SECTIONS = ("load", "cli", "throughput", "memory", "docsize", "dictsize", "peers", "targets", "profile")
TASKS = ("detect", "fix", "fix-ref")
TARGETS = {"fix_mb_s_core": 2.0, "detect_mb_s_core": 10.0, "peer_ratio": 20.0, "cli_s": 0.5}


# =============================================================================
# Work done per document (shared by the in-process runs and the pool workers)
# =============================================================================

_STATE: dict = {}


def load_state() -> float:
    """Load the shipped dictionaries and the context model, as the CLI does.
    Returns the seconds it took (0 if already loaded in this process)."""
    if _STATE:
        return 0.0
    t0 = time.perf_counter()
    from repair.config import RepairConfig
    from repair.dictionary import PhraseDictionary, shipped_dictionary_paths
    from repair.model import default_model

    dictionary = PhraseDictionary.load(shipped_dictionary_paths())
    default_model().unpack_all()  # as a batch worker does, and like it
    dictionary.composed(default_model())  # composed terms, as a batch worker loads them
    gc.freeze()  # keeps the collector from scanning the loaded resources again
    # `repair detect` and `repair fix` both build RepairConfig(use_dictionary=len(dictionary) > 0)
    # (fix also passes --min-confidence, whose default is the config default).
    _STATE.update(dictionary=dictionary, config=RepairConfig(use_dictionary=len(dictionary) > 0))
    return time.perf_counter() - t0


def run_task(task: str, text: str, reference: str | None) -> int:
    """One document through what the CLI command does with it (minus file I/O).

    detect: detect_text + the JSON report of `repair detect --json`;
    fix: repair_text + the change log (`repair fix --log`);
    fix-ref: the same with `--reference` (the document's clean version; a
    clean document is its own clean version)."""
    from repair.changelog import dumps
    from repair.pipeline import detect_text, detection_report, repair_text

    d, config = _STATE["dictionary"], _STATE["config"]
    if task == "detect":
        r = detect_text(text, dictionary=d, config=config)
        json.dumps(detection_report(r, config), ensure_ascii=False)
        return len(r.flagged)
    refs = [("reference", reference if reference is not None else text)] if task == "fix-ref" else []
    r = repair_text(text, references=refs, dictionary=d, config=config)
    dumps(r.changes)
    return sum(1 for c in r.changes if c.status == "applied")


def _pool_init(ready) -> None:
    load_state()
    ready.put(os.getpid())


def _pool_chunk(task: str, items: list[tuple[str, str | None]]) -> tuple[int, int, int, float]:
    n_bytes = changes = 0
    c0 = time.process_time()
    for text, ref in items:
        changes += run_task(task, text, ref)
        n_bytes += len(text.encode("utf-8"))
    return len(items), n_bytes, changes, time.process_time() - c0


def iter_corpus(path: Path, limit_bytes: float | None = None, cycle: bool = False):
    """(text, reference) pairs streamed from a corpus.jsonl, up to limit_bytes of text."""
    total = 0
    while True:
        any_doc = False
        for doc in corpus_mod.iter_jsonl(path):
            any_doc = True
            if limit_bytes is not None and total >= limit_bytes:
                return
            total += len(doc.text.encode("utf-8"))
            yield doc.text, doc.reference
        if not cycle or not any_doc:
            return


def _maxrss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # KiB on Linux


def _rss_now_mb() -> float:
    """Current resident set size (Linux /proc; falls back to the high-water mark)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return _maxrss_mb()


# =============================================================================
# Subprocess workers (python run.py --worker KIND ...): one JSON line on stdout
# =============================================================================

def worker_throughput(args) -> dict:
    task, jobs, path = args.task, args.jobs, Path(args.corpus)
    limit = args.limit or None
    if jobs <= 1:
        load_s = load_state()
        rss_loaded = _maxrss_mb()
        docs = n_bytes = changes = 0
        t0, c0 = time.perf_counter(), time.process_time()
        for text, ref in iter_corpus(path, limit):
            changes += run_task(task, text, ref)
            docs += 1
            n_bytes += len(text.encode("utf-8"))
        seconds = time.perf_counter() - t0
        return dict(task=task, jobs=1, docs=docs, bytes=n_bytes, seconds=seconds, changes=changes,
                    cpu_s=time.process_time() - c0,
                    load_s=load_s, rss_loaded_mb=rss_loaded, rss_mb=_maxrss_mb(), rss_workers_mb=0.0)
    ctx = mp.get_context("fork")  # the parent loads nothing: each worker loads once, in its initializer
    ready = ctx.Queue()
    t_start = time.perf_counter()
    pool = ctx.Pool(jobs, initializer=_pool_init, initargs=(ready,))
    for _ in range(jobs):
        ready.get()
    load_s = time.perf_counter() - t_start
    window = threading.BoundedSemaphore(jobs * 3)  # chunks in flight: memory stays bounded
    totals = [0, 0, 0, 0.0]
    errors: list[BaseException] = []
    lock = threading.Lock()

    def done(result):
        with lock:
            for k in range(4):
                totals[k] += result[k]
        window.release()

    def failed(exc):
        errors.append(exc)
        window.release()

    t0 = time.perf_counter()
    chunk, chunk_bytes = [], 0
    for text, ref in iter_corpus(path, limit):
        chunk.append((text, ref))
        chunk_bytes += len(text)
        if chunk_bytes >= args.chunk_bytes:
            window.acquire()
            pool.apply_async(_pool_chunk, (task, chunk), callback=done, error_callback=failed)
            chunk, chunk_bytes = [], 0
    if chunk:
        window.acquire()
        pool.apply_async(_pool_chunk, (task, chunk), callback=done, error_callback=failed)
    pool.close()
    pool.join()
    seconds = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return dict(task=task, jobs=jobs, docs=totals[0], bytes=totals[1], seconds=seconds, changes=totals[2],
                cpu_s=totals[3], load_s=load_s, rss_loaded_mb=0.0, rss_mb=_maxrss_mb(),
                rss_workers_mb=_maxrss_mb(resource.RUSAGE_CHILDREN))


def worker_stream(args) -> dict:
    """Stream N documents through one task; report memory, not time.

    ru_maxrss is a high-water mark that loading the model already sets, so the
    growth while streaming is measured from the current RSS, sampled after
    every document."""
    load_state()
    gc.collect()
    rss_loaded = _rss_now_mb()
    rss_peak = rss_loaded
    tracemalloc.start()
    base_current, _ = tracemalloc.get_traced_memory()
    docs = n_bytes = 0
    largest = 0
    for text, ref in iter_corpus(Path(args.corpus), cycle=True):
        if docs >= args.docs:
            break
        run_task(args.task, text, ref)
        docs += 1
        n_bytes += len(text.encode("utf-8"))
        largest = max(largest, len(text))
        rss_peak = max(rss_peak, _rss_now_mb())
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    # What the bounded caches hold (the bigram log-probability memo, capped;
    # the evidence and conditions each dictionary entry computes on first use,
    # one per entry): retained, but not something that grows with the corpus.
    from repair.model import default_model

    default_model()._memo.clear()
    for entry in _STATE["dictionary"].entries:
        for attr in ("_evidence", "_conditions", "rule"):
            entry.__dict__.pop(attr, None)
    gc.collect()
    without_caches, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return dict(docs=docs, bytes=n_bytes, largest=largest, rss_loaded_mb=rss_loaded, rss_peak_mb=rss_peak,
                rss_end_mb=_rss_now_mb(), maxrss_mb=_maxrss_mb(),
                tm_peak_mb=(peak - base_current) / MB, tm_retained_mb=(current - base_current) / MB,
                tm_retained_nocache_mb=(without_caches - base_current) / MB)


def _timeit(fn, min_time: float, max_repeats: int = 1000) -> float:
    """CPU seconds of this process per call (time.process_time, which other
    processes on a shared machine disturb far less than wall time): best of
    repeated calls, at least min_time in total."""
    t0 = time.process_time()
    fn()
    first = time.process_time() - t0
    if first >= min_time:
        return first
    best, spent, n = first, first, 1
    while spent < min_time and n < max_repeats:
        t0 = time.process_time()
        fn()
        dt = time.process_time() - t0
        best = min(best, dt)
        spent += dt
        n += 1
    return best


class _RssSampler:
    """Largest current RSS seen by a background thread sampling every 20 ms."""

    def __init__(self):
        self.peak = _rss_now_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_now_mb())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_now_mb())
        return False


class _TimeUp(Exception):
    pass


class _time_limit:
    """Interrupt the block after ``seconds`` (SIGALRM; main thread, Unix)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        import signal

        def handler(signum, frame):
            raise _TimeUp()

        self.old = signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        import signal

        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)
        return False


def worker_docsize(args) -> dict:
    """One document of args.size bytes: time per stage, with and without a
    reference. Stages run most important first; once args.budget seconds are
    spent the rest are skipped (reported missing)."""
    from repair.clean import clean_text
    from repair.pipeline import repair_text
    from repair.reference import pair_sentences, reference_candidates
    from repair.model import collector_paused, default_model
    from repair.text import TOKEN_RE, tokenize

    load_state()
    d, config = _STATE["dictionary"], _STATE["config"]
    model = default_model()
    text, ref = corpus_mod.Corpus(args.seed).big_document(args.size)
    n_bytes = len(text.encode("utf-8"))
    gc.collect()
    sampler = _RssSampler().__enter__()
    out = dict(size=args.size, bytes=n_bytes, ref_bytes=len(ref.encode("utf-8")), skipped=[])
    t_start = time.perf_counter()
    prepared: dict = {}

    def prepare():
        if not prepared:
            prepared["cleaned"] = clean_text(text)[0]
            prepared["doc"] = tokenize(prepared["cleaned"])
            prepared["ref_doc"] = tokenize(clean_text(ref)[0])
        return prepared

    out["tokens"] = len(TOKEN_RE.findall(text))

    stages = [
        ("fix", lambda: repair_text(text, dictionary=d, config=config)),
        ("fix_ref", lambda: repair_text(text, references=[("ref", ref)], dictionary=d, config=config)),
        ("cleanup", lambda: clean_text(text)),
        ("tokenize", lambda: tokenize(prepared["cleaned"])),
        ("match", lambda: d.match(prepared["doc"])),
        ("pair", lambda: pair_sentences(prepared["doc"], prepared["ref_doc"], config)),
        ("align", lambda: reference_candidates(prepared["doc"], prepared["ref_doc"], "ref", config, model, d)),
    ]
    wanted = args.stages.split(",") if args.stages else [name for name, _ in stages]
    for name, fn in stages:
        if name not in wanted or (args.no_ref and name in ("fix_ref", "pair", "align")):
            continue
        remaining = args.budget - (time.perf_counter() - t_start)
        if remaining <= 1:
            out["skipped"].append(name)
            continue
        if name not in ("fix", "fix_ref"):
            prepare()
        gc.collect()
        t0 = time.process_time()
        before = _rss_now_mb()
        sampler.peak = before
        try:
            # Stages run as repair_text runs them: with the garbage collector paused.
            with _time_limit(remaining), collector_paused(freeze=False):
                out[name] = _timeit(fn, args.min_time)
        except _TimeUp:
            out.setdefault("timed_out", {})[name] = time.process_time() - t0  # a lower bound
        out.setdefault("rss_stage_mb", {})[name] = max(sampler.peak, _rss_now_mb()) - before
        if name == "pair" and name in out:
            doc_ = prepared["doc"]
            out["paired"] = len(pair_sentences(doc_, prepared["ref_doc"], config)) / max(len(doc_.sentences), 1)
    sampler.__exit__()
    out["seconds"] = time.perf_counter() - t_start
    return out


WORKERS = {"throughput": worker_throughput, "stream": worker_stream, "docsize": worker_docsize}


def run_worker(kind: str, timeout: float | None = None, **kw) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind]
    for k, v in kw.items():
        if v is True:
            cmd.append("--" + k.replace("_", "-"))
        elif v not in (None, False):
            cmd += ["--" + k.replace("_", "-"), str(v)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"worker {kind} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# =============================================================================
# Output: tables (rich or plain), markdown, JSON
# =============================================================================

class Report:
    def __init__(self, plain: bool):
        self.sections: list[dict] = []
        self.console = None
        if not plain and sys.stdout.isatty():
            try:
                from rich.console import Console

                self.console = Console(highlight=False)
            except ImportError:
                pass

    def table(self, title: str, columns: list[str], rows: list[list], notes: list[str] = ()) -> None:
        rows = [[_fmt(v) for v in row] for row in rows]
        self.sections.append(dict(title=title, columns=columns, rows=rows, notes=list(notes)))
        if self.console is not None:
            from rich.table import Table

            t = Table(title=title, title_justify="left", title_style="bold")
            for k, c in enumerate(columns):
                t.add_column(c, justify="left" if k == 0 else "right")
            for row in rows:
                t.add_row(*row)
            self.console.print(t)
            for n in notes:
                self.console.print(f"  [dim]{_escape(n)}[/dim]")
            self.console.print()
        else:
            print(_plain_table(title, columns, rows, notes), flush=True)

    def note(self, text: str) -> None:
        if self.console is not None:
            self.console.print(_escape(text))
        else:
            print(text, flush=True)

    def markdown(self, header: str) -> str:
        out = [header, ""]
        for s in self.sections:
            out.append(f"**{s['title']}**")
            out.append("")
            out.append("| " + " | ".join(s["columns"]) + " |")
            out.append("|" + "|".join("---" if k == 0 else "---:" for k in range(len(s["columns"]))) + "|")
            for row in s["rows"]:
                out.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
            out.append("")
            for n in s["notes"]:
                out.append(f"- {n}")
            if s["notes"]:
                out.append("")
        return "\n".join(out)


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def _fmt(v) -> str:
    if isinstance(v, float):
        if v == 0:
            return "0"
        a = abs(v)
        if a >= 100:
            return f"{v:,.0f}"
        if a >= 10:
            return f"{v:.1f}"
        if a >= 0.1:
            return f"{v:.2f}"
        if a >= 0.001:
            return f"{v:.4f}"
        return f"{v:.2e}"
    return str(v)


def _plain_table(title, columns, rows, notes) -> str:
    widths = [max(len(str(c)), *(len(r[k]) for r in rows)) if rows else len(c) for k, c in enumerate(columns)]
    line = lambda cells: "  ".join(  # noqa: E731
        (c.ljust(w) if k == 0 else c.rjust(w)) for k, (c, w) in enumerate(zip(cells, widths)))
    out = [title, line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    out += [f"  {n}" for n in notes]
    return "\n".join(out) + "\n"


# =============================================================================
# Sections
# =============================================================================

def section_load(rep: Report, cfg: dict, results: dict) -> None:
    from repair.dictionary import PhraseDictionary, load_file, shipped_dictionary_paths
    from repair import model as model_mod

    paths = shipped_dictionary_paths()
    n = cfg["load_repeats"]
    parse_times, build_times, total_times = [], [], []
    entries = 0
    for _ in range(n):
        t0 = time.perf_counter()
        loaded = [load_file(p) for p in paths]
        t1 = time.perf_counter()
        by_key = {}
        for group in loaded:
            for e in group:
                by_key[e.key] = e
        d = PhraseDictionary(by_key.values())
        t2 = time.perf_counter()
        PhraseDictionary.load(paths)
        t3 = time.perf_counter()
        parse_times.append(t1 - t0)
        build_times.append(t2 - t1)
        total_times.append(t3 - t2)
        entries = len(d)
    model_times, cold_model_times, cold_parse_times = [], [], []
    for _ in range(max(1, n // 2)):
        model_mod.default_model.cache_clear()
        t0 = time.perf_counter()
        m = model_mod.default_model()
        model_times.append(time.perf_counter() - t0)
    # The same with the resource cache off (repair/cache.py): what a first run pays.
    saved = os.environ.get("SPIN_REPAIR_CACHE")
    os.environ["SPIN_REPAIR_CACHE"] = "off"
    try:
        for _ in range(max(1, n // 2)):
            model_mod.default_model.cache_clear()
            t0 = time.perf_counter()
            model_mod.default_model()
            cold_model_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            [load_file(p) for p in paths]
            cold_parse_times.append(time.perf_counter() - t0)
    finally:
        model_mod.default_model.cache_clear()
        if saved is None:
            del os.environ["SPIN_REPAIR_CACHE"]
        else:
            os.environ["SPIN_REPAIR_CACHE"] = saved
    size = sum(p.stat().st_size for p in paths)
    rows = [
        ["PhraseDictionary.load(shipped)", entries, len(paths), min(total_times), statistics.median(total_times)],
        ["  parse (load_file x files)", entries, len(paths), min(parse_times), statistics.median(parse_times)],
        ["  index (Aho-Corasick build)", entries, "", min(build_times), statistics.median(build_times)],
        ["  parse, cache off", entries, len(paths), min(cold_parse_times), statistics.median(cold_parse_times)],
        ["default_model() (symspellpy bigrams)", f"{len(m.unigrams)}+{len(m.bigrams)}", 2, min(model_times),
         statistics.median(model_times)],
        ["  the same, cache off", "", 2, min(cold_model_times), statistics.median(cold_model_times)],
    ]
    rep.table("Load time (in process, best and median of %d)" % n,
              ["what", "entries", "files", "best s", "median s"], rows,
              [f"shipped dictionaries: {', '.join(p.name for p in paths)} ({size / MB:.2f} MB)",
               "dictionary files over 100 KB and the model are parsed once and kept in the user's cache "
               "(repair/cache.py); the model's shards are unpacked on first use (the first row unpacks none, "
               "'cache off' parses the sources)"])
    results["load"] = dict(dictionary_s=min(total_times), parse_s=min(parse_times), build_s=min(build_times),
                           model_s=min(model_times), entries=entries, cold_parse_s=min(cold_parse_times),
                           cold_model_s=min(cold_model_times))


def _repair_command() -> list[str]:
    script = Path(sys.executable).parent / "repair"
    if script.exists():
        return [str(script)]
    found = shutil.which("repair")
    return [found] if found else [sys.executable, "-m", "repair"]


def _best_of(cmd: list[str], n: int, cwd: str, env: dict | None = None) -> tuple[float, float, float, int]:
    """Best and median wall time, best CPU time (user + sys of the child), exit status."""
    times, cpus, rc = [], [], 0
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, cwd=cwd, env=env)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        rc = proc.returncode
    return min(times), statistics.median(times), min(cpus), rc


def section_cli(rep: Report, cfg: dict, results: dict, workdir: Path) -> None:
    n = cfg["cli_repeats"]
    repair = _repair_command()
    tiny = workdir / "tiny.txt"
    tiny.write_text("Officials stated the plan was additionally backed by the navy. It is final 12 months' plan.\n",
                    encoding="utf-8")
    out = workdir / "tiny.out.txt"
    runs = [
        ("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"]),
        ("python -c 'import repair.cli'", [sys.executable, "-c", "import repair.cli"]),
        ("python -c 'import repair.pipeline'", [sys.executable, "-c", "import repair.pipeline"]),
        ("repair --help", repair + ["--help"]),
        ("repair fix tiny.txt -o out -q", repair + ["fix", str(tiny), "-o", str(out), "-q"]),
        ("repair detect --json tiny.txt", repair + ["detect", "--json", str(tiny)]),
        ("repair fix --no-dictionary tiny.txt", repair + ["fix", "--no-dictionary", str(tiny), "-o", str(out), "-q"]),
        ("repair fix tiny.txt, cache off (a first run)", repair + ["fix", str(tiny), "-o", str(out), "-q"]),
    ]
    rows = []
    figures, cpu = {}, {}
    for label, cmd in runs:
        env = {**os.environ, "SPIN_REPAIR_CACHE": "off"} if "cache off" in label else None
        best, med, best_cpu, rc = _best_of(cmd, n, str(ROOT), env)
        figures[label] = best
        cpu[label] = best_cpu
        rows.append([label, best, med, best_cpu, "ok" if rc == 0 else f"exit {rc}"])
    rep.table(f"CLI start-up (subprocess wall time, best and median of {n})",
              ["command", "best s", "median s", "best CPU s", "status"], rows,
              [f"command: {' '.join(repair)}; target < {TARGETS['cli_s']} s; CPU s = user + sys of the child, "
               "which other load on the machine inflates less than wall time"])
    results["cli"] = dict(help_s=figures["repair --help"], fix_s=figures["repair fix tiny.txt -o out -q"],
                          fix_cpu_s=cpu["repair fix tiny.txt -o out -q"], help_cpu_s=cpu["repair --help"],
                          detect_s=figures["repair detect --json tiny.txt"],
                          floor_s=figures["python -c pass (interpreter floor)"],
                          import_cli_s=figures["python -c 'import repair.cli'"],
                          import_pipeline_s=figures["python -c 'import repair.pipeline'"])
    if results["cli"]["fix_s"] >= TARGETS["cli_s"] or results["cli"]["help_s"] >= TARGETS["cli_s"]:
        _import_breakdown(rep, results)


def _import_breakdown(rep: Report, results: dict) -> None:
    """Where `import repair.cli, repair.pipeline` spends its time, by top-level package."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import repair.cli, repair.pipeline"],
                          capture_output=True, text=True, cwd=str(ROOT))
    own: Counter[str] = Counter()
    modules: Counter[str] = Counter()
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if m:
            pkg = m.group(3).split(".")[0]
            own[pkg] += int(m.group(1)) / 1e6
            modules[pkg] += 1
    total = sum(own.values())
    top = [[pkg, modules[pkg], t, t / total] for pkg, t in own.most_common(10)]
    rep.table("Import time of repair.cli + repair.pipeline by top-level package (python -X importtime, self time "
              "summed)", ["package", "modules", "s", "share"], top, [f"total {total:.3f} s"])
    results["cli"]["imports"] = top


def _throughput_row(r: dict, label: str, jobs: int) -> list:
    mb_s = r["bytes"] / MB / r["seconds"]
    return [label, jobs, r["docs"], r["bytes"] / MB, r["seconds"], mb_s, mb_s / jobs, r["bytes"] / MB / r["cpu_s"],
            r["docs"] / r["seconds"], r["changes"], max(r["rss_mb"], r["rss_workers_mb"]), r["load_s"]]


def section_throughput(rep: Report, cfg: dict, results: dict, corpus_path: Path, jobs_all: int) -> None:
    sample = corpus_mod.parse_size(cfg["sample"])
    single = corpus_mod.parse_size(cfg["single_sample"]) if cfg["single_sample"] else sample
    repeats = cfg["throughput_repeats"]
    res: dict[str, dict] = {}
    # Interleaved repeats, best kept: the machine is shared and noisy.
    for _ in range(repeats):
        for task in TASKS:
            for jobs in sorted({1, jobs_all}):
                limit = single if jobs == 1 else sample
                r = run_worker("throughput", task=task, jobs=jobs, corpus=corpus_path, limit=limit,
                               chunk_bytes=cfg.get("chunk_bytes", 32000))
                key = f"{task}/{jobs}"
                if key not in res or r["bytes"] / r["seconds"] > res[key]["bytes"] / res[key]["seconds"]:
                    res[key] = r
    rows = [_throughput_row(res[f"{task}/{jobs}"], task, jobs) for task in TASKS for jobs in sorted({1, jobs_all})]
    notes = [
        "detect = detect_text (score and flagged spans, no changes) + its JSON report; fix = repair_text + change log "
        "(as `repair fix --log`); fix-ref = fix with --reference (the document's clean version; a clean "
        "document is its own).",
        "timing starts after the dictionary and model are loaded (load s: per process; for the pool, until "
        "every worker has loaded); peak RSS is the process's own, or the largest pool worker's.",
        "MB/s: wall clock; MB/CPU-s: MB per CPU second spent repairing (summed over workers), the per-core "
        "figure that other load on a shared machine disturbs least",
        f"best of {repeats} interleaved run(s) per row; corpus: {corpus_path}",
    ]
    if jobs_all > 1:
        for task in TASKS:
            a, b = res[f"{task}/1"], res[f"{task}/{jobs_all}"]
            speedup = (b["bytes"] / b["seconds"]) / (a["bytes"] / a["seconds"])
            notes.append(f"{task}: {jobs_all} workers give {speedup:.2f}x one core "
                         f"({speedup / jobs_all:.0%} parallel efficiency)")
    rep.table("Throughput", ["task", "procs", "docs", "MB", "s", "MB/s", "MB/s/core", "MB/CPU-s", "docs/s",
                             "applied|flagged", "peak RSS MB", "load s"], rows, notes)
    results["throughput"] = res


def section_memory(rep: Report, cfg: dict, results: dict, corpus_path: Path) -> None:
    base = cfg["mem_docs"]
    rows, res = [], []
    for k in (1, 2, 4):
        r = run_worker("stream", task="fix", docs=base * k, corpus=corpus_path)
        res.append(r)
        rows.append([base * k, r["bytes"] / MB, r["rss_loaded_mb"], r["rss_peak_mb"],
                     r["rss_peak_mb"] - r["rss_loaded_mb"], r["maxrss_mb"], r["tm_peak_mb"], r["tm_retained_mb"],
                     r["tm_retained_nocache_mb"]])
    growth = [r["rss_peak_mb"] - r["rss_loaded_mb"] for r in res]
    flat = (growth[-1] <= growth[0] + max(8.0, 0.25 * growth[0])
            and res[-1]["tm_retained_nocache_mb"] <= res[0]["tm_retained_nocache_mb"] + 2.0)
    rep.table("Memory while streaming documents through fix (one process, fresh for each row)",
              ["docs", "MB text", "RSS after load MB", "RSS peak MB", "growth MB", "ru_maxrss MB",
               "tracemalloc peak MB", "retained MB", "retained w/o caches MB"], rows,
              ["RSS after load: current RSS once the dictionary and model are loaded; RSS peak: the largest current "
               "RSS sampled after each document; growth = the difference; ru_maxrss: the process's high-water mark "
               "(set by loading the model)",
               "tracemalloc counts Python allocations made while streaming (peak: the largest document's working set; "
               "retained: still allocated after the loop, which would grow with the document count if something "
               "leaked; w/o caches: after emptying the bounded caches (the bigram memo, at most 16,384 entries, and "
               "what each dictionary entry computes on first use), which fill up to their bound and no further)",
               f"flat in the number of documents: {'yes' if flat else 'NO'} (growth {growth[0]:.1f} -> "
               f"{growth[-1]:.1f} MB for {base} -> {4 * base} documents)"])
    results["memory"] = dict(rows=res, flat=flat)


def section_docsize(rep: Report, cfg: dict, results: dict, seed: int) -> None:
    sizes = [corpus_mod.parse_size(s) for s in cfg["docsizes"]]
    budget = cfg["size_budget"]
    res, rows, skipped = [], [], []
    for size in sizes:
        big = [r for r in res if r["size"] >= 100_000]
        if res:
            # Project this size's fix + fix-ref cost from the last size, with the worst growth
            # seen from 100 KB up (linear if there is no such pair yet).
            prev = res[-1]
            exponent = max([1.0] + [_exponent(a, b, "fix_ref") for a, b in zip(big, big[1:])])
            projected = (prev.get("fix", 0) + prev.get("fix_ref", 0)) * (size / prev["size"]) ** exponent
            if projected > budget:
                skipped.append(f"{corpus_mod.human(size)} skipped: fix + fix-ref projected at {projected:.0f} s "
                               f"> budget {budget:.0f} s (--size-budget)")
                break
        # Two processes, so that each measures the memory of its first stage from a clean start:
        # without a reference (fix first), then with one (fix_ref first).
        min_time = 0.3 if size < 10**6 else 3.0
        r = run_worker("docsize", size=size, seed=seed, min_time=min_time, budget=budget,
                       stages="fix,cleanup,tokenize,match", timeout=budget * 4)
        r2 = run_worker("docsize", size=size, seed=seed, min_time=min_time, budget=max(5.0, budget - r["seconds"]),
                        stages="fix_ref,pair,align", timeout=budget * 4)
        for k, v in r2.items():
            if isinstance(v, dict):
                r.setdefault(k, {}).update(v)
            elif isinstance(v, list):
                r.setdefault(k, []).extend(v)
            elif k not in r:
                r[k] = v
        res.append(r)
        for c, secs in r.get("timed_out", {}).items():
            skipped.append(f"{corpus_mod.human(size)}: {c} stopped after {secs:.0f} s (budget {budget:.0f} s for the "
                           f"size): more than {secs / (r['bytes'] / MB):.1f} s/MB")
        if r["skipped"]:
            skipped.append(f"{corpus_mod.human(size)}: stages {', '.join(r['skipped'])} skipped (budget "
                           f"{budget:.0f} s spent)")
    ref_i = next((i for i, r in enumerate(res) if r["size"] >= 100_000), len(res) - 1)
    ref_row = res[ref_i]
    cols = ["fix", "fix_ref", "cleanup", "tokenize", "match", "pair", "align"]
    for r in res:
        mb = r["bytes"] / MB
        ratio = ""
        if "fix_ref" in r and "fix_ref" in ref_row:
            ratio = (r["fix_ref"] / mb) / (ref_row["fix_ref"] / (ref_row["bytes"] / MB))
        timed_out = r.get("timed_out", {})
        rows.append([corpus_mod.human(r["size"]), r.get("tokens", "")]
                    + [r[c] / mb if c in r else (f"> {_fmt(timed_out[c] / mb)}" if c in timed_out else "-")
                       for c in cols] + [ratio, f"{r['paired']:.1%}" if "paired" in r else "-"]
                    + [r.get("rss_stage_mb", {}).get(k, "-") for k in ("fix", "fix_ref")])
    notes = ["CPU s/MB of input (time.process_time, best of repeats for short stages; the garbage collector paused, as "
        "repair_text pauses it) for each stage: fix = whole "
             "repair_text without reference (detect runs the same); "
             "fix_ref = repair_text with a reference of the same size (the document's clean wording); cleanup "
             "(ftfy), tokenize, dictionary match; pair = pair_sentences, align = reference_candidates (pairing + "
             "word alignment + candidates)",
             f"fix_ref ratio = fix_ref s/MB relative to the {corpus_mod.human(ref_row['size'])} document (1.0 = "
             "linear); paired = share of the input sentences that pair_sentences pairs with a reference sentence "
             "(the reference is the document's own clean wording, so ~100% is right); fix / fix_ref MB = peak "
             "current RSS during that stage (sampled every 20 ms) minus the RSS "
             "just before it (dictionary, model, text and reference loaded): the working memory of repairing "
             "one document of that size",
             "below 100 KB the documents are short prefixes of the same feed, so s/MB there reflects their content "
             "as much as their size; growth is judged from 100 KB up (flagged when time grows faster than "
             "size^1.15, i.e. s/MB x1.4 per tenfold size)"]
    flags = []
    for c in cols:
        for a, b in zip(res, res[1:]):
            if a["size"] >= 100_000 and c in a and c in b.get("timed_out", {}):
                lower = (b["timed_out"][c] / b["bytes"]) / (a[c] / a["bytes"])
                if lower > 1.8:
                    flags.append(f"SUPERLINEAR: {c} from {corpus_mod.human(a['size'])} to "
                                 f"{corpus_mod.human(b['size'])}: s/MB more than x{lower:.1f} (stopped at the budget)")
                continue
            if a["size"] < 100_000 or c not in a or c not in b:
                continue
            e = _exponent(a, b, c)
            per_mb_ratio = (b[c] / b["bytes"]) / (a[c] / a["bytes"])
            if e > 1.15:
                flags.append(f"SUPERLINEAR: {c} from {corpus_mod.human(a['size'])} to {corpus_mod.human(b['size'])}: "
                             f"time ~ size^{e:.2f} (s/MB x{per_mb_ratio:.1f})"
                             + (", quadratic-like" if e > 1.4 else ""))
    notes += skipped + (flags or ["every stage stays linear from 100 KB up (time ~ size^e with e <= 1.15)"])
    rep.table("Scaling with document size (one document, fresh process per size)",
              ["size", "tokens"] + [f"{c} s/MB" for c in cols] + ["fix_ref ratio", "paired", "fix MB", "fix_ref MB"],
              rows,
              notes)
    results["docsize"] = dict(rows=res, flags=flags, skipped=skipped)


def _exponent(a: dict, b: dict, key: str) -> float:
    if key not in a or key not in b or a[key] <= 0 or b[key] <= 0:
        return 1.0
    return math.log(b[key] / a[key]) / math.log(b["bytes"] / a["bytes"])


# --- synthetic dictionaries --------------------------------------------------

def synthetic_dictionary_tsv(n: int, doc, seed: int = 7, hit_entries: int = 500,
                             context_share: float = 0.1) -> str:
    """``n`` entries in the dictionary TSV format.

    The first ``hit_entries`` are the same at every size: 1-3 word n-gram types
    that occur in ``doc`` (drawn by type, so rare ones dominate, like real spun
    phrases; no all-stopword n-grams). The rest are random 2-4 word
    combinations of the document's vocabulary, which almost never occur. So
    the number of hits stays about the same while the dictionary grows, and
    matching time per MB isolates the cost of the dictionary's size.
    ``context_share`` of the entries carry a context condition."""
    words = [w for w in doc.norms if w[0].isalpha()]
    vocab = sorted(set(words))
    counts = Counter(words)
    common = {w for w, _ in counts.most_common(60)}
    grams = set()
    for k in (1, 2, 3):
        for i in range(0, len(words) - k):
            g = tuple(words[i:i + k])
            if all(w in common for w in g):
                continue
            grams.add(g)
    grams = sorted(grams)
    random.Random(f"synthetic-hits:{seed}").shuffle(grams)
    rng = random.Random(f"synthetic:{seed}:{n}")
    keys: set[tuple] = set()
    lines = ["spun\toriginal\tconfidence\tcontext\tsource"]
    gi = 0
    while len(keys) < n:
        if len(keys) < hit_entries and gi < len(grams):
            phrase = grams[gi]
            gi += 1
        else:
            phrase = tuple(rng.choice(vocab) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        if phrase in keys:
            continue
        keys.add(phrase)
        original = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 3)))
        if original.split() == list(phrase):
            original = "x" + original
        context = ""
        if rng.random() < context_share:
            context = rng.choice(("!before=the|a", "after=of|in|<p>", "before=<s>", "!after=<num>"))
        lines.append(f"{' '.join(phrase)}\t{original}\t{rng.uniform(0.3, 0.95):.2f}\t{context}\tsynthetic benchmark")
    return "\n".join(lines) + "\n"


def _automaton_only(d, doc) -> float | None:
    """CPU seconds of the bare automaton pass over the document's token stream
    (PhraseDictionary internals: returns None if they are not there)."""
    automaton = getattr(d, "_automaton", None)
    if automaton is None or not hasattr(automaton, "iter"):
        return None
    stream = " " + " ".join(doc.norms) + " "
    try:
        return _timeit(lambda: sum(1 for _ in automaton.iter(stream)), 0.3)
    except Exception:
        return None


def _loop_peer(phrases: list[str], regexes: list, stream: str) -> int:
    """The common approach: for each phrase, a substring test, then one regex per phrase."""
    hits = 0
    for phrase, rx in zip(phrases, regexes):
        if phrase in stream:
            for _ in rx.finditer(stream):
                hits += 1
    return hits


def _peer_regex(phrase: str):
    # Whole words on the normalized token stream, where tokens are separated by
    # single spaces: a leading literal space (so the regex engine can search
    # for the literal prefix) and a look-ahead for the closing one.
    return re.compile(" " + re.escape(phrase) + "(?= )")


def section_dictsize(rep: Report, cfg: dict, results: dict, seed: int) -> None:
    from repair.dictionary import PhraseDictionary, parse_text, shipped_dictionary_paths
    from repair.text import tokenize
    from repair.clean import clean_text

    text, _ = corpus_mod.Corpus(seed).big_document(corpus_mod.parse_size(cfg["dict_text"]), seed_offset=11)
    doc = tokenize(clean_text(text)[0])
    mb = len(text.encode("utf-8")) / MB
    rows, res = [], []
    shipped = PhraseDictionary.load(shipped_dictionary_paths())
    t = _timeit(lambda: shipped.match(doc), 0.5)
    t_auto = _automaton_only(shipped, doc)
    hits = sum(len(m.entries) for m in shipped.match(doc))
    rows.append(["shipped", len(shipped), "", "", t / mb, t_auto / mb if t_auto else "", hits / mb, "", ""])
    base = None
    for n in cfg["dictsizes"]:
        tsv = synthetic_dictionary_tsv(n, doc)
        t0 = time.perf_counter()
        entries = parse_text(tsv, f"synthetic-{n}.tsv")
        t1 = time.perf_counter()
        d = PhraseDictionary(entries)
        t2 = time.perf_counter()
        t_match = _timeit(lambda: d.match(doc), 0.5)
        t_auto = _automaton_only(d, doc)
        matches = d.match(doc)
        hits = sum(len(m.entries) for m in matches)
        base = base or t_match
        peer = ""
        if n <= 10000:
            plain = [e for e in entries if not e.context]
            phrases = [" ".join(e.spun) for e in plain]
            regexes = [_peer_regex(p) for p in phrases]
            stream = " " + " ".join(doc.norms) + " "
            # Fewer, shorter runs for the peer: it is slow by design.
            t_peer = _timeit(lambda: _loop_peer(phrases, regexes, stream), 0.0) * len(entries) / max(len(plain), 1)
            peer = t_peer / mb
        r = dict(entries=n, parse_s=t1 - t0, build_s=t2 - t1, match_s_mb=t_match / mb, hits_mb=hits / mb,
                 ratio=t_match / base, peer_s_mb=peer or None, automaton_s_mb=t_auto / mb if t_auto else None)
        res.append(r)
        rows.append([f"synthetic {n // 1000}k", n, t1 - t0, t2 - t1, t_match / mb, t_auto / mb if t_auto else "",
                     hits / mb, t_match / base, peer])
    flat = res[-1]["ratio"] <= 2.0
    rep.table(f"Scaling with dictionary size (matching a {mb:.1f} MB tokenized document)",
              ["dictionary", "entries", "parse_text s", "index s", "match s/MB", "automaton s/MB", "hits/MB",
               "match ratio", "loop peer s/MB"], rows,
              ["synthetic entries in the TSV format (parse_text): the same 500 n-grams that occur in the text at "
               "every size, the rest random 2-4 word vocabulary combinations that almost never occur (so hits/MB "
               "stays about constant); 10% carry a context condition",
               "match = PhraseDictionary.match on an already tokenized document (the automaton pass plus context "
               "checks and Match objects per hit), CPU seconds per MB; ratio = relative to the smallest synthetic "
               "dictionary; parse_text and index (automaton build) in wall seconds",
               "automaton = the bare Aho-Corasick pass over the token stream (the C part of match; absent if the "
               "dictionary's internals change)",
               "loop peer (<= 10k entries): `phrase in text` + one compiled regex per phrase, scaled to all entries",
               f"matching time flat in dictionary size: {'yes' if flat else 'NO'} "
               f"(x{res[-1]['ratio']:.2f} from {res[0]['entries']:,} to {res[-1]['entries']:,} entries)"])
    results["dictsize"] = dict(rows=res, flat=flat)


def _difflib_blocks(src: list[str], dst: list[str]) -> list[tuple[int, int, int, int]]:
    """Like reference._difference_blocks, with difflib's opcodes."""
    blocks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, src, dst, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if blocks and blocks[-1][1] == i1 and blocks[-1][3] == j1:
            blocks[-1][1], blocks[-1][3] = i2, j2
        else:
            blocks.append([i1, i2, j1, j2])
    return [tuple(b) for b in blocks]


def _changed_words(blocks) -> int:
    return sum(max(j - i, rj - ri) for i, j, ri, rj in blocks)


def section_peers(rep: Report, cfg: dict, results: dict, seed: int) -> None:
    from rapidfuzz.distance import Indel

    from repair.clean import clean_text
    from repair.config import RepairConfig
    from repair.dictionary import PhraseDictionary, parse_text, shipped_dictionary_paths
    from repair.reference import _difference_blocks, pair_sentences
    from repair.text import tokenize

    import dataclasses

    corpus = corpus_mod.Corpus(seed)
    rows, res = [], {}
    # 1. Dictionary matching: one pass against a loop over the phrase list, at n entries.
    text, _ = corpus.big_document(corpus_mod.parse_size(cfg["peer_text"]), seed_offset=23)
    doc = tokenize(clean_text(text)[0])
    mb = len(text.encode("utf-8")) / MB
    stream = " " + " ".join(doc.norms) + " "
    lower = text.lower()
    n = cfg["peer_entries"]
    # (a) the shipped entries, context and case conditions dropped so that both sides find
    # exactly the same phrase occurrences, padded to n with synthetic phrases that rarely occur;
    # (b) n synthetic entries of which 500 occur in the text.
    shipped = {e.spun: dataclasses.replace(e, context=(), surface=None)
               for e in PhraseDictionary.load(shipped_dictionary_paths()).entries}
    pad = [e for e in parse_text(synthetic_dictionary_tsv(n, doc, hit_entries=0, context_share=0.0), "pad.tsv")
           if e.spun not in shipped][: max(0, n - len(shipped))]
    variants = [("shipped + padding", list(shipped.values()) + pad),
                ("synthetic", parse_text(synthetic_dictionary_tsv(n, doc, context_share=0.0), f"synthetic-{n}.tsv"))]
    t_tok = _timeit(lambda: tokenize(clean_text(text)[0]), 0.3)
    notes = []
    for label, entries in variants:
        d = PhraseDictionary(entries)
        t_ours = _timeit(lambda: d.match(doc), 0.5)
        ours_hits = len(d.match(doc))
        phrases = sorted({" ".join(e.spun) for e in entries})
        t0 = time.perf_counter()
        regexes = [_peer_regex(p) for p in phrases]
        t_compile = time.perf_counter() - t0
        t_peer = _timeit(lambda: _loop_peer(phrases, regexes, stream), 1.0, max_repeats=5)
        peer_hits = _loop_peer(phrases, regexes, stream)
        # The public detectors' shape on raw lower-cased text (\b boundaries), for the record.
        raw_regexes = [re.compile(r"\b" + re.escape(p) + r"\b") for p in phrases]
        t_raw = _timeit(lambda: _loop_peer(phrases, raw_regexes, lower), 1.0, max_repeats=5)
        ratio = t_peer / t_ours
        rows.append([f"match, {len(entries):,} entries ({label}), {mb:.2f} MB", "PhraseDictionary.match", t_ours,
                     ours_hits, "loop: `in` + regex per phrase", t_peer, peer_hits, ratio])
        rows.append(["  ours incl. cleanup+tokenize; peer on text.lower()", "cleanup+tokenize+match",
                     t_ours + t_tok, "", "same loop, \\b regexes", t_raw, "", t_raw / (t_ours + t_tok)])
        res["match" if label.startswith("shipped") else "match_synthetic"] = dict(
            entries=len(entries), mb=mb, ours_s=t_ours, ours_tokenize_s=t_tok, ours_hits=ours_hits, peer_s=t_peer,
            peer_hits=peer_hits, peer_compile_s=t_compile, ratio=ratio, raw_peer_s=t_raw,
            ratio_incl_tokenize=t_raw / (t_ours + t_tok), same_hits=ours_hits == peer_hits)
        notes.append(f"{label}: same occurrences found: {'yes' if ours_hits == peer_hits else 'NO'} "
                     f"({ours_hits} vs {peer_hits}); compiling the peer's {len(phrases):,} regexes took "
                     f"{t_compile:.2f} s more (not counted)")
    # 2. Alignment: rapidfuzz (ours) against difflib on the same sentence pairs.
    config = RepairConfig()
    pairs, docs = [], []
    for doc_ in corpus.documents():
        if doc_.reference is None or not doc_.kind.startswith("spun"):
            continue
        a = tokenize(clean_text(doc_.text)[0])
        b = tokenize(clean_text(doc_.reference)[0])
        docs.append((a, b))
        for p in pair_sentences(a, b, config):
            s, e = a.sentences[p.input_sentence]
            rs, re_ = b.sentences[p.reference_sentence]
            pairs.append((a.norms[s:e], b.norms[rs:re_]))
        if len(docs) >= cfg["align_docs"]:
            break
    t_rf = _timeit(lambda: [_difference_blocks(s, r) for s, r in pairs], 0.5)
    t_dl = _timeit(lambda: [_difflib_blocks(s, r) for s, r in pairs], 0.5, max_repeats=20)
    same = sum(1 for s, r in pairs if _difference_blocks(s, r) == _difflib_blocks(s, r))
    rf_words = sum(_changed_words(_difference_blocks(s, r)) for s, r in pairs)
    dl_words = sum(_changed_words(_difflib_blocks(s, r)) for s, r in pairs)
    rows.append([f"word alignment, {len(pairs):,} sentence pairs", "Levenshtein.opcodes blocks", t_rf,
                 f"{rf_words} words", "SequenceMatcher.get_opcodes", t_dl, f"{dl_words} words", t_dl / t_rf])
    t_rs = _timeit(lambda: [Indel.normalized_similarity(s, r) for s, r in pairs], 0.3)
    t_ds = _timeit(lambda: [difflib.SequenceMatcher(None, s, r, autojunk=False).ratio() for s, r in pairs], 0.3,
                   max_repeats=20)
    rows.append(["sentence similarity, same pairs", "Indel.normalized_similarity", t_rs, "",
                 "SequenceMatcher.ratio", t_ds, "", t_ds / t_rs])
    # Sentence pairing per document: our inverted index + rapidfuzz against difflib over all sentence pairs.
    some = docs[: max(10, len(docs) // 4)]
    t_pair = _timeit(lambda: [pair_sentences(a, b, config) for a, b in some], 0.3)
    t_naive = _timeit(lambda: [_naive_pairing(a, b) for a, b in some], 0.0, max_repeats=3)
    rows.append([f"sentence pairing, {len(some)} documents", "pair_sentences (index + Indel)", t_pair, "",
                 "SequenceMatcher.ratio, all pairs", t_naive, "", t_naive / t_pair])
    res["align"] = dict(pairs=len(pairs), ours_s=t_rf, difflib_s=t_dl, ratio=t_dl / t_rf, same_blocks=same,
                        ours_words=rf_words, difflib_words=dl_words, sim_ratio=t_ds / t_rs,
                        pairing_ratio=t_naive / t_pair)
    rep.table("Side by side (same input, one run)",
              ["workload", "ours", "ours s", "ours found", "peer", "peer s", "peer found", "peer/ours"], rows,
              ["times are CPU seconds of this process (best of repeats); the peer runs on our normalized token stream (tokens joined by spaces) so that both see the same "
               "words; the shipped entries' context and case conditions are dropped for this comparison"] + notes + [
               f"word alignment: identical blocks in {same}/{len(pairs)} pairs ({same / max(len(pairs), 1):.0%}); "
               "both are minimal edit scripts but may place equal-cost edits differently"])
    results["peers"] = res


def _naive_pairing(a, b) -> list[int]:
    ref_words = [b.norms[s:e] for s, e in b.sentences]
    best = []
    for s, e in a.sentences:
        words = a.norms[s:e]
        scores = [difflib.SequenceMatcher(None, words, r, autojunk=False).ratio() for r in ref_words]
        best.append(max(range(len(scores)), key=scores.__getitem__) if scores else -1)
    return best


def section_targets(rep: Report, results: dict, jobs_all: int) -> list[str]:
    rows, missed = [], []
    tp = results.get("throughput", {})

    def add(name, target, value, ok, unit=""):
        rows.append([name, target, value if value is not None else "n/a", "yes" if ok else ("NO" if value is not None else "n/a")])
        if value is not None and not ok:
            missed.append(name)

    for task, key, label in (("fix", "fix_mb_s_core", "fix without reference, MB/s per core"),
                             ("detect", "detect_mb_s_core", "detect, MB/s per core")):
        one = tp.get(f"{task}/1")
        val = one["bytes"] / MB / one["seconds"] if one else None
        add(label + " (1 process, wall)", f">= {TARGETS[key]}", val, val is not None and val >= TARGETS[key])
        if one:
            v = one["bytes"] / MB / one["cpu_s"]
            add(label + " (1 process, per CPU second)", f">= {TARGETS[key]}", v, v >= TARGETS[key])
        allc = tp.get(f"{task}/{jobs_all}")
        if allc and jobs_all > 1:
            v = allc["bytes"] / MB / allc["seconds"] / jobs_all
            add(label + f" ({jobs_all} processes, wall / {jobs_all})", f">= {TARGETS[key]}", v, v >= TARGETS[key])
    peer = results.get("peers", {}).get("match")
    add("loop-over-phrases slower at 10k entries (x)", f">= {TARGETS['peer_ratio']}",
        peer["ratio"] if peer else None, bool(peer and peer["ratio"] >= TARGETS["peer_ratio"]))
    cli = results.get("cli")
    add("CLI start-up, repair fix tiny file (wall s)", f"< {TARGETS['cli_s']}", cli["fix_s"] if cli else None,
        bool(cli and cli["fix_s"] < TARGETS["cli_s"]))
    add("CLI start-up, repair fix tiny file (CPU s)", f"< {TARGETS['cli_s']}", cli["fix_cpu_s"] if cli else None,
        bool(cli and cli["fix_cpu_s"] < TARGETS["cli_s"]))
    add("CLI start-up, repair --help (s)", f"< {TARGETS['cli_s']}", cli["help_s"] if cli else None,
        bool(cli and cli["help_s"] < TARGETS["cli_s"]))
    mem = results.get("memory")
    add("memory flat in the number of documents", "flat", ("flat" if mem["flat"] else "grows") if mem else None,
        bool(mem and mem["flat"]))
    ds = results.get("docsize")
    add("time linear in document size (1 KB .. 10 MB)", "no superlinear stage",
        (f"{len(ds['flags'])} flag(s)" + (", sizes skipped" if ds["skipped"] else "")) if ds else None,
        bool(ds and not ds["flags"] and not ds["skipped"]))
    dz = results.get("dictsize")
    add("matching time flat in dictionary size (x, smallest->largest)", "<= 2",
        dz["rows"][-1]["ratio"] if dz else None, bool(dz and dz["flat"]))
    rep.table("Targets (reported, not asserted)", ["target", "wanted", "measured", "met"], rows)
    results["targets"] = dict(rows=rows, missed=missed)
    return missed


def section_profile(rep: Report, cfg: dict, results: dict, corpus_path: Path) -> None:
    load_state()
    limit = corpus_mod.parse_size(cfg["profile_bytes"])
    for task in ("fix", "fix-ref"):
        docs = list(iter_corpus(corpus_path, limit))
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for text, ref in docs:
            run_task(task, text, ref)
        prof.disable()
        wall = time.perf_counter() - t0
        stats = pstats.Stats(prof)
        total = stats.total_tt
        entries = []
        for (file, line, func), (cc, nc, tt, ct, _) in stats.stats.items():
            entries.append((tt, ct, nc, _short(file), line, func))
        entries.sort(reverse=True)
        rows = [[f"{f}:{ln}({fn})", nc, tt, tt / total, ct] for tt, ct, nc, f, ln, fn in entries[:18]]
        cum = sorted(entries, key=lambda e: -e[1])
        cum_rows = [[f"{f}:{ln}({fn})", nc, ct, ct / total] for tt, ct, nc, f, ln, fn in cum
                    if f.startswith("repair/")][:14]
        n_bytes = sum(len(t.encode("utf-8")) for t, _ in docs)
        note = (f"{len(docs)} documents, {n_bytes / MB:.2f} MB, {wall:.1f} s under cProfile "
                f"({n_bytes / MB / wall:.2f} MB/s with profiling overhead)")
        rep.table(f"Profile of {task}: top functions by own time (cProfile)",
                  ["function (file:line)", "calls", "own s", "share", "cumulative s"], rows, [note])
        rep.table(f"Profile of {task}: repair/ functions by cumulative time",
                  ["function (file:line)", "calls", "cumulative s", "share"], cum_rows)
        results.setdefault("profile", {})[task] = dict(top=rows, cumulative=cum_rows, note=note)


def _profile_by_function(fn) -> dict:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    out = {}
    for (file, line, func), (cc, nc, tt, ct, _) in pstats.Stats(prof).stats.items():
        out[f"{_short(file)}:{line}({func})"] = (ct, tt, nc)
    return out


def section_growth_profile(rep: Report, cfg: dict, results: dict, seed: int) -> None:
    """Which functions take more time per MB on a 10x larger document (fix with a reference)."""
    from repair.pipeline import repair_text

    load_state()
    d, config = _STATE["dictionary"], _STATE["config"]
    small, large = cfg.get("growth_sizes", (100_000, 1_000_000))
    c = corpus_mod.Corpus(seed)
    prof = {}
    for size in (small, large):
        text, ref = c.big_document(size)
        mb = len(text.encode("utf-8")) / MB
        prof[size] = (mb, _profile_by_function(
            lambda: repair_text(text, references=[("ref", ref)], dictionary=d, config=config)))
    (mb_a, pa), (mb_b, pb) = prof[small], prof[large]
    rows = []
    for name, (ct_b, tt_b, nc_b) in pb.items():
        if not name.startswith("repair/") or name not in pa:
            continue
        ct_a, tt_a, nc_a = pa[name]
        per_a, per_b = tt_a / mb_a, tt_b / mb_b
        if tt_b < 0.05 * mb_b:
            continue
        rows.append([name, nc_a, nc_b, per_a, per_b, per_b / per_a if per_a else float("inf"), ct_b / mb_b])
    rows.sort(key=lambda r: -(r[4] - r[3]))
    rep.table(f"Growth profile: fix with reference, own time per MB at {corpus_mod.human(small)} and "
              f"{corpus_mod.human(large)} (cProfile)",
              ["function (file:line)", "calls small", "calls large", "own s/MB small", "own s/MB large", "ratio",
               "cumulative s/MB large"], rows[:12],
              ["sorted by how much own time per MB grows; a ratio near 1 is linear, near 10 is quadratic "
               "(calls that stay proportional to size while own time grows 10x point at a scan inside a loop)"])
    results.setdefault("profile", {})["growth"] = rows[:12]


def _short(file: str) -> str:
    f = file.replace("\\", "/")
    root = str(ROOT).replace("\\", "/") + "/"
    if f.startswith(root):
        return f[len(root):]
    m = re.search(r"site-packages/(.*)", f)
    if m:
        return m.group(1)
    m = re.search(r"lib/python3\.\d+/(.*)", f)
    return ("stdlib/" + m.group(1)) if m else f


# =============================================================================
# Main
# =============================================================================

def code_fingerprint() -> str:
    """Short hash of the code and dictionaries measured (repair/*.py, dictionaries/*.tsv)."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(list((ROOT / "repair").glob("*.py")) + list((ROOT / "dictionaries").glob("*.tsv"))):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def prepare_corpus(args, cfg: dict, workdir: Path, rep: Report) -> Path:
    if args.corpus:
        p = Path(args.corpus)
        if p.is_dir():
            p = p / "corpus.jsonl"
        if not p.exists():
            raise SystemExit(f"run.py: no corpus.jsonl at {args.corpus}")
        return p
    size = corpus_mod.parse_size(cfg["sample"])
    out = workdir / f"corpus-{cfg['sample']}-seed{args.seed}"
    summary_path = out / "corpus.summary.json"
    if summary_path.exists():
        s = json.loads(summary_path.read_text())
        if s.get("text_bytes", 0) >= size and s.get("seed") == args.seed and (out / "corpus.jsonl").exists():
            rep.note(f"corpus: reusing {out} ({s['documents']} documents, {s['text_bytes'] / MB:.1f} MB)")
            return out / "corpus.jsonl"
    t0 = time.perf_counter()
    s = corpus_mod.write_corpus(out, size, args.seed, "jsonl", progress=size >= 10**8)
    rep.note(f"corpus: generated {s['documents']} documents, {s['text_bytes'] / MB:.1f} MB of text "
             f"(+{s['reference_bytes'] / MB:.1f} MB references) in {time.perf_counter() - t0:.1f} s at {out}; "
             f"kinds: {', '.join(f'{k} {v}' for k, v in s['kinds'].items())}")
    return out / "corpus.jsonl"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n", 2)[2])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="about 2 minutes")
    mode.add_argument("--full", action="store_true", help="1 GB corpus: hours at today's speed")
    parser.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--corpus", help="use this corpus.jsonl (or a directory holding one) from corpus.py")
    parser.add_argument("--sample", help="text bytes for the throughput runs (e.g. 3MB; default by preset: "
                                         "quick 1MB, default 3MB, full 1GB)")
    parser.add_argument("--workdir", help="where to write corpora (default: a temporary directory; "
                                          "--full: /tmp/spin-repair-bench, kept and reused)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for 'all cores'")
    parser.add_argument("--profile", action="store_true", help="profile even when the speed targets are met")
    parser.add_argument("--no-profile", action="store_true", help="never profile")
    parser.add_argument("--size-budget", type=float, help="seconds allowed for one document size in docsize "
                                                          "(a larger size projected to exceed it is skipped)")
    parser.add_argument("--plain", action="store_true", help="plain-text tables instead of rich (plain is the "
                                                             "default when stdout is not a terminal)")
    parser.add_argument("--json", dest="json_out", help="also write every figure as JSON here")
    parser.add_argument("--markdown", help="also write the tables as Markdown here")
    # Internal: subprocess workers.
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--task", choices=TASKS, default="fix", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=float, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--chunk-bytes", type=int, default=32000, help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=10**6, help=argparse.SUPPRESS)
    parser.add_argument("--min-time", type=float, default=0.3, help=argparse.SUPPRESS)
    parser.add_argument("--no-ref", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=300, help=argparse.SUPPRESS)
    parser.add_argument("--stages", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return 0

    preset = "quick" if args.quick else "full" if args.full else "default"
    cfg = dict(PRESETS[preset])
    if args.size_budget:
        cfg["size_budget"] = args.size_budget
    if args.sample:
        corpus_mod.parse_size(args.sample)
        cfg["sample"] = args.sample
        cfg["single_sample"] = None
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    rep = Report(args.plain)
    started = time.perf_counter()
    tmp = None
    if args.workdir:
        workdir = Path(args.workdir)
    elif args.full:
        workdir = Path(tempfile.gettempdir()) / "spin-repair-bench"
    else:
        tmp = tempfile.TemporaryDirectory(prefix="spin-repair-bench-")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    from repair import __version__

    fingerprint = code_fingerprint()
    header = (f"spin-repair {__version__} (code {fingerprint}) benchmarks, {preset} run, "
              f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; Python {platform.python_version()}, "
              f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
              f"all-cores runs use {args.jobs} processes; load average at start "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rep.note(header)
    results: dict = dict(preset=preset, header=header, jobs=args.jobs, seed=args.seed, code=fingerprint)
    try:
        needs_corpus = only & {"throughput", "memory", "profile"}
        corpus_path = prepare_corpus(args, cfg, workdir, rep) if needs_corpus else None
        if "load" in only:
            section_load(rep, cfg, results)
        if "cli" in only:
            section_cli(rep, cfg, results, workdir)
        if "throughput" in only:
            section_throughput(rep, cfg, results, corpus_path, args.jobs)
        if "memory" in only:
            section_memory(rep, cfg, results, corpus_path)
        if "docsize" in only:
            section_docsize(rep, cfg, results, args.seed)
        if "dictsize" in only:
            section_dictsize(rep, cfg, results, args.seed)
        if "peers" in only:
            section_peers(rep, cfg, results, args.seed)
        missed = section_targets(rep, results, args.jobs) if "targets" in only else []
        speed_missed = any(m.startswith(("fix", "detect")) for m in missed)
        if "profile" in only and not args.no_profile and (speed_missed or args.profile):
            section_profile(rep, cfg, results, corpus_path)
        linear_missed = bool(results.get("docsize", {}).get("flags"))
        if "profile" in only and not args.no_profile and (linear_missed or args.profile):
            section_growth_profile(rep, cfg, results, args.seed)
    finally:
        if tmp is not None:
            tmp.cleanup()
    elapsed = time.perf_counter() - started
    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if code_fingerprint() != fingerprint:
        rep.note(f"WARNING: repair/ or dictionaries/ changed during the run (code {fingerprint} -> "
                 f"{code_fingerprint()}): the figures mix two versions")
        results["code_changed"] = True
    rep.note(f"total benchmark time: {elapsed / 60:.1f} min; load average at the end {load_end}")
    results["load_average_end"] = load_end
    results["elapsed_s"] = elapsed
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(
            rep.markdown(f"_{header}; {elapsed / 60:.1f} min; load average at the end {load_end}_") + "\n",
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
