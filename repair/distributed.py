"""Beyond one machine: a Dask executor for ``repair batch``, and fsspec URLs for its inputs and outputs.

``repair batch ... --scheduler tcp://HOST:PORT`` sends the documents to an
existing Dask cluster, ``--scheduler local`` to a LocalCluster started for the
run. :func:`run_dask` has the contract of :func:`repair.batch.run_pool`: jobs
are streamed to the cluster with a bounded number in flight, records come back
in completion order, and a document whose task fails becomes an error record
without stopping the batch. Each worker process loads the dictionaries and the
model once (:func:`repair.batch.load_resources` caches them per process).

An INPUT, OUTDIR or ``--reference-dir`` that is a URL (``s3://bucket/dir``,
``gs://...``, ``file:///shared/dir``...) is listed, read and written with
fsspec; plain paths keep the code of :mod:`repair.batch` (``os`` calls, writes
by rename). On a URL OUTDIR each output is written under a temporary name in
its directory, then moved to its name (``fs.mv``): a rename where the
filesystem has one (local, HDFS, SFTP...); on object stores (S3, GCS, Azure)
a copy and a delete, since they have no rename, but an object never shows half
written. The document's ``.state`` marker is written last, after its text and
log, so ``--resume`` never takes a half-done document for a done one.

Dask and fsspec are imported only here and only when used: the core runs
without them (``pip install 'spin-repair[dask]'`` adds them).
"""
from __future__ import annotations

import fnmatch
import logging
import os
import posixpath
import signal
import uuid
from contextlib import contextmanager
from dataclasses import replace
from typing import IO, Callable, Iterable, Iterator

from .batch import (JSONL_SUFFIXES, BatchError, BatchOptions, Executor, Job, Settings, Sources, _crashed, _inside,
                    _jsonl_jobs, _target, available_cores, is_url, load_resources, repair_document,
                    safe_relative_path)
from .files import InputError, check_size, decode, read_error

INSTALL_HINT = "pip install 'spin-repair[dask]'"


# =========================================================================== fsspec URLs


def _fsspec():
    try:
        import fsspec
    except ImportError:
        raise BatchError(f"URL inputs and outputs need fsspec: {INSTALL_HINT}") from None
    return fsspec


def _fs(url: str):
    """(filesystem, path without protocol) for a URL; a BatchError for an unknown or uninstalled protocol."""
    fsspec = _fsspec()
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise BatchError(f"{url}: {exc}") from None


def _join(url: str, rel: str) -> str:
    return (url if url.endswith("/") else url + "/") + rel


def _is_local(fs) -> bool:
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(fs, LocalFileSystem)


def _protocol(fs) -> str:
    p = fs.protocol
    return p[0] if isinstance(p, (tuple, list)) else p


def _location(path: str | None) -> tuple | None:
    """A key that is equal for two names of the same place (a plain path and a file:// URL included)."""
    if not path:
        return None
    if not is_url(path):
        return ("local", os.path.realpath(path))
    fs, p = _fs(path)
    if _is_local(fs):
        return ("local", os.path.realpath(p))
    return (_protocol(fs), p.rstrip("/"))


