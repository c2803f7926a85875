"""A proposed substitution, before it is decided and turned into a Change."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Candidate:
    """Replace tokens [start, end) of the cleaned document with ``replacement``.

    ``prior`` is the probability that this is a spin, from the proposing
    source alone; ``evidence`` says why; ``rule`` names the dictionary entry
    or alignment that proposed it. ``signal`` and ``confidence`` are filled in
    by the pipeline once the context model and the document score are known.
    """

    start: int
    end: int
    replacement: str
    sources: list[str]
    prior: float
    evidence: list[dict] = field(default_factory=list)
    rule: str = ""
    # Reviewers rejected its entry more often than they accepted it: the
    # context model may lower the candidate's signal, not raise it.
    overruled: bool = False
    model_ratio: float = 0.0
    signal: float = 0.0
    confidence: float = 0.0

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.replacement.lower())
