#!/usr/bin/env python3
"""Held-out tortured phrases: detection and correction of phrases absent from the dictionary.

tests/cases/tortured_heldout.tsv holds a fifth of the tortured phrases (and
their established terms) of dictionaries/tortured.tsv, chosen by a hash in
dictionaries/build_tortured.py. The shipped dictionary knows them; here they
are measured with a dictionary that leaves them out (and so every word swap
and term that composition would learn from them). Each is inserted into clean sentences of a scientific paragraph; the paragraph
also carries three tortured phrases that *are* in the dictionary, so that the
document reads as spun (a lone unknown phrase in clean text is left alone by
design). Reported:

- detection: a flagged span (result.flagged) overlaps the inserted phrase;
- correction: the repaired text has an accepted original where the phrase was;
- control: the same paragraphs with the established term instead get no change there.

    python benchmarks/evaluate_tortured.py [--limit N] [--thesaurus] [--no-composition]
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from repair import RepairConfig, repair_text  # noqa: E402
from repair.dictionary import PhraseDictionary, load_file, shipped_dictionary_paths  # noqa: E402
from repair.text import normalize_word, TOKEN_RE  # noqa: E402

TEMPLATES = [
    "In this paper we study {x} and compare it with earlier work on the same data.",
    "The results show that {x} improves accuracy on all three benchmarks.",
    "Previous studies of {x} relied on small samples collected in a single hospital.",
    "We describe a method based on {x} that runs in linear time.",
]
KNOWN_SPUN = [("man-made brainpower", "artificial intelligence"), ("profound learning", "deep learning"),
              ("irregular woodland", "random forest"), ("backing vector machine", "support vector machine")]


def words(text: str) -> list[str]:
    return [normalize_word(t) for t in TOKEN_RE.findall(text)]


def load_cases(path: Path) -> list[tuple[str, list[str]]]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("tortured\t"):
            continue
        spun, _, expected = line.partition("\t")
        cases.append((spun, [e for e in expected.split("|") if e]))
    return cases


def without_phrases(phrases: list[str]) -> PhraseDictionary:
    """The shipped dictionaries without tortured.tsv's entries for these spun
    phrases (another file may know one: a news spinner's phrase)."""
    left_out = {tuple(words(p)) for p in phrases}
    entries: dict[tuple, object] = {}
    for path in shipped_dictionary_paths():
        for entry in load_file(path):
            if path.name == "tortured.tsv" and entry.spun in left_out:
                continue
            entries[entry.key] = entry  # a later file overrides, as PhraseDictionary.load does
    return PhraseDictionary(entries.values())


def measure(config: RepairConfig, limit: int = 0) -> dict:
    """Counts of held-out phrases detected and corrected, and of controls changed."""
    all_cases = load_cases(ROOT / "tests" / "cases" / "tortured_heldout.tsv")
    dictionary = without_phrases([spun for spun, _ in all_cases])
    cases = all_cases[:limit] if limit else all_cases
    rng = random.Random(7)
    detected = corrected = control_changed = 0
    for n, (spun, expected) in enumerate(cases):
        known = rng.sample(KNOWN_SPUN, 3)
        template = TEMPLATES[n % len(TEMPLATES)]
        before = f"We apply {known[0][0]} to the task, following recent work on {known[2][0]}. "
        after = f" Our experiments use {known[1][0]} as a baseline."
        sentence = template.format(x=spun)
        text = before + sentence + after
        start = len(before) + template.index("{x}")
        end = start + len(spun)
        result = repair_text(text, dictionary=dictionary, config=config)
        if any(f.start < end and start < f.end for f in result.flagged):
            detected += 1
        if any(" ".join(words(template.format(x=e))) in " ".join(words(result.text)) for e in expected):
            corrected += 1
        clean = before + template.format(x=expected[0]) + after
        clean_result = repair_text(clean, dictionary=dictionary, config=config)
        c_start = len(before) + template.index("{x}")
        c_end = c_start + len(expected[0])
        if any(c.start < c_end and c_start < c.end and c.sources != ["cleanup"] for c in clean_result.applied):
            control_changed += 1
    return {"cases": len(cases), "detected": detected, "corrected": corrected, "control_changed": control_changed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases (0: all)")
    parser.add_argument("--thesaurus", action="store_true", help="turn on thesaurus proposals")
    parser.add_argument("--no-composition", action="store_true", help="turn off composed terms (repair/compose.py)")
    args = parser.parse_args()
    config = RepairConfig(use_thesaurus=args.thesaurus, use_composition=not args.no_composition)
    m = measure(config, args.limit)
    total, detected, corrected, control_changed = m["cases"], m["detected"], m["corrected"], m["control_changed"]
    print(f"held-out tortured phrases: {total} (left out of the dictionary for this measurement)")
    print(f"  detected:  {detected:5d}  ({detected / max(total, 1):.1%})")
    print(f"  corrected: {corrected:5d}  ({corrected / max(total, 1):.1%})")
    print(f"  control (established term in the same place) changed: {control_changed} ({control_changed / max(total, 1):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
