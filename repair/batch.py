"""Repair many documents: inputs streamed in, outputs written atomically, resumable.

The unit of work is :func:`repair_document`: a :class:`Job` (small, picklable:
where to read the document and where to write it) in, a summary record (a
plain dict) out. It reads its input itself, writes its outputs itself and
keeps nothing but a per-process cache of the loaded dictionary and model, so
any executor can map it over jobs: :func:`run_serial` (in this process),
:func:`run_pool` (a process pool whose initializer loads the dictionary and the
model once per worker), or :func:`repair.distributed.run_dask` (a Dask
cluster, ``--scheduler``).

INPUTs, OUTDIR and --reference-dir may also be fsspec URLs (``s3://...``,
``file://...``): those are listed, read and written by
:mod:`repair.distributed`; plain paths never touch fsspec.

Layout of an output directory::

    OUTDIR/<relative path>                 the repaired text
    OUTDIR/<relative path>.changes.jsonl   its change log
    OUTDIR/.state/<relative path>.json     its summary record (written last:
                                           the document's "done" marker)
    OUTDIR/summary.json, OUTDIR/summary.md every document of the run, totals

The relative path of a file found in a directory INPUT is its path below that
directory; of a file named on the command line, its file name; of a JSON
Lines document, its ``id`` (``.txt`` added unless it ends so). Whatever the
names, every path is cleaned (no ``..``, no absolute paths, no hidden or
reserved names) and checked to stay inside OUTDIR; two documents that would
land on the same path get ``~2``, ``~3``... suffixes.
"""
from __future__ import annotations

import csv
import fnmatch
import gc
import hashlib
import json
import os
import re
import signal
import stat
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Callable, Iterable, Iterator

from .changelog import dumps
from .config import RepairConfig
from .files import DEFAULT_MAX_BYTES, InputError, read_text, write_text_atomic

LOG_SUFFIX = ".changes.jsonl"
STATE_DIR = ".state"
RESERVED = frozenset({"summary.json", "summary.md", "review", STATE_DIR})
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_MAX_COMPONENT_BYTES = 200  # leaves room for ".changes.jsonl" and temp-file prefixes
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f:*?"<>|]')  # controls, and what Windows refuses in names


class BatchError(Exception):
    """A batch that cannot start (bad arguments, unusable OUTDIR); one line for the user."""


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Settings:
    """What every document of a batch is repaired with (picklable)."""

    dictionary_paths: tuple[str, ...] = ()
    min_confidence: float = RepairConfig.min_confidence
    max_bytes: int = DEFAULT_MAX_BYTES
    known_spun: bool = False

    def config(self) -> RepairConfig:
        return RepairConfig(min_confidence=self.min_confidence, use_dictionary=bool(self.dictionary_paths),
                            known_spun=self.known_spun)

    def fingerprint(self) -> str:
        """Changes when the options or a dictionary file change (then --resume redoes the documents)."""
        return _settings_fingerprint(self)


def _settings_fingerprint(settings: Settings) -> str:
    """Of the options and of each dictionary's file name and content (not its
    directory or mtime), so that machines with the same dictionaries installed
    in different places agree on it (a Dask cluster)."""
    h = hashlib.sha256()
    h.update(repr((settings.min_confidence,) + ((True,) if settings.known_spun else ())).encode())
    for p in settings.dictionary_paths:
        try:
            h.update(f"{os.path.basename(p)}\0{_file_digest(p)}\0".encode())
        except OSError:
            h.update(f"{os.path.basename(p)}\0missing\0".encode())
    return h.hexdigest()[:16]


_DIGESTS: dict[tuple, str] = {}


