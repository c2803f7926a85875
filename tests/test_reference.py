"""Reference alignment: sentence pairing is the same from run to run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from repair.config import RepairConfig
from repair.reference import pair_sentences
from repair.text import tokenize

ROOT = Path(__file__).resolve().parent.parent

# Twelve rare words, each in one reference sentence only: six in the first,
# six in the second, which are otherwise alike. Which six words vote depends
# on how ties between equally rare words are broken.
INPUT = "Alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima met today."
REFERENCE = ("Alpha bravo charlie delta echo foxtrot met there. "
             "Golf hotel india juliet kilo lima met there.")

_PAIRING = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from repair.config import RepairConfig
from repair.reference import pair_sentences
from repair.text import tokenize
pairs = pair_sentences(tokenize({INPUT!r}), tokenize({REFERENCE!r}), RepairConfig())
print(json.dumps([(p.input_sentence, p.reference_sentence, p.similarity) for p in pairs]))
"""


def test_sentence_pairs_do_not_depend_on_hash_randomisation():
    results = set()
    for seed in range(8):
        env = dict(os.environ, PYTHONHASHSEED=str(seed))
        out = subprocess.run([sys.executable, "-c", _PAIRING], env=env, capture_output=True, text=True, check=True)
        results.add(out.stdout)
    assert len(results) == 1, results
    (pairs,) = [json.loads(r) for r in results]
    assert [p[:2] for p in pairs] == [[0, 0]]  # ties go to the alphabetically first words


def test_an_input_sentence_is_paired_with_its_closest_reference_sentence():
    doc = tokenize("The minister stated the plan would value extra. Officials met on Monday.")
    ref = tokenize("Officials met on Monday in the capital. The minister said the plan would cost more.")
    pairs = pair_sentences(doc, ref, RepairConfig())
    assert [(p.input_sentence, p.reference_sentence) for p in pairs] == [(0, 1), (1, 0)]


def test_words_a_parallel_reference_writes_the_same_way_are_kept(seed000):
    from repair import repair_text

    # In a spun document "stated" and "additionally" are read as spun...
    text = seed000 + "\n\nThe minister stated that talks would additionally cover energy prices.\n"
    assert repair_text(text).text.splitlines()[-1] == "The minister said that talks would also cover energy prices."
    # ... unless a near-parallel sentence of the reference writes them so: the source confirms them,
    # while the difference it does show ("prices" for "costs") is still taken.
    ref = "The minister stated that talks would additionally cover energy costs."
    result = repair_text(text, references=[ref])
    assert result.text.splitlines()[-1] == "The minister stated that talks would additionally cover energy costs."
