"""detect -> propose -> decide -> apply. Text in, changes out, changes applied.

The repaired text is always produced by applying the change log to the input,
so replaying the log reproduces it byte for byte.
"""
from __future__ import annotations

import dataclasses
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, compress
from typing import Iterable, Sequence

from .candidate import Candidate
from .changelog import Change, apply_changes
from .clean import OffsetMap, clean_text
from .config import RepairConfig
from .dictionary import PhraseDictionary, shipped_dictionary_paths
from .model import (BigramModel, collector_paused, context_preference, default_model, document_spin_score, logit, sigmoid,
                    thesaurus_candidates)
from .thesaurus import default_thesaurus
from .text import Document, match_case, match_case_at, tokenize


@dataclass
class Result:
    """What :func:`repair_text` returns: the repaired text and every change,
    with offsets in the input as given."""

    text: str
    changes: list[Change]
    spin_score: float = 0.0
    word_count: int = 0
    _flags: object = field(default=None, repr=False)  # how to make ``flagged`` when asked

    @property
    def flagged(self) -> list[Change]:
        """Every spin signal (>= 0.5) as a record in input offsets, applied or not,
        whatever the document score: what ``repair detect`` lists. Made on demand."""
        if callable(self._flags):
            self._flags = self._flags()
        return self._flags or []

    @property
    def applied(self) -> list[Change]:
        return [c for c in self.changes if c.status == "applied"]

    @property
    def proposed(self) -> list[Change]:
        return [c for c in self.changes if c.status == "proposed"]


@lru_cache(maxsize=1)
def default_dictionary() -> PhraseDictionary:
    """The shipped dictionaries, loaded once per process."""
    with collector_paused():
        return PhraseDictionary.load(shipped_dictionary_paths())


Reference = str | tuple[str, str]


class _LazyModel:
    """Stands for the default bigram model and loads it on first use, so a text
    with nothing to judge (most clean text) costs no model load."""

    def __getattr__(self, name: str):
        return getattr(default_model(), name)


@dataclass
class _Analysis:
    """What repairing and detecting share: the cleaned text, its tokens, every
    candidate with its spin signal, and the document score."""

    text: str
    cleaned: str
    cleanup_changes: list[Change]
    offsets: OffsetMap
    doc: Document
    candidates: list[Candidate]
    score: float     # the measured document spin score
    deciding: float  # the score decisions use: 1 for a text known to be spun
    confirmed: set[int]  # tokens a near-parallel reference writes the same way

    def flags(self) -> list[Change]:
        """Every spin signal (>= 0.5) as a record in input offsets."""
        return [_flag(self.doc, self.offsets, self.text, c)
                for c in select(self.candidates, key=lambda c: c.signal) if c.signal >= 0.5]


def _analyse(text: str, references: Sequence[Reference], dictionary: PhraseDictionary | None,
             config: RepairConfig, model: BigramModel | None) -> tuple[_Analysis, BigramModel | None]:
    """Clean, tokenize, propose and score: the steps before any decision."""
    if dictionary is None:
        dictionary = default_dictionary() if config.use_dictionary else PhraseDictionary()
    if model is None and config.use_model:
        model = _LazyModel()  # loaded when a candidate first needs scoring
    if config.cleanup:
        cleaned, cleanup_changes, offsets = clean_text(text)
    else:
        cleaned, cleanup_changes, offsets = text, [], OffsetMap([])
    doc = tokenize(cleaned)
    confirmed: set[int] = set()  # tokens a reference confirms as written
    candidates = propose(doc, references, dictionary, config, model, confirmed)
    score = score_document(doc, candidates, config, model)
    deciding = _deciding_score(score, config)
    if config.use_composition and config.use_dictionary and model is not None \
            and deciding >= config.min_document_score and len(dictionary):
        candidates += [c for c in composed_candidates(doc, candidates, dictionary, config, model, deciding)
                       if not _confirmed(doc, c, confirmed)]
    return _Analysis(text, cleaned, cleanup_changes, offsets, doc, candidates, score, deciding, confirmed), model