def _file_digest(path: str) -> str:
    """SHA-256 of a file, hashed again only when its size, mtime or inode change."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns, st.st_ino)
    digest = _DIGESTS.get(key)
    if digest is None:
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        if len(_DIGESTS) > 1024:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return digest


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*(::[A-Za-z][A-Za-z0-9+.\-]*)*://")


def is_url(path: object) -> bool:
    """Whether ``path`` is an fsspec URL (``s3://...``, ``file://...``, ``simplecache::s3://...``)."""
    return isinstance(path, str) and _URL.match(path) is not None


@dataclass(frozen=True)
class Job:
    """One document: where to read it, where to write it. Holds no text.

    ``id`` is the document's name as the user knows it (a path below an input
    directory, a file name, or a JSON Lines ``id``); ``output`` the cleaned
    relative path of the repaired text inside ``outdir``. A JSON Lines
    document is read back by the worker from ``jsonl`` at byte ``offset``.
    """

    id: str
    output: str
    outdir: str
    settings: Settings
    path: str | None = None
    jsonl: str | None = None
    offset: int = 0
    line: int = 0
    reference: str | None = None
    fingerprint: str = ""
    error: str | None = None  # known bad before reading (e.g. a symlink out of the input tree)

    @property
    def source(self) -> str:
        return f"{self.jsonl}:{self.line}" if self.jsonl else (self.path or "")


def safe_relative_path(name: str, default: str = "document") -> str:
    """``name`` as a relative POSIX path that cannot leave the directory it is joined to.

    ``..``, ``.``, empty parts, drive letters and leading slashes are dropped,
    control characters replaced, parts starting with a dot prefixed with ``_``
    and over-long parts shortened (with a hash, so they stay distinct).
    """
    parts = []
    for part in re.split(r"[/\\]+", _UNSAFE_CHARS.sub("_", name)):
        part = part.strip()
        if part in ("", ".", ".."):
            continue
        if re.fullmatch(r"[A-Za-z]:", part):
            continue
        if part.startswith("."):
            part = "_" + part
        if len(part.encode("utf-8", "surrogatepass")) > _MAX_COMPONENT_BYTES:
            digest = hashlib.sha256(part.encode("utf-8", "surrogatepass")).hexdigest()[:12]
            part = part.encode("utf-8", "surrogatepass")[:_MAX_COMPONENT_BYTES - 13].decode("utf-8", "ignore")
            part = f"{part}~{digest}"
        parts.append(part)
    if not parts:
        parts = [default]
    if parts[0] in RESERVED:
        parts[0] = "_" + parts[0]
    return "/".join(parts)


class _PathClaims:
    """Output paths taken so far in this run (a 16-byte digest each, not the names)."""

    def __init__(self) -> None:
        self._taken: set[bytes] = set()

    @staticmethod
    def _key(path: str) -> bytes:
        return hashlib.blake2b(path.casefold().encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def claim(self, rel: str) -> str:
        candidate, n = rel, 1
        while True:
            keys = (self._key(candidate), self._key(candidate + LOG_SUFFIX))
            if not any(k in self._taken for k in keys):
                self._taken.update(keys)
                return candidate
            n += 1
            stem, dot, ext = rel.rpartition(".")
            if dot and "/" not in ext and stem and not stem.endswith("/"):
                candidate = f"{stem}~{n}.{ext}"
            else:
                candidate = f"{rel}~{n}"


@dataclass
class Sources:
    """Where references come from: a directory searched by file name, or explicit pairs."""

    reference_dir: str | None = None
    pairs: dict[str, str] = field(default_factory=dict)  # input (real path or id) -> reference path

    @classmethod
    def from_pairs_file(cls, path: str) -> "Sources":
        base = Path(path).resolve().parent
        pairs: dict[str, str] = {}
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                for lineno, row in enumerate(csv.reader(fh), 1):
                    if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
                        continue
                    if len(row) != 2:
                        raise BatchError(f"{path}:{lineno}: expected two columns, input,reference")
                    inp, ref = (c.strip() for c in row)
                    if lineno == 1 and (inp.lower(), ref.lower()) == ("input", "reference"):
                        continue
                    pairs[_pair_key(inp, base)] = ref if os.path.isabs(ref) or is_url(ref) else str(base / ref)
                    pairs.setdefault(inp, pairs[_pair_key(inp, base)])  # also by id / as written
        except OSError as exc:
            raise BatchError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise BatchError(f"{path}: not UTF-8") from None
        return cls(pairs=pairs)

    def reference_for(self, path: str | None, doc_id: str) -> str | None:
        if self.pairs:
            if path is not None:
                hit = self.pairs.get(path if is_url(path) else os.path.realpath(path))
                if hit:
                    return hit
            return self.pairs.get(doc_id)
        if self.reference_dir and is_url(self.reference_dir):
            from .distributed import url_reference

            return url_reference(self.reference_dir, safe_relative_path(doc_id))
        if self.reference_dir:
            root = Path(self.reference_dir)
            rel = safe_relative_path(doc_id)
            for candidate in (root / rel, root / PurePosixPath(rel).name):
                if candidate.is_file() and _inside(candidate, root):
                    return str(candidate)
        return None


def _pair_key(inp: str, base: Path) -> str:
    if is_url(inp):
        return inp
    return os.path.realpath(inp if os.path.isabs(inp) else base / inp)


def _inside(path: Path | str, root: Path | str) -> bool:
    """Whether ``path`` (symlinks resolved) is ``root`` or below it."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _file_fingerprint(path: str | None) -> str:
    if not path:
        return "-"
    if is_url(path):
        from .distributed import url_fingerprint

        return url_fingerprint(path)
    try:
        st = os.stat(path)
        return f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return "missing"


def iter_jobs(inputs: Iterable[str], outdir: str, settings: Settings, sources: Sources | None = None,
              pattern: str = "*.txt") -> Iterator[Job]:
    """The batch's documents in a stable order, one at a time (no texts are held).

    Directories are walked recursively (sorted; hidden entries and OUTDIR
    skipped; symlinked directories not entered; a symlinked file is used only
    if it resolves inside the input directory). A ``.jsonl`` INPUT is read a
    line at a time; each line is one document.
    """
    sources = sources or Sources()
    claims = _PathClaims()
    out_real = os.path.realpath(outdir)

    def make(doc_id: str, rel: str, **kw) -> Job:
        output = claims.claim(rel)
        ref = kw.pop("reference", None)
        fp = kw.pop("fingerprint", None) or _file_fingerprint(kw.get("path"))
        fp = f"{fp}|{ref or ''}|{_file_fingerprint(ref) if ref else ''}"
        return Job(id=doc_id, output=output, outdir=outdir, settings=settings, reference=ref,
                   fingerprint=fp, **kw)

    for inp in inputs:
        if is_url(inp):
            from .distributed import url_jobs

            yield from url_jobs(inp, outdir, sources, make, pattern, settings.max_bytes)
            continue
        p = Path(inp)
        if p.is_dir():
            root = os.path.realpath(p)
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                                     and os.path.realpath(os.path.join(dirpath, d)) != out_real)
                for name in sorted(filenames):
                    if name.startswith(".") or not fnmatch.fnmatch(name, pattern):
                        continue
                    full = os.path.join(dirpath, name)
                    doc_id = os.path.relpath(full, p).replace(os.sep, "/")
                    error = None
                    if os.path.islink(full) and not _inside(full, root):
                        error = f"{full}: a symbolic link that leads outside the input directory; skipped"
                    elif not os.path.exists(full):
                        error = f"{full}: a broken symbolic link"
                    elif not os.path.isfile(full):
                        continue  # sockets, FIFOs, devices
                    ref = sources.reference_for(full, doc_id)
                    yield make(doc_id, safe_relative_path(doc_id), path=full, reference=ref, error=error)
        elif p.suffix.lower() in JSONL_SUFFIXES and p.is_file():
            yield from _jsonl_jobs(str(p), sources, make, settings.max_bytes)
        else:
            doc_id = p.name or str(p)
            yield make(doc_id, safe_relative_path(doc_id), path=str(p),
                       reference=sources.reference_for(str(p), doc_id))


def _jsonl_jobs(path: str, sources: Sources, make: Callable[..., Job], max_bytes: int,
                opener: Callable[[str], IO[bytes]] = lambda p: open(p, "rb")) -> Iterator[Job]:
    name = PurePosixPath(path).name
    with opener(path) as fh:
        lineno = 0
        while True:
            offset = fh.tell()
            raw = fh.readline(max_bytes + 2)
            if not raw:
                break
            lineno += 1
            if len(raw) > max_bytes + 1 and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of an over-long line
                    raw = fh.readline(1 << 20)
                doc_id = f"{name}:{lineno}"
                yield make(doc_id, safe_relative_path(f"{name}-{lineno}.txt"), jsonl=path, offset=offset,
                           line=lineno, fingerprint="too-large",
                           error=f"{path}:{lineno}: line too large (more than {max_bytes:,} bytes)")
                continue
            if not raw.strip():
                continue
            doc_id, fingerprint = f"{name}:{lineno}", hashlib.sha256(raw).hexdigest()[:16]
            try:
                data = json.loads(raw)
                if isinstance(data, dict) and isinstance(data.get("id"), (str, int)) and str(data["id"]).strip():
                    doc_id = str(data["id"])
            except ValueError:
                pass  # the worker reports it, as this document's error
            rel = safe_relative_path(doc_id, default=f"{name}-{lineno}")
            if not rel.lower().endswith(".txt"):
                rel += ".txt"
            yield make(doc_id, rel, jsonl=path, offset=offset, line=lineno, fingerprint=fingerprint,
                       reference=sources.reference_for(None, doc_id))


# --------------------------------------------------------------------------- one document

_RESOURCES: dict[tuple, tuple] = {}


def load_resources(settings: Settings) -> tuple:
    """The dictionary, config and model for ``settings``: loaded once per process
    (again only if a dictionary file changed since)."""
    key = (settings, settings.fingerprint())
    cached = _RESOURCES.get(key)
    if cached is None:
        from .dictionary import PhraseDictionary
        from .model import default_model

        config = settings.config()
        dictionary = PhraseDictionary.load(settings.dictionary_paths)
        model = default_model() if config.use_model else None
        if model is not None:
            model.unpack_all()  # a worker needs every shard sooner or later
            if config.use_composition and config.use_dictionary and len(dictionary):
                dictionary.composed(model)  # the first spun document would load them anyway
        _RESOURCES.clear()
        cached = _RESOURCES[key] = (dictionary, config, model)
        # The dictionary and model are millions of long-lived objects: keep the
        # garbage collector from scanning them again and again (measured: time
        # per MB grew with document size with the collector on, not with it off).
        gc.freeze()
    return cached


def worker_init(settings: Settings) -> None:
    """Process-pool initializer: Ctrl-C is the parent's business; load everything once;
    exit if the parent dies (killed with -9, it cannot stop its workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    load_resources(settings)


def _open_input(path: str) -> IO[bytes]:
    if is_url(path):
        from .distributed import url_open

        return url_open(path)
    return open(path, "rb")


def _read_input(path: str, max_bytes: int) -> str:
    if is_url(path):
        from .distributed import url_read_text

        return url_read_text(path, max_bytes)
    return read_text(path, max_bytes)


def _read_jsonl_document(job: Job) -> tuple[str, str | None]:
    with _open_input(job.jsonl) as fh:
        fh.seek(job.offset)
        raw = fh.readline(job.settings.max_bytes + 2)
    where = f"{job.jsonl}:{job.line}"
    if len(raw) > job.settings.max_bytes + 1:
        raise InputError(f"{where}: line too large (more than {job.settings.max_bytes:,} bytes)")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InputError(f"{where}: not JSON ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: a document must be a JSON object with id and text")
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: no \"text\" string")
    if "\x00" in text:
        raise InputError(f"{where}: text contains NUL characters; looks like binary data")
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise InputError(f"{where}: \"reference\" must be a string")
    return text, reference


def _target(job: Job, rel: str) -> Path:
    """OUTDIR/rel, with its directory created and checked to be inside OUTDIR
    (before and after creating it, so a symbolic link in OUTDIR is never followed out)."""
    Path(job.outdir).mkdir(parents=True, exist_ok=True)
    target = Path(job.outdir) / rel
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not _inside(existing, job.outdir):
        raise InputError(f"{rel}: its output directory leads outside {job.outdir} (a symbolic link?)")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _inside(target.parent, job.outdir):
        raise InputError(f"{rel}: its output directory leads outside {job.outdir} (a symbolic link?)")
    return target


def state_path(outdir: str | Path, output: str) -> Path:
    return Path(outdir) / STATE_DIR / (output + ".json")


def _write_state(job: Job, record: dict) -> None:
    if is_url(job.outdir):
        from .distributed import url_write_outputs

        url_write_outputs(job, {f"{STATE_DIR}/{job.output}.json": json.dumps(record, ensure_ascii=False)})
    else:
        write_text_atomic(_target(job, f"{STATE_DIR}/{job.output}.json"), json.dumps(record, ensure_ascii=False))


def _read_state(outdir: str, output: str) -> str:
    if is_url(outdir):
        from .distributed import url_read_output

        return url_read_output(outdir, f"{STATE_DIR}/{output}.json")
    return state_path(outdir, output).read_text(encoding="utf-8")


def repair_document(job: Job) -> dict:
    """Repair one document and write its outputs; return its summary record.

    Never raises for a bad document: the error is in the record (``status``
    "error"). The record is also written to ``.state/`` last, as the
    document's "done" marker.
    """
    from .pipeline import repair_text

    began = time.perf_counter()
    record = {
        "id": job.id, "input": job.source, "output": job.output, "log": job.output + LOG_SUFFIX,
        "reference": job.reference, "status": "ok", "error": None, "spin_score": None, "words": 0,
        "changes": 0, "applied": 0, "proposed": 0, "seconds": 0.0,
        "fingerprint": job.fingerprint, "settings": job.settings.fingerprint(),
    }
    try:
        if job.error:
            raise InputError(job.error)
        if job.jsonl:
            text, ref_text = _read_jsonl_document(job)
            if len(text.encode("utf-8", "surrogatepass")) > job.settings.max_bytes:
                raise InputError(f"{job.source}: too large (the limit is {job.settings.max_bytes:,} bytes)")
            references = [(f"{job.id} (reference)", ref_text)] if ref_text else []
        elif is_url(job.path):
            text, references = _read_input(job.path, job.settings.max_bytes), []
        else:
            st = os.stat(job.path)
            if not stat.S_ISREG(st.st_mode):
                raise InputError(f"{job.path}: not a regular file")
            text = read_text(job.path, job.settings.max_bytes)
            references = []
        if job.reference:
            references.append((job.reference, _read_input(job.reference, job.settings.max_bytes)))
        dictionary, config, model = load_resources(job.settings)
        result = repair_text(text, references=references, dictionary=dictionary, config=config, model=model)
        outputs = {job.output: result.text, job.output + LOG_SUFFIX: dumps(result.changes)}
        if is_url(job.outdir):
            from .distributed import url_write_outputs

            url_write_outputs(job, outputs)  # in order: the log last, text + log = complete
        else:
            targets = {_target(job, rel): content for rel, content in outputs.items()}
            for path in targets:
                if job.path and not is_url(job.path) and os.path.exists(path) and os.path.samefile(path, job.path):
                    raise InputError(f"{job.path}: its output would overwrite it; choose another OUTDIR")
            for path, content in targets.items():  # the log last: text + log = complete
                write_text_atomic(path, content)
        record.update(spin_score=round(result.spin_score, 4), words=result.word_count,
                      changes=len(result.changes), applied=len(result.applied), proposed=len(result.proposed))
    except InputError as exc:
        record.update(status="error", error=str(exc))
    except (OSError, UnicodeError, ValueError, RecursionError, MemoryError) as exc:
        record.update(status="error", error=f"{job.source}: {exc.__class__.__name__}: {exc}")
    record["seconds"] = round(time.perf_counter() - began, 4)
    try:
        _write_state(job, record)
    except (OSError, InputError) as exc:
        record.update(status="error",
                      error=f"cannot write the state of {job.output}: {getattr(exc, 'strerror', None) or exc}")
    return record


def is_complete(job: Job) -> dict | None:
    """The stored record of a document already repaired with the same input and
    settings (its text, log and state all present), else None."""
    try:
        record = json.loads(_read_state(job.outdir, job.output))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("status") != "ok":
        return None
    if record.get("fingerprint") != job.fingerprint or record.get("settings") != job.settings.fingerprint():
        return None
    if is_url(job.outdir):
        from .distributed import url_outputs_exist

        return record if url_outputs_exist(job.outdir, (job.output, job.output + LOG_SUFFIX)) else None
    out = Path(job.outdir)
    if not (out / job.output).is_file() or not (out / (job.output + LOG_SUFFIX)).is_file():
        return None
    return record


# --------------------------------------------------------------------------- executors

Executor = Callable[[Iterable[Job]], Iterator[dict]]


def run_serial(jobs: Iterable[Job]) -> Iterator[dict]:
    """Repair the documents one after another in this process."""
    for job in jobs:
        yield repair_document(job)


def _crashed(job: Job, message: str) -> dict:
    record = {"id": job.id, "input": job.source, "output": job.output, "log": job.output + LOG_SUFFIX,
              "reference": job.reference, "status": "error", "error": f"{job.source}: {message}",
              "spin_score": None, "words": 0, "changes": 0, "applied": 0, "proposed": 0, "seconds": 0.0,
              "fingerprint": job.fingerprint, "settings": job.settings.fingerprint()}
    try:
        _write_state(job, record)
    except (OSError, InputError):
        pass
    return record


def run_pool(jobs: Iterable[Job], settings: Settings, workers: int) -> Iterator[dict]:
    """Repair the documents in a process pool, at most a few per worker in flight
    (the job stream is consumed as the pool frees up). Records come in completion order.
    A worker that dies takes the documents it had with it (recorded as errors); a new pool goes on."""
    window = max(2, workers * 4)
    it = iter(jobs)
    exhausted = False
    while True:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=worker_init, initargs=(settings,))
        pending: dict = {}
        broken = False
        try:
            while True:
                while not exhausted and len(pending) < window:
                    job = next(it, None)
                    if job is None:
                        exhausted = True
                        break
                    pending[pool.submit(repair_document, job)] = job
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        yield _crashed(job, "the worker process died while repairing it")
                    except Exception as exc:  # noqa: BLE001 - one document must not stop the batch
                        yield _crashed(job, f"{exc.__class__.__name__}: {exc}")
                if broken:
                    for future, job in pending.items():
                        yield _crashed(job, "the worker process died while this document was in progress")
                    pending.clear()
                    break
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


# --------------------------------------------------------------------------- the batch


@dataclass
class BatchOptions:
    inputs: tuple[str, ...]
    outdir: str
    settings: Settings
    sources: Sources = field(default_factory=Sources)
    pattern: str = "*.txt"
    jobs: int = 0  # 0: all cores
    resume: bool = False


@dataclass
class Totals:
    documents: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0  # complete from an earlier run (--resume)
    missing: int = 0  # not processed (interrupted)
    applied: int = 0
    proposed: int = 0
    seconds: float = 0.0
    wall_seconds: float = 0.0

    def add(self, record: dict) -> None:
        self.documents += 1
        status = record.get("status")
        if status == "ok":
            self.ok += 1
            self.applied += int(record.get("applied") or 0)
            self.proposed += int(record.get("proposed") or 0)
        elif status == "missing":
            self.missing += 1
        else:
            self.failed += 1
        self.seconds += float(record.get("seconds") or 0.0)


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def check_options(options: BatchOptions) -> None:
    if not options.inputs:
        raise BatchError("no INPUT given")
    if any(map(is_url, (*options.inputs, options.outdir, options.sources.reference_dir))):
        from .distributed import check_url_options

        check_url_options(options)  # the URLs among them; the plain paths below
    out = Path(options.outdir)
    out_is_url = is_url(options.outdir)
    for inp in options.inputs:
        if is_url(inp):
            continue
        p = Path(inp)
        if not p.exists():
            raise BatchError(f"{inp}: no such file or directory")
        if p.is_dir() and not out_is_url and out.exists() and os.path.samefile(p, out):
            raise BatchError(f"OUTDIR {options.outdir} is the input directory {inp}; choose another")
    if not out_is_url and out.exists() and not out.is_dir():
        raise BatchError(f"OUTDIR {options.outdir} exists and is not a directory")
    if options.sources.reference_dir and not is_url(options.sources.reference_dir) \
            and not Path(options.sources.reference_dir).is_dir():
        raise BatchError(f"--reference-dir {options.sources.reference_dir}: not a directory")


def count_jobs(options: BatchOptions) -> int:
    """How many documents there are (a cheap first pass: names only)."""
    n = 0
    for inp in options.inputs:
        if is_url(inp):
            from .distributed import url_count

            n += url_count(inp, options.outdir, options.pattern)
            continue
        p = Path(inp)
        if p.is_dir():
            out_real = os.path.realpath(options.outdir)
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")
                               and os.path.realpath(os.path.join(dirpath, d)) != out_real]
                n += sum(1 for f in filenames if not f.startswith(".") and fnmatch.fnmatch(f, options.pattern)
                         and (os.path.isfile(os.path.join(dirpath, f)) or os.path.islink(os.path.join(dirpath, f))))
        elif p.suffix.lower() in JSONL_SUFFIXES and p.is_file():
            with open(p, "rb") as fh:
                n += sum(1 for line in fh if line.strip())
        else:
            n += 1
    return n


