#!/usr/bin/env python3
"""Build the "tortured phrases" dictionary and its held-out test cases.

Input
-----
``tortured_dev.tsv`` (default ``../shared/data/tortured_dev.tsv`` relative to
the repository root; described in ``tortured_dev.README.md`` beside it):
5,599 rows ``tortured<TAB>expected<TAB>source`` of scientific "tortured
phrases" (synonym-spinner output such as "counterfeit consciousness" for
"artificial intelligence"), lowercased and NFKC-normalized. ``source`` lists
the public GitHub copies (``owner/repo:path``, ``;``-joined) the pair was found
in.

Where the data comes from, and its terms
----------------------------------------
Almost every row comes from the Problematic Paper Screener (PPS) tortured-
phrase fingerprints curated by Guillaume Cabanac, Cyril Labbé and Alexander
Magazinov (Cabanac, Labbé & Magazinov, "Tortured phrases: A dubious writing
style emerging in science", arXiv:2107.06751, 2021), found in several GitHub
copies. About a hundred rows come from Clausse, Badalova, Cabanac & Mayr
(2025), "Tortured Phrases from the Humanities and Social Sciences - A
fingerprints dataset", Zenodo, doi:10.5281/zenodo.14753785 (CC BY 4.0), via
agent-quality-controls/Slopless. No license for the PPS list itself could be
confirmed: the copies' repository licenses cover their authors' own work, not
the PPS data. Both output files therefore carry a comment block that credits
the PPS and its authors and the Clausse et al. dataset and states that the
PPS-derived rows are third-party data whose terms are unconfirmed; every
dictionary entry keeps its upstream provenance in the ``source`` column.

Outputs
-------
``dictionaries/tortured.tsv``
    Every row (since session 9: the held-out fifth too, so that the shipped
    tool knows every public phrase) in the spin-repair dictionary format
    ``spun<TAB>original<TAB>confidence<TAB>context<TAB>source`` (see
    ``repair/dictionary.py``), with the comment block and a header line.
    ``context`` is always empty. ``source`` is e.g.
    ``PPS via pavan-182/content_integrity_checks;giladfeldman/torturedcheck``:
    the upstream list, then the owner/repo names of the copies (file paths
    dropped); rows of the Clausse et al. dataset say
    ``Clausse et al. 2025 (doi:10.5281/zenodo.14753785, CC BY 4.0) via
    agent-quality-controls/Slopless``; a row in both joins the two with `` + ``.
``tests/cases/tortured_heldout.tsv``
    The HELD-OUT part (about 20 %): the same comment block, a header line
    ``tortured<TAB>expected``, then one pair a line. ``expected`` is cleaned
    exactly like a dictionary ``original`` and may hold ``|``-separated
    acceptable answers, most likely first. Lines starting with ``#`` are
    comments. It measures how well phrases that are NOT in the dictionary
    are detected and corrected: ``benchmarks/evaluate_tortured.py`` leaves
    these phrases out of the dictionary it measures with (matching token
    sequences as the matcher does), and with them every word swap and term
    that composition would learn from them.

The split is by a stable hash of the spun phrase: the phrase is tokenized the
way the matcher does it (``\\w+(?:['’]\\w+)*|[^\\w\\s]``, lowercased, curly
apostrophes straightened), the tokens are joined with single spaces, and the
row is held out when ``int(sha1(key), 16) % 5 == 0``. The same phrase always
lands on the same side whatever else changes in the input. Spun phrases that
differ only in spacing around punctuation ("3-way" / "3 - way") are the same
key; their rows are merged (alternatives united, first row's order kept).

Cleaning ``expected`` into a drop-in replacement
------------------------------------------------
The curators' ``expected`` is the established term, not always a drop-in
replacement for the spun words. Steps, in order:

1. Manual fixes (``MANUAL`` below): 17 rows checked by hand whose text the
   rules below would get wrong (a gloss instead of a phrase, a literal slash
   that is not an alternative, an extra word the spun phrase does not cover,
   a typo that is itself a word). ``None`` skips the row.
2. Uncertain rows ("probably speech impairment") are skipped.
3. Square brackets mark words the context implies but the spun phrase does not
   cover ("layer yields" -> "[neural network] layer outputs"): the bracketed
   words are dropped ("layer outputs"), unless all of them occur in the spun
   phrase itself ("encompassed virus" -> "enveloped [virus]" ->
   "enveloped virus"). "[...]" is dropped.
4. Parentheses. If the spun phrase has no parentheses, every parenthetical in
   ``expected`` is dropped: trailing acronyms ("support vector machine (svm)"
   -> "support vector machine"), optional words ("(mean) squared error") and
   notes ("fatty liver (disease)"); an attached optional suffix keeps its text
   ("autist(ic)" -> "autistic"; "function(s)" follows the number of the spun
   word). If the spun phrase has parentheses, ``expected`` keeps its own
   (the spun "(gee)" in "hidden markov model (gee)" must become "(hmm)"); if
   ``expected`` has none but the spun phrase ends in "(x)", that "(x)" is
   appended to ``expected`` so the replacement covers the same span and leaves
   the acronym as written ("digital machines (vms)" -> "virtual machines
   (vms)").
5. Alternatives. "/" and " or " in ``expected`` become ``|`` alternatives,
   except when the spun phrase has the same separator (then it is part of the
   term: "tcp/ip bundle" -> "tcp/ip packet", "crispr impedance or crispri").
   Two readings are tried: whole-phrase alternatives split at the separator
   ("brain cancer / brain tumor" -> "brain cancer|brain tumor") and one-word
   alternatives inside a phrase ("fog/mist/cloud computing" -> "fog
   computing|mist computing|cloud computing"). The reading whose alternatives
   are closest in length (words) to the spun phrase wins, the whole-phrase
   reading on ties when the separator is spaced, the one-word reading when it
   is not ("economic development/profit growth" for "monetary development" is
   two whole phrases; "renal or kidney failure" is one word). A phrase with
   more than one one-word group, or a lopsided "x/ y", has no clean reading
   and is skipped.
6. Misspellings in ``expected`` (``TYPOS``: "netwok", "entrooy", "valiadation",
   ...) are corrected word by word, so the replacement is spelled right.
7. Whitespace and stray punctuation at the ends are tidied; a result without a
   letter or digit, with leftover brackets, or equal to the spun phrase (as
   tokens) is skipped.

Spun phrases containing characters that make them non-phrases (wildcards,
quotes, brackets, ``|``, a leading ``#``) are skipped, and so are those longer
than 12 tokens (the dictionary loader's limit).

Confidence
----------
- 0.9 for phrases of two or more tokens. A hyphenated compound such as
  "cease-to-cease" is several tokens to the matcher and nothing anybody writes
  unspun, so it counts as a phrase.
- 0.35 for single-token phrases ("bosom" -> "breast", "populace" ->
  "population"): everyday words that are a spin only in context. Exception:
  ``NON_WORDS``, spinner garbage that is no English word at all
  ("auupdatedmation" for "automation"), keeps 0.9.
- 0.5 for ``ESTABLISHED``: phrases whose spun form is itself an established
  term or an ordinary phrase in some field or in everyday prose ("malignant
  growth", "supply route", "standard mistake", "kicked the bucket"). A hit is
  evidence, not proof. The list was made by reading every spun phrase (with
  WordNet's collocations as a hint); it never raises a confidence.

Usage (from the repository root)::

    python3 dictionaries/build_tortured.py [PATH/TO/tortured_dev.tsv]
    python3 dictionaries/build_tortured.py --check

Building prints a summary (rows read, entries written, rows skipped by reason)
and then runs the check. ``--check`` only validates the existing outputs: five
fields a line, no empty field, confidence in 0..1, original != spun, no spun
phrase twice, at most 12 tokens, every held-out phrase in the dictionary. It exits
1 on any problem. Standard library only; output is byte-for-byte deterministic.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = REPO_ROOT / ".." / "shared" / "data" / "tortured_dev.tsv"
DICT_PATH = REPO_ROOT / "dictionaries" / "tortured.tsv"
HELDOUT_PATH = REPO_ROOT / "tests" / "cases" / "tortured_heldout.tsv"
COMMAND = "python3 dictionaries/build_tortured.py ../shared/data/tortured_dev.tsv"

TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")  # same as repair/text.py
MAX_TOKENS = 12                                     # repair/dictionary.py limit
HELDOUT_MODULUS = 5                                 # 1 in 5 held out

CONF_PHRASE = 0.9
CONF_SINGLE = 0.35
CONF_ESTABLISHED = 0.5

# Characters that make a spun "phrase" a search pattern or a fragment rather
# than words someone wrote.
BAD_SPUN_RE = re.compile(r"[*?\"“”„«»~|\\<>{}\[\]\t]")
UNCERTAIN_RE = re.compile(r"^(?:probably|possibly|maybe|perhaps)\b|\?")

# Rows fixed by hand (spun phrase -> cleaned expected; None skips the row).
MANUAL: dict[str, str | None] = {
    # lopsided "x/ y": the curators meant two whole phrases
    "a mind boggling want": "an incredible need|a staggering need",
    # "/" is part of these terms, not an alternative
    "gas and mass spectroscopy": "gas chromatography/mass spectrometry",
    "reflection-enhancement assault": "reflection/amplification attack",
    # the spun words say "and", the expected text a "/" acronym
    "robotized capacity and recovery frameworks": "automated storage and retrieval systems",
    # expected adds words that the spun phrase does not cover
    "pack extension piece": "bundle branch block",            # "left/right bundle branch block"
    "prescient quality": "predictive value",                  # "negative/positive predicted value (npv/ppv)"
    "speed, assortment": "velocity, variety",                 # "volume, velocity, variety, and veracity (four vs)"
    "in rundown, this": "in summary, this",                   # "in summary, this study examines..."
    "normal article in setting": "common objects in context",  # "microsoft coco: common objects in context"
    # expected drops words that the spun phrase has
    "man-in-the-middle (mitm) assault": "man-in-the-middle (mitm) attack",
    "commercial traveler (tsp) issue": "travelling salesman problem (tsp)",
    # WordNet spinner: "who" -> "united nations agency", "are" -> "square measure"
    "united nations agency square measure": "who are",
    "ddos assault": "ddos attack",                            # not the spelled-out "distributed denial-of-service"
    "personality of a plant pathogen": "nature of a plant pathogen",  # "... or nature of plant–pathogen (interactions)"
    # upstream typos that are real words, so TYPOS cannot fix them
    "mean squared goof": "mean squared error",                # "mean spared error"
    "bit per image (bpp)": "bits per pixel (bpp)",            # "bits par pixel (bpp)"
    # a gloss, not a replacement
    "well concurred": None,                                   # "is in accord, correlates"
}

# Misspellings in the curators' expected text, fixed word by word so that the
# replacement written into a document is spelled right.
TYPOS: dict[str, str] = {
    "assocated": "associated", "composent": "component", "consuption": "consumption",
    "continious": "continuous", "countinuous": "continuous", "effet": "effect",
    "entrooy": "entropy", "enviroment": "environment", "fruxtose": "fructose",
    "illneses": "illnesses", "mamography": "mammography", "medicial": "medical",
    "minin": "mining", "netwok": "network", "ocurrence": "occurrence",
    "particule": "particle", "pericutaneous": "percutaneous", "polyphormism": "polymorphism",
    "squarred": "squared", "supression": "suppression", "tartanic": "tartaric",
    "unbiaised": "unbiased", "valiadation": "validation",
}
TYPO_RE = re.compile(r"\b(" + "|".join(sorted(TYPOS)) + r")\b")

# Single tokens that are no English word: spinner garbage ("to" -> "updated",
# "fi" -> "wireless" inside words). Unambiguous, so they keep CONF_PHRASE.
NON_WORDS = frozenset("""
    associatealog auupdatedmate auupdatedmation ballotor butupdatedn conwirelessgure downguideline
    factshungry modiwiwireless offerbuiltintegrated tokenizatioing
    transferrbuiltintegrated wirelessngerprints