# The garbage collector is paused while a text is repaired: the work makes
# hundreds of thousands of objects and no reference cycles, and the collector
# would scan them again and again (time per MB grew with the size of a text).
@collector_paused(freeze=False)
def repair_text(
    text: str,
    references: Sequence[Reference] = (),
    dictionary: PhraseDictionary | None = None,
    config: RepairConfig | None = None,
    model: BigramModel | None = None,
) -> Result:
    """Repair one text.

    ``references`` are cleaner texts on the same story, as plain strings or
    ``(name, text)`` pairs. ``dictionary`` defaults to the shipped dictionaries
    (pass an empty ``PhraseDictionary()`` for none); ``model`` to the bundled
    bigram model.
    """
    config = config or RepairConfig()
    if len(text) > config.max_chunk_chars:
        return _repair_in_chunks(text, references, dictionary, config, model)
    found, model = _analyse(text, references, dictionary, config, model)
    doc, candidates, score = found.doc, found.candidates, found.deciding
    weigh_candidates(candidates, score, config)
    if score >= config.min_document_score and config.use_llm:
        rescore_with_llm(doc, candidates, score, config)
    if score >= config.min_document_score and config.use_thesaurus and model is not None:
        candidates += _model_candidates(doc, candidates, score, config, model, found.confirmed)
    chosen = [c for c in select(candidates) if c.confidence >= config.min_proposal]
    taken = {k for c in chosen for k in range(c.start, c.end)}
    spin_changes = [_to_change(doc, c, config, taken) for c in chosen]
    changes = _merge_with_cleanup(found.cleaned, found.offsets, found.cleanup_changes, spin_changes, text)
    changes.sort(key=lambda c: (c.start, c.end))
    for n, change in enumerate(changes, 1):
        change.id = f"c{n:04d}"
    return Result(apply_changes(text, changes), changes, found.score, doc.word_count, found.flags)


@collector_paused(freeze=False)
def detect_text(
    text: str,
    references: Sequence[Reference] = (),
    dictionary: PhraseDictionary | None = None,
    config: RepairConfig | None = None,
    model: BigramModel | None = None,
) -> Result:
    """How spun ``text`` is, and where: the document score and the flagged
    spans (``Result.flagged``), as :func:`repair_text` finds them, without
    deciding, logging or applying any change (``Result.text`` is the input,
    ``Result.changes`` is empty)."""
    config = config or RepairConfig()
    if len(text) > config.max_chunk_chars:
        return _repair_in_chunks(text, references, dictionary, config, model, detect_only=True)
    found, _ = _analyse(text, references, dictionary, config, model)
    return Result(text, [], found.score, found.doc.word_count, found.flags)


def detection_report(result: Result, config: RepairConfig, spans: bool = True) -> dict:
    """What ``repair detect --json`` prints for one text (without its ``input`` name)."""
    return {
        "spin_score": round(result.spin_score, 4), "words": result.word_count,
        "spun": result.spin_score >= config.min_document_score,
        "flagged": [{"start": c.start, "end": c.end, "text": c.before, "suggestion": c.after,
                     "signal": c.confidence, "sources": c.sources, "rule": c.rule}
                    for c in result.flagged] if spans else [],
    }


def _flag(doc: Document, offsets: OffsetMap, text: str, c: Candidate) -> Change:
    """A spin signal as a record in input offsets, whatever the document score."""
    start = offsets.to_input(doc.starts[c.start])
    end = offsets.to_input(doc.ends[c.end - 1], is_end=True)
    written = text[start:end]
    return Change(f"f{c.start}", start, end, written, match_case_at(doc, c.start, written, c.replacement),
                  list(c.sources), round(c.signal, 4), "proposed", c.evidence, c.rule)


def _chunk_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """Cut a long text into pieces of about ``size`` characters, at a line
    break if there is one in the second half of the piece, else after a
    sentence end, else at a space."""
    bounds, pos, n = [], 0, len(text)
    while pos < n:
        # The last piece takes the rest rather than leave a short tail, which
        # would be judged (document score) on too little text.
        end = n if n - pos < size + size // 2 else pos + size
        if end < n:
            half = pos + size // 2
            # Keep blanks at the start of the next piece: a piece's trailing
            # blanks would be stripped by cleanup as if they ended a line.
            cut = max(text.rfind("\n", half, end), text.rfind("\r", half, end)) + 1  # after the break
            if cut <= 0:
                cut = max(text.rfind(". ", half, end), text.rfind("? ", half, end), text.rfind("! ", half, end)) + 1
            if cut <= 0:
                cut = text.rfind(" ", half, end)  # before the space
            if cut > pos:
                end = cut
        bounds.append((pos, end))
        pos = end
    return bounds