def run_batch(options: BatchOptions, on_record: Callable[[dict, bool], None] = lambda r, skipped: None,
              executor: Executor | None = None) -> Totals:
    """Run the batch; ``on_record(record, skipped)`` is called as each document finishes.

    Then write summary.json and summary.md over every document of the inputs
    (records read back from ``.state``) and return the totals.
    """
    check_options(options)
    began = time.perf_counter()
    if is_url(options.outdir):
        from .distributed import url_makedirs

        url_makedirs(options.outdir)
    else:
        Path(options.outdir, STATE_DIR).mkdir(parents=True, exist_ok=True)
    skipped = 0

    def todo() -> Iterator[Job]:
        for job in iter_jobs(options.inputs, options.outdir, options.settings, options.sources, options.pattern):
            if options.resume:
                record = is_complete(job)
                if record is not None:
                    nonlocal skipped
                    skipped += 1
                    on_record(record, True)
                    continue
            yield job

    if executor is None:
        workers = options.jobs or available_cores()
        if workers <= 1:
            load_resources(options.settings)
            executor = run_serial
        else:
            load_resources(options.settings)  # forked workers inherit it; others load in the initializer
            executor = lambda jobs: run_pool(jobs, options.settings, workers)  # noqa: E731
    for record in executor(todo()):
        on_record(record, False)
    return write_summary(options, time.perf_counter() - began, skipped)


