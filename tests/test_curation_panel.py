"""The dashboard's "Wrong place?" panel, driven through streamlit.testing.v1.AppTest, and its writers."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import curation_panel as panel
from dashboard.text import md_escape
from geodata.overrides import load_overrides

REPO = Path(__file__).resolve().parents[1]

PLACE = {
    "id": "2651048", "name": "Dover", "kind": "settlement", "country": "GB", "source": "geonames",
    "lat": 51.126, "lon": 1.313, "aliases": ["Dover", "DOVER", "Port of Dover"],
    "candidates": [
        {"id": "4142290", "name": "Dover", "kind": "settlement", "country": "US", "lat": 39.158, "lon": -75.524,
         "source": "geonames"},
        {"id": "osm-node-77", "name": "Dover Harbour", "kind": "landmark", "country": "GB", "lat": 51.12,
         "lon": 1.33, "source": "geocoder:nominatim"},
    ],
}

SCRIPT = """
import json
from pathlib import Path
from geodata.model import Place
from dashboard.curation_panel import BuildResult, render_curation_panel

MARK = Path({mark!r})
PLACE = json.loads({place!r})

class FakeGazetteer:
    places = {{
        "5085520": Place("5085520", "Dover", "settlement", 43.198, -70.874, "US", 5085520),
        "4142290": Place("4142290", "Dover", "settlement", 39.158, -75.524, "US", 4142290),
        "2651048": Place("2651048", "Dover", "settlement", 51.126, 1.313, "GB", 2651048),
    }}
    def get(self, place_id):
        return self.places.get(place_id)
    def search(self, query, limit):
        return [p for p in self.places.values() if p.name.lower().startswith(query.lower())][:limit]

def fake_run(articles_dir, data_dir, overrides):
    calls = json.loads(MARK.read_text()) if MARK.exists() else []
    calls.append([str(articles_dir), str(data_dir), str(overrides)])
    MARK.write_text(json.dumps(calls))
    return BuildResult({ok}, 0 if {ok} else 1, "Found 3 mention(s) of 2 place(s).", 0.5, ["build"])