def _reference_window(ref: Reference, n: int, start: int, end: int, length: int, size: int) -> Reference:
    """The part of a long reference that a piece [start, end) of a long text
    is aligned with: the same stretch in proportion, widened by a quarter of a
    piece on each side and cut at line breaks. Aligning every piece with a whole
    reference of corpus size would make time grow with the square of the size;
    a reference shorter than two pieces (an article on the same story) is
    used whole."""
    name, ref_text = ref if isinstance(ref, tuple) else (f"reference {n}", ref)
    total = len(ref_text)
    if total <= 2 * size:
        return ref
    margin = size // 4
    a = max(0, int(start * total / length) - margin)
    b = min(total, int(end * total / length) + margin)
    if a > 0:
        a = ref_text.find("\n", a, a + margin) + 1 or a
    if b < total:
        cut = ref_text.rfind("\n", b - margin, b)
        b = cut if cut > a else b
    return (name, ref_text[a:b])


def _repair_in_chunks(text: str, references: Sequence[Reference], dictionary: PhraseDictionary | None,
                      config: RepairConfig, model: BigramModel | None, detect_only: bool = False) -> Result:
    """A very long text (a corpus in one file, a 50 MB line) is repaired piece
    by piece, so memory stays bounded by the piece size and time stays linear.
    Each piece gets its own document score; the result's score is their
    average weighted by words. Offsets are shifted back into the whole text.
    ``detect_only``: score and flag the pieces (:func:`detect_text`) instead;
    a repair makes its flags only when they are asked for, by detecting again
    (kept, every piece's flags would double the records held in memory)."""
    changes: list[Change] = []
    flags: list[Change] = []
    pieces: list[str] = []
    words = 0
    weighted = 0.0
    whole = dataclasses.replace(config, max_chunk_chars=len(text) + 1)  # each piece in one go
    for start, end in _chunk_bounds(text, config.max_chunk_chars):
        refs = [_reference_window(ref, n, start, end, len(text), config.max_chunk_chars)
                for n, ref in enumerate(references, 1)]
        one = detect_text if detect_only else repair_text
        part = one(text[start:end], refs, dictionary, whole, model)
        pieces.append(part.text)
        piece_flags = part.flagged if detect_only else []
        for c in part.changes + piece_flags:
            c.start += start
            c.end += start
        changes += part.changes
        flags += piece_flags
        words += part.word_count
        weighted += part.spin_score * part.word_count
    for n, change in enumerate(changes, 1):
        change.id = f"c{n:04d}"
    score = weighted / words if words else 0.0
    if detect_only:
        return Result("".join(pieces), changes, score, words, flags)

    def flags_on_demand() -> list[Change]:
        return _repair_in_chunks(text, references, dictionary, config, model, detect_only=True).flagged

    return Result("".join(pieces), changes, score, words, flags_on_demand)


