"""spin-repair: find and undo machine spinning in text.

    >>> from repair import repair_text
    >>> result = repair_text(spun_text, references=[cleaner_text])
    >>> result.text, result.changes
"""
from .changelog import Change, apply_changes
from .config import RepairConfig
from .dictionary import PhraseDictionary
from .pipeline import Result, repair_text

__all__ = ["Change", "PhraseDictionary", "RepairConfig", "Result", "apply_changes", "repair_text"]
__version__ = "0.1.0"
