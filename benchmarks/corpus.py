#!/usr/bin/env python3
"""Deterministic benchmark corpus built from spin-repair's own material.

The project ships little text (the clean test articles and their spun
copies, two seed articles, the negative set of other genres, and the phrase
dictionaries), so a corpus of 1 MB .. 1 GB is made by recombining it:

* Paragraphs of the clean articles, seed 001 and the negative set are the
  "clean" pool. Each news paragraph is re-spun several times with the spinner
  simulator (``benchmarks/spinner.py``, its ``spin`` function and table, with
  seeds derived from ``--seed``); the shipped spun copies (and seed 000) are
  kept as one more variant.
* Every document gets fresh names and numbers: capitalised words inside a
  sentence (people, places) are renamed with invented names and digit runs are
  renumbered, the same way in the spun text and in its reference, so sentences
  do not repeat verbatim across a large corpus (repeated sentences would make
  the reference index and the dictionary look faster than on real feeds).
* Document kinds (shares by count): ``spun-news`` 40% (paragraphs of one or
  two articles in order, spun; the reference is the clean wording), ``clean-news``
  25%, ``clean-mixed`` 15% (negative-set genres: fiction, legal, science...),
  ``tortured`` 15% (science-style paragraphs with tortured phrases from
  ``dictionaries/tortured.tsv`` substituted or inserted; the reference has the
  established terms), and in 5% of documents of any kind cleanup noise (HTML
  entities, mojibake, odd spaces) that ftfy repairs.
* Sizes follow a log-normal around 4 KB (0.6 .. 40 KB), like news articles.

Everything is deterministic in ``--seed``: document ``i`` depends only on the
seed, ``i`` and the repository's material (adding test articles or negative
cases changes the corpus; compare figures across such changes with one saved
corpus file, ``--corpus``). Output is streamed (one document in memory at a time):

    python benchmarks/corpus.py --size 10MB --seed 1 --out /tmp/corpus10 [--format both]

``--format jsonl`` writes ``corpus.jsonl`` (one object a line: ``id``, ``kind``,
``text``, ``reference``: the JSON Lines input of ``repair batch``); ``dir``
writes ``docs/NNN/ID.txt`` and ``refs/NNN/ID.txt`` (same relative names, for
``--reference-dir``; references only for documents that have one); ``both``
writes both. ``--size`` counts the UTF-8 bytes of the documents' text, not of
the references or the JSON framing.

Library use (``benchmarks/run.py``): ``Corpus(seed).documents()`` is an endless
deterministic generator of :class:`Doc`; ``Corpus(seed).big_document(nbytes)``
one long document with its reference, for size-scaling runs.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import spinner  # noqa: E402  (benchmarks/spinner.py: the simulator, used as a library)

SIZES = {"KB": 10**3, "MB": 10**6, "GB": 10**9}
KINDS = (("spun-news", 0.40), ("clean-news", 0.25), ("clean-mixed", 0.15), ("tortured", 0.15))
NOISE_SHARE = 0.05
SPIN_VARIANTS = 6          # re-spins of each clean news paragraph (plus the shipped spun copy)
MEDIAN_DOC_BYTES = 4000
MIN_DOC_BYTES, MAX_DOC_BYTES = 600, 40_000
DOCS_PER_DIR = 1000


def parse_size(text: str) -> int:
    """'10MB' -> 10_000_000 (decimal units: KB, MB, GB; a bare number is bytes)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]B)?\s*", text, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (use e.g. 1MB, 10MB, 100MB, 1GB)")
    return int(float(m.group(1)) * SIZES.get((m.group(2) or "").upper(), 1))


def human(nbytes: float) -> str:
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if nbytes >= factor:
            return f"{nbytes / factor:g} {unit}" if nbytes % factor == 0 else f"{nbytes / factor:.1f} {unit}"
    return f"{nbytes:.0f} B"