def propose(
    doc: Document,
    references: Iterable[Reference],
    dictionary: PhraseDictionary,
    config: RepairConfig,
    model: BigramModel | None,
    confirmed: set[int] | None = None,
) -> list[Candidate]:
    """Every candidate from the dictionary and the references, merged by span
    and replacement. Tokens a near-parallel reference sentence writes the same
    way are confirmed as written (added to ``confirmed``): no other source may
    change them."""
    confirmed = set() if confirmed is None else confirmed
    found: list[Candidate] = []
    if config.use_dictionary:
        quoted, name_like = doc.quoted, doc.name_like
        for match in dictionary.match(doc):
            if True in quoted[match.start:match.end]:
                continue
            names = True in name_like[match.start:match.end]
            for entry in match.entries:
                if names and not entry.cased:
                    continue  # only an entry written with capitals may touch a name
                original = _best_alternative(doc, match.start, match.end, entry.originals, model)
                found.append(Candidate(
                    match.start, match.end, original, ["dictionary"], entry.confidence,
                    [entry.as_evidence()], entry.rule, entry.rejected_in_review,
                ))
    if references:
        from .reference import reference_candidates  # rapidfuzz: only when there is a reference
    for n, ref in enumerate(references, 1):
        name, ref_text = ref if isinstance(ref, tuple) else (f"reference {n}", ref)
        ref_clean = clean_text(ref_text)[0] if config.cleanup else ref_text
        ref_doc = tokenize(ref_clean)
        found.extend(reference_candidates(doc, ref_doc, name, config, model,
                                          dictionary if config.use_dictionary else None, confirmed))
    merged: dict[tuple, Candidate] = {}
    for c in found:
        same = merged.get(c.key)
        if same is None:
            merged[c.key] = c
            continue
        if set(c.sources) <= set(same.sources):
            same.prior = max(same.prior, c.prior)  # the same source twice is not new evidence
        else:
            # Independent sources agreeing: noisy-OR of their priors.
            same.prior = 1 - (1 - same.prior) * (1 - c.prior)
        same.sources += [s for s in c.sources if s not in same.sources]
        same.evidence += c.evidence
        same.overruled = same.overruled and c.overruled
    if confirmed:
        return [c for c in merged.values() if "reference" in c.sources or not _confirmed(doc, c, confirmed)]
    return list(merged.values())


def _confirmed(doc: Document, c: Candidate, confirmed: set[int]) -> bool:
    """Whether the candidate would change a word that a reference writes as
    the input does. Words it keeps at either end are not changed ("White
    Home" -> "White House" changes "Home" alone)."""
    written = doc.norms[c.start:c.end]
    proposed = c.replacement.lower().split()
    i, j = c.start, c.end
    while i < j and proposed and written[i - c.start] == proposed[0]:
        i, proposed = i + 1, proposed[1:]
    while j > i and proposed and written[j - 1 - c.start] == proposed[-1]:
        j, proposed = j - 1, proposed[:-1]
    return any(k in confirmed for k in range(i, j))


# Nats an original must gain in context for each written word it changes
# beyond the fewest any alternative changes: "safety agency" is read as
# "security agency" rather than "security firm" unless the context insists.
_CHANGED_WORD_COST = 1.0


def _best_alternative(doc: Document, i: int, j: int, originals: Sequence[str], model: BigramModel | None) -> str:
    if len(originals) == 1 or model is None:
        return originals[0]
    written = doc.norms[i:j]
    written_set = set(written)
    scored = []
    for n, o in enumerate(originals):
        words = o.lower().split()
        changed = len(words) + len(written) - 2 * len(written_set.intersection(words))
        preference = context_preference(model, doc.norms, i, j, words) - _CHANGED_WORD_COST * changed
        scored.append((preference, -n, o))
    return max(scored)[2]


def score_document(doc: Document, candidates: list[Candidate], config: RepairConfig,
                   model: BigramModel | None) -> float:
    """Give every candidate its spin signal; return the document spin score.

    A candidate's signal combines its prior with the context model's
    likelihood ratio. The document score comes from the signals of the best
    non-overlapping candidates whose prior is at least min_evidence_prior.
    """
    evidence, weak = [], []
    for c in candidates:
        (evidence if c.prior >= config.min_evidence_prior else weak).append(c)
    for c in evidence:
        _judge(doc, c, config, model)
    best = select(evidence, key=lambda c: c.signal)
    score = document_spin_score([c.signal for c in best], doc.word_count, config.clean_signal_rate,
                                config.spun_signal_rate, config.spin_prior_log_odds,
                                _repeat_weights(doc, best, config.repeat_signal_weight, config.repeat_signal_limit),
                                _unspun_words(doc, config.unspun_words), config.unspun_swap_rate,
                                config.unspun_writer_rate, config.spin_intensities)
    deciding = _deciding_score(score, config)
    judged = evidence
    if deciding >= config.min_document_score:
        # Weak candidates are judged only in a text the others show to be
        # spun: elsewhere they can be neither repaired nor flagged.
        for c in weak:
            _judge(doc, c, config, model)
        judged = candidates
    if model is not None:
        for c in judged:
            _note_model(c, deciding)
    return score