render_curation_panel(PLACE, Path("/data/out"), Path("/data/articles"), gazetteer=FakeGazetteer(), run=fake_run)
"""


@pytest.fixture
def env(tmp_path, monkeypatch):
    overrides = tmp_path / "overrides.csv"
    monkeypatch.setenv("ATLAS_OVERRIDES", str(overrides))
    monkeypatch.setenv("ATLAS_EDITING", "1")
    return tmp_path, overrides


def app(tmp_path: Path, ok: bool = True, place: dict = PLACE) -> AppTest:
    script = SCRIPT.format(mark=str(tmp_path / "builds.json"), place=json.dumps(place), ok=ok)
    return AppTest.from_string(script, default_timeout=30).run()


def builds(tmp_path: Path) -> list:
    mark = tmp_path / "builds.json"
    return json.loads(mark.read_text()) if mark.exists() else []


def test_editing_off_shows_no_controls_and_writes_nothing(env, monkeypatch):
    tmp_path, overrides = env
    monkeypatch.delenv("ATLAS_EDITING")
    at = app(tmp_path)
    assert not at.exception
    assert "Editing is off" in at.info[0].value
    assert len(at.button) == 0 and len(at.radio) == 0
    assert not overrides.exists() and builds(tmp_path) == []


def test_writers_refuse_when_editing_is_off(env, monkeypatch):
    tmp_path, overrides = env
    monkeypatch.setenv("ATLAS_EDITING", "0")
    with pytest.raises(panel.EditingDisabled):
        panel.write_pin(PLACE, PLACE["candidates"][0], ["Dover"], overrides)
    with pytest.raises(panel.EditingDisabled):
        panel.write_exclusion(PLACE, ["Dover"], overrides)
    assert not overrides.exists()


def test_choosing_a_ranked_alternative_pins_every_spelling_and_rebuilds(env):
    tmp_path, overrides = env
    at = app(tmp_path)
    assert not at.exception
    radio = at.radio(key="curation_2651048_alt")
    # AppTest shows the formatted label's markdown source: escaped, so a browser shows it literally
    assert radio.options[0].startswith(md_escape("Dover, US (settlement)"))
    assert at.button(key="curation_2651048_use").disabled  # nothing chosen yet
    radio.set_value(0).run()
    at.button(key="curation_2651048_use").click().run()
    assert not at.exception
    rows = load_overrides(overrides)
    assert rows.problems == []
    assert [(r.action, r.surface, r.place_id) for r in rows.rows] == [
        ("pin", "Dover", "4142290"), ("pin", "Port of Dover", "4142290")]  # DOVER is the same spelling key
    assert builds(tmp_path) == [["/data/articles", "/data/out", str(overrides)]]
    assert "Pinned" in at.success[0].value and "rebuilt" in at.success[0].value


def test_search_result_wins_over_the_radio(env):
    tmp_path, overrides = env
    at = app(tmp_path)
    at.radio(key="curation_2651048_alt").set_value(0).run()
    at.text_input(key="curation_2651048_query").input("dov").run()
    found = at.selectbox(key="curation_2651048_found")
    labels = list(found.options)
    assert len(labels) == 2 and all("GB" not in x for x in labels)  # the current place is not offered
    index = next(i for i, x in enumerate(labels) if "43.198" in x)
    found.set_value(index).run()
    at.button(key="curation_2651048_use").click().run()
    assert [r.place_id for r in load_overrides(overrides).rows] == ["5085520", "5085520"]


def test_geocoded_alternative_is_added_with_its_coordinates(env):
    tmp_path, overrides = env
    at = app(tmp_path)
    at.multiselect(key="curation_2651048_surfaces").set_value(["Port of Dover"]).run()
    at.radio(key="curation_2651048_alt").set_value(1).run()
    at.button(key="curation_2651048_use").click().run()
    loaded = load_overrides(overrides)
    assert [(r.action, r.place_id) for r in loaded.rows] == [("add", "osm-node-77"), ("pin", "osm-node-77")]
    place = loaded.extra_places(None)["Port of Dover"]
    assert (place.lat, place.lon, place.kind) == (51.12, 1.33, "landmark")


def test_not_a_place_writes_exclusions(env):
    tmp_path, overrides = env
    at = app(tmp_path)
    at.button(key="curation_2651048_drop").click().run()
    assert load_overrides(overrides).excluded_everywhere == {"Dover", "Port of Dover"}
    assert len(builds(tmp_path)) == 1


def test_failed_rebuild_is_reported(env):
    tmp_path, overrides = env
    at = app(tmp_path, ok=False)
    at.radio(key="curation_2651048_alt").set_value(0).run()
    at.button(key="curation_2651048_use").click().run()
    assert "rebuild failed" in at.error[0].value
    assert overrides.exists()  # the fix is kept; the next build applies it


def test_bad_override_file_reports_and_does_not_rebuild(env):
    tmp_path, overrides = env
    overrides.write_text("surface,action\nChelsea,exclude\n", encoding="utf-8")  # not the standard header
    at = app(tmp_path)
    at.radio(key="curation_2651048_alt").set_value(0).run()
    at.button(key="curation_2651048_use").click().run()
    assert "Nothing written" in at.error[0].value
    assert builds(tmp_path) == []
    assert overrides.read_text(encoding="utf-8") == "surface,action\nChelsea,exclude\n"


def test_place_without_alternatives_still_offers_search(env):
    tmp_path, _ = env
    at = app(tmp_path, place={**PLACE, "candidates": []})
    assert not at.exception
    assert len(at.radio) == 0 and len(at.text_input) == 1


def test_build_command_and_real_rebuild(env, tmp_path):
    """End to end: pin Dover to Dover, Delaware and rebuild the seeds with the real pipeline."""
    from geodata.gazetteer import DEFAULT_INDEX_PATH
    if not Path(DEFAULT_INDEX_PATH).exists():
        pytest.skip("offline gazetteer index not built (python -m geodata index)")
    _, overrides = env
    articles = tmp_path / "articles"
    shutil.copytree(REPO / "seeds", articles)
    out = tmp_path / "out"
    panel.write_pin(PLACE, PLACE["candidates"][0], ["Dover"], overrides)
    command = panel.build_command(articles, out, overrides)
    assert command[1:4] == ["-m", "geodata", "build"] and str(overrides) in command
    result = panel.run_build(articles, out, overrides)
    assert result.ok, result.output
    features = json.loads((out / "places.geojson").read_text(encoding="utf-8"))["features"]
    dover = [f for f in features if "Dover" in f["properties"]["aliases"]]
    assert [f["id"] for f in dover] == ["4142290"]
    assert dover[0]["properties"]["source"] == "override"


def test_failing_build_command_returns_its_output(tmp_path):
    result = panel.run_build(tmp_path / "no-such-folder", tmp_path / "out", tmp_path / "o.csv")
    assert not result.ok and result.returncode != 0 and result.output


def test_label_and_alternatives():
    alts = panel.alternatives({**PLACE, "candidates": PLACE["candidates"] + [PLACE["candidates"][0], {"id": "2651048"}]})
    assert [a["id"] for a in alts] == ["4142290", "osm-node-77"]
    assert panel.label(alts[0]) == "Dover, US (settlement) · 39.158, -75.524 · geonames"
    assert panel.surfaces_of({"name": "Calais", "aliases": []}) == ["Calais"]


def test_enrich_names_the_first_level_division():
    from geodata.model import Place

    class Gaz:
        def get(self, place_id):
            return Place(place_id, "Dover", "settlement", 39.1, -75.5, "US", admin1="US.DE")

        def admin1(self, code):
            return Place("4142224", "Delaware", "admin1", 39.0, -75.5, "US", admin1=code) if code == "US.DE" else None

    assert panel.label(panel.enrich({"id": "4142290", "name": "Dover", "country": "US"}, Gaz())) == \
        "Dover, Delaware, US"
    geocoded = {"id": "osm-node-1", "name": "Dover", "source": "geocoder:nominatim"}
    assert panel.enrich(geocoded, Gaz()) is geocoded  # not a gazetteer id: left alone


def test_undo_removes_the_rows_and_rebuilds(env):
    tmp_path, overrides = env
    at = app(tmp_path)
    at.radio(key="curation_2651048_alt").set_value(0).run()
    at.button(key="curation_2651048_use").click().run()
    assert len(load_overrides(overrides).rows) == 2
    after_fix = overrides.read_text(encoding="utf-8")
    at.run()
    undo = at.button(key="curation_2651048_undo")
    assert "Undo the last fix" in undo.label
    undo.click().run()
    assert not at.exception
    assert load_overrides(overrides).rows == []
    assert after_fix.startswith(overrides.read_text(encoding="utf-8"))  # header and comments kept
    assert len(builds(tmp_path)) == 2
    assert "Undid" in at.success[0].value
    at.run()
    assert "curation_2651048_undo" not in [b.key for b in at.button]  # one undo per fix


def test_article_spellings_and_labels_are_shown_literally_not_as_markdown(env):
    tmp_path, overrides = env
    hostile = "![x](http://example.invalid/x.png)"
    place = {**PLACE, "aliases": ["Dover", hostile],
             "candidates": [{**PLACE["candidates"][0], "name": "[Dover](http://example.invalid)"}]}
    at = app(tmp_path, place=place)
    assert not at.exception
    radio = at.radio(key="curation_2651048_alt")
    assert radio.options[0].startswith(md_escape("[Dover](http://example.invalid)"))
    radio.set_value(0).run()
    caption = [c.value for c in at.caption if "Will pin" in c.value][0]
    assert md_escape(hostile) in caption and hostile not in caption
    at.button(key="curation_2651048_use").click().run()
    assert not at.exception
    message = at.success[0].value
    assert "Pinned" in message and hostile not in message and md_escape("[Dover](") in message
