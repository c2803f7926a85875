"""The bigram context model: its numbers are probabilities, and it judges
multi-word spins without favouring the longer phrase."""
from __future__ import annotations

import math

import pytest

from repair.model import BigramModel, context_preference, default_model


@pytest.fixture(scope="module")
def model() -> BigramModel:
    return default_model()


def test_the_bigram_counts_are_brought_to_the_unigram_scale(model):
    # symspellpy's bigram list was counted over a larger corpus than its word list.
    assert 10 < model.bigram_scale < 200


@pytest.mark.parametrize("prev", ["need", "number", "will", "the", "of", "said", "according"])
def test_the_listed_continuations_of_a_word_sum_to_at_most_one(model, prev):
    model.unpack_all()
    listed = [pair.partition(" ")[2] for pair in model.bigrams if pair.startswith(prev + " ")]
    assert listed
    assert all(model.logp(word, prev) <= 0.0 for word in listed)
    assert math.fsum(math.exp(model.logp(word, prev)) for word in listed) <= 1.0 + 1e-9


@pytest.mark.parametrize("sentence, start, end, original", [
    ("would need a number of weeks to", 2, 5, "several"),
    ("the church makes use of the vans", 2, 5, "uses"),
    ("questions in relation to labor standards", 1, 4, "regarding"),
    ("in keeping with the documents", 0, 3, "according to"),
])
def test_a_spinners_long_phrase_does_not_beat_the_word_it_replaced(model, sentence, start, end, original):
    words = sentence.split()
    assert context_preference(model, words, start, end, original.split()) > 0


def test_a_model_from_plain_mappings_measures_its_own_scale():
    unigrams = {"the": 100, "cat": 10, "sat": 10}
    bigrams = {"the cat": 300, "cat sat": 50}  # counted over a corpus three times larger
    model = BigramModel(unigrams, bigrams)
    assert model.bigram_scale == pytest.approx(5.0)  # "cat": 50 / 10
    assert model.logp("cat", "the") == pytest.approx(math.log(300 / 5.0 / 100))
