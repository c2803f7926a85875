#!/usr/bin/env python3
"""Random fuzzing of repair_text and the dictionary parser (not a pytest module).

    python tests/fuzz/fuzz_repair.py --seconds 60 [--seed N] [--target both|repair|parser]

repair_text is run on generated texts (spun phrases, names, quotes, odd
Unicode, mojibake, control characters, every kind of line break); a finding is
any exception, or a result that breaks the change-log contract: a record whose
``before`` is not ``input[start:end]``, overlapping applied records, or a
replay (apply_changes) that does not give ``result.text``.

repair.dictionary.parse_text is run on generated TSV text; a finding is any
exception other than DictionaryError (and, for text that parses, any exception
while matching the entries against a text).

Findings are grouped by kind; the first (shortest) example of each is printed.
Exit status 1 when there are findings, so the script can gate a CI job.
"""
from __future__ import annotations

import argparse
import dataclasses
import random
import re
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from repair import RepairConfig, repair_text  # noqa: E402
from repair.changelog import ChangeLogError, apply_changes  # noqa: E402
from repair.dictionary import DictionaryError, PhraseDictionary, parse_text  # noqa: E402
from repair.text import tokenize  # noqa: E402

SPUN = [
    "navy workouts", "in keeping with", "one in all", "well being", "stated", "additionally",
    "paperwork", "authorities", "final week", "a few of", "calls for", "safety ensures",
    "together with", "in addition to", "an in depth", "an imminent assault", "White Home",
    "Home of Representatives", "12 months", "a 12 months in the past", "considered one of",
    "inflicting", "accountable", "sample", "exercise", "throughout", "basically", "principal",
    "p.c.", "p.c", "1000's", "final-minute", "within",
]
WORDS = ["the", "a", "an", "of", "and", "said", "military", "he", "she", "it", "was", "is",
         "Putin", "NATO", "Russia's", "Biden", "U.S.", "Mr.", "Dr.", "2021", "3.5", "per cent"]
PUNCT = [".", ",", ";", ":", "!", "?", "—", "(", ")", "'", "’", "‘", '"', "“", "”", "„", "«", "»", "…", "-"]
SEPARATORS = [" ", " ", " ", " ", "\n", "\r\n", "\r", "\n\n", "\t", "\u00a0", "\u2028", "\u2029",
              "\x85", "\x0b", "\x0c", "  ", "\u200b", "\u3000"]
ODD = ["é", "e\u0301", "\u0301", "שלום", "مرحبا", "\u202e", "\u200f", "😀", "👩‍👩‍👧", "🇺🇸", "ﬁ", "ﬂ",
       "ｓｔａｔｅｄ", "ａ", "â€™", "â€œ", "Ã©", "&amp;", "&quot;", "&#8217;", "&nbsp;", "<b>", "</p>",
       "\x00", "\x07", "\x1b[31m", "\x7f", "\x81", "\x9d", "\ud800", "\udfff", "\ufeff", "\u00ad",
       "\U0010ffff", "\ufffd", "İ", "ß", "ǅ", "Ⅻ", "²", "٣"]


def random_text(rng: random.Random) -> str:
    n = rng.choice([0, 1, 2, 5, 10, 30, 80, 200])
    parts = []
    for _ in range(n):
        k = rng.random()
        if k < 0.35:
            p = rng.choice(SPUN)
        elif k < 0.6:
            p = rng.choice(WORDS)
        elif k < 0.8:
            p = rng.choice(PUNCT)
        elif k < 0.93:
            p = rng.choice(ODD)
        else:
            p = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.15:
            p = rng.choice([p.capitalize(), p.upper(), p.title()])  # title case: headlines
        parts.append(p)
        parts.append(rng.choice(SEPARATORS) if rng.random() < 0.85 else "")
    text = "".join(parts)
    return widen(rng, text) if rng.random() < 0.1 else text


WIDEN = True


def widen(rng: random.Random, text: str) -> str:
    """Turn some ASCII letters into fullwidth forms or ligatures: cleanup edits
    inside and between the words the dictionary matches."""
    if not WIDEN:
        return text
    out = []
    for ch in text:
        if ch.isascii() and ch.isalpha() and rng.random() < 0.15:
            out.append(chr(ord(ch) + 0xFEE0))
        else:
            out.append(ch)
    return "".join(out).replace("fi", "ﬁ" if rng.random() < 0.5 else "fi")