def _deciding_score(score: float, config: RepairConfig) -> float:
    """The document score the decisions use: 1 for a text known to be spun."""
    return 1.0 if config.known_spun else score


def _unspun_words(doc: Document, words: Sequence[str]) -> int:
    """How many of ``words`` stand in the text outside quotations."""
    if not words:
        return 0
    wanted = frozenset(words)
    return sum(1 for k in compress(range(len(doc.norms)), map(wanted.__contains__, doc.norms)) if not doc.quoted[k])


def _judge(doc: Document, c: Candidate, config: RepairConfig, model: BigramModel | None) -> None:
    """A candidate's signal: its prior moved by the context model's ratio."""
    if model is not None:
        ratio = context_preference(model, doc.norms, c.start, c.end, c.replacement.lower().split())
        c.model_ratio = max(-config.model_clip, min(0.0 if c.overruled else config.model_clip, ratio))
    c.signal = sigmoid(logit(c.prior) + config.model_weight * c.model_ratio)


def _note_model(c: Candidate, score: float) -> None:
    if c.model_ratio >= 2.0 and "model" not in c.sources:
        c.sources.append("model")
    c.evidence.append({"source": "model", "log_ratio": round(c.model_ratio, 2), "document_score": round(score, 3)})


def composed_candidates(doc: Document, candidates: list[Candidate], dictionary: PhraseDictionary,
                        config: RepairConfig, model: BigramModel, score: float) -> list[Candidate]:
    """In a spun document only: phrases that no entry lists but that read as a
    known term once each word is swapped back as some entry swaps it
    (:mod:`repair.compose`), judged like the dictionary's own candidates."""
    # A weak candidate (a context-free copy) does not keep a composed term out: both compete.
    covered = {k for c in candidates if c.prior >= config.min_evidence_prior for k in range(c.start, c.end)}
    protected = doc.protected
    found = []
    if isinstance(model, _LazyModel):
        model = default_model()  # the one object the composed terms are kept for
    for i, j, term, swaps in dictionary.composed(model).find(doc.norms):
        if not covered.isdisjoint(range(i, j)) or True in protected[i:j]:
            continue
        term, swaps = _fewest_swaps(doc, i, j, term, swaps, dictionary, model)
        c = Candidate(i, j, term, ["model"], config.composed_prior,
                      [{"source": "model", "composed": f"{' '.join(doc.norms[i:j])} -> {term}",
                        "swaps": swaps.split(";")}], "model:composed")
        _judge(doc, c, config, model)
        _note_model(c, score)
        found.append(c)
    return found


def _fewest_swaps(doc: Document, i: int, j: int, term: str, swaps: str, dictionary: PhraseDictionary,
                  model: BigramModel) -> tuple[str, str]:
    """A composed term, or a known term that swaps back only some of its
    words, whichever the context model prefers once each changed word has
    paid its cost: "the public pursuit" reads as "the public interest" (one
    swap), not "the national interest" (two). Only known terms compete: the
    bigram model knows terms of art too little ("angle plummet" would read as
    "angle descent")."""
    written, words = doc.norms[i:j], term.split()
    if len(words) != j - i:
        return term, swaps
    changed = [k for k in range(len(words)) if words[k] != written[k]]
    if len(changed) < 2:
        return term, swaps
    readings, options = [tuple(changed)], [term]
    for r in range(len(changed) - 1, 0, -1):
        for kept in combinations(changed, r):
            reading = [words[k] if k in kept else written[k] for k in range(len(words))]
            if dictionary.is_original(reading):
                readings.append(kept)
                options.append(" ".join(reading))
    if len(options) == 1:
        return term, swaps
    best = _best_alternative(doc, i, j, options, model)
    if best == term:
        return term, swaps
    kept = readings[options.index(best)]
    # One swap per changed word, in order (compose.py writes them so).
    return best, ";".join(s for k, s in zip(changed, swaps.split(";")) if k in kept)