def summary_records(options: BatchOptions) -> Iterator[dict]:
    """The stored record of every document of the inputs, in input order."""
    for job in iter_jobs(options.inputs, options.outdir, options.settings, options.sources, options.pattern):
        try:
            record = json.loads(_read_state(options.outdir, job.output))
            if record.get("fingerprint") != job.fingerprint or record.get("settings") != job.settings.fingerprint():
                raise ValueError("stale")
        except (OSError, ValueError, AttributeError):
            record = {"id": job.id, "input": job.source, "output": job.output, "status": "missing",
                      "error": "not processed (interrupted?); run again with --resume"}
        yield record


def write_summary(options: BatchOptions, wall_seconds: float, skipped: int = 0) -> Totals:
    """Stream summary.json and summary.md (atomically: temp files, then rename)."""
    import tempfile

    out = Path(options.outdir)
    url = is_url(options.outdir)  # then written to local temporary files first, and uploaded
    totals = Totals(skipped=skipped)
    fd_json, tmp_json = tempfile.mkstemp(prefix=".summary.json.", suffix=".tmp", dir=None if url else out)
    fd_md, tmp_md = tempfile.mkstemp(prefix=".summary.md.", suffix=".tmp", dir=None if url else out)
    try:
        with os.fdopen(fd_json, "w", encoding="utf-8") as js, os.fdopen(fd_md, "w", encoding="utf-8") as md:
            js.write('{"documents": [\n')
            md.write("# Batch summary\n\n| document | spin score | applied | proposed | seconds | error |\n"
                     "|---|---:|---:|---:|---:|---|\n")
            first = True
            for record in summary_records(options):
                totals.add(record)
                public = {k: v for k, v in record.items() if k not in ("fingerprint", "settings")}
                js.write(("" if first else ",\n") + json.dumps(public, ensure_ascii=False))
                first = False
                score = record.get("spin_score")
                md.write(f"| {_md_cell(record['id'])} | {'' if score is None else f'{score:.2f}'} | "
                         f"{record.get('applied', '') if record['status'] == 'ok' else ''} | "
                         f"{record.get('proposed', '') if record['status'] == 'ok' else ''} | "
                         f"{record.get('seconds', 0.0) or 0.0:.2f} | {_md_cell(record.get('error') or '')} |\n")
            totals.wall_seconds = round(wall_seconds, 3)
            totals.seconds = round(totals.seconds, 3)
            js.write('\n], "totals": ' + json.dumps(asdict(totals)) + "}\n")
            md.write(f"\n**Totals:** {totals.documents} documents, {totals.ok} repaired, {totals.failed} failed"
                     + (f", {totals.missing} not processed" if totals.missing else "")
                     + f"; {totals.applied} changes applied, {totals.proposed} proposed; "
                     f"{totals.seconds:.2f} s of repair in {totals.wall_seconds:.2f} s.\n")
        if url:
            from .distributed import url_put_files

            url_put_files(options.outdir, {"summary.json": tmp_json, "summary.md": tmp_md})
        else:
            from .files import set_output_mode

            for tmp, name in ((tmp_json, "summary.json"), (tmp_md, "summary.md")):
                set_output_mode(tmp, out / name)
                os.replace(tmp, out / name)
    finally:
        for tmp in (tmp_json, tmp_md):  # left only if uploaded, or on an error
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return totals