@dataclass
class Doc:
    id: str
    kind: str
    text: str
    reference: str | None = None  # a cleaner text on the same story (the unspun wording), if any

    def to_json(self) -> str:
        data = {"id": self.id, "kind": self.kind, "text": self.text}
        if self.reference is not None:
            data["reference"] = self.reference
        return json.dumps(data, ensure_ascii=False)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- names and numbers ------------------------------------------------------

_SYLLABLES = ("ka", "lor", "ven", "dri", "mo", "tas", "rel", "qui", "bar", "nes", "tor", "al",
              "ev", "in", "sha", "gor", "bel", "ric", "do", "mar", "sel", "vi", "ran", "te", "hol",
              "ost", "un", "pra", "zel", "co")
# A capitalised word that follows a lower-case word, a comma or similar: a name
# inside a sentence (not the first word of one).
_NAME_RE = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]{3,}\b")
_DIGITS_RE = re.compile(r"\d+")
_MONTHS_DAYS = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())


class _Renamer:
    """Fresh names and numbers for one document, applied alike to its spun
    text and its reference."""

    def __init__(self, rng: random.Random, keep: frozenset[str]):
        self.rng = rng
        self.keep = keep
        self.names: dict[str, str] = {}

    def learn(self, clean: str) -> None:
        for m in _NAME_RE.finditer(clean):
            word = m.group()
            if word in self.keep or word in self.names:
                continue
            n = self.rng.choice((2, 2, 3))
            self.names[word] = "".join(self.rng.choice(_SYLLABLES) for _ in range(n)).capitalize()

    def numbers(self, clean: str) -> list[str]:
        out = []
        for m in _DIGITS_RE.finditer(clean):
            d = m.group()
            if len(d) == 4 and d[:2] in ("19", "20"):
                out.append(str(self.rng.randint(1990, 2029)))
            elif len(d) == 1:
                out.append(str(self.rng.randint(2, 9)))
            else:
                out.append(str(self.rng.randint(10 ** (len(d) - 1), 10 ** len(d) - 1)))
        return out

    def apply(self, text: str, numbers: list[str]) -> str:
        if self.names:
            text = _NAME_RE.sub(lambda m: self.names.get(m.group(), m.group()), text)
        if numbers and len(_DIGITS_RE.findall(text)) == len(numbers):
            it = iter(numbers)
            text = _DIGITS_RE.sub(lambda m: next(it), text)
        return text


# --- cleanup noise ----------------------------------------------------------

def _add_noise(text: str, rng: random.Random) -> str:
    """Web-scrape damage that the cleanup (ftfy) repairs."""
    kind = rng.randrange(4)
    if kind == 0:  # HTML entities
        text = text.replace("&", "&amp;").replace("’", "&#8217;").replace("“", "&ldquo;").replace("”", "&rdquo;")
        text = text.replace(" — ", " &mdash; ")
    elif kind == 1:  # mojibake: UTF-8 read as Windows-1252
        text = text.replace("’", "â€™").replace("“", "â€œ").replace("—", "â€”").replace("é", "Ã©")
    elif kind == 2:  # non-breaking spaces and double spaces
        words = text.split(" ")
        text = "".join(w + (rng.choice(("\u00a0", "  ", " ")) if i % 7 == 3 else " ")
                       for i, w in enumerate(words)).rstrip(" ")
    else:  # zero-width characters and soft hyphens
        words = text.split(" ")
        text = " ".join(w[:2] + "\u00ad" + w[2:] if len(w) > 7 and i % 5 == 0 else w
                        for i, w in enumerate(words))
    return text


# --- tortured phrases ---------------------------------------------------------

_TORTURED_TEMPLATES = (
    "In this work we apply {0} to the problem of {1}.",
    "The proposed method combines {0} with {1} and is evaluated on public benchmarks.",
    "Results show that {0} outperforms conventional {1} on every data set.",
    "Unlike earlier studies, we rely on {0} rather than {1}.",
    "A further experiment examined how {0} affects {1}.",
    "These findings suggest that {0} remains a promising direction for {1}.",
)