def _repeat_weights(doc: Document, best: list[Candidate], repeat_weight: float, repeat_limit: int) -> list[float]:
    """Weight of each of ``best`` in the document score: a swap (written
    words -> original) counts in full at its strongest signal, at
    ``repeat_weight`` for each of its next ``repeat_limit`` signals (strongest
    first), and not at all after that."""
    by_swap: dict[tuple, list[Candidate]] = {}
    for c in best:
        by_swap.setdefault((*doc.norms[c.start:c.end], None, c.replacement.lower()), []).append(c)
    weight: dict[int, float] = {}
    for group in by_swap.values():
        group.sort(key=lambda c: -c.signal)
        for rank, c in enumerate(group):
            weight[id(c)] = 1.0 if rank == 0 else repeat_weight if rank <= repeat_limit else 0.0
    return [weight[id(c)] for c in best]


def weigh_candidates(candidates: list[Candidate], score: float, config: RepairConfig) -> None:
    """Give every candidate its confidence: the prior weighed by how spun the
    document is, so a clean document keeps its words."""
    for c in candidates:
        c.confidence = _confidence(c, score, config) if score >= config.min_document_score else 0.0


def rescore_with_llm(doc: Document, candidates: list[Candidate], score: float, config: RepairConfig) -> None:
    """Replace the bigram ratio with a sentence-level LM ratio for the
    candidates the pipeline is unsure about (confidence in the llm_band)."""
    from .llm import default_scorer

    scorer = default_scorer()
    if scorer is None:
        raise RuntimeError("use_llm needs the model extra: pip install 'spin-repair[model]'")
    low, high = config.llm_band
    for c in candidates:
        if not low <= c.confidence < high:
            continue
        s = doc.sentence_of[c.start]
        a, b = doc.sentences[s]
        start, end = doc.starts[a], doc.ends[b - 1]
        written = doc.text[start:end]
        span_a, span_b = doc.starts[c.start] - start, doc.ends[c.end - 1] - start
        proposed = (written[:span_a] + match_case_at(doc, c.start, written[span_a:span_b], c.replacement)
                    + written[span_b:])
        ratio = max(-config.model_clip, min(config.model_clip, scorer.preference(written, proposed)))
        c.model_ratio = ratio
        c.confidence = _confidence(c, score, config)
        c.evidence.append({"source": "model", "llm": "SmolLM2-135M", "log_ratio": round(ratio, 2)})
        if ratio >= 2.0 and "model" not in c.sources:
            c.sources.append("model")


def _model_candidates(doc: Document, candidates: list[Candidate], score: float, config: RepairConfig,
                      model: BigramModel, confirmed: set[int] = frozenset()) -> list[Candidate]:
    """In a spun document only: thesaurus originals the context model strongly
    prefers, for words that no dictionary entry or reference covers."""
    thesaurus = default_thesaurus()
    if thesaurus is None:
        return []
    covered = {k for c in candidates for k in range(c.start, c.end)} | confirmed
    found = thesaurus_candidates(doc, model, thesaurus, covered, config.thesaurus_min_ratio,
                                 config.thesaurus_min_count, config.thesaurus_prior)
    for c in found:
        c.model_ratio = min(config.model_clip, c.evidence[0]["log_ratio"])
        c.signal = sigmoid(logit(c.prior) + config.model_weight * c.model_ratio)
        c.confidence = _confidence(c, score, config)
        c.evidence[0]["document_score"] = round(score, 3)
    return found


def _confidence(c: Candidate, score: float, config: RepairConfig) -> float:
    """The prior weighed by the document score, moved by the context model."""
    return sigmoid(logit(c.prior * score) + config.model_weight * c.model_ratio)


def select(candidates: list[Candidate], key=lambda c: c.confidence) -> list[Candidate]:
    """Non-overlapping candidates, best first (longer spans win ties)."""
    taken: list[Candidate] = []
    used: set[int] = set()
    for c in sorted(candidates, key=lambda c: (key(c), c.end - c.start), reverse=True):
        span = range(c.start, c.end)
        if not used.isdisjoint(span):
            continue
        used.update(span)
        taken.append(c)
    return sorted(taken, key=lambda c: c.start)


