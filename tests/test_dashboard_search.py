"""Place search and namesake labels (dashboard/search.py)."""
import pytest

from dashboard.search import PlaceSearch, base_label, country_name, gazetteer_lookup, place_labels
from geodata.gazetteer import DEFAULT_INDEX_PATH, Gazetteer


def place(pid, name, kind="settlement", country=None, admin1=None, mentions=1, aliases=(), gazetteer_name=None,
          lat=0.0, lon=0.0, geonameid=None):
    return {"id": pid, "name": name, "kind": kind, "country": country, "admin1": admin1,
            "mention_count": mentions, "aliases": list(aliases) or [name], "gazetteer_name": gazetteer_name or name,
            "lat": lat, "lon": lon, "geonameid": geonameid}


PLACES = [
    place("hook", "Hook of Holland", country="NL", admin1="South Holland", gazetteer_name="Hoek van Holland",
          mentions=2),
    place("nl", "The Netherlands", "country", "NL", aliases=["Netherlands", "Holland"], mentions=5),
    place("dk", "Dunkirk", country="FR", admin1="Hauts-de-France", mentions=3),
    place("zh", "Zürich", country="CH", admin1="Zurich", mentions=1),
    place("so", "Saint-Omer", country="FR", admin1="Hauts-de-France", mentions=1),
    place("ca", "Calais", country="FR", admin1="Hauts-de-France", mentions=25),
    place("cq", "Coquelles", country="FR", admin1="Hauts-de-France", mentions=4),
    place("lc", "Le Calaisis", "region", "FR", mentions=9),
]


def test_aliases_and_gazetteer_names_are_searched():
    s = PlaceSearch(PLACES)
    assert s.matches("Holland")[:2] == ["nl", "hook"]  # an alias equal to the query first, then a word of a name
    assert s.matches("hoek") == ["hook"]  # the gazetteer's own name
    assert s.matches("netherlands") == ["nl"]


def test_case_accents_and_saint_are_folded():
    s = PlaceSearch(PLACES)
    assert s.matches("zurich") == ["zh"] and s.matches("ZÜRICH") == ["zh"]
    assert s.matches("st omer") == ["so"] and s.matches("Saint Omer") == ["so"]
    assert s.matches("   ") == [] and s.matches("") == []


def test_prefix_matches_come_before_substrings_then_more_mentions():
    s = PlaceSearch(PLACES)
    # "cal": Calais (prefix, 25 mentions) before Le Calaisis (a word starts with it, 9 mentions)
    assert s.matches("cal") == ["ca", "lc"]
    # "ais": only inside words; more mentions first
    assert s.matches("ais") == ["ca", "lc"]
    assert s.matches("co") == ["cq"]
    assert s.matches("a", limit=3) == s.matches("a")[:3]


def test_labels_name_the_division_and_the_country():
    labels = place_labels(PLACES)
    assert labels["dk"] == "Dunkirk — Hauts-de-France, France"
    assert labels["nl"] == "The Netherlands"  # the country's own name is not repeated
    assert labels["zh"] == "Zürich — Switzerland"  # the canton of the same name adds nothing
    assert country_name("US") == "United States" and country_name("GB") == "United Kingdom"
    assert country_name("RU") == "Russia" and country_name("XK") == "Kosovo" and country_name(None) is None
    assert base_label(place("w", "English Channel", "water")) == "English Channel"


def test_namesakes_never_share_a_label():
    springfields = [
        place("s1", "Springfield", country="US", admin1="Illinois", lat=39.8, lon=-89.64),
        place("s2", "Springfield", country="US", admin1="Missouri", lat=37.2, lon=-93.29),
        place("s3", "Springfield", country="US", admin1="Massachusetts", lat=42.1, lon=-72.59),
        place("s4", "Springfield", country="US", admin1="Massachusetts", kind="admin2", lat=42.2, lon=-72.6),
        place("s5", "Springfield", country="US", admin1="Oregon", lat=44.05, lon=-123.02),
        place("s6", "Springfield", country="US", admin1="Oregon", lat=44.10, lon=-123.1),
        place("s7", "Springfield", country="US", admin1="Ohio", lat=39.92, lon=-83.81),
        place("s8", "Springfield", country="US", admin1="Ohio", lat=39.92, lon=-83.81),
    ]
    labels = place_labels(springfields)
    assert len(set(labels.values())) == len(springfields)
    assert labels["s1"] == "Springfield — Illinois, United States"
    assert labels["s2"] == "Springfield — Missouri, United States"
    assert labels["s3"] == "Springfield — Massachusetts, United States (town / city)"
    assert labels["s4"] == "Springfield — Massachusetts, United States (county / district)"
    assert labels["s5"] == "Springfield — Oregon, United States (town / city; 44.05° N, 123.02° W)"
    assert labels["s8"].endswith("id s8)")
    assert all("US" not in label.split("—")[1].split() for label in labels.values())


def test_the_drop_down_text_carries_the_spellings_the_label_lacks():
    s = PlaceSearch(PLACES)
    assert s.option_text("hook") == "Hook of Holland — South Holland, Netherlands · also Hoek van Holland"
    assert s.option_text("ca") == "Calais — Hauts-de-France, France"


def test_a_lookup_adds_the_gazetteers_other_names():
    s = PlaceSearch(PLACES, lookup=lambda q: [("elsewhere", None), ("dk", None)] if q == "Dunkerque" else [])
    assert s.matches("Dunkerque") == ["dk"]
    assert PlaceSearch(PLACES).matches("Dunkerque") == []


def test_the_real_gazetteer_finds_dunkirk_as_dunkerque():
    if not DEFAULT_INDEX_PATH.is_file():
        pytest.skip("the gazetteer index is not built")
    with Gazetteer.open() as g:
        dunkirk = next(c.place for c in g.lookup("Dunkirk") if c.place.country == "FR")
    s = PlaceSearch([place(dunkirk.id, "Dunkirk", country="FR", geonameid=dunkirk.geonameid)] + PLACES[:2],
                    lookup=gazetteer_lookup())
    assert s.matches("Dunkerque") == [dunkirk.id]
    assert s.matches("dunkerque")[:1] == [dunkirk.id]


def test_a_missing_index_only_turns_the_lookup_off(tmp_path):
    lookup = gazetteer_lookup(tmp_path / "none.sqlite")
    assert list(lookup("Dunkerque")) == []
    assert PlaceSearch(PLACES, lookup=lookup).matches("Dunkirk") == ["dk"]
