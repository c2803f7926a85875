"""Grow a phrase dictionary from reviewed change logs and aligned texts; check, count and merge dictionaries.

Learning from reviewed logs (``repair learn --from-log``)
    Every ``applied`` change (accepted, or left applied, by the reviewer) and
    every ``rejected`` one is counted against a dictionary entry:

    - a change made by a dictionary entry counts for that entry: same phrase,
      same context (read from the entry's file and line, else from the
      change's evidence), so the learned entry *overrides* the shipped one
      when the learned dictionary is loaded after it (``repair fix -d DICT``);
    - any other change (from a reference) counts for the entry
      ``before -> after`` with no context (lowercased unless its capitals must
      stay: a capital after the first word, or an all-capitals first word).

    Cleanup changes (and spin changes that absorbed cleanup) are not learned.
    The learned confidence is the mean of a Beta prior of weight 2 centred on
    the base confidence (the shipped entry's, or 0.5 for a new phrase) updated
    with the counts::

        confidence = (2 * base + accepted) / (2 + accepted + rejected)

    which is Laplace's (accepted + 1) / (accepted + rejected + 2) for a new
    phrase. A rejected change therefore lowers its entry's confidence, and
    the same false correction is not proposed again with the same confidence.
    A rejected change that no dictionary entry made creates no entry (an entry
    would make the dictionary match the phrase everywhere); it is kept as a
    ``# rejected-pair`` comment so that its count still weighs if the pair is
    accepted later. Counts, base and the logs' names are kept in the entry's
    source field, e.g. ``learned: 3 accepted, 1 rejected; base 0.97 from
    news-spinner.tsv:930; logs: a.jsonl``; each log's SHA-256 is recorded in a
    ``# learned-from:`` comment, and a log already learned is skipped.

Mining an aligned pair (``repair learn SPUN ORIGINAL``)
    Sentences of the two texts are paired (reference.pair_sentences), words
    aligned, and short differences (1-4 words a side, letters only, no names,
    no quotations) in near-parallel sentences become entries with confidence
    0.4 (+0.05 for each repeat, at most 0.6). A phrase the shipped
    dictionaries already have with the same context is left alone.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .changelog import Change, ChangeLogError, parse
from .config import RepairConfig
from .dictionary import (COLUMNS, REVIEW_COUNTS_RE, DictionaryError, Entry, PhraseDictionary, load_file, parse_line,
                         parse_text, phrase_tokens, read_dictionary_text, shipped_dictionary_paths)
from .files import InputError, read_text, write_text_atomic
from .model import default_model

PRIOR_WEIGHT = 2.0
NEW_PHRASE_BASE = 0.5
MAX_LEARNED_CONFIDENCE = 0.99
PAIR_CONFIDENCE = 0.4
# A mined spun phrase that is commoner English than its original ("company"
# for "agency") is mostly genuine wherever it stands: it starts lower, and the
# context model must speak for each change.
PAIR_COMMON_CONFIDENCE = 0.25
PAIR_STEP = 0.05
PAIR_MAX_CONFIDENCE = 0.6
MAX_MINED_WORDS = 4

LEDGER = "# learned-from: "
REJECTED = "# rejected-pair\t"
HEADER = (
    "# spin-repair learned dictionary (written by `repair learn`; safe to edit by hand)\n"
    "# Format: spun<TAB>original(s, | separated)<TAB>confidence 0..1<TAB>context<TAB>source.\n"
    "# Load it after the shipped dictionaries (repair fix|batch -d THIS.tsv): an entry here overrides\n"
    "# a shipped entry with the same phrase and context.\n"
)

_BASE_RE = re.compile(r"base ([0-9]*\.?[0-9]+)(?: from ([^;]*))?")
_LOGS_RE = re.compile(r"logs: ([^;]*)")
_WORD_RE = re.compile(r"^[a-z]+(?:'[a-z]+)*$")
_ARTICLES = ("a", "an")


class LearnError(Exception):
    """Bad input to learning or a dictionary tool; one line for the user."""


def learned_confidence(base: float | None, accepted: int, rejected: int) -> float:
    base = NEW_PHRASE_BASE if base is None else base
    value = (PRIOR_WEIGHT * base + accepted) / (PRIOR_WEIGHT + accepted + rejected)
    return round(min(MAX_LEARNED_CONFIDENCE, max(0.0, value)), 3)


def _clean_field(text: str) -> str:
    return " ".join(str(text).replace("\t", " ").split())


# --------------------------------------------------------------------------- a dictionary file, line by line


@dataclass
class DictFile:
    """A dictionary file kept as its lines, so entries can be changed in place
    and everything else (comments, order, hand edits) stays as it was."""

    path: Path
    lines: list[str] = field(default_factory=list)
    index: dict[tuple, int] = field(default_factory=dict)        # entry key -> line index
    entries: dict[tuple, Entry] = field(default_factory=dict)
    ledger: dict[str, str] = field(default_factory=dict)          # sha256 -> log name
    rejected_pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    existed: bool = False

    @classmethod
    def load(cls, path: str | Path, create: bool = True) -> "DictFile":
        path = Path(path)
        d = cls(path)
        if not path.exists():
            if not create:
                raise LearnError(f"{path}: no such dictionary file")
            d.lines = HEADER.rstrip("\n").split("\n")
            return d
        d.existed = True
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise LearnError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise LearnError(f"{path}: not UTF-8 (at byte {exc.start})") from None
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.startswith(LEDGER):
                digest, _, name = line[len(LEDGER):].partition(" ")
                d.ledger[digest] = name
                continue
            if line.startswith(REJECTED):
                parts = line.split("\t")
                if len(parts) == 4 and parts[3].isdigit():
                    d.rejected_pairs[(parts[1], parts[2])] = int(parts[3])
                continue
            try:
                entry = parse_line(line, f"{path}:{lineno}", str(path), lineno)
            except DictionaryError as exc:
                raise LearnError(str(exc)) from None
            d.lines.append(line)
            if entry is not None:
                if entry.key in d.index:
                    raise LearnError(f"{path}:{lineno}: duplicate of an earlier entry ({entry.spun_text!r} "
                                     "with the same context)")
                d.index[entry.key] = len(d.lines) - 1
                d.entries[entry.key] = entry
        return d

    def set_line(self, key: tuple, line: str) -> bool:
        """Put an entry line; True if it is new."""
        if key in self.index:
            self.lines[self.index[key]] = line
            return False
        self.lines.append(line)
        self.index[key] = len(self.lines) - 1
        return True

    def text(self) -> str:
        out = "\n".join(self.lines).rstrip("\n") + "\n"
        if self.ledger:
            out += "".join(f"{LEDGER}{digest} {name}\n" for digest, name in self.ledger.items())
        if self.rejected_pairs:
            out += "".join(f"{REJECTED}{s}\t{o}\t{n}\n" for (s, o), n in sorted(self.rejected_pairs.items()))
        return out

    def save(self) -> None:
        text = self.text()
        try:
            parse_text(text, str(self.path))  # what we write must load
        except DictionaryError as exc:
            raise LearnError(f"not written: {exc}") from None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, text)
        except OSError as exc:
            raise LearnError(f"cannot write {self.path}: {exc.strerror or exc}") from None


def _entry_line(spun: str, originals: str, confidence: float, context: str, source: str) -> str:
    return "\t".join((spun, originals, f"{confidence:g}", context, _clean_field(source)))


def _key_of(spun: str, originals: str, context: str) -> tuple | None:
    try:
        entry = parse_line(_entry_line(spun, originals, 0.5, context, "x"), "<learned>")
    except DictionaryError:
        return None
    return entry.key if entry else None


# --------------------------------------------------------------------------- learning from reviewed logs


@dataclass
class Tally:
    spun: str
    originals: list[str]
    context: str
    base: float | None = None
    origin: str = ""  # where the base came from (an entry's rule)
    accepted: int = 0
    rejected: int = 0
    logs: list[str] = field(default_factory=list)


@dataclass
class LearnReport:
    logs: int = 0
    logs_skipped: list[str] = field(default_factory=list)
    accepted: int = 0
    rejected: int = 0
    skipped_cleanup: int = 0
    skipped_other: int = 0
    undecided: int = 0
    added: int = 0
    updated: int = 0
    rejected_pairs: int = 0


class _EntryResolver:
    """Finds the dictionary line a change's evidence names (file by name, line number)."""

    def __init__(self, paths: Iterable[Path]):
        self.by_name: dict[str, Path] = {}
        for p in paths:
            self.by_name.setdefault(Path(p).name, Path(p))
        self._lines: dict[Path, list[str]] = {}

    def raw_fields(self, ev: dict) -> tuple[Entry, list[str]] | None:
        path = self.by_name.get(str(ev.get("file", "")))
        line = ev.get("line")
        if path is None or not isinstance(line, int) or line < 1:
            return None
        if path not in self._lines:
            try:
                self._lines[path] = path.read_bytes().decode("utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[path] = []
        lines = self._lines[path]
        if line > len(lines):
            return None
        try:
            entry = parse_line(lines[line - 1], f"{path}:{line}", str(path), line)
        except DictionaryError:
            return None
        spun_text = str(ev.get("entry", "")).split(" -> ")[0]
        if entry is None or entry.spun_text != spun_text:
            return None  # the file changed since the log was written
        return entry, [f.strip() for f in lines[line - 1].split("\t")]


def _keeps_case(words: list[str]) -> bool:
    if any(any(ch.isupper() for ch in w) for w in words[1:]):
        return True
    first = words[0] if words else ""
    return sum(ch.isupper() for ch in first) > 1


def _plain_pair(change: Change) -> tuple[str, str] | None:
    """(spun, original) for a change no dictionary entry made."""
    before, after = change.before.split(), change.after.split()
    if not before or not after:
        return None
    # The pipeline fixes "a"/"an" before a changed word; that is not part of the spin.
    if len(before) > 1 and len(after) > 1 and before[0].lower() in _ARTICLES and after[0].lower() in _ARTICLES \
            and before[0].lower() != after[0].lower():
        before, after = before[1:], after[1:]
    if not _keeps_case(before):
        before = [before[0].lower()] + before[1:]
        if not _keeps_case(after):
            after = [after[0][:1].lower() + after[0][1:]] + after[1:]
    spun, original = " ".join(before), " ".join(after)
    if any(ch.isdigit() for ch in spun + original) or "|" in spun + original:
        return None
    return spun, original


def log_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def learn_from_logs(log_paths: Iterable[str], dict_path: str, extra_dictionaries: Iterable[str] = ()) -> LearnReport:
    """Count the decisions of reviewed logs into the dictionary at ``dict_path`` (created if missing)."""
    target = DictFile.load(dict_path)
    resolver = _EntryResolver([*shipped_dictionary_paths(), *map(Path, extra_dictionaries), Path(dict_path)])
    report = LearnReport()
    tallies: dict[tuple, Tally] = {}
    pair_rejections: Counter = Counter()
    for log_path in log_paths:
        try:
            text = read_text(log_path)
            changes = parse(text, log_path)
        except (InputError, ChangeLogError) as exc:
            raise LearnError(str(exc)) from None
        digest = log_digest(text)
        name = _clean_field(Path(log_path).name).replace(",", "_") or "log"
        if digest in target.ledger:
            report.logs_skipped.append(log_path)
            continue
        target.ledger[digest] = name
        report.logs += 1
        for change in changes:
            if change.status == "proposed":
                report.undecided += 1
                continue
            if "cleanup" in change.sources or change.rule == "cleanup":
                report.skipped_cleanup += 1
                continue
            accepted = change.status == "applied"
            tally = _tally_for(change, resolver, target, tallies)
            if tally is None:
                if accepted:
                    report.skipped_other += 1
                    continue
                pair = _plain_pair(change)
                if pair is None:
                    report.skipped_other += 1
                else:
                    pair_rejections[pair] += 1
                    report.rejected += 1
                continue
            if accepted:
                tally.accepted += 1
                report.accepted += 1
            else:
                tally.rejected += 1
                report.rejected += 1
            if name not in tally.logs:
                tally.logs.append(name)
    # Rejections of plain pairs: they count for an entry if there is (or will be) one.
    for (spun, original), n in pair_rejections.items():
        key = _key_of(spun, original, "")
        tally = tallies.get(key) if key else None
        if tally is not None:
            tally.rejected += n
        elif key is not None and key in target.entries:
            tallies[key] = _tally_from_existing(target.entries[key], n)
        else:
            target.rejected_pairs[(spun, original)] = target.rejected_pairs.get((spun, original), 0) + n
            report.rejected_pairs += 1
    for key, tally in tallies.items():
        new = _merge_tally(target, key, tally)
        report.added += new is True
        report.updated += new is False
    target.save()
    return report


def _tally_from_existing(entry: Entry, rejected: int) -> Tally:
    t = Tally(entry.spun_text, list(entry.originals), entry.context_text(), rejected=rejected)
    return t


def _tally_for(change: Change, resolver: _EntryResolver, target: DictFile, tallies: dict) -> Tally | None:
    evidence = [ev for ev in change.evidence if isinstance(ev, dict) and ev.get("source") == "dictionary"]
    if evidence and "dictionary" in change.sources:
        ev = evidence[0]
        found = resolver.raw_fields(ev)
        if found is not None:
            entry, fields = found
            spun, originals, context = fields[0], fields[1], fields[3]
            base, origin = entry.confidence, entry.rule
            if Path(entry.file).resolve() == target.path.resolve():
                base, origin = None, ""  # our own learned entry: its base is in its source field
        else:
            spun_text, _, originals = str(ev.get("entry", "")).partition(" -> ")
            if not spun_text or not originals:
                return None
            spun = change.before if _keeps_case(change.before.split()) and \
                change.before.lower().split() == spun_text.split() else spun_text
            context = str(ev.get("context", ""))
            try:
                base = float(ev.get("confidence"))
            except (TypeError, ValueError):
                base = None
            origin = f"{ev.get('file', '')}:{ev.get('line', '')}" if ev.get("file") else "dictionary"
        key = _key_of(spun, originals, context)
        if key is None:
            return None
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally(spun, [o.strip() for o in originals.split("|") if o.strip()], context,
                                         base, origin)
        return tally
    pair = _plain_pair(change)
    if pair is None or change.status != "applied":
        return None
    spun, original = pair
    key = _key_of(spun, original, "")
    if key is None:
        return None
    tally = tallies.get(key)
    if tally is None:
        tally = tallies[key] = Tally(spun, [original], "")
    elif original not in tally.originals:
        tally.originals.append(original)
    return tally


def _parse_source(source: str) -> tuple[int, int, float | None, str, list[str]] | None:
    m = REVIEW_COUNTS_RE.search(source)
    if not m:
        return None
    base_m = _BASE_RE.search(source)
    logs_m = _LOGS_RE.search(source)
    logs = [s.strip() for s in logs_m.group(1).split(",") if s.strip()] if logs_m else []
    return (int(m.group(1)), int(m.group(2)), float(base_m.group(1)) if base_m else None,
            (base_m.group(2) or "").strip() if base_m else "", logs)


def _source_text(accepted: int, rejected: int, base: float | None, origin: str, logs: list[str]) -> str:
    parts = [f"learned: {accepted} accepted, {rejected} rejected"]
    if base is not None:
        parts.append(f"base {base:g}" + (f" from {origin.replace(';', ',')}" if origin else ""))
    shown = logs[:3] + ([f"+{len(logs) - 3} more"] if len(logs) > 3 else [])
    if shown:
        parts.append("logs: " + ", ".join(shown))
    return "; ".join(parts)


def _merge_tally(target: DictFile, key: tuple, t: Tally) -> bool:
    accepted, rejected, base, origin, logs = t.accepted, t.rejected, t.base, t.origin, list(t.logs)
    spun, context, originals = t.spun, t.context, list(t.originals)
    for (s, o), n in list(target.rejected_pairs.items()):
        if _key_of(s, o, "") == key and (o in originals or not originals):
            rejected += n
            del target.rejected_pairs[(s, o)]
    existing = target.entries.get(key)
    if existing is not None:
        line = target.lines[target.index[key]]
        fields = [f.strip() for f in line.split("\t")]
        spun, context = fields[0], fields[3]
        old_originals = [o.strip() for o in fields[1].split("|") if o.strip()]
        originals = old_originals + [o for o in originals if o.lower() not in (x.lower() for x in old_originals)]
        previous = _parse_source(existing.source)
        if previous is not None:
            a0, r0, b0, o0, l0 = previous
            accepted += a0
            rejected += r0
            if b0 is not None:
                base, origin = b0, o0
            logs = l0 + [x for x in logs if x not in l0]
        else:
            base, origin = existing.confidence, f"hand entry: {existing.source}"[:120]
    # a learned entry's log list is kept short; the "+N more" marker is not a log name
    logs = [x for x in logs if not re.fullmatch(r"\+\d+ more", x)]
    if accepted == 0 and base is None:
        # only rejections of a phrase no entry ever proposed: remember, don't create
        for o in originals:
            target.rejected_pairs[(spun, o)] = target.rejected_pairs.get((spun, o), 0) + rejected
        return None  # type: ignore[return-value]
    confidence = learned_confidence(base, accepted, rejected)
    line = _entry_line(spun, "|".join(originals), confidence, context,
                       _source_text(accepted, rejected, base, origin, logs))
    new = target.set_line(key, line)
    target.entries[key] = parse_line(line, "<learned>")
    return new


# --------------------------------------------------------------------------- mining an aligned pair


def mine_pairs(spun_text: str, original_text: str, config: RepairConfig | None = None) -> Counter:
    """Counts of (spun phrase, original phrase) found by aligning the two texts."""
    from .clean import clean_text
    from .reference import aligned_pairs
    from .text import tokenize

    config = config or RepairConfig()
    doc = tokenize(clean_text(spun_text)[0])
    ref = tokenize(clean_text(original_text)[0])
    found: Counter = Counter()
    for _, a, ra, src, dst, blocks, parallel in aligned_pairs(doc, ref, config):
        if parallel < config.parallel_similarity:
            continue  # a rewritten sentence, not a spun one
        for i, j, ri, rj in blocks:
            if not (1 <= j - i <= MAX_MINED_WORDS and 1 <= rj - ri <= MAX_MINED_WORDS):
                continue
            spun_words, orig_words = src[i:j], dst[ri:rj]
            if not all(_WORD_RE.match(w) for w in spun_words + orig_words):
                continue  # digits, punctuation: facts and style, not spin
            if any(doc.name_like[a + k] or doc.quoted[a + k] for k in range(i, j)):
                continue
            if any(ref.name_like[ra + k] or ref.quoted[ra + k] for k in range(ri, rj)):
                continue
            if spun_words == orig_words:
                continue
            found[(" ".join(spun_words), " ".join(orig_words))] += 1
    return found


def _commoner(model, spun: str, original: str) -> bool:
    """Whether ``spun`` is at least as common a phrase as ``original``, word
    for word (a longer phrase is not rarer for being longer: "made use of")."""
    spun_words, original_words = spun.split(), original.split()
    return (model.sequence_logp(spun_words, None, None) / len(spun_words)
            >= model.sequence_logp(original_words, None, None) / len(original_words))


@dataclass
class MineReport:
    pairs: int = 0
    added: int = 0
    updated: int = 0
    known: int = 0


def learn_from_pair(spun_path: str, original_path: str, dict_path: str, use_shipped: bool = True) -> MineReport:
    try:
        spun_text, original_text = read_text(spun_path), read_text(original_path)
    except InputError as exc:
        raise LearnError(str(exc)) from None
    try:
        shipped = PhraseDictionary.load(shipped_dictionary_paths()) if use_shipped else PhraseDictionary()
    except DictionaryError as exc:
        raise LearnError(str(exc)) from None
    model = default_model()
    known_keys = {e.key for e in shipped.entries}
    # A swap a shipped entry lists in any context is known: a context-free
    # learned entry would override the conditions that keep its genuine uses
    # ("a different approach") as written.
    known_swaps = {(e.spun, phrase_tokens(o)) for e in shipped.entries for o in e.originals}
    target = DictFile.load(dict_path)
    provenance = _clean_field(f"learned from aligned pair {spun_path}|{original_path}")
    report = MineReport()
    for (spun, original), n in sorted(mine_pairs(spun_text, original_text).items()):
        report.pairs += 1
        key = _key_of(spun, original, "")
        if key is None:
            continue
        if (key in known_keys or (phrase_tokens(spun), phrase_tokens(original)) in known_swaps) \
                and key not in target.entries:
            report.known += 1
            continue
        start = PAIR_COMMON_CONFIDENCE if _commoner(model, spun, original) else PAIR_CONFIDENCE
        confidence = round(min(PAIR_MAX_CONFIDENCE, start + PAIR_STEP * (n - 1)), 3)
        existing = target.entries.get(key)
        if existing is not None:
            fields = [f.strip() for f in target.lines[target.index[key]].split("\t")]
            originals = [o.strip() for o in fields[1].split("|") if o.strip()]
            if original in (o.lower() for o in originals) and existing.confidence >= confidence:
                report.known += 1
                continue
            if original not in (o.lower() for o in originals):
                originals.append(original)
            source = existing.source if provenance in existing.source else f"{existing.source}; {provenance}"
            line = _entry_line(fields[0], "|".join(originals), max(existing.confidence, confidence), fields[3], source)
        else:
            line = _entry_line(spun, original, confidence, "", f"{provenance} ({n} seen)" if n > 1 else provenance)
        new = target.set_line(key, line)
        target.entries[key] = parse_line(line, "<learned>")
        report.added += new
        report.updated += not new
    target.save()
    return report


# --------------------------------------------------------------------------- dict check | stats | merge


def find_cycles(paths: Iterable[str]) -> list[str]:
    """Entries that undo each other (a -> b and b -> a), as warnings naming both lines.

    They are allowed: within one run a span is changed at most once, so a
    cycle never loops; but a second run over the output may change it back.
    """
    by_phrase: dict[tuple[str, ...], list] = {}
    entries = []
    for path in paths:
        try:
            found = load_file(path)
        except DictionaryError:
            continue  # reported as errors by check_files
        entries.extend(found)
        for e in found:
            by_phrase.setdefault(e.spun, []).append(e)
    warnings, seen = [], set()
    for e in entries:
        for original in e.originals:
            for back in by_phrase.get(phrase_tokens(original), ()):
                if any(phrase_tokens(o) == e.spun for o in back.originals):
                    key = frozenset({(e.file, e.line), (back.file, back.line)})
                    if key in seen:
                        continue
                    seen.add(key)
                    warnings.append(f"{e.file}:{e.line}: {e.spun_text!r} -> {original!r} and "
                                    f"{back.file}:{back.line}: the reverse form a cycle; a second run "
                                    "over repaired text may undo the first")
    return warnings


def check_files(paths: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Validate dictionary files; every problem as ``file:line: message`` (not only the first)."""
    counts: dict[str, int] = {}
    errors: list[str] = []
    for path in paths:
        try:
            text = read_dictionary_text(path)
        except DictionaryError as exc:
            errors.append(str(exc))
            continue
        seen: dict[tuple, int] = {}
        n = 0
        for lineno, line in enumerate(text.splitlines(), 1):
            try:
                entry = parse_line(line, f"{path}:{lineno}", path, lineno)
            except DictionaryError as exc:
                errors.append(str(exc))
                continue
            if entry is None:
                continue
            if entry.key in seen:
                errors.append(f"{path}:{lineno}: duplicate of line {seen[entry.key]} "
                              f"({entry.spun_text!r} with the same context)")
                continue
            seen[entry.key] = lineno
            n += 1
        counts[path] = n
    return counts, errors


def provenance_group(source: str) -> str:
    if source.startswith("learned:"):
        return "learned from reviewed logs"
    if source.startswith("learned from aligned pair"):
        return "learned from aligned pairs"
    head = source.split(";")[0].strip()
    return head if len(head) <= 60 else head[:57] + "..."


CONFIDENCE_BANDS = ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 0.9), (0.9, 1.01))


def band_name(lo: float, hi: float) -> str:
    return f"{lo:.2f}-{min(hi, 1.0):.2f}" if hi <= 1.0 else f"{lo:.2f}-1.00"


def stats(paths: Iterable[str]) -> dict:
    """Entry counts per file and over all files: by provenance, confidence band, length, context, case."""
    per_file = {}
    for path in paths:
        try:
            entries = load_file(path)
        except DictionaryError as exc:
            raise LearnError(str(exc)) from None
        per_file[path] = _stats_of(entries)
    total: dict = {"entries": 0, "by_provenance": Counter(), "by_confidence": Counter(), "multiword": 0,
                   "single_word": 0, "with_context": 0, "cased": 0}
    for s in per_file.values():
        for k in ("entries", "multiword", "single_word", "with_context", "cased"):
            total[k] += s[k]
        total["by_provenance"].update(s["by_provenance"])
        total["by_confidence"].update(s["by_confidence"])
    total["by_provenance"] = dict(total["by_provenance"].most_common())
    total["by_confidence"] = {band_name(lo, hi): total["by_confidence"].get(band_name(lo, hi), 0)
                              for lo, hi in CONFIDENCE_BANDS}
    return {"files": per_file, "total": total}


def _stats_of(entries: list[Entry]) -> dict:
    by_prov = Counter(provenance_group(e.source) for e in entries)
    bands = Counter()
    for e in entries:
        for lo, hi in CONFIDENCE_BANDS:
            if lo <= e.confidence < hi:
                bands[band_name(lo, hi)] += 1
                break
    return {
        "entries": len(entries),
        "by_provenance": dict(by_prov.most_common()),
        "by_confidence": {band_name(lo, hi): bands.get(band_name(lo, hi), 0) for lo, hi in CONFIDENCE_BANDS},
        "multiword": sum(1 for e in entries if len(e.spun) > 1),
        "single_word": sum(1 for e in entries if len(e.spun) == 1),
        "with_context": sum(1 for e in entries if e.context),
        "cased": sum(1 for e in entries if e.cased),
    }


def merge_files(a: str, b: str, out: str) -> tuple[int, int, int]:
    """Write OUT = A's entries, with B's entry in place of A's for the same phrase and
    context, then B's new entries (lines kept as written). Returns (from A, overridden, from B)."""
    da, db = DictFile.load(a, create=False), DictFile.load(b, create=False)
    lines = [f"# merged by spin-repair: {Path(a).name} + {Path(b).name} "
             f"({Path(b).name} overrides {Path(a).name} for the same phrase and context)",
             "# Format: " + "<TAB>".join(COLUMNS) + "."]
    overridden = 0
    kept = 0
    for key, idx in sorted(da.index.items(), key=lambda kv: kv[1]):
        if key in db.index:
            overridden += 1
            continue
        lines.append(da.lines[idx])
        kept += 1
    for key, idx in sorted(db.index.items(), key=lambda kv: kv[1]):
        lines.append(db.lines[idx])
    merged = DictFile(Path(out), lines=lines)
    merged.ledger = {**da.ledger, **db.ledger}
    merged.rejected_pairs = {**da.rejected_pairs, **db.rejected_pairs}
    merged.save()
    return kept, overridden, len(db.index)
