"""Nationality words ("Russian officials", "British troops") through a real build to the dashboard: mentions
of role "adjective", no marker of their own unless the "Nationality words" layer is on; and the evidence
the "Wrong place?" section shows. A story written for this test; real spaCy and gazetteer."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import mapview
from dashboard.data import load_atlas, with_roles
from geodata.contract import validate_outputs

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "dashboard" / "app.py")
STORY = ("Talks at the port\n\nRussian officials said on Monday that British troops had left the port of "
         "Calais before the talks began. The ferry crossing to Dover reopened in the afternoon.\n")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    articles = tmp_path_factory.mktemp("articles")
    (articles / "story.txt").write_text(STORY, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(articles), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return articles, out


def names(places):
    return {p["name"] for p in places}


def test_nationality_words_are_adjective_mentions_of_their_countries(build):
    _, out = build
    validate_outputs(out)
    doc = json.loads((out / "places.geojson").read_text(encoding="utf-8"))
    roles = {f["properties"]["name"]: {m.get("role", "place") for m in f["properties"]["mentions"]}
             for f in doc["features"]}
    assert roles["Russia"] == {"adjective"} and roles["United Kingdom"] == {"adjective"}
    assert roles["Calais"] == {"place"} and roles["Dover"] == {"place"}
    assert doc["articles"][0]["place_count"] == 2  # the places named outright


def test_a_country_known_only_through_adjectives_has_no_marker_by_default(build):
    _, out = build
    atlas = load_atlas(out)
    shown = [a["id"] for a in atlas.articles]
    default = with_roles(atlas, False)
    assert names(default.places) == {"Calais", "Dover"}
    assert {r[1] for r in mapview.place_rows(default.places, shown, {})} == {"Calais", "Dover"}
    layered = with_roles(atlas, True)
    rows = {r[1]: r for r in mapview.place_rows(layered.places, shown, {})}
    assert {"Russia", "United Kingdom", "Calais", "Dover"} <= set(rows) and rows["Russia"][4] == 1


def test_marker_counts_are_of_places_named_outright_unless_the_layer_is_on():
    places = [{"id": "FR", "name": "France", "lat": 46.0, "lon": 2.0, "kind": "country", "mention_count": 3,
               "articles": ["a"], "mentions": [{"article": "a", "role": "place"}, {"article": "a", "role": "adjective"},
                                               {"article": "a", "role": "adjective"}]}]
    from dashboard.data import Atlas

    atlas = Atlas(places, {"FR": places[0]}, [{"id": "a", "title": "a"}], {}, {})
    assert mapview.place_rows(with_roles(atlas, False).places, ["a"], {})[0][4] == 1
    assert mapview.place_rows(with_roles(atlas, True).places, ["a"], {})[0][4] == 3


@pytest.fixture
def app(build, monkeypatch):
    articles, out = build
    monkeypatch.setenv("ATLAS_DATA_DIR", str(out))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(articles))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    monkeypatch.delenv("ATLAS_EDITING", raising=False)
    return AppTest.from_file(APP, default_timeout=120)


def table_names(at):
    at.session_state["panel_view"] = "Table"
    at.run()
    return set(at.dataframe[0].value["place"])


def test_the_nationality_words_layer_is_off_by_default_and_a_toggle_turns_it_on(app):
    at = app
    at.run()
    assert not at.exception
    assert table_names(at) == {"Calais", "Dover"}
    at.session_state["panel_view"] = "Articles"
    at.run()
    toggle = next(t for t in at.toggle if t.label == "Nationality words")
    assert toggle.value is False
    toggle.set_value(True).run()
    assert at.session_state["atlas"].adjectives is True
    assert {"Russia", "United Kingdom"} <= table_names(at)


def test_a_link_with_adjectives_opens_the_layer(app):
    at = app
    at.query_params["adjectives"] = "1"
    at.run()
    assert not at.exception and at.session_state["atlas"].adjectives is True and not at.warning
    assert {"Russia", "United Kingdom"} <= table_names(at)


def html_text(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_wrong_place_section_says_why_in_plain_words(app, build):
    _, out = build
    calais = next(p["id"] for p in load_atlas(out).places if p["name"] == "Calais")
    at = app
    at.query_params["place"] = calais
    at.run()
    assert not at.exception and "Wrong place?" in [e.label for e in at.expander]
    body = html_text(at)
    evidence = body[body.index('class="atlas-evidence"'):]
    assert "Why a place" in evidence and "Why Calais" in evidence
    assert "the port of" in evidence  # "the port of Calais": the words before it say place
    assert "population" in evidence  # why this Calais: the town's size
    assert not [b for b in at.button if b.label == "Use this place"]  # editing is off: no fixes
