"""repair.text: tokens with offsets, sentences, paragraphs, quotations,
protection masks and match_case."""
from __future__ import annotations

import pytest

from repair.text import match_case, normalize_word, paragraph_spans, quotation_spans, tokenize


def words(doc):
    return [doc.token_text(i) for i in range(len(doc))]


def sentences(doc):
    return [doc.sentence_text(s) for s in range(len(doc.sentences))]


def protected_words(doc):
    return [doc.token_text(i) for i in range(len(doc)) if doc.protected[i]]


# --- tokens --------------------------------------------------------------------------------

def test_tokens_carry_exact_offsets():
    text = "He said:  “don’t go”, at 3.5% —\tok"
    doc = tokenize(text)
    assert words(doc) == ["He", "said", ":", "“", "don’t", "go", "”", ",", "at", "3", ".", "5", "%", "—", "ok"]
    for i in range(len(doc)):
        assert text[doc.starts[i]:doc.ends[i]] == doc.token_text(i)
        assert doc.starts[i] < doc.ends[i]
    assert doc.starts == sorted(doc.starts)


def test_inner_apostrophes_stay_in_the_word_and_are_normalised():
    doc = tokenize("Russia’s WON'T rock’n’roll 'quoted'")
    assert words(doc) == ["Russia’s", "WON'T", "rock’n’roll", "'", "quoted", "'"]
    assert doc.norms[:3] == ["russia's", "won't", "rock'n'roll"]
    assert normalize_word("‘Tis") == "'tis"


def test_word_count_counts_words_not_punctuation():
    doc = tokenize("One, two; three... 4!")
    assert doc.word_count == 4
    assert tokenize("").word_count == 0
    assert len(tokenize("   \n\t ")) == 0


def test_offsets_survive_astral_and_combining_characters():
    text = "😀 cafe\u0301 שלום naïve 👩\u200d👩\u200d👧 end"
    doc = tokenize(text)
    for i in range(len(doc)):
        assert text[doc.starts[i]:doc.ends[i]] == doc.token_text(i)
    # A combining mark is not \w: decomposed "cafe\u0301" is two tokens (cleanup's
    # NFC composes it to "café" before the pipeline tokenizes).
    assert words(doc)[1:3] == ["cafe", "\u0301"]
    assert "café" in words(tokenize("café"))
    assert "שלום" in words(doc) and "naïve" in words(doc)
    assert words(doc)[-1] == "end"


# --- sentences -----------------------------------------------------------------------------

def test_sentence_split_on_end_punctuation_before_a_capital():
    doc = tokenize("It rained. Then it stopped! Did it? Yes.")
    assert sentences(doc) == ["It rained.", "Then it stopped!", "Did it?", "Yes."]


def test_no_split_before_a_lowercase_word():
    doc = tokenize("He left at 5 p.m. yesterday. Then he came.")
    assert sentences(doc) == ["He left at 5 p.m. yesterday.", "Then he came."]


@pytest.mark.parametrize("abbrev", ["Mr.", "Mrs.", "Dr.", "Gen.", "Sen.", "St.", "Jan.", "No.", "vs."])
def test_abbreviations_do_not_end_a_sentence(abbrev):
    doc = tokenize(f"They met {abbrev} Smith today. It went well.")
    assert sentences(doc) == [f"They met {abbrev} Smith today.", "It went well."]


def test_initials_do_not_end_a_sentence():
    doc = tokenize("U.S. troops left. J. K. Rowling wrote it. The end.")
    assert sentences(doc) == ["U.S. troops left.", "J. K. Rowling wrote it.", "The end."]


def test_a_line_break_ends_a_sentence_even_without_punctuation():
    doc = tokenize("Headline without a stop\nBody text starts here. More.\r\nNext para\rLast")
    assert sentences(doc) == ["Headline without a stop", "Body text starts here.", "More.",
                              "Next para", "Last"]


def test_an_abbreviation_at_a_line_end_still_ends_the_sentence():
    doc = tokenize("He works for Acme Inc.\nThe firm grew.")
    assert sentences(doc) == ["He works for Acme Inc.", "The firm grew."]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    doc = tokenize('She said “Go home.” Then she left. (It was late.) "Why?" he asked.')
    assert sentences(doc) == ["She said “Go home.”", "Then she left.", "(It was late.)", '"Why?" he asked.']


def test_sentence_of_is_consistent_with_sentence_ranges():
    doc = tokenize("A b. C d! E\nF g.")
    covered = []
    for s, (a, b) in enumerate(doc.sentences):
        assert a < b
        covered.extend(range(a, b))
        assert all(doc.sentence_of[i] == s for i in range(a, b))
    assert covered == list(range(len(doc)))