def _load_tortured() -> list[tuple[str, str]]:
    """(spun, original) pairs from dictionaries/tortured.tsv, read as plain TSV
    (only plain lower-case phrases of letters, spaces and hyphens)."""
    pairs = []
    path = ROOT / "dictionaries" / "tortured.tsv"
    if not path.exists():
        return pairs
    for line in _read(path).splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or fields[0] == "spun":
            continue
        spun, original = fields[0].strip(), fields[1].split("|")[0].strip()
        if re.fullmatch(r"[a-z][a-z -]*[a-z]", spun) and re.fullmatch(r"[a-z][a-z -]*[a-z]", original):
            pairs.append((spun, original))
    return pairs


def _name_keep_list() -> frozenset[str]:
    """Capitalised words of the shipped dictionaries (White, House, Home...) and
    months and days: never renamed, so name-shaped spins stay matchable."""
    keep = set(_MONTHS_DAYS)
    for path in sorted((ROOT / "dictionaries").glob("*.tsv")):
        for line in _read(path).splitlines():
            if line.startswith("#"):
                continue
            for field in line.split("\t")[:2]:
                keep.update(re.findall(r"\b[A-Z][a-z]+\b", field))
    return frozenset(keep)


# --- the corpus ---------------------------------------------------------------

class Corpus:
    """The material, prepared once; documents are generated from it on demand."""

    def __init__(self, seed: int = 1, spin_variants: int = SPIN_VARIANTS):
        self.seed = seed
        rng = random.Random(f"corpus:{seed}")
        self.keep = _name_keep_list()
        # News articles: list of articles, each a list of (clean, [spun variants]) paragraphs.
        self.news: list[list[tuple[str, list[str]]]] = []
        clean_dir = ROOT / "tests" / "cases" / "articles" / "clean"
        spun_dir = ROOT / "tests" / "cases" / "articles" / "spun"
        sources = [(p, spun_dir / p.name) for p in sorted(clean_dir.glob("*.txt"))]
        seeds = sorted((ROOT / "seeds").glob("*.txt"))
        sources += [(p, None) for p in seeds[1:2]]  # seed 001: clean
        for clean_path, spun_path in sources:
            clean_pars = _paragraphs(_read(clean_path))
            shipped = _paragraphs(_read(spun_path)) if spun_path and spun_path.exists() else []
            article = []
            for k, par in enumerate(clean_pars):
                variants = [spinner.spin(par, rate=rng.uniform(0.6, 0.95), seed=rng.randrange(10**9),
                                         name=f"{clean_path.stem}:{k}")[0] for _ in range(spin_variants)]
                if len(shipped) == len(clean_pars):
                    variants.append(shipped[k])
                article.append((par, variants))
            self.news.append(article)
        # Seed 000 is spun; seed 001 is another article on the same story.
        self.seed000 = _paragraphs(_read(seeds[0])) if seeds else []
        self.seed001 = _paragraphs(_read(seeds[1])) if len(seeds) > 1 else []
        self.mixed: list[str] = []
        self.science: list[str] = []
        for p in sorted((ROOT / "tests" / "cases" / "negative").glob("*.txt")):
            pars = _paragraphs(_read(p))
            self.mixed += pars
            if p.stem.startswith(("science", "tech", "health")):
                self.science += pars
        self.tortured = _load_tortured()
        self._tortured_by_original: dict[str, list[str]] = {}
        for spun, original in self.tortured:
            self._tortured_by_original.setdefault(original, []).append(spun)
        originals = sorted(self._tortured_by_original, key=len, reverse=True)
        original_re = re.compile(r"\b(?:" + "|".join(map(re.escape, originals)) + r")\b") if originals else None
        # Where each science paragraph has an established term that a tortured phrase replaces
        # (found once here: the alternation of thousands of terms is slow to run per document).
        self._science_terms = [[(m.start(), m.end(), m.group()) for m in original_re.finditer(p)] if original_re
                               else [] for p in (self.science or self.mixed)]

    # -- one document --------------------------------------------------------

    def document(self, i: int) -> Doc:
        rng = random.Random(f"{self.seed}:{i}")
        target = int(min(MAX_DOC_BYTES, max(MIN_DOC_BYTES, rng.lognormvariate(math.log(MEDIAN_DOC_BYTES), 0.6))))
        r = rng.random()
        acc = 0.0
        kind = KINDS[-1][0]
        for name, share in KINDS:
            acc += share
            if r < acc:
                kind = name
                break
        spun_pars, ref_pars = getattr(self, "_" + kind.replace("-", "_"))(rng, target)
        renamer = _Renamer(rng, self.keep)
        for par in ref_pars:
            renamer.learn(par)
        text_out, ref_out = [], []
        for spun, ref in zip(spun_pars, ref_pars):
            numbers = renamer.numbers(ref)
            text_out.append(renamer.apply(spun, numbers))
            ref_out.append(renamer.apply(ref, numbers))
        text = "\n\n".join(text_out) + "\n"
        reference = "\n\n".join(ref_out) + "\n"
        if rng.random() < NOISE_SHARE:
            text = _add_noise(text, rng)
            kind += "+noise"
        has_ref = kind.startswith(("spun", "tortured")) or "+noise" in kind
        return Doc(f"d{i:07d}", kind, text, reference if has_ref else None)

    def documents(self, start: int = 0) -> Iterator[Doc]:
        """Documents start, start+1, ... (endless)."""
        i = start
        while True:
            yield self.document(i)
            i += 1

    def _take_article(self, rng: random.Random, target: int) -> list[tuple[str, list[str]]]:
        """Paragraphs of one article in order (a headline first), continued with
        a second article when the first is shorter than the target."""
        out: list[tuple[str, list[str]]] = []
        size = 0
        while size < target:
            article = rng.choice(self.news)
            first = 0 if not out else rng.randrange(1, max(2, len(article)))
            for par in article[first:]:
                out.append(par)
                size += len(par[0]) + 2
                if size >= target:
                    break
        return out

    def _spun_news(self, rng, target):
        if self.seed000 and self.seed001 and rng.random() < 0.02:
            return list(self.seed000), list(self.seed001)  # seed 000 with seed 001 as reference
        pars = self._take_article(rng, target)
        return [rng.choice(v) for _, v in pars], [c for c, _ in pars]

    def _clean_news(self, rng, target):
        pars = [c for c, _ in self._take_article(rng, target)]
        return pars, pars

    def _clean_mixed(self, rng, target):
        pars, size = [], 0
        while size < target:
            pars.append(rng.choice(self.mixed))
            size += len(pars[-1]) + 2
        return pars, pars

    def _tortured(self, rng, target):
        spun_pars, ref_pars, size = [], [], 0
        pool = self.science or self.mixed
        while size < target:
            k = rng.randrange(len(pool))
            clean = spun = pool[k]
            out, pos = [], 0
            for a, b, term in self._science_terms[k]:
                if rng.random() < 0.7:
                    out += [clean[pos:a], rng.choice(self._tortured_by_original[term])]
                    pos = b
            if out:
                spun = "".join(out) + clean[pos:]
            if self.tortured:
                extra_spun, extra_ref = [], []
                for _ in range(rng.randint(1, 3)):
                    template = rng.choice(_TORTURED_TEMPLATES)
                    a, b = rng.choice(self.tortured), rng.choice(self.tortured)
                    extra_spun.append(template.format(a[0], b[0]))
                    extra_ref.append(template.format(a[1], b[1]))
                spun += " " + " ".join(extra_spun)
                clean += " " + " ".join(extra_ref)
            spun_pars.append(spun)
            ref_pars.append(clean)
            size += len(spun) + 2
        return spun_pars, ref_pars

    # -- one long document -------------------------------------------------------

    def big_document(self, nbytes: int, seed_offset: int = 0) -> tuple[str, str]:
        """One spun document of about ``nbytes`` UTF-8 bytes and its reference
        (the clean wording, same size): spun-news paragraphs of many articles,
        each article with its own names and numbers, as in a long feed dump;
        5% of the articles carry cleanup noise (as in ``document``)."""
        text, ref, size, k = [], [], 0, 0
        while size < nbytes:
            rng = random.Random(f"{self.seed}:big:{seed_offset}:{k}")
            k += 1
            pars = self._take_article(rng, rng.randint(2000, 6000))
            renamer = _Renamer(rng, self.keep)
            for clean, _ in pars:
                renamer.learn(clean)
            noisy = rng.random() < NOISE_SHARE
            for clean, variants in pars:
                numbers = renamer.numbers(clean)
                s = renamer.apply(rng.choice(variants), numbers)
                c = renamer.apply(clean, numbers)
                if noisy:
                    s = _add_noise(s, rng)
                nb = len(s.encode("utf-8")) + 2
                if size + nb > nbytes and size > 0:
                    size = nbytes
                    break
                text.append(s)
                ref.append(c)
                size += nb
        return "\n\n".join(text) + "\n", "\n\n".join(ref) + "\n"