""".split())

# Spun phrases that are themselves established terms or ordinary phrases
# somewhere (README examples first). Confidence CONF_ESTABLISHED.
ESTABLISHED = frozenset(p.strip() for p in """
    malignant growth; brain organization; feedback processing; neural organization
    area unit; square measure; associate in nursing; jungle fever; supply route; mossy cup oak
    shared data; independent learning; directed learning; backward probability; buried layer
    call tree; matrix search; question set; test technique; working framework
    dynamic consistency; creeping peg; limited rationality; intermediate commodities
    market rivalry; banking quarter; increased commerce; incremental sales strategies
    reverse osmosis process; methyl pentose sugar; atomic composition; charcoal electrode
    adjustment time; degree of displacement; best guess estimate; subtle element
    in the presence of n2; quality of interest; place of interest; planning and testing
    radio wire; receiving wire; breast illness; mind growth; safe reaction; sound individuals
    second request; third request; 1st request; 2nd request; 3rd request; standard mistake
    kicked the bucket; ladies and youngsters; elderly folks; just go for it; consequences be damned
    checking the votes; votes projected; factual examination; discretionary procedure
    border situation; loss of equality; hostile assault; biological assault; community security
    character check; exchange work; education information; information growth
    a given gift; a petabyte of information; an expanding pattern; bigoted and oppressive
    gaps in this area of study; influences the audio output; suppress the proliferation of germs
    utilized to check the robustness; get to data; rigid approaches; useful forecast
    depressing influence; delicate information; fiscally smart; green money; number juggling
    quality drive; remarkable words; luxurious equipment; thick woods; untamed life; street mishap
    new york distance; long island distance
    non-direct; pre-prepared; post-handling; over-communicated
