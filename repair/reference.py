"""Align a reference text with the input and propose substitutions from it.

Sentences are paired first (an inverted index of content words narrows the
reference sentences worth comparing, rapidfuzz scores them), then words are
aligned within each pair with rapidfuzz's Levenshtein opcodes. A difference
becomes a candidate only where it is plausibly a spin: the reference may be
another outlet's article on the same story, not the source.
"""
from __future__ import annotations

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
_MAX_PAIRS_PER_WORD = 200   # an index word in more sentences than this is ignored
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
        votes: Counter[int] = Counter()
        for w in content:
            hits = index.get(w)
            if hits and len(hits) <= _MAX_PAIRS_PER_WORD:
                votes.update(hits)
        best, best_sim = -1, 0.0
        for r, shared in votes.most_common(_MAX_CANDIDATE_SENTENCES):
            if shared < 2:
                break
            sim = Indel.normalized_similarity(words, ref_words[r])
            if sim > best_sim:
                best, best_sim = r, sim
        if best >= 0 and best_sim >= config.min_sentence_similarity:
            pairs.append(SentencePair(s, best, best_sim))
    return pairs


def _has_fact(words: list[str]) -> bool:
    return any(any(c.isdigit() for c in w) for w in words)


def reference_candidates(
    doc: Document,
    ref: Document,
    ref_name: str,
    config: RepairConfig,
    model: BigramModel | None,
    dictionary: PhraseDictionary | None,
) -> list[Candidate]:
    """Candidates from the differences between input sentences and their reference sentences."""
    candidates = []
    for pair in pair_sentences(doc, ref, config):
        a, b = doc.sentences[pair.input_sentence]
        ra, rb = ref.sentences[pair.reference_sentence]
        src, dst = doc.norms[a:b], ref.norms[ra:rb]
        ops = [op for op in Levenshtein.opcodes(src, dst)]
        equal = sum(op.src_end - op.src_start for op in ops if op.tag == "equal")
        parallel = equal / max(len(src), 1)
        for op in ops:
            if op.tag == "equal":
                continue
            i, j, ri, rj = op.src_start, op.src_end, op.dest_start, op.dest_end
            if i == j:  # the reference has words the input lacks: not a substitution
                continue
            if rj == ri:  # the input has extra words: replace them with the next word
                if j < len(src) and not doc.protected[a + j]:
                    j, rj = j + 1, rj + 1
                    if rj > len(dst) or dst[rj - 1] != src[j - 1]:
                        continue
                else:
                    continue
            if j - i > config.max_reference_span or rj - ri > config.max_reference_span:
                continue
            if any(doc.protected[a + k] for k in range(i, j)):
                continue
            spun_words, ref_words = src[i:j], dst[ri:rj]
            if _has_fact(spun_words) or _has_fact(ref_words):
                continue
            if any(not w[0].isalnum() for w in spun_words + ref_words):
                continue  # punctuation differences are style, not spin
            if any(k > 0 and ref.text[ref.starts[ra + k]].isupper() for k in range(ri, rj)):
                continue  # a name in the reference: a different fact, not a synonym
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
            # Prior from how parallel the sentences are; a known pair or a
            # clear preference of the context model adds to it.
            odds = logit(min(0.95, 0.15 + 0.9 * max(0.0, parallel - 0.3)))
            if known:
                odds += 2.5
                evidence["known_pair"] = True
            if preference > 0:
                odds += min(preference, 3.0) * 0.5
            if parallel < config.parallel_similarity and not known and preference <= 1.0:
                continue  # another article's wording, not a spin of it
            replacement = _join_like(ref, ra + ri, ra + rj)
            candidates.append(Candidate(
                start=a + i, end=a + j, replacement=replacement, sources=["reference"],
                prior=sigmoid(odds), evidence=[evidence], rule=f"reference:{ref_name}",
            ))
    return candidates


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
