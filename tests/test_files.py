"""repair.files: reading untrusted input with one-line errors, atomic writes."""
from __future__ import annotations

import codecs
import os

import pytest

from repair.files import InputError, decode, read_text, write_text_atomic


def read_error(path) -> str:
    with pytest.raises(InputError) as info:
        read_text(str(path))
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("magic, what", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip-compressed data"),
    (b"PK\x03\x04\x14\x00", "a ZIP archive"),
    (b"\x7fELF\x02\x01\x01", "an executable"),
])
def test_binary_formats_are_refused_by_their_magic(tmp_path, magic, what):
    path = tmp_path / "article.txt"
    path.write_bytes(magic + b"the navy workouts" * 10)
    message = read_error(path)
    assert message.startswith(f"{path}: looks like {what}") and message.endswith(", not text")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path, encoding):
    text = "The navy’s “workouts” — café 😀\r\nSecond line.\n"
    path = tmp_path / "u16.txt"
    path.write_bytes(text.encode(encoding))  # "utf-16" writes a BOM, -le/-be do not
    assert read_text(str(path)) == text


def test_utf16_bom_with_odd_length_is_refused(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "abc".encode("utf-16-le") + b"\x00")
    assert "does not decode as UTF-16" in read_error(path)


def test_utf8_is_read_as_is_and_bom_kept(tmp_path):
    path = tmp_path / "u8.txt"
    path.write_bytes(codecs.BOM_UTF8 + "Russia’s navy\r\n".encode("utf-8"))
    assert read_text(str(path)) == "\ufeffRussia’s navy\r\n"


def test_cp1252_fallback(tmp_path):
    text = "The café’s “menu” costs 5€ – really…"
    path = tmp_path / "cp.txt"
    path.write_bytes(text.encode("cp1252"))
    assert read_text(str(path)) == text


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1():
    assert decode(b"abc \x81 def \xe9", "x") == "abc \x81 def \xe9"


def test_nul_bytes_are_refused(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"plain text\x00with a NUL in it, odd length")
    assert read_error(path) == f"{path}: contains NUL bytes; looks like a binary file, not text"


def test_control_heavy_non_utf8_is_refused():
    with pytest.raises(InputError, match="does not look like text"):
        decode(bytes(range(1, 32)) * 4 + b"\xff", "blob")


def test_missing_file_and_directory(tmp_path):
    assert read_error(tmp_path / "missing.txt") == f"{tmp_path / 'missing.txt'}: no such file"
    assert read_error(tmp_path) == f"{tmp_path}: is a directory, not a text file"


def test_too_large_file_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 100)
    with pytest.raises(InputError, match="too large"):
        read_text(str(path), max_bytes=100)


def test_empty_file_is_empty_text(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert read_text(str(path)) == ""


def test_write_text_atomic_writes_utf8_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old contents", encoding="utf-8")
    write_text_atomic(target, "new “text”\r\nline 2\n")
    assert target.read_bytes() == "new “text”\r\nline 2\n".encode("utf-8")
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_write_text_atomic_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text_atomic("rel.txt", "x")
    assert (tmp_path / "rel.txt").read_text(encoding="utf-8") == "x"
    assert sorted(os.listdir(tmp_path)) == ["rel.txt"]


def test_write_text_atomic_failure_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    import repair.files

    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    seen = []

    def failing_replace(src, dst):
        seen.append(os.path.basename(src))
        raise OSError("disk full")

    monkeypatch.setattr(repair.files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(target, "new")
    assert seen and seen[0].startswith(".out.txt.") and seen[0].endswith(".tmp")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_write_into_missing_directory_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        write_text_atomic(tmp_path / "nope" / "out.txt", "x")
    assert os.listdir(tmp_path) == []
