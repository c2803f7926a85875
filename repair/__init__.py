"""spin-repair: find and undo machine spinning in text.

    >>> from repair import repair_text
    >>> result = repair_text(spun_text, references=[cleaner_text])
    >>> result.text, result.changes
    >>> from repair import detect_text
    >>> detect_text(text).spin_score, detect_text(text).flagged
"""
from .changelog import Change, apply_changes
from .config import RepairConfig
from .dictionary import PhraseDictionary
from .pipeline import Result, detect_text, repair_text

__all__ = ["Change", "PhraseDictionary", "RepairConfig", "Result", "apply_changes", "detect_text", "repair_text"]
__version__ = "0.1.0"