def _md_cell(text: str) -> str:
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


# --------------------------------------------------------------------------- progress


class Progress:
    """Progress on stderr: a rich bar (count, rate, ETA) on a terminal, plain lines otherwise."""

    def __init__(self, total: int, quiet: bool = False, stream=None):
        self.total, self.quiet = total, quiet
        self.stream = stream or sys.stderr
        self.done = 0
        self.began = time.perf_counter()
        self._rich = None
        if not quiet and getattr(self.stream, "isatty", lambda: False)():
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                                       TimeRemainingColumn)

            self._rich = RichProgress(
                TextColumn("repair"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
                TextColumn("{task.fields[failed]}"),
                console=Console(file=self.stream), transient=False)
            self._task = self._rich.add_task("batch", total=total, rate="", failed="")
            self.failed = 0

    def __enter__(self):
        if self._rich:
            self._rich.start()
        return self

    def __exit__(self, *exc):
        if self._rich:
            self._rich.stop()

    def _rate(self) -> float:
        elapsed = time.perf_counter() - self.began
        return self.done / elapsed if elapsed > 0 else 0.0

    def update(self, record: dict, skipped: bool) -> None:
        self.done += 1
        failed = record.get("status") != "ok"
        if self._rich:
            self.failed += failed
            self._rich.update(self._task, advance=1, rate=f"{self._rate():.1f} doc/s",
                              failed=f"{self.failed} failed" if self.failed else "")
            if failed:
                self._rich.console.print(f"repair: error: {record.get('error')}", markup=False, highlight=False)
            return
        if self.quiet and not failed:
            return
        if failed:
            line = f"repair: error: {record.get('error')}"
        else:
            rate = self._rate()
            left = self.total - self.done
            eta = f"{left / rate:.0f}s" if rate > 0 and left >= 0 else "?"
            what = "already complete" if skipped else (
                f"{record.get('applied', 0)} applied, {record.get('proposed', 0)} proposed, "
                f"spin score {record.get('spin_score') or 0:.2f}")
            line = (f"repair: [{self.done}/{self.total}] {record['id']}: {what} "
                    f"({rate:.1f} doc/s, ETA {eta})")
        print(line, file=self.stream, flush=True)


def describe_totals(totals: Totals, outdir: str) -> str:
    parts = [f"repair: {totals.documents} document(s): {totals.ok} repaired"]
    if totals.skipped:
        parts.append(f"({totals.skipped} already complete)")
    parts.append(f", {totals.failed} failed" if totals.failed else "")
    if totals.missing:
        parts.append(f", {totals.missing} not processed")
    parts.append(f"; {totals.applied} change(s) applied, {totals.proposed} proposed; "
                 f"{totals.wall_seconds:.1f} s; summary in {os.path.join(outdir, 'summary.md')}")
    return " ".join(p for p in parts if p).replace(" ,", ",").replace(" ;", ";")