def _info_fingerprint(info: dict) -> str:
    """Size and version of a file as its filesystem reports it (mtime, LastModified, ETag...)."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "ETag", "etag", "md5", "created"):
        if info.get(key) is not None:
            return f"{info.get('size')}:{info[key]}"
    return f"{info.get('size')}:?"


def url_fingerprint(url: str) -> str:
    try:
        fs, path = _fs(url)
        return _info_fingerprint(fs.info(path))
    except (OSError, BatchError):
        return "missing"


def _walk(inp: str, outdir: str, pattern: str) -> Iterator[tuple[str, str, dict, str | None]]:
    """(URL, relative path, info, error) of each file under the URL directory ``inp``,
    in the order of :func:`repair.batch.iter_jobs` (sorted, depth first; hidden
    entries, OUTDIR and symbolic links to directories skipped)."""
    fs, root = _fs(inp)
    root = root.rstrip("/") or root
    local = _is_local(fs)
    out_key = _location(outdir)
    real_root = os.path.realpath(root) if local else None
    for dirpath, dirs, files in fs.walk(root, detail=True):
        keep = {}
        for name in sorted(dirs):
            full = posixpath.join(dirpath, name)
            if name.startswith(".") or dirs[name].get("islink"):
                continue
            if out_key == (("local", os.path.realpath(full)) if local else (_protocol(fs), full.rstrip("/"))):
                continue
            keep[name] = dirs[name]
        dirs.clear()
        dirs.update(keep)  # fs.walk recurses into what is left, in this order
        for name in sorted(files):
            if not name or name.startswith(".") or not fnmatch.fnmatch(name, pattern):
                continue
            full = posixpath.join(dirpath, name)
            rel = full[len(root):].lstrip("/")
            info, error = files[name], None
            if local:  # the same rules as for a plain directory
                if os.path.islink(full) and not _inside(full, real_root):
                    error = f"{full}: a symbolic link that leads outside the input directory; skipped"
                elif not os.path.exists(full):
                    error = f"{full}: a broken symbolic link"
                elif not os.path.isfile(full):
                    continue
            elif info.get("type") not in ("file", None):
                continue
            yield _join(inp, rel), rel, info, error


def url_jobs(inp: str, outdir: str, sources: Sources, make: Callable[..., Job], pattern: str,
             max_bytes: int) -> Iterator[Job]:
    """The jobs of one URL INPUT: a directory (walked), a JSON Lines file (a job per line,
    read back by byte offset) or a single file."""
    fs, path = _fs(inp)
    try:
        info = fs.info(path)
    except FileNotFoundError:
        info = {}
    if info.get("type") == "directory":
        for url, rel, info, error in _walk(inp, outdir, pattern):
            yield make(rel, safe_relative_path(rel), path=url, reference=sources.reference_for(url, rel),
                       fingerprint=_info_fingerprint(info), error=error)
    elif info and posixpath.splitext(path)[1].lower() in JSONL_SUFFIXES:
        yield from _jsonl_jobs(inp, sources, make, max_bytes, opener=lambda _: fs.open(path, "rb"))
    else:  # a file, or a missing one (its job reports the error)
        doc_id = posixpath.basename(path.rstrip("/")) or inp
        yield make(doc_id, safe_relative_path(doc_id), path=inp, reference=sources.reference_for(inp, doc_id),
                   fingerprint=_info_fingerprint(info) if info else "missing")


def url_count(inp: str, outdir: str, pattern: str) -> int:
    fs, path = _fs(inp)
    try:
        info = fs.info(path)
    except FileNotFoundError:
        return 1
    if info.get("type") == "directory":
        return sum(1 for _ in _walk(inp, outdir, pattern))
    if posixpath.splitext(path)[1].lower() in JSONL_SUFFIXES:
        with fs.open(path, "rb") as fh:
            return sum(1 for line in fh if line.strip())
    return 1


def url_open(url: str) -> IO[bytes]:
    """A URL opened for reading at byte offsets (small blocks: a JSON Lines document is one line)."""
    try:
        fs, path = _fs(url)
    except BatchError as exc:
        raise InputError(str(exc)) from None
    return fs.open(path, "rb", block_size=1 << 18)


def url_read_text(url: str, max_bytes: int) -> str:
    """Read a URL as text, with the errors of :func:`repair.files.read_text`."""
    try:
        fs, path = _fs(url)
        info = fs.info(path)
        if info.get("type") == "directory":
            raise InputError(f"{url}: is a directory, not a text file")
        size = info.get("size")
        if size is not None and size > max_bytes:
            raise InputError(f"{url}: too large ({size:,} bytes; the limit is {max_bytes:,})")
        data = fs.cat_file(path)
    except BatchError as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise read_error(url, exc) from None
    check_size(url, data, max_bytes)
    return decode(data, url)


def url_reference(reference_dir: str, rel: str) -> str | None:
    """The reference for a document in a URL ``--reference-dir``: the same relative path, else the same name."""
    fs, root = _fs(reference_dir)
    for candidate in dict.fromkeys((rel, posixpath.basename(rel))):
        path = _join(root, candidate)
        if fs.isfile(path) and (not _is_local(fs) or _inside(path, root)):
            return _join(reference_dir, candidate)
    return None


def _put_atomic(fs, path: str, data: bytes) -> None:
    """Write under a temporary name in the same directory, then move it to ``path``."""
    parent = fs._parent(path)
    fs.makedirs(parent, exist_ok=True)
    tmp = posixpath.join(parent, f".{posixpath.basename(path)}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        fs.pipe_file(tmp, data)
        try:
            fs.mv(tmp, path)
        except NotImplementedError:  # no move on this filesystem: write in place
            fs.pipe_file(path, data)
            fs.rm_file(tmp)
    except BaseException:
        try:
            if fs.exists(tmp):
                fs.rm_file(tmp)
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        raise


def url_write_outputs(job: Job, outputs: dict[str, str]) -> None:
    """Write ``{relative path: text}`` below the URL OUTDIR of ``job``, in order, each atomically
    where the filesystem allows. The paths are already safe (:func:`repair.batch.safe_relative_path`);
    on a local filesystem (file://) a symbolic link in OUTDIR is not followed out of it either."""
    try:
        fs, out = _fs(job.outdir)
    except BatchError as exc:
        raise InputError(str(exc)) from None
    paths = {}
    for rel in outputs:
        if _is_local(fs):
            paths[rel] = str(_target(replace(job, outdir=out), rel))  # creates and checks its directory
        else:
            paths[rel] = _join(out, rel)
    if job.path:
        source = _location(job.path)
        if any(_location(_join(job.outdir, rel)) == source for rel in outputs):
            raise InputError(f"{job.path}: its output would overwrite it; choose another OUTDIR")
    for rel, text in outputs.items():
        _put_atomic(fs, paths[rel], text.encode("utf-8", "surrogatepass"))


def url_read_output(outdir: str, rel: str) -> str:
    fs, out = _fs(outdir)
    return fs.cat_file(_join(out, rel)).decode("utf-8")


def url_outputs_exist(outdir: str, rels: Iterable[str]) -> bool:
    fs, out = _fs(outdir)
    return all(fs.isfile(_join(out, rel)) for rel in rels)


def url_makedirs(outdir: str) -> None:
    fs, out = _fs(outdir)
    try:
        fs.makedirs(_join(out, ".state"), exist_ok=True)
    except OSError as exc:
        raise BatchError(f"OUTDIR {outdir}: cannot create it ({exc.strerror or exc})") from None


def url_put_files(outdir: str, files: dict[str, str]) -> None:
    """Upload local files (``{name in OUTDIR: local path}``), each atomically where the filesystem allows."""
    fs, out = _fs(outdir)
    for name, local in files.items():
        with open(local, "rb") as fh:
            _put_atomic(fs, _join(out, name), fh.read())


def check_url_options(options: BatchOptions) -> None:
    """The checks of :func:`repair.batch.check_options` for the URLs among INPUTs, OUTDIR and --reference-dir."""
    out_key = _location(options.outdir)
    for inp in options.inputs:
        if not is_url(inp):
            if os.path.isdir(inp) and _location(inp) == out_key:
                raise BatchError(f"OUTDIR {options.outdir} is the input directory {inp}; choose another")
            continue
        fs, path = _fs(inp)
        try:
            exists, isdir = fs.exists(path), fs.isdir(path)
        except OSError as exc:
            raise BatchError(f"{inp}: cannot list it ({exc.strerror or exc})") from None
        if not exists:
            raise BatchError(f"{inp}: no such file or directory")
        if isdir and _location(inp) == out_key:
            raise BatchError(f"OUTDIR {options.outdir} is the input directory {inp}; choose another")
    if is_url(options.outdir):
        fs, out = _fs(options.outdir)
        if fs.exists(out) and not fs.isdir(out):
            raise BatchError(f"OUTDIR {options.outdir} exists and is not a directory")
    ref = options.sources.reference_dir
    if ref and is_url(ref):
        fs, path = _fs(ref)
        if not fs.isdir(path):
            raise BatchError(f"--reference-dir {ref}: not a directory")


# =========================================================================== Dask


def require_dask():
    """The ``distributed`` module, or a one-line BatchError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise BatchError(f"--scheduler needs Dask: {INSTALL_HINT}") from None
    return distributed


_LOCALIZED: dict[Settings, Settings] = {}


def _localize(settings: Settings) -> Settings:
    """``settings`` for this machine: a shipped dictionary that is not at the client's path
    (spin-repair installed elsewhere on a worker) is taken from this installation, by
    name. Whether its content is the same is what the settings fingerprint then tells."""
    hit = _LOCALIZED.get(settings)
    if hit is None:
        paths = settings.dictionary_paths
        if not all(os.path.exists(p) for p in paths):
            from .dictionary import shipped_dictionary_paths

            shipped = {p.name: str(p) for p in shipped_dictionary_paths()}
            paths = tuple(p if os.path.exists(p) else shipped.get(os.path.basename(p), p) for p in paths)
        hit = _LOCALIZED[settings] = settings if paths == settings.dictionary_paths else replace(
            settings, dictionary_paths=paths)
    return hit


def _prepare_worker(settings: Settings) -> tuple[str, str]:
    """Run on each worker before the batch: load the resources (once per process) and say
    which dictionaries (fingerprint) and which spin-repair version it has."""
    from . import __version__

    local = _localize(settings)
    try:
        load_resources(local)
    except Exception as exc:  # noqa: BLE001 - reported by the client, one line
        return "error", f"{exc.__class__.__name__}: {exc}"
    return local.fingerprint(), __version__


class WorkerMismatch(RuntimeError):
    """A worker whose dictionaries are not the client's (it joined after the check)."""


def _repair_task(job: Job, expected: str) -> dict:
    """The Dask task: :func:`repair.batch.repair_document` with this worker's dictionary paths."""
    settings = _localize(job.settings)
    if settings.fingerprint() != expected:
        raise WorkerMismatch("this Dask worker's dictionaries differ from the client's "
                             "(install the same spin-repair and the same -d files on every worker)")
    return repair_document(job if settings is job.settings else replace(job, settings=settings))


def prepare_workers(client, settings: Settings, timeout: float = 60.0) -> int:
    """Check the cluster before sending it work: it has workers, each loads the dictionaries
    and the model (now, once) and has the same ones and the same spin-repair as this process.
    Returns the number of threads of the cluster."""
    from . import __version__

    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise BatchError(f"the Dask cluster has no workers (waited {timeout:.0f} s)") from None
    expected = settings.fingerprint()
    answers = client.run(_prepare_worker, settings, on_error="return")
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            raise BatchError(f"Dask worker {worker}: {answer.__class__.__name__}: {answer} "
                             f"(is spin-repair installed there?)")
        fingerprint, version = answer
        if fingerprint == "error":
            raise BatchError(f"Dask worker {worker}: cannot load the dictionaries or the model: {version}")
        if version != __version__:
            raise BatchError(f"Dask worker {worker} runs spin-repair {version}, this process {__version__}; "
                             "install the same version everywhere")
        if fingerprint != expected:
            raise BatchError(f"Dask worker {worker}: its dictionaries differ from this process's "
                             "(install the same spin-repair and put every -d dictionary at the same path "
                             "on every worker)")
    return sum(client.nthreads().values()) or 1


def _describe_failure(exc: BaseException) -> str:
    import distributed

    if isinstance(exc, distributed.KilledWorker):
        return "the Dask workers running it died (KilledWorker)"
    if exc.__class__.__name__ == "CancelledError":
        return "cancelled (the Dask scheduler was lost?)"
    return f"{exc.__class__.__name__}: {exc}"


def _repair_chunk(jobs: list[Job], expected: str) -> list[tuple[bool, dict | str]]:
    """The Dask task: a few documents (fewer tasks, less scheduling per document). A document
    that raises is reported alone, as ``(False, message)``; the others are repaired."""
    out: list[tuple[bool, dict | str]] = []
    for job in jobs:
        try:
            out.append((True, _repair_task(job, expected)))
        except Exception as exc:  # noqa: BLE001 - one document must not stop the others
            out.append((False, f"{exc.__class__.__name__}: {exc}"))
    return out


TASK_SECONDS = 0.25  # documents are grouped into tasks of about this much work


def run_dask(jobs: Iterable[Job], settings: Settings, client, window: int | None = None,
             max_chunk: int = 64) -> Iterator[dict]:
    """Repair the documents on a Dask cluster, at most ``window`` tasks in flight (default:
    four per worker thread; the job stream is consumed as tasks finish). A task holds one
    document at first, then as many as take about :data:`TASK_SECONDS` (at most
    ``max_chunk``), as measured on the documents done so far. Records come in completion
    order. A document whose repair raises, or whose workers died running it, becomes an
    error record; the batch goes on."""
    distributed = require_dask()
    threads = prepare_workers(client, settings)
    window = window or max(2, threads * 4)
    expected = settings.fingerprint()
    pending: dict = {}  # key -> (future, jobs)
    completed = distributed.as_completed()
    it = iter(jobs)
    per_document = None  # seconds, a moving average
    exhausted = False

    def fill() -> None:
        nonlocal exhausted
        size = 1 if per_document is None else max(1, min(max_chunk, int(TASK_SECONDS / max(per_document, 1e-4))))
        while len(pending) < window and not exhausted:
            chunk = [job for _, job in zip(range(size), it)]
            exhausted = len(chunk) < size
            if not chunk:
                return
            future = client.submit(_repair_chunk, chunk, expected, pure=False, key=f"repair-{uuid.uuid4().hex}")
            pending[future.key] = (future, chunk)
            completed.add(future)

    try:
        fill()
        for future in completed:
            _, chunk = pending.pop(future.key)
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - one task must not stop the batch
                results = [(False, _describe_failure(exc))] * len(chunk)
            future.release()
            records = [value if ok else _crashed(job, value) for (ok, value), job in zip(results, chunk)]
            for record in records:
                seconds = float(record.get("seconds") or 0.0)
                per_document = seconds if per_document is None else 0.8 * per_document + 0.2 * seconds
            fill()
            yield from records
    finally:
        if pending:
            client.cancel([future for future, _ in pending.values()])


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def open_client(scheduler: str, workers: int = 0) -> Iterator:
    """A Dask client: ``local`` starts a LocalCluster (``workers`` processes, all cores by
    default, one thread each) and closes it at the end; anything else is the address of
    a running scheduler (``tcp://HOST:PORT``)."""
    distributed = require_dask()
    if scheduler == "local":
        try:
            # On loopback; no dashboard (it needs bokeh), and the scheduler's HTTP routes on a free port.
            cluster = distributed.LocalCluster(
                n_workers=workers or available_cores(), threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR)
        except Exception as exc:  # noqa: BLE001 - e.g. "Nanny failed to start."
            raise BatchError(f"--scheduler local: cannot start a local Dask cluster ({exc})") from None
        try:
            with distributed.Client(cluster) as client:
                client.run(_ignore_sigint)  # Ctrl-C is this process's business: it closes the cluster
                yield client
        finally:
            cluster.close()
        return
    try:
        client = distributed.Client(scheduler)  # waits distributed.comm.timeouts.connect (Dask config: 30 s)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(f"--scheduler {scheduler}: cannot connect to the Dask scheduler ({exc})") from None
    with client:
        yield client


@contextmanager
def dask_executor(scheduler: str, settings: Settings, workers: int = 0,
                  on_connect: Callable[[str], None] = lambda where: None) -> Iterator[Executor]:
    """An executor for :func:`repair.batch.run_batch` on a Dask cluster (see :func:`open_client`)."""
    with open_client(scheduler, workers) as client:
        on_connect(f"{len(client.nthreads())} worker(s) at {client.scheduler.address}")
        yield lambda jobs: run_dask(jobs, settings, client)