def iter_jsonl(path: str | Path) -> Iterator[Doc]:
    """Stream documents from a corpus.jsonl, one line at a time."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                yield Doc(d["id"], d.get("kind", ""), d["text"], d.get("reference"))


def write_corpus(out: str | Path, size: int, seed: int = 1, fmt: str = "jsonl",
                 progress: bool = False) -> dict:
    """Write documents until their text reaches ``size`` bytes. Streams: one
    document in memory at a time. Returns a summary dict."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(seed)
    jsonl = open(out / "corpus.jsonl", "w", encoding="utf-8") if fmt in ("jsonl", "both") else None
    written = ref_bytes = 0
    kinds: dict[str, int] = {}
    t0 = time.perf_counter()
    next_report = size / 10
    n = 0
    try:
        for doc in corpus.documents():
            if written >= size:
                break
            if jsonl is not None:
                jsonl.write(doc.to_json() + "\n")
            if fmt in ("dir", "both"):
                sub = f"{n // DOCS_PER_DIR:04d}"
                d = out / "docs" / sub
                d.mkdir(parents=True, exist_ok=True)
                (d / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
                if doc.reference is not None:
                    r = out / "refs" / sub
                    r.mkdir(parents=True, exist_ok=True)
                    (r / f"{doc.id}.txt").write_text(doc.reference, encoding="utf-8")
            n += 1
            written += len(doc.text.encode("utf-8"))
            if doc.reference is not None:
                ref_bytes += len(doc.reference.encode("utf-8"))
            kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
            if progress and written >= next_report:
                print(f"  {human(written)} / {human(size)}, {n} documents, "
                      f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
                next_report += size / 10
    finally:
        if jsonl is not None:
            jsonl.close()
    summary = {"seed": seed, "documents": n, "text_bytes": written, "reference_bytes": ref_bytes,
               "kinds": dict(sorted(kinds.items())), "format": fmt, "seconds": round(time.perf_counter() - t0, 2)}
    (out / "corpus.summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("10MB"),
                        help="text bytes to write: 1MB, 10MB, 100MB, 1GB ... (default 10MB)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--format", choices=("jsonl", "dir", "both"), default="both",
                        help="corpus.jsonl, docs/ + refs/ text files, or both (default both)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    summary = write_corpus(args.out, args.size, args.seed, args.format, progress=not args.quiet)
    if not args.quiet:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
