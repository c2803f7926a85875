"""Reading untrusted input files and writing outputs atomically."""
from __future__ import annotations

import codecs
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterable

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "gzip-compressed data",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"BZh": "bzip2-compressed data",
    b"\xfd7zXZ": "xz-compressed data",
}


class InputError(Exception):
    """An input that cannot be read as text; the message is one line for the user."""


def read_bytes(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        p = Path(path)
        try:
            if p.is_dir():
                raise InputError(f"{path}: is a directory, not a text file")
            size = p.stat().st_size
            if size > max_bytes:
                raise InputError(f"{path}: too large ({size:,} bytes; the limit is {max_bytes:,})")
            data = p.read_bytes()
        except OSError as exc:
            raise read_error(path, exc) from None
    check_size(path, data, max_bytes)
    return data


def read_error(name: str, exc: OSError) -> InputError:
    """The one-line message for an input that could not be read (local or URL)."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: no such file")
    if isinstance(exc, PermissionError):
        return InputError(f"{name}: permission denied")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: is a directory, not a text file")
    return InputError(f"{name}: cannot read ({exc.strerror or exc})")


def check_size(name: str, data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise InputError(f"{name}: too large (more than {max_bytes:,} bytes)")


def decode(data: bytes, name: str) -> str:
    """Decode bytes to text: UTF-8 (BOM kept as a character), UTF-16 with a BOM,
    else Windows-1252. Binary data is refused with a hint of what it is."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: looks like {what}, not text")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: starts like UTF-16 but does not decode as UTF-16") from None
    utf16 = _guess_bomless_utf16(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: contains NUL bytes; looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if _control_ratio(text) > 0.05:
        raise InputError(f"{name}: is not valid UTF-8 and does not look like text (binary data?)")
    return text


def _guess_bomless_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    return bad / len(sample)


def read_text(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a text file (``-`` for stdin) with clear one-line errors."""
    return decode(read_bytes(path, max_bytes), "<stdin>" if path == "-" else path)


def write_text_atomic(path: str | os.PathLike, text: str | Iterable[str]) -> None:
    """Write UTF-8 text via a temporary file and a rename: readers see the old
    file or the complete new one, never half of it. ``text`` may also be an
    iterable of pieces, written as they come (the change log of a very long
    text is then never held whole in memory)."""
    if isinstance(text, str):
        write_bytes_atomic(path, text.encode("utf-8", "surrogatepass"))
    else:
        write_bytes_atomic(path, (piece.encode("utf-8", "surrogatepass") for piece in text))


def set_output_mode(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """mkstemp makes files 0600; give a temporary output the mode a plain
    open() would (or the existing target's), so outputs stay readable as usual."""
    try:
        mode = Path(target).stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def write_bytes_atomic(path: str | os.PathLike, data: bytes | Iterable[bytes]) -> None:
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        set_output_mode(tmp, target)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray)):
                fh.write(data)
            else:
                fh.writelines(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
