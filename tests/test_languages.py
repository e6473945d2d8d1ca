"""Articles in other languages: detection, the French pipeline, the English fallback with a notice.

The French and German texts are the project's own (a translation of a cross-Channel story written for
these tests), each with an English twin that must map the same places.
"""
from __future__ import annotations

import json

import pytest

from geodata import pipeline
from geodata.exonyms import ExonymGazetteer, exonyms
from geodata.language import detect_language, fallback_notice, pipeline_language

FRENCH = (
    "Des centaines de migrants attendent à Calais et à Dunkerque l'occasion de traverser la Manche. "
    "Près de Coquelles, à l'entrée du tunnel, la police a évacué un campement dimanche matin. "
    "Le maire de Calais a demandé au Royaume-Uni de financer davantage la sécurité du port. "
    "Depuis Boulogne-sur-Mer, de petits bateaux partent vers Douvres, sur la côte de l'Angleterre. "
    "Les associations de Dunkerque dénoncent les expulsions répétées."
)
ENGLISH = (
    "Hundreds of migrants wait in Calais and Dunkirk for a chance to cross the English Channel. "
    "Near Coquelles, at the tunnel entrance, police cleared a camp on Sunday morning. "
    "The mayor of Calais asked the United Kingdom to pay more for the port's security. "
    "From Boulogne-sur-Mer, small boats leave for Dover, on the coast of England. "
    "Charities in Dunkirk condemn the repeated evictions."
)
GERMAN = (
    "Hunderte Migranten warten in Calais und Dünkirchen auf eine Gelegenheit, den Ärmelkanal zu "
    "überqueren. Die Polizei räumte am Sonntag ein Lager in der Nähe des Tunnels, sagte der Bürgermeister."
)


@pytest.fixture(scope="module")
def geoparser():
    from geodata.geoparser import Geoparser

    return Geoparser()


@pytest.fixture(scope="module")
def twins(geoparser):
    parsed = dict(geoparser.parse_many_with_language([FRENCH, ENGLISH]))
    assert set(parsed) == {"fr", "en"}
    return parsed


def _places(mentions):
    return {m.text: m.place for m in mentions if m.place is not None}


# --- detection -------------------------------------------------------------------------------------

def test_detects_french_english_and_german():
    assert detect_language(FRENCH) == "fr"
    assert detect_language(ENGLISH) == "en"
    assert detect_language(GERMAN) == "de"


def test_detection_is_repeatable_and_reads_only_the_start():
    assert {detect_language(FRENCH) for _ in range(5)} == {"fr"}
    # an English article with a long French quotation at its end is still English
    assert detect_language(ENGLISH * 40 + FRENCH * 10) == "en"


def test_text_without_letters_is_undetermined_and_needs_no_notice():
    assert detect_language("1234 — 5678") == "und"
    assert fallback_notice("und") is None


def test_languages_without_a_pipeline_fall_back_to_english_with_a_notice():
    assert pipeline_language("fr") == "fr"
    assert pipeline_language("de") == "en"
    assert fallback_notice("fr") is None and fallback_notice("en") is None
    assert fallback_notice("de") == "language de: no German pipeline, parsed with the English one"


# --- French names ---------------------------------------------------------------------------------

def test_curated_french_names_point_at_gazetteer_places():
    from geodata.gazetteer import Gazetteer

    gaz = Gazetteer.open()
    names = exonyms("fr")
    assert names["Angleterre"] and names["Royaume-Uni"]
    for name, target in names.items():
        assert gaz.get(target) is not None, name
    french = ExonymGazetteer(gaz, "fr")
    assert french.lookup("Angleterre")[0].place.name == "England"
    assert not gaz.lookup("Angleterre")  # the gazetteer alone lacks it: the curated row is needed


# --- the French pipeline --------------------------------------------------------------------------

def test_french_article_finds_calais_dunkerque_coquelles_and_la_manche(twins):
    found = _places(twins["fr"])
    assert {"Calais", "Dunkerque", "Coquelles", "la Manche"} <= set(found)
    assert found["Dunkerque"].name == "Dunkirk"
    assert found["la Manche"].name == "English Channel"
    assert found["Douvres"].name == "Dover" and found["Douvres"].country == "GB"
    assert found["Angleterre"].name == "England"


def test_french_article_maps_the_same_places_as_its_english_twin(twins):
    french = {p.id for p in _places(twins["fr"]).values()}
    english = {p.id for p in _places(twins["en"]).values()}
    assert french == english


def test_no_person_or_sentence_word_becomes_a_place_in_french(geoparser):
    text = ("Natacha Bouchart, maire de Calais, a rencontré Jean Dupont à Lille. "
            "Selon elle, la situation à Calais reste tendue.")
    found = _places(geoparser.parse(text))
    assert set(found) == {"Calais", "Lille"}


def test_english_text_is_parsed_by_the_english_pipeline_only(geoparser):
    from geodata.geoparser import Geoparser
    from geodata.recognize import load_nlp

    gp = Geoparser(gazetteer=geoparser.gazetteer, nlp=load_nlp())
    list(gp.parse_many([ENGLISH]))
    assert set(gp._pipelines) == {"en"}  # the French model is not loaded for English input


# --- the build ------------------------------------------------------------------------------------

def test_build_records_languages_and_notices_the_german_fallback(tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "calais-fr.txt").write_text("Migrants à Calais\n" + FRENCH + "\n", encoding="utf-8")
    (arts / "calais-de.txt").write_text("Migranten in Calais\n" + GERMAN + "\n", encoding="utf-8")
    report = pipeline.build(arts, tmp_path / "out", overrides_path=None, progress=False)
    data = json.loads((tmp_path / "out" / "articles.json").read_text(encoding="utf-8"))
    languages = {a["id"]: a["language"] for a in data["articles"]}
    assert languages == {"calais-fr": "fr", "calais-de": "de"}
    assert report.language_notices == ["calais-de: language de: no German pipeline, parsed with the English one"]
    assert "no German pipeline" in report.summary()
    places = json.loads((tmp_path / "out" / "places.geojson").read_text(encoding="utf-8"))
    in_german = {f["properties"]["name"] for f in places["features"]
                 if any(m["article"] == "calais-de" for m in f["properties"]["mentions"])}
    assert "Calais" in in_german  # the English pipeline still reads the German article


def test_french_cues_are_read_in_french_word_order(geoparser):
    text = "Le maire de Coquelles a reçu l'entraîneur de Lens, venu en voiture."
    language, nlp, recognizer = geoparser.pipeline_for(text)
    assert language == "fr" and recognizer.language == "fr"
    spans = {f.mention.text: f.evidence for f in recognizer.score_all(text, nlp(text))}
    assert "cue_role_of" in spans["Coquelles"]  # "le maire de X": a place
    assert "cue_org_follower" in spans["Lens"]  # "l'entraîneur de X": a team


def test_explain_names_the_language_and_its_cues(geoparser):
    from geodata.explain import explain

    out = explain("Les migrants attendent à Calais de traverser la Manche.", geoparser)
    assert out.startswith("language fr (cues: fr)")
    assert "'la Manche' at" in out and "English Channel" in out
