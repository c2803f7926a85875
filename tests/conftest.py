"""Shared fixtures: paths to the seeds and test cases, the vendored scorer,
the shipped dictionary and model (loaded once per session), helpers."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SEEDS = ROOT / "seeds"
CASES = TESTS / "cases"
EVAL = TESTS / "eval"

# tests/fuzz/ holds standalone scripts (run by hand for --seconds N), not tests.
collect_ignore = ["fuzz"]


def seed_path(number: str) -> Path:
    """seeds/NNN_*.txt for a seed number such as "000"."""
    (path,) = sorted(SEEDS.glob(f"{number}_*.txt"))
    return path


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_scorer():
    """score() from the vendored tests/eval/score.py (not a package: imported by path)."""
    spec = importlib.util.spec_from_file_location("spin_repair_eval_score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def apply_gold(spun: str, gold: dict) -> str:
    """The source text: every gold edit (offsets into ``spun``) replaced by its first expected wording."""
    out, pos = [], 0
    for edit in sorted(gold["edits"], key=lambda e: e["start"]):
        assert spun[edit["start"]:edit["end"]] == edit["spun"], edit
        assert edit["start"] >= pos, f"overlapping gold edits at {edit['start']}"
        out.append(spun[pos:edit["start"]])
        out.append(edit["expected"][0])
        pos = edit["end"]
    out.append(spun[pos:])
    return "".join(out)


def spin_changes(result) -> list:
    """Applied changes that are more than cleanup."""
    return [c for c in result.applied if c.sources != ["cleanup"]]


@pytest.fixture(scope="session")
def score():
    return load_scorer()


@pytest.fixture(scope="session")
def seed000_path() -> Path:
    return seed_path("000")


@pytest.fixture(scope="session")
def seed001_path() -> Path:
    return seed_path("001")


@pytest.fixture(scope="session")
def seed000(seed000_path) -> str:
    return read(seed000_path)


@pytest.fixture(scope="session")
def seed001(seed001_path) -> str:
    return read(seed001_path)


@pytest.fixture(scope="session")
def seed000_gold() -> dict:
    return json.loads(read(EVAL / "seed000_gold.json"))


@pytest.fixture(scope="session")
def seed000_source(seed000, seed000_gold) -> str:
    return apply_gold(seed000, seed000_gold)


@pytest.fixture(scope="session")
def model():
    """The bundled bigram model; repair's own lru_cache keeps it for the whole run."""
    from repair.model import default_model

    return default_model()


@pytest.fixture(scope="session")
def shipped_dictionary():
    from repair.pipeline import default_dictionary

    return default_dictionary()


@pytest.fixture(scope="session")
def warm(model, shipped_dictionary):
    """Depend on this to load the model and dictionaries before a timed test."""
    return model, shipped_dictionary
