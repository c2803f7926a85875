"""Align a reference text with the input and propose substitutions from it.

Sentences are paired first (an inverted index of content words narrows the
reference sentences worth comparing, rapidfuzz scores them), then words are
aligned within each pair with rapidfuzz's Levenshtein opcodes. A difference
becomes a candidate only where it is plausibly a spin: the reference may be
another outlet's article on the same story, not the source.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import Indel, Levenshtein

from .candidate import Candidate
from .config import RepairConfig
from .dictionary import PhraseDictionary
from .model import BigramModel, context_preference, logit, sigmoid
from .text import Document

# Words too common to say which sentences belong together.
_STOPWORDS = frozenset(
    "the a an of to in and or for on at by with from as is was were be been are that this it its "
    "their his her they he she we you i not but which who has have had will would said".split()
)
_VOTING_WORDS = 6           # the rarest content words of a sentence vote for reference sentences
_MAX_PAIRS_PER_WORD = 16  # at most this many reference sentences per voting word
_MAX_CANDIDATE_SENTENCES = 20


@dataclass
class SentencePair:
    input_sentence: int
    reference_sentence: int
    similarity: float


def _content(words: list[str]) -> set[str]:
    return {w for w in words if w[0].isalnum() and w not in _STOPWORDS}


def pair_sentences(doc: Document, ref: Document, config: RepairConfig) -> list[SentencePair]:
    """Best reference sentence for each input sentence (bounded work per sentence)."""
    ref_words = [ref.norms[a:b] for a, b in ref.sentences]
    index: dict[str, list[int]] = defaultdict(list)
    for s, words in enumerate(ref_words):
        for w in _content(words):
            index[w].append(s)
    pairs = []
    for s, (a, b) in enumerate(doc.sentences):
        words = doc.norms[a:b]
        content = _content(words)
        if len(content) < 2:
            continue
        # Vote with the sentence's rarest words only: they say the most about
        # which reference sentence it is, and their short postings keep the
        # work per sentence bounded however long the reference is.
        # Ties broken by the word itself: a set's order changes from run to run
        # (hash randomisation), and the output must not.
        rarest = sorted((len(index[w]), w) for w in content if w in index)[:_VOTING_WORDS]
        postings = [index[w] for _, w in rarest]
        votes: Counter[int] = Counter()
        # A word found all over a long reference votes only for the sentences
        # around where this one would be if the two texts ran in parallel:
        # the work per sentence stays bounded, and a source-like reference
        # (same order) still finds its sentence.
        expected = s * len(ref_words) / len(doc.sentences)
        for hits in postings:
            if len(hits) > _MAX_PAIRS_PER_WORD:
                lo = max(0, bisect_left(hits, expected) - _MAX_PAIRS_PER_WORD // 2)
                hits = hits[lo:lo + _MAX_PAIRS_PER_WORD]
            votes.update(hits)
        best, best_sim = -1, 0.0
        ranked = votes.most_common(_MAX_CANDIDATE_SENTENCES)
        # A sentence sharing less than half the best one's voting words is not
        # worth a similarity computation.
        enough = max(2, ranked[0][1] // 2) if ranked else 2
        for r, shared in ranked:
            if shared < enough:
                break
            sim = Indel.normalized_similarity(words, ref_words[r])
            if sim > best_sim:
                best, best_sim = r, sim
        if best >= 0 and best_sim >= config.min_sentence_similarity:
            pairs.append(SentencePair(s, best, best_sim))
    return pairs


def _has_fact(words: list[str]) -> bool:
    return any(any(c.isdigit() for c in w) for w in words)


def _difference_blocks(src: list[str], dst: list[str]) -> list[tuple[int, int, int, int]]:
    """Word-level differences as blocks (i, j, ri, rj): adjacent edits merged,
    so "accountable" against "to blame" is one block, not an insert and a replace."""
    blocks: list[list[int]] = []
    for op in Levenshtein.opcodes(src, dst):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1][1] == op.src_start and blocks[-1][3] == op.dest_start:
            blocks[-1][1], blocks[-1][3] = op.src_end, op.dest_end
        else:
            blocks.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [tuple(b) for b in blocks]


def _split_at_protected(doc: Document, a: int, block: tuple[int, int, int, int]):
    """Sub-blocks of a block that avoid protected tokens. Only a block of equal
    length on both sides can be split word for word; others are kept whole."""
    i, j, ri, rj = block
    if not any(doc.protected[a + k] for k in range(i, j)):
        yield block
        return
    if j - i != rj - ri:
        return
    run = None
    for k in range(i, j):
        if doc.protected[a + k]:
            if run is not None:
                yield (run, k, ri + run - i, ri + k - i)
                run = None
        elif run is None:
            run = k
    if run is not None:
        yield (run, j, ri + run - i, rj)


def aligned_pairs(doc: Document, ref: Document, config: RepairConfig):
    """For each paired sentence: (pair, input start token, reference start token,
    input words, reference words, difference blocks, parallel), where parallel
    is the share of the input sentence that stands unchanged in the reference."""
    for pair in pair_sentences(doc, ref, config):
        a, b = doc.sentences[pair.input_sentence]
        ra, rb = ref.sentences[pair.reference_sentence]
        src, dst = doc.norms[a:b], ref.norms[ra:rb]
        blocks = _difference_blocks(src, dst)
        changed = sum(j - i for i, j, _, _ in blocks)
        yield pair, a, ra, src, dst, blocks, 1.0 - changed / max(len(src), 1)


def reference_candidates(
    doc: Document,
    ref: Document,
    ref_name: str,
    config: RepairConfig,
    model: BigramModel | None,
    dictionary: PhraseDictionary | None,
    confirmed: set[int] | None = None,
) -> list[Candidate]:
    """Candidates from the differences between input sentences and their
    reference sentences. ``confirmed``, if given, receives the input tokens
    that a near-parallel reference sentence writes the same way: the source
    says those words are as written. (Not from a reference that differs from
    the input nowhere: that is a copy of the input, not a cleaner text.)"""
    candidates = []
    same_words: set[int] = set()
    differs = False
    for pair, a, ra, src, dst, blocks, parallel in aligned_pairs(doc, ref, config):
        differs = differs or bool(blocks)
        if confirmed is not None and parallel >= config.parallel_similarity:
            changed = {a + k for i, j, _, _ in blocks for k in range(i, j)}
            same_words.update(k for k in range(a, a + len(src)) if k not in changed)
        for block in blocks:
            i, j, ri, rj = block
            if i == j:
                continue  # the reference has words the input lacks: not a substitution
            if ri == rj:
                # The input has extra words ("and so they"): replace them together
                # with the next word that both share ("so they" -> "they").
                if j < len(src) and rj < len(dst) and src[j] == dst[rj]:
                    block = (i, j + 1, ri, rj + 1)
                else:
                    continue
            for i, j, ri, rj in _split_at_protected(doc, a, block):
                candidate = _block_candidate(doc, ref, a, ra, src, dst, i, j, ri, rj, pair,
                                             parallel, ref_name, config, model, dictionary)
                if candidate is not None:
                    candidates.append(candidate)
    if confirmed is not None and differs:
        confirmed.update(same_words)
    return candidates


def _block_candidate(doc, ref, a, ra, src, dst, i, j, ri, rj, pair, parallel, ref_name,
                     config, model, dictionary) -> Candidate | None:
    if j - i > config.max_reference_span or rj - ri > config.max_reference_span:
        return None
    spun_words, ref_words = src[i:j], dst[ri:rj]
    if not ref_words or _has_fact(spun_words) or _has_fact(ref_words):
        return None
    if any(not w[0].isalnum() for w in spun_words + ref_words):
        return None  # punctuation differences are style, not spin
    if any(ref.name_like[ra + k] for k in range(ri, rj)) and not all(
            doc.name_like[a + k] for k in range(i, j)):
        return None  # a name in the reference: a different fact, not a synonym
    evidence = {
        "source": "reference",
        "reference": ref_name,
        "reference_sentence": ref.sentence_text(pair.reference_sentence),
        "similarity": round(pair.similarity, 3),
        "parallel": round(parallel, 3),
    }
    known = bool(dictionary and any(
        " ".join(ref_words) in (o.lower() for o in e.originals) for e in dictionary.lookup(spun_words)
    ))
    preference = context_preference(model, doc.norms, a + i, a + j, ref_words) if model else 0.0
    if parallel < config.parallel_similarity and not known and preference <= 1.0:
        return None  # another article's wording, not a spin of it
    # A reference sentence that is the input's source (most words equal, the
    # differences scattered) makes each difference a likely spin on its own.
    odds = 6.0 * (parallel - config.parallel_similarity) + 1.0
    if known:
        odds += 2.5
        evidence["known_pair"] = True
    if preference > 0:
        odds += min(preference, 3.0) * 0.5
    return Candidate(
        start=a + i, end=a + j, replacement=_join_like(ref, ra + ri, ra + rj), sources=["reference"],
        prior=sigmoid(odds), evidence=[evidence], rule=f"reference:{ref_name}",
    )


def _join_like(ref: Document, i: int, j: int) -> str:
    """The reference words i..j as written there (original spacing, lowercase
    first letter unless it is a name-like word inside the sentence)."""
    text = ref.span_text(i, j)
    first = ref.norms[i]
    if text[:1].isupper() and (i == 0 or ref.sentence_of[i - 1] != ref.sentence_of[i]):
        text = first[:1] + text[1:] if not _looks_like_acronym(ref.token_text(i)) else text
    return text


def _looks_like_acronym(word: str) -> bool:
    return sum(c.isupper() for c in word) > 1