# --- paragraphs ----------------------------------------------------------------------------

def test_paragraph_spans_exclude_every_kind_of_line_break():
    text = "a\r\nb\rc\n\nd"
    assert paragraph_spans(text) == [(0, 1), (3, 4), (5, 6), (7, 7), (8, 9)]
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["a", "b", "c", "", "d"]
    assert paragraph_spans("") == [(0, 0)]


# --- quotations ----------------------------------------------------------------------------

def quoted(text):
    return [text[a:b] for a, b in quotation_spans(text)]


def test_straight_and_curly_double_quotes_include_the_marks():
    text = 'He said "go now" and “stay here” and „so“ too.'
    assert quoted(text)[:2] == ['"go now"', "“stay here”"]


def test_guillemets_are_quotations():
    assert quoted("Il a dit «non» hier.") == ["«non»"]


def test_curly_single_quotes_quote_but_apostrophes_do_not():
    assert quoted("a ‘scare quote’ here") == ["‘scare quote’"]
    assert quoted("Russia’s rock ’n’ roll in the ‘90s") == []


def test_straight_single_quotes_quote_british_style_but_apostrophes_do_not():
    text = "'We will go on,' he said. It's the players' union's 'last offer'. The '90s."
    assert quoted(text) == ["'We will go on,'", "'last offer'"]
    assert quoted("Don't touch rock 'n' roll") == ["'n'"]  # quote-shaped: one protected word, harmless


def test_an_elision_neither_blocks_a_curly_quotation_nor_opens_a_long_one():
    text = "Fans shouted 'em down. A diplomat called it ‘the navy workouts, in keeping with the authorities’."
    assert quoted(text) == ["‘the navy workouts, in keeping with the authorities’"]
    far = "Fans shouted 'em down, " + "and so on " * 50 + "and the players' union left."
    assert quoted(far) == []


def test_single_quotes_inside_a_double_quotation_are_part_of_it():
    assert quoted('"He said \'no\' twice," she said.') == ['"He said \'no\' twice,"']


def test_german_low_quote_closes_with_a_high_one():
    assert quoted("Er sagte „nein“ und ging.") == ["„nein“"]


def test_inch_mark_after_a_digit_opens_nothing():
    text = 'He is 6\'2" tall and "quoted" here.'
    assert quoted(text) == ['"quoted"']


def test_unbalanced_quote_is_protected_to_the_end_of_its_paragraph_only():
    text = 'He said "this never closes\nNext paragraph is free. "But" this one.'
    spans = quotation_spans(text)
    assert quoted(text) == ['"this never closes', '"But"']
    first_break = text.index("\n")
    assert spans[0] == (8, first_break)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_unbalanced_quote_ends_at_any_line_break(newline):
    text = f"“open quote{newline}free text"
    (span,) = quotation_spans(text)
    assert text[span[0]:span[1]] == "“open quote"


def test_quotes_do_not_pair_across_paragraphs():
    text = 'One "a\nTwo b" three'
    # Each paragraph has one mark: the first opens (to its paragraph end), the
    # second is closer-shaped (after a letter, before a space) and opens nothing.
    assert quoted(text) == ['"a']


def test_quotation_spans_are_sorted_and_disjoint():
    text = '“a” "b" ‘c’ «d» "e'
    spans = quotation_spans(text)
    assert spans == sorted(spans)
    for (a1, b1), (a2, b2) in zip(spans, spans[1:]):
        assert b1 <= a2


# --- protection masks ----------------------------------------------------------------------

def test_words_inside_quotations_are_protected():
    doc = tokenize('The navy said "the navy workouts ended" today.')
    assert [doc.token_text(i) for i in range(len(doc)) if doc.quoted[i]] == \
        ['"', "the", "navy", "workouts", "ended", '"']
    navy_outside = words(doc).index("navy")
    assert not doc.protected[navy_outside]


def test_names_acronyms_and_numbers_are_protected():
    doc = tokenize("Then Vladimir Putin met NATO chiefs on 12 May in 2021.")
    assert protected_words(doc) == ["Vladimir", "Putin", "NATO", "12", "May", "2021"]
    assert not doc.protected[0], "a capital at the sentence start is not a name"


def test_all_caps_word_is_name_like_even_at_sentence_start():
    doc = tokenize("NATO met. Russia left.")
    assert doc.name_like[0] is True
    assert doc.name_like[words(doc).index("Russia")] is False