""".replace("\n", ";").split(";") if p.strip())

SEP_SPACED_SLASH = re.compile(r"\s+/\s+")
SEP_OR = re.compile(r"\s+or\s+")


# --------------------------------------------------------------------------- #
# helpers

def tokens(phrase: str) -> tuple[str, ...]:
    """Tokens as the matcher sees them (repair.text.normalize_word)."""
    return tuple(t.replace("’", "'").replace("‘", "'").lower() for t in TOKEN_RE.findall(phrase))


def key_of(phrase: str) -> str:
    return " ".join(tokens(phrase))


def is_heldout(phrase: str) -> bool:
    return int(hashlib.sha1(key_of(phrase).encode("utf-8")).hexdigest(), 16) % HELDOUT_MODULUS == 0


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,;:.])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"\s+([)\]])", r"\1", text)
    return text.strip(" ,;:-–")


def n_words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------- #
# cleaning

class Skip(Exception):
    """A row that cannot be made into a clean entry; the message is the reason."""


def drop_brackets(expected: str, spun_toks: set[str]) -> str:
    def repl(m: re.Match) -> str:
        inner = tokens(m.group(1))
        inner_words = [t for t in inner if t[0].isalnum()]
        if inner_words and all(t in spun_toks for t in inner_words):
            return m.group(1)
        return " "
    return re.sub(r"\[([^\]]*)\]", repl, expected)


def handle_parens(expected: str, spun: str) -> str:
    spun_has = "(" in spun
    if spun_has:
        if "(" not in expected:
            m = re.search(r"\([^()]*\)\s*$", spun)
            if m:
                expected = expected + " " + m.group(0).strip()
        return expected

    # attached optional suffix: "autist(ic)", "gabor function(s)"
    def suffix(m: re.Match) -> str:
        stem, suf = m.group(1), m.group(2)
        if suf == "s":
            last = spun.split()[-1] if spun.split() else ""
            return stem + ("s" if last.endswith("s") else "")
        return stem + suf
    expected = re.sub(r"(\w+)\((\w+)\)", suffix, expected)
    # every other parenthetical (repeat for nesting)
    prev = None
    while prev != expected:
        prev = expected
        expected = re.sub(r"\s*\([^()]*\)", " ", expected)
    return expected


def _score(alts: list[str], target: int) -> int:
    return max(abs(n_words(a) - target) for a in alts)


def split_alternatives(expected: str, spun: str) -> list[str]:
    """Turn "/" and " or " into alternatives (see the module docstring)."""
    use_slash = "/" not in spun
    use_or = not re.search(r"\bor\b", spun)
    has_slash = use_slash and "/" in expected
    has_or = use_or and SEP_OR.search(expected) is not None
    if not has_slash and not has_or:
        return [expected]
    if has_slash and has_or:
        raise Skip("ambiguous alternatives (both / and or)")
    target = n_words(spun)

    if has_slash:
        if re.search(r"\S/\s|\s/\S", expected):
            raise Skip("ambiguous alternatives (lopsided slash)")
        spaced = SEP_SPACED_SLASH.search(expected) is not None
        if spaced:
            phrase_alts = [tidy(a) for a in SEP_SPACED_SLASH.split(expected)]
            word_groups = None  # one-word reading of a spaced slash is not offered
        else:
            phrase_alts = [tidy(a) for a in expected.split("/")]
            words = expected.split()
            word_groups = [i for i, w in enumerate(words) if "/" in w]
    else:
        spaced = True
        phrase_alts = [tidy(a) for a in SEP_OR.split(expected)]
        words = expected.split()
        or_idx = [i for i, w in enumerate(words) if w == "or" and 0 < i < len(words) - 1]
        # a one-word group "a or b": words[i-1], words[i+1]
        word_groups = or_idx

    candidates: list[tuple[int, int, list[str]]] = []
    if all(phrase_alts):
        candidates.append((_score(phrase_alts, target), 0 if spaced else 1, phrase_alts))
    if word_groups is not None and len(word_groups) == 1:
        i = word_groups[0]
        if has_slash:
            options = words[i].split("/")
            before, after = words[:i], words[i + 1:]
        else:
            options = [words[i - 1], words[i + 1]]
            before, after = words[:i - 1], words[i + 2:]
        if all(options):
            word_alts = [tidy(" ".join(before + [o] + after)) for o in options]
            candidates.append((_score(word_alts, target), 1 if spaced else 0, word_alts))
    if not candidates:
        raise Skip("ambiguous alternatives (no clean reading)")
    candidates.sort(key=lambda c: (c[0], c[1]))
    return candidates[0][2]


def clean_expected(spun: str, expected: str) -> list[str]:
    """The cleaned alternatives for one row; raises Skip with a reason."""
    if spun in MANUAL:
        fixed = MANUAL[spun]
        if fixed is None:
            raise Skip("manual: expected is a gloss, not a phrase")
        alts = fixed.split("|")
    else:
        if UNCERTAIN_RE.search(expected):
            raise Skip("expected marked uncertain")
        spun_toks = set(tokens(spun))
        text = drop_brackets(expected, spun_toks)
        text = handle_parens(text, spun)
        text = tidy(text)
        alts = split_alternatives(text, spun)
    out: list[str] = []
    spun_key = tokens(spun)
    for a in alts:
        a = tidy(TYPO_RE.sub(lambda m: TYPOS[m.group(1)], a))
        if not re.search(r"\w", a):
            raise Skip("expected has no words")
        if re.search(r"[\[\]]", a) or a.count("(") != a.count(")"):
            raise Skip("leftover brackets in expected")
        if "\t" in a or "|" in a:
            raise Skip("tab or | in expected")
        if tokens(a) == spun_key:
            continue
        if a not in out:
            out.append(a)
    if not out:
        raise Skip("expected equals spun after cleaning")
    return out


def check_spun(spun: str) -> None:
    if not spun or not re.search(r"\w", spun):
        raise Skip("spun has no words")
    if BAD_SPUN_RE.search(spun) or spun.lstrip().startswith("#"):
        raise Skip("spun has wildcard/quote/bracket characters")
    if len(tokens(spun)) > MAX_TOKENS:
        raise Skip(f"spun longer than {MAX_TOKENS} tokens")


def confidence(spun: str) -> float:
    toks = tokens(spun)
    if len(toks) == 1 and toks[0] not in NON_WORDS:
        conf = CONF_SINGLE
    else:
        conf = CONF_PHRASE
    if " ".join(toks) in ESTABLISHED_KEYS:
        conf = min(conf, CONF_ESTABLISHED)
    return conf


ESTABLISHED_KEYS = frozenset(key_of(p) for p in ESTABLISHED)


# --------------------------------------------------------------------------- #
# provenance

SLOPLESS = "agent-quality-controls/Slopless"
CLAUSSE = "Clausse et al. 2025 (doi:10.5281/zenodo.14753785, CC BY 4.0)"


def short_source(source: str) -> str:
    repos: list[str] = []
    for item in source.split(";"):
        item = item.strip()
        if not item:
            continue
        repo = item.split(":", 1)[0].strip()
        if repo and repo not in repos:
            repos.append(repo)
    pps = [r for r in repos if r != SLOPLESS]
    parts = []
    if pps:
        parts.append("PPS via " + ";".join(pps))
    if SLOPLESS in repos:
        parts.append(f"{CLAUSSE} via {SLOPLESS}")
    text = " + ".join(parts) or "PPS"
    return text.replace("\t", " ")


# --------------------------------------------------------------------------- #
# reading and writing

def read_rows(path: Path) -> list[tuple[int, str, str, str]]:
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if lineno == 1 and fields[:2] == ["tortured", "expected"]:
                continue
            if len(fields) != 3:
                raise SystemExit(f"{path}:{lineno}: expected 3 tab-separated fields, found {len(fields)}")
            rows.append((lineno, fields[0].strip(), fields[1].strip(), fields[2].strip()))
    return rows


def header_block(input_sha: str, kind: str) -> list[str]:
    return [
        f"# tortured phrases: {kind}",
        "#",
        "# Scientific \"tortured phrases\" (synonym-spinner output) and the established terms they replaced.",
        "# Data credit:",
        "#   Problematic Paper Screener (PPS) tortured-phrase fingerprints, curated by Guillaume Cabanac,",
        "#   Cyril Labbé and Alexander Magazinov; see Cabanac, Labbé & Magazinov, \"Tortured phrases: A dubious",
        "#   writing style emerging in science\", arXiv:2107.06751 (2021). Taken from public GitHub copies",
        "#   of the PPS list, named per entry.",
        "#   Clausse, A., Badalova, F., Cabanac, G., & Mayr, P. (2025), \"Tortured Phrases from the Humanities",
        "#   and Social Sciences - A fingerprints dataset\", Zenodo, https://doi.org/10.5281/zenodo.14753785",
        "#   (CC BY 4.0), via agent-quality-controls/Slopless.",
        "# License caveat: no license for the PPS list itself could be confirmed. The copies' repository",
        "#   licenses cover their authors' own work, not the PPS data, and the \"CC BY 4.0\" in one copy is",
        "#   that author's statement. Treat the PPS-derived rows as third-party data whose terms are",
        "#   unconfirmed, and credit the PPS and its authors wherever they ship.",
        "#",
        f"# Generated by: {COMMAND}",
        f"#   from tortured_dev.tsv (sha256 {input_sha}); do not edit by hand, edit the script.",
        "#   Cleaning, the held-out split for measuring (sha1 of the spun phrase's tokens mod 5 == 0)",
        "#   and the confidences are documented in dictionaries/build_tortured.py.",
    ]


def build(input_path: Path) -> int:
    data = input_path.read_bytes()
    input_sha = hashlib.sha256(data).hexdigest()
    rows = read_rows(input_path)

    skipped: dict[str, int] = {}
    skipped_examples: dict[str, list[str]] = {}
    merged = 0
    entries: dict[str, dict] = {}  # key -> {spun, alts, sources}
    for _lineno, spun, expected, source in rows:
        spun = re.sub(r"\s+", " ", spun).strip().lower()
        try:
            check_spun(spun)
            alts = clean_expected(spun, expected)
        except Skip as exc:
            reason = str(exc)
            skipped[reason] = skipped.get(reason, 0) + 1
            skipped_examples.setdefault(reason, []).append(f"{spun} -> {expected}")
            continue
        key = key_of(spun)
        if key in entries:
            merged += 1
            e = entries[key]
            e["alts"] += [a for a in alts if a not in e["alts"]]
            e["sources"].append(source)
        else:
            entries[key] = {"spun": spun, "alts": alts, "sources": [source]}

    train_lines, heldout_lines = [], []
    n_single = n_established = n_nonword = 0
    for key, e in entries.items():
        original = "|".join(e["alts"])
        if is_heldout(e["spun"]):
            heldout_lines.append(f"{e['spun']}\t{original}")
        conf = confidence(e["spun"])
        toks = tokens(e["spun"])
        if key in ESTABLISHED_KEYS:
            n_established += 1
        elif len(toks) == 1:
            if toks[0] in NON_WORDS:
                n_nonword += 1
            else:
                n_single += 1
        source = short_source(";".join(e["sources"]))
        train_lines.append(f"{e['spun']}\t{original}\t{conf:g}\t\t{source}")

    DICT_PATH.parent.mkdir(parents=True, exist_ok=True)
    HELDOUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    dict_text = "\n".join(
        header_block(input_sha, "spin-repair phrase dictionary (all rows; the held-out fifth is left out only when measuring)")
        + ["#", "# Columns: spun, original (| separates alternatives), confidence, context (empty), source.",
           "spun\toriginal\tconfidence\tcontext\tsource"]
        + train_lines) + "\n"
    heldout_text = "\n".join(
        header_block(input_sha, "held-out test cases (in dictionaries/tortured.tsv; benchmarks/evaluate_tortured.py leaves them out)")
        + ["#", "# Columns: tortured (spun phrase), expected (cleaned like a dictionary original;",
           "# | separates acceptable answers, most likely first). Lines starting with # are comments.",
           "tortured\texpected"]
        + heldout_lines) + "\n"
    DICT_PATH.write_text(dict_text, encoding="utf-8", newline="\n")
    HELDOUT_PATH.write_text(heldout_text, encoding="utf-8", newline="\n")

    present = sum(1 for k in ESTABLISHED_KEYS if k in entries)
    print(f"rows read:               {len(rows)}")
    print(f"distinct spun phrases:   {len(entries)} (after merging {merged} duplicate row(s))")
    print(f"entries written, all:    {len(train_lines)} -> {DICT_PATH.relative_to(REPO_ROOT)}")
    print(f"  confidence 0.9:        {len(train_lines) - n_single - n_established}"
          f" (incl. {n_nonword} garbled single tokens)")
    print(f"  confidence 0.5:        {n_established} (established terms; {present} of"
          f" {len(ESTABLISHED_KEYS)} listed phrases are in the input, train+held-out)")
    print(f"  confidence 0.35:       {n_single} (single everyday words)")
    print(f"entries written, heldout: {len(heldout_lines)} -> {HELDOUT_PATH.relative_to(REPO_ROOT)}")
    print(f"rows skipped:            {sum(skipped.values())}")
    for reason in sorted(skipped, key=lambda r: (-skipped[r], r)):
        ex = "; ".join(skipped_examples[reason][:2])
        print(f"  {skipped[reason]:4d}  {reason}   e.g. {ex}")
    return check()


# --------------------------------------------------------------------------- #
# validation

def _data_lines(path: Path):
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield lineno, line


def check() -> int:
    problems: list[str] = []
    train_keys: dict[str, int] = {}
    n_train = 0
    for lineno, line in _data_lines(DICT_PATH):
        fields = line.split("\t")
        if fields[:2] == ["spun", "original"]:
            continue
        where = f"{DICT_PATH.name}:{lineno}"
        if len(fields) != 5:
            problems.append(f"{where}: {len(fields)} fields, expected 5")
            continue
        spun, original, conf, context, source = fields
        n_train += 1
        for name, value in (("spun", spun), ("original", original), ("confidence", conf), ("source", source)):
            if not value.strip():
                problems.append(f"{where}: empty {name}")
        if context.strip():
            problems.append(f"{where}: context not empty")
        try:
            c = float(conf)
            if not 0.0 <= c <= 1.0:
                problems.append(f"{where}: confidence {c} outside 0..1")
        except ValueError:
            problems.append(f"{where}: confidence {conf!r} is not a number")
        toks = tokens(spun)
        if not toks:
            problems.append(f"{where}: spun has no tokens")
        if len(toks) > MAX_TOKENS:
            problems.append(f"{where}: spun longer than {MAX_TOKENS} tokens")
        alts = [a.strip() for a in original.split("|")]
        if any(not a for a in alts):
            problems.append(f"{where}: empty alternative in original")
        if any(tokens(a) == toks for a in alts):
            problems.append(f"{where}: original equals spun")
        key = " ".join(toks)
        if key in train_keys:
            problems.append(f"{where}: duplicate spun {spun!r} (line {train_keys[key]})")
        train_keys[key] = lineno

    held_keys: dict[str, int] = {}
    n_held = 0
    for lineno, line in _data_lines(HELDOUT_PATH):
        fields = line.split("\t")
        if fields == ["tortured", "expected"]:
            continue
        where = f"{HELDOUT_PATH.name}:{lineno}"
        if len(fields) != 2:
            problems.append(f"{where}: {len(fields)} fields, expected 2")
            continue
        n_held += 1
        spun, expected = fields
        if not spun.strip() or not expected.strip():
            problems.append(f"{where}: empty field")
        key = key_of(spun)
        if key in held_keys:
            problems.append(f"{where}: duplicate tortured {spun!r} (line {held_keys[key]})")
        held_keys[key] = lineno
        if key not in train_keys:
            problems.append(f"{where}: held-out phrase {spun!r} is not in {DICT_PATH.name}")
        if any(tokens(a) == tokens(spun) for a in expected.split("|")):
            problems.append(f"{where}: expected equals tortured")

    # Informational: held-out phrases that contain a dictionary phrase of 2+
    # tokens other than a held-out one (a partial hit is possible for them
    # when measuring).
    contain = 0
    train_multi = {k for k in train_keys if len(k.split()) >= 2 and k not in held_keys}
    for key in held_keys:
        toks = key.split()
        if any(" ".join(toks[i:j]) in train_multi
               for i in range(len(toks)) for j in range(i + 2, len(toks) + 1) if (i, j) != (0, len(toks))):
            contain += 1

    share = n_held / n_train if n_train else 0.0
    print(f"check: {n_train} dictionary entries, {n_held} of them held out when measuring ({share:.1%}); "
          f"{contain} held-out phrases contain a shorter dictionary phrase")
    if problems:
        for p in problems[:50]:
            print("  PROBLEM:", p)
        print(f"check FAILED: {len(problems)} problem(s)")
        return 1
    print("check OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", nargs="?", default=str(DEFAULT_INPUT),
                        help="tortured_dev.tsv (default: ../shared/data/tortured_dev.tsv from the repo root)")
    parser.add_argument("--check", action="store_true",
                        help="only validate the existing output files")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    path = Path(args.input)
    if not path.is_absolute() and not path.exists():
        path = REPO_ROOT / args.input
    if not path.exists():
        print(f"{args.input}: no such file", file=sys.stderr)
        return 2
    return build(path)


if __name__ == "__main__":
    sys.exit(main())
