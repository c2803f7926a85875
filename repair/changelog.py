"""The Change record, the JSON Lines change log, and replay.

A change log is a plan: every record says where in the input (character
offsets), what was there, what replaces it, why, and whether it is applied.
Replaying the applied records on the same input reproduces the repaired text
byte for byte; a reviewer flips ``status`` to accept or reject.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Iterator

STATUSES = ("applied", "proposed", "rejected")
SOURCES = ("cleanup", "dictionary", "reference", "model")


class ChangeLogError(ValueError):
    """A change log that cannot be read or does not fit its input."""


@dataclass
class Change:
    """One edit of the input text.

    ``start``/``end`` are character offsets in the input as given (before
    cleanup); ``before`` is exactly ``input[start:end]``. ``sources`` lists what
    proposed it, ``evidence`` why (one dict per piece of evidence), and
    ``rule`` names the dictionary entry or rule so that all changes made by one
    entry can be reviewed together.
    """

    id: str
    start: int
    end: int
    before: str
    after: str
    sources: list[str]
    confidence: float
    status: str = "applied"
    evidence: list[dict] = field(default_factory=list)
    rule: str = ""

    def to_dict(self) -> dict:
        # By hand rather than dataclasses.asdict, which deep-copies the evidence (a hotspot).
        return {"id": self.id, "start": self.start, "end": self.end, "before": self.before, "after": self.after,
                "sources": self.sources, "confidence": self.confidence, "status": self.status,
                "evidence": self.evidence, "rule": self.rule}

    def to_json(self) -> str:
        return _encode(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict, where: str = "") -> "Change":
        try:
            change = cls(
                id=str(data["id"]),
                start=int(data["start"]),
                end=int(data["end"]),
                before=str(data["before"]),
                after=str(data["after"]),
                sources=[str(s) for s in data.get("sources", [])],
                confidence=float(data.get("confidence", 1.0)),
                status=str(data.get("status", "applied")),
                evidence=list(data.get("evidence", [])),
                rule=str(data.get("rule", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ChangeLogError(f"{where}: not a change record ({exc.__class__.__name__}: {exc})") from None
        if change.status not in STATUSES:
            raise ChangeLogError(f"{where}: status must be one of {', '.join(STATUSES)}, not {change.status!r}")
        if not 0 <= change.start <= change.end:
            raise ChangeLogError(f"{where}: bad offsets {change.start}..{change.end}")
        return change


# One encoder for every record: json.dumps with options builds a new one per
# call. A record is plain data (no cycles to look for), and the C encoder is
# made once rather than once per record: a quarter of the time of a record
# with a long dictionary context goes to that.
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)
_C_ENCODER = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _ENCODER.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)


def _encode(record: dict) -> str:
    if _C_ENCODER is None:  # a Python without the json accelerator
        return _ENCODER.encode(record)
    return "".join(_C_ENCODER(record, 0))


def dumps(changes: Iterable[Change]) -> str:
    """The change log as JSON Lines text."""
    return "".join(log_lines(changes))


def log_lines(changes: Iterable[Change]) -> Iterator[str]:
    """The change log's lines, one at a time (to write a large log as it is made)."""
    for c in changes:
        yield c.to_json() + "\n"


def parse(text: str, name: str = "<log>") -> list[Change]:
    """Read a JSON Lines change log; errors name the line."""
    changes = []
    # JSON Lines ends records at "\n" only: str.splitlines() would also split at
    # U+2028, U+0085 ... which json.dumps(ensure_ascii=False) leaves in strings.
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ChangeLogError(f"{name}:{lineno}: not JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise ChangeLogError(f"{name}:{lineno}: a record must be a JSON object")
        changes.append(Change.from_dict(data, f"{name}:{lineno}"))
    return changes


def iter_applied(changes: Iterable[Change]) -> Iterator[Change]:
    return (c for c in changes if c.status == "applied")


def apply_changes(text: str, changes: Iterable[Change]) -> str:
    """Apply the ``applied`` changes to ``text`` (the original input).

    Records are checked against the text: ``before`` must be what stands at
    the offsets, and applied records must not overlap.
    """
    ordered = sorted(iter_applied(changes), key=lambda c: (c.start, c.end))
    out, pos = [], 0
    for c in ordered:
        if c.end > len(text) or text[c.start:c.end] != c.before:
            found = text[c.start:c.end] if c.end <= len(text) else "<past the end>"
            raise ChangeLogError(
                f"change {c.id}: expected {c.before!r} at {c.start}..{c.end}, the input has {found!r}"
                " (is this the log of another input?)"
            )
        if c.start < pos:
            raise ChangeLogError(f"change {c.id}: overlaps an earlier applied change at {c.start}")
        out.append(text[pos:c.start])
        out.append(c.after)
        pos = c.end
    out.append(text[pos:])
    return "".join(out)