def test_capital_after_an_opening_mark_is_not_a_name():
    doc = tokenize('He said: "Today we rest" (Really) — Maybe.')
    for w in ("Today", "Really", "Maybe"):
        assert not doc.name_like[words(doc).index(w)], w


def test_in_a_title_case_headline_only_real_names_stay_names():
    doc = tokenize("Putin Says White House Ignored Navy Workouts Near Border\n\n"
                   "The White House said navy workouts went on near the border with Ukraine.")
    headline = [doc.token_text(i) for i in range(doc.sentences[0][1]) if doc.name_like[i]]
    # "White House" is capitalised inside a sentence below; "navy", "workouts",
    # "near" and "border" are written in lower case there; "Says" and "Ignored"
    # never are, so they stay protected (the safe side).
    assert headline == ["Says", "White", "House", "Ignored"]


def test_in_a_headline_in_capitals_acronyms_stay_names():
    doc = tokenize("US NAVY WORKOUTS NEAR THE BORDER WITH NATO\n\nThe navy workouts near the border with us went on.")
    headline = [doc.token_text(i) for i in range(doc.sentences[0][1]) if doc.name_like[i]]
    # "US" and "NATO" are never written in lower case below ("us" would be, but
    # a short word in capitals that is not a small word stays an acronym).
    assert headline == ["US", "NATO"]


def test_a_small_word_inside_a_headline_stays_small():
    from repair.text import headline_small_word
    doc = tokenize("Glaciers Within the Alps Melt\n\nWithin days (Within reach) it ended.")
    within = [i for i in range(len(doc)) if doc.norms[i] == "within"]
    assert headline_small_word(doc, within[0], "In") == "in"
    assert headline_small_word(doc, within[1], "In") == "In"  # a sentence start
    assert headline_small_word(doc, within[2], "In") == "In"  # after an opening mark
    assert headline_small_word(doc, within[0], "Inside") == "Inside"  # not a small word


def test_a_headline_may_end_with_a_question_mark_but_not_a_full_stop():
    asked = tokenize("Are Navy Workouts Worth It?\n\nThe navy workouts are worth it.")
    told = tokenize("Are Navy Workouts Worth It.\n\nThe navy workouts are worth it.")
    assert asked.name_like[1:3] == [False, False]
    assert told.name_like[1:3] == [True, True]


def test_a_sentence_case_line_keeps_its_names():
    doc = tokenize("Putin met Navy chiefs near the border\n\nThe navy left.")
    assert doc.name_like[words(doc).index("Navy")] is True


def test_numeric_mask_marks_tokens_with_digits():
    doc = tokenize("3,000 troops and 2nd place, no digits")
    assert [doc.token_text(i) for i in range(len(doc)) if doc.numeric[i]] == ["3", "000", "2nd"]


# --- match_case ----------------------------------------------------------------------------

@pytest.mark.parametrize("template, replacement, expected", [
    ("navy", "military", "military"),
    ("Navy", "military", "Military"),
    ("NAVY", "military", "MILITARY"),
    ("Navy", "NATO", "NATO"),            # a replacement with its own capitals is kept
    ("navy", "U.S. Army", "U.S. Army"),
    ("In keeping with", "according to", "According to"),
    ("In Keeping With", "according to", "According to"),  # title case, small words stay small
    ("Navy Workouts", "military exercises", "Military Exercises"),
    ("Final-Minute", "last-minute", "Last-Minute"),
    ("An Extended", "a long", "A Long"),  # the first word keeps its capital
    ("In Keeping With", "in line with", "In Line with"),
    ("Final-minute", "last-minute", "Last-minute"),
    ("Navy", "military exercises", "Military exercises"),
    ("A", "an", "An"),                   # one capital letter is a capitalised word, not all caps
    ("", "x", "x"),
    ("Navy", "", ""),
])
def test_match_case(template, replacement, expected):
    assert match_case(template, replacement) == expected


def test_a_document_and_a_repair_leave_no_reference_cycles(seed000):
    # The pipeline pauses the collector while it works: anything left in a
    # cycle would stay in memory until the next collection.
    import gc

    from repair import repair_text

    repair_text(seed000)  # loads (and freezes) the model and dictionaries first
    gc.collect()
    gc.disable()
    try:
        doc = tokenize(seed000)
        assert doc.protected[0] in (True, False) and not doc.numeric[1]
        del doc
        assert gc.collect() == 0
        result = repair_text(seed000)
        assert result.flagged and result.changes
        del result
        assert gc.collect() == 0
    finally:
        gc.enable()