_VOWEL_SOUND_EXCEPTIONS_AN = ("hour", "honest", "honor", "honour", "heir")
_VOWEL_SOUND_EXCEPTIONS_A = ("uni", "use", "usu", "eu", "one", "once", "ubiq", "utop", "ura")


def _article_for(word: str) -> str:
    w = word.lower()
    if w.startswith(_VOWEL_SOUND_EXCEPTIONS_AN):
        return "an"
    if w.startswith(_VOWEL_SOUND_EXCEPTIONS_A):
        return "a"
    return "an" if w[:1] in "aeiou" else "a"


def _to_change(doc: Document, c: Candidate, config: RepairConfig, taken: set[int] = frozenset()) -> Change:
    """A decided candidate as a Change in cleaned-text offsets (mapped later)."""
    start, end = doc.starts[c.start], doc.ends[c.end - 1]
    before = doc.text[start:end]
    after = match_case_at(doc, c.start, before, c.replacement)
    if before.endswith(".") and not after.endswith(".") and (
            c.end >= len(doc.norms) or doc.sentence_of[c.end] != doc.sentence_of[c.end - 1]):
        after += "."  # an abbreviation's stop that also ended the sentence ("in Tahrir Sq." -> "Square.")
    if "’" in before and "'" in after:
        after = after.replace("'", "’")  # keep the text's apostrophe style
    # Keep "a"/"an" right before the change in agreement with the new word.
    i = c.start
    if i > 0 and doc.norms[i - 1] in ("a", "an") and not doc.protected[i - 1] and (i - 1) not in taken \
            and doc.sentence_of[i - 1] == doc.sentence_of[i] and after[:1].isalpha():
        needed = _article_for(after)
        if needed != doc.norms[i - 1]:
            article = doc.token_text(i - 1)
            gap = doc.text[doc.ends[i - 1]:start]
            start = doc.starts[i - 1]
            before = doc.text[start:end]
            after = match_case(article, needed) + gap + after
    status = "applied" if c.confidence >= config.min_confidence else "proposed"
    return Change("", start, end, before, after, list(c.sources), round(c.confidence, 4), status,
                  c.evidence, c.rule)


def _merge_with_cleanup(cleaned: str, offsets: OffsetMap, cleanup: list[Change],
                        spin: list[Change], original: str) -> list[Change]:
    """Map spin changes to input offsets. An applied spin change that overlaps
    cleanup edits absorbs them (so applied records never overlap); a proposed
    one is widened over them but leaves them applied. A spin change whose
    widened span would overlap an earlier one (two changes sharing one
    cleanup edit) is dropped: the cleanup stands, the text stays consistent."""
    if not cleanup:
        return cleanup + spin
    absorbed: set[tuple[int, int]] = set()
    result: list[Change] = []
    last_end = -1
    out_ends = [e[3] for e in offsets.edits]  # non-decreasing: edits are in order
    for ch in sorted(spin, key=lambda c: c.start):
        a, b = ch.start, ch.end
        touching = []
        k = bisect_left(out_ends, a)
        while k < len(offsets.edits) and offsets.edits[k][2] <= b:
            oa, ob = offsets.edits[k][2], offsets.edits[k][3]
            if (oa < b and a < ob) or (oa == ob and a < oa < b):
                touching.append(k)
            k += 1
        ca = min([a] + [offsets.edits[k][2] for k in touching])
        cb = max([b] + [offsets.edits[k][3] for k in touching])
        in_a, in_b = offsets.to_input(ca), offsets.to_input(cb, is_end=True)
        if touching:
            in_a = min([in_a] + [offsets.edits[k][0] for k in touching])
            in_b = max([in_b] + [offsets.edits[k][1] for k in touching])
        if in_a < last_end:
            continue
        last_end = in_b
        if touching and ch.status == "applied":
            absorbed |= {(offsets.edits[k][0], offsets.edits[k][1]) for k in touching}
            ch.sources = ["cleanup"] + [s for s in ch.sources if s != "cleanup"]
        ch.after = cleaned[ca:a] + ch.after + cleaned[b:cb]
        ch.start, ch.end, ch.before = in_a, in_b, original[in_a:in_b]
        result.append(ch)
    return [c for c in cleanup if (c.start, c.end) not in absorbed] + result
