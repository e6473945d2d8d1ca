"""NER only over the sentences that can hold a place (geodata.nerscope)."""
import pytest

from geodata import nerscope
from geodata.nercache import Ent, EntDoc

KNOWN = {"Dover", "Calais", "Ottawa"}


def known(word):
    return word in KNOWN


def test_plain_sentences_are_skipped_and_sentences_with_names_kept():
    text = "The ferry left at noon. It carried lorries to Calais. Nobody was hurt."
    assert nerscope.segments(text, known) == [(24, "It carried lorries to Calais.")]


def test_a_known_first_word_keeps_its_sentence_even_with_a_possessive():
    assert nerscope.segments("Dover was quiet.", known) == [(0, "Dover was quiet.")]
    assert nerscope.segments("Ottawa's plan was late.", known) == [(0, "Ottawa's plan was late.")]
    assert nerscope.segments("Officials said so.", known) == []


def test_consecutive_kept_sentences_form_one_run_with_the_text_between_them():
    text = "Ferries left Dover. They reached Calais.\nThe sea was calm."
    assert nerscope.segments(text, known) == [(0, "Ferries left Dover. They reached Calais.")]


def test_an_abbreviation_before_a_lowercase_word_does_not_end_the_sentence():
    text = "Ferries left the U.S. on Monday."
    assert nerscope._sentences(text) == [(0, len(text))]


def test_merge_puts_entities_back_at_their_offsets_in_the_whole_text():
    text = "The ferry left at noon. It carried lorries to Calais."
    part = EntDoc("It carried lorries to Calais.", (Ent(22, 28, "GPE", "Calais"),))
    doc = nerscope.merge(text, [(24, part)])
    assert doc.text == text
    (ent,) = doc.ents
    assert text[ent.start_char:ent.end_char] == "Calais" and ent.label_ == "GPE"


@pytest.fixture(scope="module")
def geoparser_pair():
    from geodata.gazetteer import Gazetteer
    from geodata.geoparser import Geoparser

    gazetteer = Gazetteer.open()
    return Geoparser(gazetteer), Geoparser(gazetteer, all_sentences=True)


def test_geoparser_with_scoped_ner_finds_what_the_whole_text_ner_finds(geoparser_pair):
    scoped, whole = geoparser_pair
    text = ("Ferries left Dover for Calais on Monday. The crossing took ninety minutes and nobody "
            "complained. Lorries queued on the motorway to Folkestone.")
    assert [(r.start, r.text) for r in scoped.parse(text)] == [(r.start, r.text) for r in whole.parse(text)]
    assert {"Dover", "Folkestone"} <= {r.text for r in scoped.parse(text)}