def random_dictionary(rng: random.Random) -> PhraseDictionary:
    """A small user dictionary of confident entries over the generator's vocabulary."""
    vocab = [w for w in WORDS + SPUN + ["big", "enormous", "important", "had a", "has a"] if w]
    lines, seen = [], set()
    for _ in range(rng.randint(1, 12)):
        spun, original = rng.choice(vocab), rng.choice(vocab)
        if spun.lower() == original.lower() or spun in seen:
            continue
        seen.add(spun)
        lines.append(f"{spun}\t{original}\t{rng.choice([0.6, 0.9, 0.99, 1.0])}\t\tfuzz")
    try:
        return PhraseDictionary(parse_text("\n".join(lines), "fuzz-dict.tsv"))
    except DictionaryError:
        return PhraseDictionary()


def mutate(rng: random.Random, text: str) -> str:
    if not text:
        return random_text(rng)
    if rng.random() < 0.1:
        return widen(rng, text)
    i = rng.randrange(len(text) + 1)
    j = min(len(text), i + rng.randint(0, 5))
    ins = rng.choice(SPUN + WORDS + PUNCT + SEPARATORS + ODD)
    return text[:i] + ins + text[j:]


def _shape(message: str) -> str:
    """An exception message without its particulars, to group findings."""
    message = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "'…'", message)
    return re.sub(r"\d+", "N", message)[:90]


