"""repair.dictionary: parsing with file:line errors, context conditions, cased
entries, file overrides and one-pass matching."""
from __future__ import annotations

import pytest

from repair.dictionary import (RELAXED_PRIOR, DictionaryError, PhraseDictionary, load_file, parse_line, parse_text,
                               relaxed_entries, shipped_dictionary_paths)
from repair.text import tokenize

HEADER = "spun\toriginal\tconfidence\tcontext\tsource\n"


def entry_line(spun, original="x", confidence="0.5", context="", source="test"):
    return "\t".join([spun, original, confidence, context, source])


def parse_error(text: str, name: str = "my.tsv") -> str:
    with pytest.raises(DictionaryError) as info:
        parse_text(text, name)
    return str(info.value)


# --- parse errors name file:line -----------------------------------------------------------

@pytest.mark.parametrize("bad_line, fragment", [
    ("stated\tsaid\t0.5\t", "expected 5 tab-separated fields"),
    ("stated\tsaid\t0.5\t\tsrc\textra", "found 6"),
    ("stated said 0.5 src", "found 1"),
    ("stated\tsaid\tlikely\t\tsrc", "confidence must be a number"),
    ("stated\tsaid\t1.5\t\tsrc", "confidence must be in 0..1"),
    ("stated\tsaid\t-0.1\t\tsrc", "confidence must be in 0..1"),
    ("stated\tsaid\tnan\t\tsrc", "confidence must be in 0..1"),
    ("  \tsaid\t0.5\t\tsrc", "empty spun phrase"),
    ("stated\t\t0.5\t\tsrc", "empty original"),
    ("stated\tsaid\t0.5\t\t", "empty source"),
    ("said\tSaid\t0.5\t\tsrc", "onto itself"),
    ("navy workouts\tmilitary exercises|Navy  Workouts\t0.5\t\tsrc", "onto itself"),
    ("stated\tsaid\t0.5\tbeside=he\tsrc", "bad context condition 'beside=he'"),
    ("stated\tsaid\t0.5\tbefore\tsrc", "bad context condition 'before'"),
    ("stated\tsaid\t0.5\tbefore=he|\tsrc", "empty alternative"),
    ("a b c d e f g h i j k l m\tx\t0.5\t\tsrc", "longer than 12 words"),
])
def test_bad_line_is_reported_with_file_and_line(bad_line, fragment):
    text = "# comment\n" + HEADER + entry_line("navy", "military") + "\n\n" + bad_line + "\n"
    message = parse_error(text)
    assert message.startswith("my.tsv:5: "), message
    assert fragment in message


def test_duplicate_in_one_file_names_both_lines():
    text = entry_line("stated", "said") + "\n# c\n" + entry_line("Stated", "said")  # cased: other key
    assert len(parse_text(text, "d.tsv")) == 2
    text += "\n" + entry_line("stated", "told", "0.9")
    assert parse_error(text, "d.tsv") == "d.tsv:4: duplicate of line 1 ('stated' with the same context)"


def test_same_phrase_with_another_context_is_not_a_duplicate():
    text = entry_line("stated", "said") + "\n" + entry_line("stated", "said", context="before=he")
    assert len(parse_text(text, "d.tsv")) == 2


def test_load_file_non_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.tsv"
    path.write_bytes((entry_line("navy", "military") + "\n" + entry_line("caf\xe9", "cafe") + "\n").encode("latin-1"))
    with pytest.raises(DictionaryError) as info:
        load_file(path)
    assert str(info.value) == f"{path}:2: not UTF-8 (byte 0xe9)"


