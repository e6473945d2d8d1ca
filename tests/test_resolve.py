"""Resolution: candidates ranked with document context."""
from __future__ import annotations

import pytest

from geodata.model import Candidate, Mention
from geodata.recognize import Found
from geodata.resolve import MAX_CANDIDATES, Resolver, prior
from tests.test_recognize import PLACES, FakeGazetteer


@pytest.fixture(scope="module")
def parser():
    from geodata.geoparser import Geoparser

    return Geoparser(FakeGazetteer())


def by_text(mentions, text):
    return [m for m in mentions if m.text == text]


def test_city_state_pattern_picks_the_state(parser):
    out = parser.parse("The storm hit Paris, Texas, on Sunday.")
    paris = by_text(out, "Paris")[0]
    assert paris.place.country == "US" and paris.place.admin1 == "US.TX"


def test_without_context_the_bigger_place_wins(parser):
    out = parser.parse("She flew to Paris on Friday.")
    assert by_text(out, "Paris")[0].place.country == "FR"


def test_document_context_moves_an_ambiguous_name(parser):
    out = parser.parse("Flooding closed roads across Illinois. In Springfield, schools shut early.")
    assert by_text(out, "Springfield")[0].place.admin1 == "US.IL"
    out = parser.parse("Flooding closed roads across Missouri. In Springfield, schools shut early.")
    assert by_text(out, "Springfield")[0].place.admin1 == "US.MO"


def test_same_name_same_place_in_a_document(parser):
    out = parser.parse("Springfield, Ill., is the capital. Springfield has many museums.")
    places = {m.place.id for m in by_text(out, "Springfield")}
    assert places == {"11"}


def test_candidates_are_ranked_alternatives_with_the_choice_first(parser):
    out = parser.parse("She flew to Paris on Friday.")
    m = by_text(out, "Paris")[0]
    assert m.candidates[0] == m.place
    assert {p.id for p in m.candidates} == {"7", "8"}
    assert len(m.candidates) <= MAX_CANDIDATES


def test_unknown_name_stays_unresolved():
    r = Resolver(FakeGazetteer())
    f = Found(Mention(0, 12, "Rue de Judee"), [], "STREET", lookup="Rue de Judee")
    out = r.resolve("Rue de Judee is a lane.", [f])
    assert out[0].place is None and out[0].candidates == []


def test_forced_place_wins():
    r = Resolver(FakeGazetteer())
    paris_us = PLACES["Paris"][1]
    f = Found(Mention(0, 5, "Paris"), [Candidate(paris_us)], None, forced=paris_us, lookup="Paris")
    assert r.resolve("Paris is small.", [f])[0].place == paris_us


def test_prior_prefers_countries_and_penalises_demonyms():
    country = Candidate(PLACES["France"][0], "name")
    town = Candidate(PLACES["Calais"][0], "name")
    assert prior(country, "France") > prior(town, "Calais")
    assert prior(Candidate(PLACES["France"][0], "demonym"), "French") < prior(country, "France")
    # an abbreviation only counts when the text looks abbreviated
    ky = PLACES["Kentucky"][0]
    assert prior(Candidate(ky, "abbreviation"), "Ky.") > prior(Candidate(ky, "abbreviation"), "Ky")
