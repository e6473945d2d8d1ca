"""Resolution: candidates ranked with document context."""
from __future__ import annotations

import pytest

from geodata.model import Candidate, Mention
from geodata.model import Found
from geodata.params import load_params
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


def _place(pid, name, lat, lon, country, population, kind="settlement", admin1=None):
    from geodata.model import Place

    return Place(pid, name, kind, lat, lon, country, None, population, admin1=admin1)


def test_readings_near_each_other_win_over_bigger_namesakes_far_apart(monkeypatch):
    """Three names, each with a big namesake far from the others and a smaller reading near the other
    two names' smaller readings (the London / St. Thomas / Middlesex case): coherence picks the trio."""

    readings = {
        "Aston": [_place("a-big", "Aston", 51.5, -0.1, "GB", 5_000_000),
                  _place("a-small", "Aston", 43.0, -81.2, "CA", 300_000, admin1="CA.08")],
        "Brill": [_place("b-big", "Brill", -33.9, 151.2, "AU", 2_000_000),
                  _place("b-small", "Brill", 42.95, -81.15, "CA", 100_000, admin1="CA.08")],
        "Corby": [_place("c-big", "Corby", 40.7, -74.0, "US", 1_000_000),
                  _place("c-small", "Corby", 43.05, -81.1, "CA", 80_000, admin1="CA.08")],
    }
    text = "Aston and Brill and Corby."
    found = [Found(Mention(text.index(n), text.index(n) + len(n), n), [Candidate(p) for p in ps], "GPE",
                   lookup=n) for n, ps in readings.items()]
    chosen = {m.text: m.place.id for m in Resolver(FakeGazetteer()).resolve(text, found)}
    assert chosen == {"Aston": "a-small", "Brill": "b-small", "Corby": "c-small"}
    params = load_params()
    without = params.replace(resolver=params.resolver | {"coherence": 0.0})  # the same document without it
    chosen = {m.text: m.place.id for m in Resolver(FakeGazetteer(), params=without).resolve(text, found)}
    assert chosen == {"Aston": "a-big", "Brill": "b-big", "Corby": "c-big"}


def test_a_name_repeated_does_not_outvote_the_country_the_document_names(monkeypatch):
    """London, Ont.: "London" four times and "Canada" twice. The first reading of "London" (England)
    must not win on its own repeated votes, which alone made a 100 % share of the divisions named."""

    london = [_place("l-gb", "London", 51.5, -0.13, "GB", 8_900_000, admin1="GB.ENG"),
              _place("l-ca", "London", 42.98, -81.23, "CA", 420_000, admin1="CA.08")]
    canada = _place("ca", "Canada", 60.0, -95.0, "CA", 37_000_000, kind="country")
    text = "London grew. Canada voted. London wept. London slept. Canada woke. London won."
    found, pos = [], 0
    for word in ("London", "Canada", "London", "London", "Canada", "London"):
        start = text.index(word, pos)
        pos = start + len(word)
        cands = [Candidate(p) for p in london] if word == "London" else [Candidate(canada)]
        found.append(Found(Mention(start, pos, word), cands, "GPE", lookup=word))
    chosen = {m.place.id for m in Resolver(FakeGazetteer()).resolve(text, found) if m.text == "London"}
    assert chosen == {"l-ca"}
    params = load_params()
    unsmoothed = params.replace(context=params.context | {"prior_mass": 0.0})
    chosen = {m.place.id for m in Resolver(FakeGazetteer(), params=unsmoothed).resolve(text, found)
              if m.text == "London"}
    assert chosen == {"l-gb"}


