"""A cache of parsed resources (the bigram model, the dictionaries) in the
user's cache directory, so that a short run does not parse megabytes of text
again: it is most of the start-up time of ``repair fix`` on a small file.

Values are stored with :mod:`marshal`, not pickle: it holds plain data only
and runs no code when loaded. A cache file is named by a hash of what it was
made from (the sources' identity and the format version), so a changed source
is simply a miss; unreadable or foreign cache files are misses too, and a
cache that cannot be written is skipped; a value of the wrong shape (the
caller's ``valid`` test) is rebuilt. ``SPIN_REPAIR_CACHE`` names another
directory, or ``off`` to switch the cache off.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

# Bump when the shape of a cached value changes.
FORMAT_VERSION = 1
KEEP_VERSIONS = 4  # cache files kept per resource name, the most recently used


def cache_dir() -> Path | None:
    """Where cache files go, or None when the cache is off."""
    setting = os.environ.get("SPIN_REPAIR_CACHE")
    if setting is not None:
        return None if setting.strip().lower() in ("", "off", "0", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "spin-repair"


def cached(name: str, identity: bytes | str, build: Callable[[], T],
           valid: Callable[[object], bool] = lambda value: True) -> T:
    """``build()``'s value, from the cache when one was stored for the same
    ``name`` and ``identity`` (bytes or text that change whenever the value
    would) and passes ``valid``, else built and stored."""
    directory = cache_dir()
    if directory is None:
        return build()
    if isinstance(identity, str):
        identity = identity.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(b"%d\0%s\0%s\0" % (FORMAT_VERSION, sys.version.encode(), name.encode()) + identity)
    path = directory / f"{name}-{digest.hexdigest()[:24]}.marshal"
    try:
        value = marshal.loads(path.read_bytes())
        if valid(value):
            _touch(path)
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = build()
    _store(path, name, value)
    return value


def file_identity(path: str | Path) -> str:
    """Path, size and modification time: enough for files that are replaced,
    not edited in place within the same nanosecond (installed package data)."""
    st = os.stat(path)
    return f"{os.path.abspath(path)}\0{st.st_size}\0{st.st_mtime_ns}"


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # recently used: kept when older versions are dropped
    except OSError:
        pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _store(path: Path, name: str, value: object) -> None:
    try:
        data = marshal.dumps(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        # Keep the few versions of a resource used last (a user may switch
        # between two dictionary sets); older ones are of no further use.
        versions = sorted(path.parent.glob(f"{name}-*.marshal"), key=_mtime, reverse=True)
        for old in versions[KEEP_VERSIONS:]:
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass  # a read-only home, a full disk: run without the cache
