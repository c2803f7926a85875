"""The trigram model (pocketsphinx's English language model) and how it joins the bigram model."""
from __future__ import annotations

import builtins

import pytest

from repair.model import BigramModel, context_preference, default_model
from repair.text import tokenize
from repair.trigram import TrigramModel


@pytest.fixture(scope="module")
def trigram() -> TrigramModel:
    model = TrigramModel.load()
    assert model is not None, "pocketsphinx is a core dependency: its model must load"
    return model


def preference(model, sentence: str, written: str, candidate: str) -> float:
    doc = tokenize(sentence)
    words = written.split()
    i = next(k for k in range(len(doc.norms)) if doc.norms[k:k + len(words)] == words)
    return model.preference(doc.norms, i, i + len(words), candidate.split())


@pytest.mark.parametrize("sentence, spun, original", [
    ("The country is turning its again on the treaty.", "again", "back"),
    ("The plan was revealed in keeping with documents seen by reporters.", "in keeping with", "according to"),
    ("The navy workouts began on Monday.", "navy workouts", "military exercises"),
    ("It is one in all the largest cities.", "one in all", "one of"),
])
def test_the_original_reads_better_than_the_spin(trigram, sentence, spun, original):
    assert preference(trigram, sentence, spun, original) > 1.0
    assert preference(trigram, sentence.replace(spun, original), original, spun) < -1.0


def test_an_unknown_word_is_rare_not_impossible(trigram):
    # log 0 for an unknown word would make any ratio with it infinite.
    ratio = preference(trigram, "The zorblax stood there.", "zorblax", "man")
    assert 0 < ratio < 40


def test_the_sentence_boundary_is_context(trigram):
    # A word that opens a sentence is judged with "<s>" as its history.
    doc = tokenize("He left. Additionally the talks ended.")
    i = doc.norms.index("additionally")
    with_boundary = trigram.preference(doc.norms, i, i + 1, ["also"])
    assert with_boundary == pytest.approx(
        trigram._sequence_logp(["<s>", "also", "the", "talks"], 1)
        - trigram._sequence_logp(["<s>", "additionally", "the", "talks"], 1))


def test_context_preference_is_the_mean_of_both_models(trigram):
    bigram = BigramModel({"the": 100, "back": 10, "again": 10, "its": 10}, {"its back": 5})
    doc = tokenize("turning its again on it")
    alone = context_preference(bigram, doc.norms, 2, 3, ["back"])
    bigram.trigram = trigram
    both = context_preference(bigram, doc.norms, 2, 3, ["back"])
    assert both == pytest.approx(0.5 * (alone + trigram.preference(doc.norms, 2, 3, ["back"])))
    assert both != pytest.approx(alone)


def test_the_default_model_carries_the_trigram_model():
    assert isinstance(default_model().trigram, TrigramModel)


def test_without_pocketsphinx_there_is_no_trigram_model(monkeypatch):
    real_import = builtins.__import__

    def no_pocketsphinx(name, *args, **kwargs):
        if name == "pocketsphinx":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pocketsphinx)
    assert TrigramModel.load() is None


def test_a_model_holding_the_trigram_model_can_be_pickled(trigram):
    # A Spark or Dask task may carry the model to another process: the copy
    # loads pocketsphinx's model there rather than failing to pickle it.
    import pickle

    bigram = BigramModel({"the": 100, "back": 10}, {"the back": 5})
    bigram.trigram = trigram
    copy = pickle.loads(pickle.dumps(bigram))
    doc = tokenize("turning its again on it")
    assert copy.trigram.preference(doc.norms, 2, 3, ["back"]) == trigram.preference(doc.norms, 2, 3, ["back"])


def test_context_preference_remembers_a_phrase_in_the_same_words(trigram):
    # Both models look no further than the trigram's contexts: the same words
    # around the same phrase give the same ratio, wherever they stand.
    bigram = BigramModel({"the": 100, "back": 10, "again": 10, "its": 10}, {"its back": 5})
    bigram.trigram = trigram
    first = tokenize("He was turning its again on it.")
    second = tokenize("Officials said that, turning its again on it, the")
    i, k = first.norms.index("again"), second.norms.index("again")
    a = context_preference(bigram, first.norms, i, i + 1, ["back"])
    assert len(bigram._preference_memo) == 1
    b = context_preference(bigram, second.norms, k, k + 1, ["back"])
    assert a == b and len(bigram._preference_memo) == 1
    fresh = BigramModel({"the": 100, "back": 10, "again": 10, "its": 10}, {"its back": 5})
    fresh.trigram = trigram
    assert context_preference(fresh, second.norms, k, k + 1, ["back"]) == b
    # Words beyond the two on each side do not count; another word within them does.
    far = tokenize("We stopped turning its again on it.").norms
    context_preference(bigram, far, far.index("again"), far.index("again") + 1, ["back"])
    assert len(bigram._preference_memo) == 1
    near = tokenize("She kept its again on it.").norms
    context_preference(bigram, near, near.index("again"), near.index("again") + 1, ["back"])
    assert len(bigram._preference_memo) == 2
