"""The resource cache: the same model and dictionaries as parsing the sources,
misses on changed sources and broken cache files, never an error."""
from __future__ import annotations

import os

import pytest

from repair import cache
from repair.dictionary import _CACHE_MIN_CHARS, load_file, parse_text, read_dictionary_text, shipped_dictionary_paths
from repair.model import BigramModel, default_model


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("SPIN_REPAIR_CACHE", str(directory))
    return directory


def test_cached_builds_once_then_reads(cache_in):
    calls = []

    def build():
        calls.append(1)
        return {"a": (1, 2.5, None)}

    assert cache.cached("thing", "v1", build) == {"a": (1, 2.5, None)}
    assert cache.cached("thing", "v1", build) == {"a": (1, 2.5, None)}
    assert len(calls) == 1
    assert cache.cached("thing", "v2", build) == {"a": (1, 2.5, None)}  # a new identity is a miss
    assert len(calls) == 2
    assert cache.cached("thing", "v1", build) and len(calls) == 2  # both versions kept: switching back is a hit


def test_only_the_most_recently_used_versions_are_kept(cache_in):
    import os
    import time

    for n in range(cache.KEEP_VERSIONS):
        cache.cached("thing", f"v{n}", lambda: n)
    stamp = time.time() - 100
    for k, path in enumerate(sorted(cache_in.glob("thing-*.marshal"))):
        os.utime(path, (stamp + k, stamp + k))  # all older than the next write
    assert cache.cached("thing", "v0", lambda: -1) == 0  # a hit: v0 becomes the most recent
    cache.cached("thing", "new", lambda: 99)
    assert len(list(cache_in.glob("thing-*.marshal"))) == cache.KEEP_VERSIONS
    calls = []
    assert cache.cached("thing", "v0", lambda: calls.append(1) or -1) == 0 and not calls  # still there


def test_broken_or_misshapen_cache_file_is_a_miss(cache_in):
    cache.cached("thing", "id", lambda: [1, 2, 3])
    (path,) = cache_in.glob("thing-*.marshal")
    path.write_bytes(b"\x00garbage")
    assert cache.cached("thing", "id", lambda: [4]) == [4]
    assert cache.cached("thing", "id", lambda: [5], valid=lambda v: v == [5]) == [5]


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SPIN_REPAIR_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() is None
    assert cache.cached("thing", "id", lambda: 7) == 7
    assert not any(tmp_path.iterdir())


def test_unwritable_cache_dir_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SPIN_REPAIR_CACHE", str(blocker / "cache"))
    assert cache.cached("thing", "id", lambda: "built") == "built"


def test_cached_model_equals_parsed_model(cache_in):
    import symspellpy

    shipped = default_model()

    base = os.path.dirname(symspellpy.__file__)
    paths = [os.path.join(base, "frequency_dictionary_en_82_765.txt"),
             os.path.join(base, "frequency_bigramdictionary_en_243_342.txt")]
    first = BigramModel.from_files(*paths)   # parsed and stored
    second = BigramModel.from_files(*paths)  # read back from the cache
    assert list(cache_in.glob("bigram-model-*.marshal"))
    with open(paths[1], encoding="utf-8") as fh:
        sample = [line.rsplit(" ", 1) for line, _ in zip(fh, range(2000))][::97]
    for pair, count in sample:
        assert second.bigrams.get(pair) == first.bigrams.get(pair) == int(count)
    for word in ("the", "military", "navy", "paperwork", "zzzzqx"):
        assert second.count_of(word) == first.count_of(word) == shipped.count_of(word)
    assert second.total == first.total == shipped.total
    assert second.logp("exercises", "military") == shipped.logp("exercises", "military")


def test_cached_dictionary_equals_parsed_and_follows_edits(cache_in, tmp_path):
    big = max(shipped_dictionary_paths(), key=lambda p: p.stat().st_size)
    assert big.stat().st_size > _CACHE_MIN_CHARS  # large enough to be cached
    copy = tmp_path / "big.tsv"
    copy.write_bytes(big.read_bytes())
    parsed = parse_text(read_dictionary_text(copy), str(copy))
    assert load_file(copy) == parsed   # parsed and stored
    assert load_file(copy) == parsed   # read back
    assert list(cache_in.glob("dictionary-*.marshal"))
    with open(copy, "a", encoding="utf-8") as fh:
        fh.write("zorbly wibble\tplain words\t0.9\t\ttest\n")
    edited = load_file(copy)
    assert len(edited) == len(parsed) + 1
    assert edited[-1].originals == ("plain words",)