def _spread_document(n_names: int, repeats: int, spacing: float = 3.0):
    """A document of n distinct names (each with a namesake 50 km away), ``spacing`` degrees apart on a
    square grid, each name mentioned ``repeats`` times."""
    side = int(n_names ** 0.5 + 0.999)
    readings = {}
    for k in range(n_names):
        lat, lon = -60 + spacing * (k // side), -170 + spacing * (k % side)
        name = f"Name{k}"
        readings[name] = [_place(f"{k}a", name, lat, lon, "US", 50_000, admin1=f"US.{k % 50}"),
                          _place(f"{k}b", name, lat + 0.45, lon, "CA", 20_000, admin1=f"CA.{k % 10}")]
    parts, found, pos = [], [], 0
    for _ in range(repeats):
        for name, places in readings.items():
            found.append(Found(Mention(pos, pos + len(name), name), [Candidate(p) for p in places], "GPE",
                               lookup=name))
            parts.append(name)
            pos += len(name) + 1
    return " ".join(parts), found


def _distance_calls(monkeypatch, text, found) -> int:
    import geodata.resolve as resolve

    calls = [0]
    real = resolve._km

    def counting(a, b):
        calls[0] += 1
        return real(a, b)

    monkeypatch.setattr(resolve, "_km", counting)
    Resolver(FakeGazetteer()).resolve(text, found)
    monkeypatch.setattr(resolve, "_km", real)
    return calls[0]


def test_resolver_cost_is_linear_in_the_mentions(monkeypatch):
    """Issue 13: one anchor per mention for every mention made long articles quadratic. Counting
    distance computations (not wall time): 4x the names must cost at most about 4x, where a loop over
    all pairs of mentions would cost 16x; 16x the mentions of the same names cost almost nothing more."""
    for spacing in (3.0, 0.05):  # places far apart (a world story) and all within a few km (a city story)
        small = _distance_calls(monkeypatch, *_spread_document(200, 1, spacing))
        many_names = _distance_calls(monkeypatch, *_spread_document(800, 1, spacing))
        assert small > 0
        assert many_names <= 6 * small, spacing
        # the same names repeated: the repeats add mentions, not distance computations
        repeated = _distance_calls(monkeypatch, *_spread_document(200, 16, spacing))
        assert repeated <= 2 * small, spacing


def _washington_document(with_country: bool):
    state = _place("wa", "Washington", 47.5, -120.5, "US", 6_500_000, kind="admin1", admin1="US.WA")
    capital = _place("dc", "Washington", 38.9, -77.04, "US", 690_000, admin1="US.DC")
    peru = _place("pe", "Peru", -10.0, -76.0, "PE", 32_000_000, kind="country")
    text = "Talks in Washington stalled" + (" as Peru signed." if with_country else ".")
    found = [Found(Mention(9, 19, "Washington"), [Candidate(state), Candidate(capital)], "GPE", lookup="Washington")]
    if with_country:
        found.append(Found(Mention(text.index("Peru"), text.index("Peru") + 4, "Peru"), [Candidate(peru)], "GPE",
                           lookup="Peru"))
    return text, found


def test_a_bare_capital_in_a_world_story_is_the_capital():
    r = Resolver(FakeGazetteer())
    text, found = _washington_document(with_country=True)
    chosen = r.resolve(text, found)[0]
    assert chosen.place.id == "dc"
    assert chosen.ranked[0].features.get("capital_in_world_story") == 1.0
    # a local story (no country or other capital named): the state, as before
    text, found = _washington_document(with_country=False)
    assert r.resolve(text, found)[0].place.id == "wa"
    # without the feature's weight the world story picks the state too
    params = load_params()
    plain = Resolver(FakeGazetteer(), params=params.replace(resolver=params.resolver | {"capital_in_world_story": 0.0}))
    text, found = _washington_document(with_country=True)
    assert plain.resolve(text, found)[0].place.id == "wa"


def test_every_reading_carries_named_features_and_its_score_is_their_weighted_sum():
    from geodata.params import linear

    r = Resolver(FakeGazetteer())
    text, found = _washington_document(with_country=True)
    m = r.resolve(text, found)[0]
    assert [s.place.id for s in m.ranked] == ["dc", "wa"]
    for s in m.ranked:
        assert "exact_name" in s.features
        assert s.score == pytest.approx(linear(r.weights, s.features))