def test_load_file_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text(HEADER + "navy\tmilitary\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=rf"^{path}:2: expected 5"):
        load_file(path)
    with pytest.raises(DictionaryError, match="no such dictionary file"):
        load_file(tmp_path / "missing.tsv")
    with pytest.raises(DictionaryError, match="is a directory"):
        load_file(tmp_path)


def test_load_file_accepts_bom_crlf_comments_and_header(tmp_path):
    path = tmp_path / "ok.tsv"
    path.write_bytes(("\ufeff# comment\r\n" + HEADER.replace("\n", "\r\n") + "\r\n"
                      + entry_line("navy workouts", "military exercises", "0.9") + "\r\n").encode("utf-8"))
    (entry,) = load_file(path)
    assert entry.spun == ("navy", "workouts")
    assert entry.originals == ("military exercises",)
    assert entry.confidence == 0.9
    assert entry.rule == "ok.tsv:4"  # comment, header, blank line, entry
    assert entry.as_evidence()["file"] == "ok.tsv" and entry.as_evidence()["line"] == 4


def test_parse_line_fields():
    entry = parse_line(entry_line("One in all", "one of|one among", "0.95", "!before=<s> ; after=the", "me"),
                       "w", "f.tsv", 7)
    assert entry.spun == ("one", "in", "all")
    assert entry.originals == ("one of", "one among")
    assert entry.cased and entry.surface == ("One", "in", "all")
    assert entry.context == (("!before", (("<s>",),)), ("after", (("the",),)))
    assert entry.source == "me" and entry.line == 7
    assert parse_line("# just a comment", "w") is None
    assert parse_line("   ", "w") is None
    assert parse_line(HEADER, "w") is None


def test_shipped_dictionaries_load():
    paths = shipped_dictionary_paths()
    assert paths, "no shipped dictionaries found"
    dictionary = PhraseDictionary.load(paths)
    assert len(dictionary) > 1000
    assert dictionary.lookup(["one", "in", "all"]), "the shipped dictionary lost 'one in all'"


# --- matching ------------------------------------------------------------------------------

def make(*lines: str) -> PhraseDictionary:
    # Without context-free copies: these tests are about the conditions themselves.
    return PhraseDictionary(parse_text("\n".join(lines), "t.tsv"), relaxed_prior=None)


def match_texts(dictionary: PhraseDictionary, text: str) -> list[tuple[int, str]]:
    doc = tokenize(text)
    return [(doc.starts[m.start], doc.span_text(m.start, m.end)) for m in dictionary.match(doc)]


@pytest.mark.parametrize("context, text, expected_offsets", [
    ("before=the", "the final week. a final week", [4]),
    ("before=in the", "in the final week. the final week", [7]),
    ("after=week|year", "final week. final month. final year", [0, 25]),
    ("!before=the", "the final week. a final week", [18]),
    ("!after=week", "final week. final month", [12]),
    ("before=<s>", "Final week. It was final. The final", [0]),
    ("after=<s>", "It was final. It was final, too. final week", [7, 21]),
    ("before=<num>", "3 final. the final. 2020 final", [2, 25]),
    ("before=<poss>", "Russia's final. the final. Russia’s final. its final", [9, 36]),
    ("after=<p>", "final, ok. final week", [0]),
    ("after=<lower>", "final week. final Week. final 3. final", [0]),
    ("before=<lower>", "a final. A final. 3 final", [2]),
    ("before=<s> the", "The final week. He saw the final week", [4]),
    ("before=a|the ; after=week", "the final week. the final day. a final week", [4, 33]),
    ("!before=<s> ; !after=<s>", "Final act. The final act. It was final.", [15]),
])
def test_context_conditions(context, text, expected_offsets):
    dictionary = make(entry_line("final", "last", context=context))
    assert [start for start, _ in match_texts(dictionary, text)] == expected_offsets


def test_lowercase_entries_match_any_case():
    dictionary = make(entry_line("navy workouts", "military exercises"))
    assert [t for _, t in match_texts(dictionary, "navy workouts, Navy Workouts, NAVY WORKOUTS")] == \
        ["navy workouts", "Navy Workouts", "NAVY WORKOUTS"]


def test_cased_entry_matches_only_its_exact_case():
    dictionary = make(entry_line("White Home", "White House", "0.99"))
    text = "the white home, the White Home, the WHITE HOME, the White home"
    assert match_texts(dictionary, text) == [(20, "White Home")]
    (entry,) = dictionary.entries
    assert entry.cased


def test_curly_and_straight_apostrophes_match_each_other():
    dictionary = make(entry_line("Russia's navy", "Russia's military"))
    assert len(match_texts(dictionary, "Russia’s navy and Russia's navy")) == 2


def test_words_match_whole_tokens_only():
    dictionary = make(entry_line("navy", "military"))
    assert match_texts(dictionary, "navyblue unnavy navy's navy.") == [(23, "navy")]


def test_one_pass_finds_overlapping_and_nested_entries():
    dictionary = make(
        entry_line("in keeping", "x"),
        entry_line("keeping with", "y"),
        entry_line("in keeping with", "according to"),
        entry_line("with", "z"),
    )
    assert match_texts(dictionary, "He spoke in keeping with it.") == [
        (9, "in keeping"), (9, "in keeping with"), (12, "keeping with"), (20, "with"),
    ]


def test_entries_with_one_phrase_share_a_match():
    dictionary = make(entry_line("stated", "said"), entry_line("stated", "told", context="before=he"))
    doc = tokenize("He stated it; she stated it.")
    matches = dictionary.match(doc)
    assert [(doc.token_text(m.start), len(m.entries)) for m in matches] == [("stated", 2), ("stated", 1)]


def test_empty_dictionary_and_empty_text_match_nothing():
    assert PhraseDictionary().match(tokenize("navy workouts")) == []
    assert make(entry_line("navy", "military")).match(tokenize("")) == []
    assert len(PhraseDictionary()) == 0


def test_later_file_overrides_earlier_entry_with_same_phrase_and_context(tmp_path):
    first, second = tmp_path / "a.tsv", tmp_path / "b.tsv"
    first.write_text("\n".join([entry_line("stated", "said", "0.9"), entry_line("final", "last", "0.6"),
                                entry_line("White Home", "White House", "0.9")]), encoding="utf-8")
    second.write_text("\n".join([entry_line("stated", "said", "0.1", source="user"),
                                 entry_line("final", "last", "0.7", context="before=the"),
                                 entry_line("white home", "white house", "0.2")]), encoding="utf-8")
    dictionary = PhraseDictionary.load([first, second])
    by_phrase = {}
    for e in dictionary.entries:
        by_phrase.setdefault(e.spun_text, []).append(e)
    (stated,) = by_phrase["stated"]
    assert (stated.confidence, stated.source, stated.rule) == (0.1, "user", "b.tsv:1")
    assert sorted(e.confidence for e in by_phrase["final"]) == [0.6, 0.7], "another context is a new entry"
    assert sorted(e.cased for e in by_phrase["white home"]) == [False, True], "case makes another key"
    # Loading in the other order keeps the other file's entry.
    (stated,) = [e for e in PhraseDictionary.load([second, first]).entries if e.spun_text == "stated"]
    assert stated.confidence == 0.9


def test_of_several_originals_the_one_keeping_the_written_words_wins():
    # "safety agency" may stand for "security agency" or "security firm" (firm -> agency);
    # unless the context insists, the reading that keeps "agency" is chosen.
    from repair.model import default_model
    from repair.pipeline import _best_alternative

    doc = tokenize("The national safety agency issued a warning on Tuesday.")
    i = doc.norms.index("safety")
    originals = ["security firm", "security agency"]
    assert _best_alternative(doc, i, i + 2, originals, default_model()) == "security agency"
    assert _best_alternative(doc, i, i + 2, originals, None) == "security firm"  # no model: the first


# --- context-free copies of context-bound one-word entries ---------------------------------

def test_a_word_known_only_in_contexts_gets_a_context_free_copy():
    entries = parse_text("\n".join([
        entry_line("final", "last", "0.9", "after=week|month"),
        entry_line("final", "latest", "0.95", "after=figures"),
        entry_line("navy", "military", "0.8", "!after=blue"),      # only an exclusion: already anywhere
        entry_line("paperwork", "documents", "0.9"),                # context-free already
        entry_line("shut", "close", "0.1", "before=to"),            # its copy keeps the lower confidence
        entry_line("the useless", "the dead", "0.9", "after=men"),  # a phrase: its words are its context
        entry_line("Home", "House", "0.9", "before=White"),         # written with capitals
    ]), "t.tsv")
    copies = {c.spun_text: c for c in relaxed_entries(entries, prior=0.15)}
    assert sorted(copies) == ["final", "shut"]
    final = copies["final"]
    assert final.originals == ("latest", "last") and final.confidence == 0.15 and final.context == ()
    assert final.relaxed_from == "t.tsv:2" and final.rule == "t.tsv:2 (any context)"
    assert final.as_evidence()["relaxed_from"] == "t.tsv:2" and "file" not in final.as_evidence()
    assert copies["shut"].confidence == 0.1


def test_the_copy_matches_outside_the_entry_s_contexts():
    text = "the final week. a final answer"
    bound_only = make(entry_line("final", "last", "0.9", "after=week"))
    assert [(start, [e.confidence for e in entries]) for start, entries in matches(bound_only, text)] == [(4, [0.9])]
    relaxed = PhraseDictionary(parse_text(entry_line("final", "last", "0.9", "after=week"), "t.tsv"))
    assert [(start, [e.confidence for e in entries]) for start, entries in matches(relaxed, text)] == [
        (4, [0.9, RELAXED_PRIOR]), (18, [RELAXED_PRIOR])]
    assert len(relaxed) == 1  # the copies are not entries of the dictionary


def matches(dictionary: PhraseDictionary, text: str) -> list[tuple[int, list]]:
    doc = tokenize(text)
    return [(doc.starts[m.start], m.entries) for m in dictionary.match(doc)]


def test_the_tortured_dictionary_passes_its_builder_s_check(capsys):
    # Every held-out phrase of tests/cases/tortured_heldout.tsv is in the shipped
    # dictionary (evaluate_tortured.py leaves them out when measuring).
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "dictionaries" / "build_tortured.py"
    spec = importlib.util.spec_from_file_location("build_tortured", path)
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert builder.main(["--check"]) == 0, capsys.readouterr().out