def shrink(text: str, still_fails, budget: float) -> str:
    """Delta-debugging: drop chunks of ``text`` while ``still_fails`` holds."""
    deadline = time.monotonic() + budget
    chunk = max(1, len(text) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, shrunk = 0, False
        while i < len(text) and time.monotonic() < deadline:
            candidate = text[:i] + text[i + chunk:]
            if still_fails(candidate):
                text, shrunk = candidate, True
            else:
                i += chunk
        if not shrunk:
            chunk //= 2
    return text


def check_repair(text: str, reference: str | None, config: RepairConfig,
                 dictionary: PhraseDictionary | None = None) -> str | None:
    """The kind of finding for this input, or None."""
    try:
        result = repair_text(text, references=[reference] if reference else (), dictionary=dictionary,
                             config=config)
    except Exception as exc:  # noqa: BLE001 - any exception is a finding
        return f"repair_text raised {type(exc).__name__}: {_shape(str(exc))}"
    for c in result.changes:
        if text[c.start:c.end] != c.before:
            return "change.before != input[start:end]"
    applied = sorted(result.applied, key=lambda c: (c.start, c.end))
    for a, b in zip(applied, applied[1:]):
        if b.start < a.end:
            return "applied changes overlap"
    try:
        replay = apply_changes(text, result.changes)
    except ChangeLogError:
        return "replay raised ChangeLogError"
    if replay != result.text:
        return "replay != result.text"
    return None


TSV_FIELDS = ["stated", "said", "navy workouts", "military exercises", "White Home", "White House",
              "0.5", "1", "0", "1.5", "-1", "nan", "inf", "x", "", " ", "before=the", "after=<s>",
              "!before=<s>|a", "!after=<num>", "before=<poss>", "before=", "after=|", "beside=x",
              "before=<p> ;after=a b", "src", "maintainers", "a|b", "|", "<s>", "#", "spun", "original",
              "\u00e9", "\u2028", "\x85", "\ufeff", "said|said", "ﬁnal", ".", "'s", "’"]


def random_tsv(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(0, 6)):
        if rng.random() < 0.7:
            n = rng.choice([5, 5, 5, 4, 6, 1])
            fields = [rng.choice(TSV_FIELDS) for _ in range(n)]
            if rng.random() < 0.6 and n == 5:
                fields[2] = str(round(rng.random(), 2))
                fields[4] = "src"
            lines.append("\t".join(fields))
        else:
            lines.append(random_text(rng)[:40])
    return rng.choice(["\n", "\r\n", "\r"]).join(lines)


def check_parser(tsv: str, rng: random.Random) -> str | None:
    try:
        entries = parse_text(tsv, "fuzz.tsv")
    except DictionaryError:
        return None
    except Exception as exc:  # noqa: BLE001
        return f"parse_text raised {type(exc).__name__}"
    try:
        dictionary = PhraseDictionary(entries)
        dictionary.match(tokenize(random_text(rng) + " " + " ".join(" ".join(e.spun) for e in entries)))
    except Exception as exc:  # noqa: BLE001
        return f"matching parsed entries raised {type(exc).__name__}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--target", choices=("both", "repair", "parser"), default="both")
    parser.add_argument("--no-widen", action="store_true",
                        help="no fullwidth letters or ligatures (they found KF-1 at once; leave them out to look for other bugs)")
    parser.add_argument("--shrink", type=float, default=10.0, metavar="SECONDS",
                        help="time spent shrinking each kind of finding (0: do not shrink)")
    args = parser.parse_args(argv)
    global WIDEN
    WIDEN = not args.no_widen
    if args.no_widen:
        ODD[:] = [o for o in ODD if not any(0xFB00 <= ord(c) <= 0xFB06 or 0xFF01 <= ord(c) <= 0xFF5E for c in o)]
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    print(f"fuzzing for {args.seconds:g} s, seed {seed}", flush=True)
    repair_text("warm up: the navy workouts")  # load model and dictionary outside the clock

    configs = [RepairConfig(), RepairConfig(min_confidence=0.05), RepairConfig(cleanup=False),
               RepairConfig(use_model=False)]
    findings: dict[str, list[str]] = defaultdict(list)
    witnesses: dict[str, tuple] = {}  # kind -> (text, reference, config, dictionary) of the shortest
    runs = {"repair": 0, "parser": 0}
    corpus = [random_text(rng) for _ in range(20)]
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        if args.target in ("both", "repair"):
            text = mutate(rng, rng.choice(corpus)) if rng.random() < 0.5 else random_text(rng)
            reference = None
            if rng.random() < 0.2:
                reference = mutate(rng, text) if rng.random() < 0.5 else random_text(rng)
            config = rng.choice(configs)
            dictionary = random_dictionary(rng) if rng.random() < 0.2 else None
            try:
                kind = check_repair(text, reference, config, dictionary)
            except Exception:  # noqa: BLE001 - a bug in the checker itself
                kind = "checker crashed: " + traceback.format_exc(limit=1).splitlines()[-1]
            runs["repair"] += 1
            if kind:
                if kind not in witnesses or len(text) < len(witnesses[kind][0]):
                    witnesses[kind] = (text, reference, config, dictionary)
                findings[kind].append(
                    repr(text) + (f" reference={reference!r}" if reference else "")
                    + (" dictionary=" + repr([f"{' '.join(e.spun)} -> {'|'.join(e.originals)}"
                                              for e in dictionary.entries]) if dictionary else "")
                    + f" config={config}")
                corpus.append(text)
            elif rng.random() < 0.05:
                corpus.append(text)
            corpus = corpus[-200:]
        if args.target in ("both", "parser"):
            tsv = random_tsv(rng)
            kind = check_parser(tsv, rng)
            runs["parser"] += 1
            if kind:
                if kind not in witnesses or len(text) < len(witnesses[kind][0]):
                    witnesses[kind] = (text, reference, config, dictionary)
                findings[kind].append(repr(tsv))

    print(f"executions: repair_text {runs['repair']}, parse_text {runs['parser']}")
    if not findings:
        print("findings: none")
        return 0
    print(f"findings: {sum(len(v) for v in findings.values())} in {len(findings)} kind(s)")
    for kind, examples in sorted(findings.items()):
        shortest = min(examples, key=len)
        print(f"- {kind}: {len(examples)} time(s); shortest input:\n    {shortest[:600]}")
        if kind in witnesses and args.shrink > 0:
            text, reference, config, dictionary = witnesses[kind]
            small = shrink(text, lambda t: check_repair(t, reference, config, dictionary) == kind, args.shrink)
            changed = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
                       if getattr(config, f.name) != getattr(RepairConfig(), f.name)}
            print(f"  shrunk to ({len(small)} chars): {small!r}"
                  + (f" with config {changed}" if changed else "")
                  + (f" and reference {reference[:300]!r}" if reference else "")
                  + (" and a fuzz dictionary" if dictionary else ""))
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
