"""The Streamlit page without a browser (AppTest) on a real build of the seed articles."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds-out")
    proc = subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(REPO / "seeds"),
                           "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out, json.loads((out / "places.geojson").read_text())


@pytest.fixture
def app(seeds_build, monkeypatch):
    out, doc = seeds_build
    monkeypatch.setenv("ATLAS_DATA_DIR", str(out))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(REPO / "seeds"))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    monkeypatch.delenv("ATLAS_EDITING", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    return at, doc


def show_panel(at, view):
    """Switch the side panel (Place / Articles / Table), as the segmented control does."""
    at.session_state["panel_view"] = view
    return at


def html_text(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def place_id(doc, name):
    return next(f["id"] for f in doc["features"] if f["properties"]["name"] == name)


def table_ids(at):
    return set(at.dataframe[0].value["id"])


def test_table_only_in_its_panel_view(app):
    """The data grid's front-end bundles load only when the table is asked for (not with the map)."""
    at, doc = app
    at.run()
    assert not at.exception and not at.dataframe
    show_panel(at, "Table").run()
    assert table_ids(at) == {f["id"] for f in doc["features"]}


def test_default_view_lists_every_place(app):
    at, doc = app
    at.run()
    assert not at.exception
    assert any("Click a marker" in i.value for i in at.info)
    # the overview names the most-mentioned places as buttons
    top = max(doc["features"], key=lambda f: f["properties"]["mention_count"])
    assert any(b.key == f"top_{top['id']}" for b in at.button)
    assert not at.warning
    show_panel(at, "Articles").run()
    assert len(at.checkbox) == len(doc["articles"]) and all(c.value for c in at.checkbox)
    show_panel(at, "Table").run()
    assert table_ids(at) == {f["id"] for f in doc["features"]}


def test_overview_button_selects_the_place(app):
    at, doc = app
    at.run()
    top = max(doc["features"], key=lambda f: f["properties"]["mention_count"])
    at.button(key=f"top_{top['id']}").click().run()
    assert 'data-place-id="%s"' % top["id"] in html_text(at)


def test_deep_link_selects_place_and_articles(app):
    at, doc = app
    calais = place_id(doc, "Calais")
    only = doc["articles"][0]["id"]
    at.query_params["place"] = calais
    at.query_params["articles"] = only
    at.run()
    assert not at.exception and not at.warning
    body = html_text(at)
    assert 'data-place-id="%s"' % calais in body and '<mark class="atlas-hl">Calais</mark>' in body
    # passages only from the shown article, and the panel says how many are hidden
    assert 'data-article="%s"' % only in body and 'data-article="%s"' % doc["articles"][1]["id"] not in body
    feature = next(f for f in doc["features"] if f["id"] == calais)
    hidden = sum(1 for m in feature["properties"]["mentions"] if m["article"] != only)
    assert f'data-hidden="{hidden}"' in body and hidden > 0
    show_panel(at, "Articles").run()
    assert [c.value for c in at.checkbox] == [a["id"] == only for a in doc["articles"]]
    shown = {f["id"] for f in doc["features"] if only in f["properties"]["articles"]}
    show_panel(at, "Table").run()
    assert table_ids(at) == shown


def test_show_hidden_articles_from_the_passages(app):
    at, doc = app
    calais = place_id(doc, "Calais")
    only = doc["articles"][0]["id"]
    at.query_params["place"] = calais
    at.query_params["articles"] = only
    at.run()
    at.button(key="show_hidden_articles").click().run()
    body = html_text(at)
    assert all('data-article="%s"' % a["id"] in body for a in doc["articles"])
    assert "data-hidden=" not in body


def test_tampered_link_gives_notices_and_default_view(app):
    at, doc = app
    at.query_params["place"] = "../../etc/passwd"
    at.query_params["articles"] = "nope"
    at.query_params["zoom"] = "99"
    at.run()
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown place" in notices and "unknown article" in notices and "zoom" in notices
    assert 'class="atlas-place-name"' not in html_text(at)
    show_panel(at, "Articles").run()
    assert all(c.value for c in at.checkbox)


def test_hiding_an_article_filters_the_table(app):
    at, doc = app
    show_panel(at, "Articles").run()
    hidden = doc["articles"][1]["id"]
    at.checkbox[1].uncheck().run()
    show_panel(at, "Table").run()
    expected = {f["id"] for f in doc["features"] if set(f["properties"]["articles"]) - {hidden}}
    assert table_ids(at) == expected and expected != {f["id"] for f in doc["features"]}


def test_search_selects_the_place(app):
    at, doc = app
    at.run()
    dover = place_id(doc, "Dover")
    show_panel(at, "Table").run()  # a search brings the panel back to the place
    at.selectbox(key="search").select(dover).run()
    assert 'data-place-id="%s"' % dover in html_text(at)
    assert at.session_state["atlas"].view_zoom >= 5
    assert at.session_state["panel_view"] == "Place"


def test_read_whole_article_highlights_every_mention(app):
    at, doc = app
    calais = place_id(doc, "Calais")
    at.query_params["place"] = calais
    at.run()
    next(b for b in at.button if b.key and b.key.startswith("read_0_")).click().run()
    body = html_text(at)
    reader = body[body.index('class="atlas-article-text"'):]
    feature = next(f for f in doc["features"] if f["id"] == calais)
    n = sum(1 for m in feature["properties"]["mentions"] if m["article"] == doc["articles"][0]["id"])
    assert reader.count('<mark class="atlas-hl">') >= n > 0


def fix_buttons(at) -> list:
    return [b for b in at.button if b.label in ("Use this place", "Not a place")]


def test_wrong_place_shows_the_evidence_to_all_and_the_fixes_only_when_editing_is_on(app, monkeypatch):
    at, doc = app
    at.query_params["place"] = place_id(doc, "Calais")
    at.run()
    assert not at.exception and "Wrong place?" in [e.label for e in at.expander]
    assert 'class="atlas-evidence"' in html_text(at) and not fix_buttons(at)
    monkeypatch.setenv("ATLAS_EDITING", "1")
    at.run()
    assert not at.exception and len(fix_buttons(at)) == 2


def test_editing_secret_false_keeps_the_fixes_away(app):
    """`editing = "false"` in the secrets is off, for the app as for the panel itself."""
    at, doc = app
    at.query_params["place"] = place_id(doc, "Calais")
    at.secrets["editing"] = "false"
    at.run()
    assert not at.exception and not fix_buttons(at)
    at.secrets["editing"] = True
    at.run()
    assert not at.exception and len(fix_buttons(at)) == 2


def test_rebuild_button_only_when_editing_is_on(app, monkeypatch):
    """Issue 13: "Rebuild map data" was offered to every visitor with editing off (full rebuilds on demand)."""
    at, _ = app
    show_panel(at, "Articles").run()
    assert not at.exception and "Rebuild map data" not in [b.label for b in at.button]
    monkeypatch.setenv("ATLAS_EDITING", "1")
    at.run()
    assert not at.exception and "Rebuild map data" in [b.label for b in at.button]


def test_no_function_is_cached_twice():
    """One st.cache_* per function (a cache_data over a cache_resource copies the value on every rerun)."""
    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        caches = [d for d in fn.decorator_list if ast.unparse(d).startswith("st.cache_")]
        assert len(caches) <= 1, f"{fn.name} has {len(caches)} st.cache_* decorators"


def test_app_builds_missing_outputs(tmp_path, monkeypatch):
    arts, out = tmp_path / "arts", tmp_path / "out"
    arts.mkdir()
    (arts / "one.txt").write_text("Ferries from Calais\nThe ferry left Calais for Dover at dawn.\n")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(out))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(arts))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception and not at.error
    assert (out / "places.geojson").is_file() and (out / "articles.json").is_file()
    show_panel(at, "Articles").run()
    assert [c.label for c in at.checkbox][0].startswith("Ferries from Calais")


def test_failed_build_is_shown_clearly(tmp_path, monkeypatch):
    arts, out = tmp_path / "empty", tmp_path / "out"
    arts.mkdir()
    monkeypatch.setenv("ATLAS_DATA_DIR", str(out))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(arts))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Building the map data" in errors and "failed" in errors
    assert at.code and at.code[0].value.strip()  # the build's own message


@pytest.fixture(scope="module")
def many_build(tmp_path_factory):
    """More articles and places than the checkbox / drop-down limits (a generated corpus)."""
    from dashboard.benchmark import generate_corpus

    arts = tmp_path_factory.mktemp("many-articles")
    generate_corpus(arts, 40, 320)
    out = tmp_path_factory.mktemp("many-out")
    proc = subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(arts), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return arts, out, json.loads((out / "places.geojson").read_text())


def test_large_corpus_uses_editor_and_text_search(many_build, monkeypatch):
    arts, out, doc = many_build
    monkeypatch.setenv("ATLAS_DATA_DIR", str(out))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(arts))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    assert len(doc["articles"]) > 30 and len(doc["features"]) > 300
    at = AppTest.from_file(APP, default_timeout=120)
    keep = [a["id"] for a in doc["articles"][:3]]
    at.query_params["articles"] = keep
    show_panel(at, "Articles").run()
    assert not at.exception and not at.checkbox and not at.warning
    show_panel(at, "Table").run()
    assert table_ids(at) == {f["id"] for f in doc["features"] if set(f["properties"]["articles"]) & set(keep)}
    target = doc["features"][0]
    name = target["properties"]["name"]
    at.text_input(key="search_text").input(name).run()
    buttons = [b for b in at.button if b.key and b.key.startswith("go_")]
    assert buttons and len(buttons) <= 8
    at.button(key=f"go_{target['id']}").click().run()
    assert f'data-place-id="{target["id"]}"' in html_text(at)
    assert at.session_state["atlas"].view_center == [target["geometry"]["coordinates"][1],
                                               target["geometry"]["coordinates"][0]]


def test_rebuild_with_a_new_article_keeps_the_choices(tmp_path, monkeypatch):
    arts, out = tmp_path / "arts", tmp_path / "out"
    arts.mkdir()
    (arts / "b.txt").write_text("Ferries from Calais\nThe ferry left Calais for Dover at dawn.\n")
    (arts / "c.txt").write_text("Trains to Paris\nThe train from London reached Paris at noon.\n")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(out))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(arts))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    at = AppTest.from_file(APP, default_timeout=300)
    show_panel(at, "Articles").run()
    labels = [c.label for c in at.checkbox]
    assert labels[0].startswith("Ferries") and labels[1].startswith("Trains")
    at.checkbox[0].uncheck().run()
    # a new article that sorts first: the outputs are stale, the app rebuilds on its next run
    (arts / "a.txt").write_text("Boats at Dunkirk\nThe boat left Dunkirk in the rain.\n")
    at.run()
    assert not at.exception
    state = {c.label.split(" (")[0]: c.value for c in at.checkbox}
    assert state == {"Boats at Dunkirk": True, "Ferries from Calais": False, "Trains to Paris": True}


def test_share_link_of_an_unmoved_map_holds_the_initial_view(app):
    """The map reports only changes of its view: before any pan the link holds the initial view."""
    at, doc = app
    at.run()
    next(b for b in at.button if b.label == "Get a link to this view").click().run()
    link = at.code[0].value
    assert "lat=" in link and "lon=" in link and "zoom=" in link, link


def test_an_invalid_setting_is_a_notice_and_its_default_applies(app, monkeypatch):
    at, doc = app
    monkeypatch.setenv("ATLAS_TILES", "sparkles")
    show_panel(at, "Table").run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown escapes
    assert "ATLAS_TILES=" in warnings and "sparkles" in warnings and "using the default (auto)" in warnings
    assert table_ids(at) == {f["id"] for f in doc["features"]}  # the page still works


def test_place_panel_speaks_plain_words(app):
    at, doc = app
    england = next(f for f in doc["features"] if f["properties"]["kind"] == "admin1")
    calais = next(f for f in doc["features"] if f["properties"]["name"] == "Calais")
    at.query_params["place"] = england["id"]
    at.run()
    body = html_text(at)
    assert "<strong>Kind:</strong> state / province" in body
    assert f'title="{england["properties"]["source"]}">middle of the area its towns cover' in body
    assert "<strong>Country:</strong> United Kingdom" in body
    at = AppTest.from_file(APP, default_timeout=120)  # a new visitor with a link to Calais
    at.query_params["place"] = calais["id"]
    at.run()
    body = html_text(at)
    assert "<strong>Kind:</strong> town / city" in body
    assert f"<strong>State / province:</strong> {calais['properties']['admin1']}" in body and calais["properties"]["admin1"]
    assert "<strong>Country:</strong> France" in body


def test_search_options_show_namesake_details_and_other_spellings(app):
    at, doc = app
    at.run()
    options = at.selectbox(key="search").options
    hook = next(f for f in doc["features"] if f["properties"]["name"] == "Hook of Holland")
    text = next(o for o in options if o.startswith("Hook of Holland"))
    assert text.endswith("Netherlands · also " + hook["properties"]["gazetteer_name"])
    assert len(set(options)) == len(options)
    assert not any(" (settlement" in o or ", FR)" in o for o in options)


# ---------------------------------------------------------------- dates and uploads --------------

@pytest.fixture(scope="module")
def dated_build(tmp_path_factory):
    from dated_corpus import write_dated_corpus

    root = tmp_path_factory.mktemp("dated")
    write_dated_corpus(root / "articles", root / "out")
    return root, json.loads((root / "out" / "places.geojson").read_text())


@pytest.fixture
def dated_app(dated_build, monkeypatch):
    root, doc = dated_build
    monkeypatch.setenv("ATLAS_DATA_DIR", str(root / "out"))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(root / "articles"))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    monkeypatch.delenv("ATLAS_EDITING", raising=False)
    monkeypatch.delenv("ATLAS_UPLOADS", raising=False)
    return AppTest.from_file(APP, default_timeout=120), doc


def table_names(at, doc):
    names = {f["id"]: f["properties"]["name"] for f in doc["features"]}
    return {names[i] for i in table_ids(at)}


def test_date_range_from_the_link_filters_places(dated_app):
    at, doc = dated_app
    at.query_params["from"] = "2024-05-01"
    at.query_params["to"] = "2024-06-30"
    at.run()
    assert not at.exception and not at.warning
    show_panel(at, "Table").run()
    names = table_names(at, doc)
    assert {"Calais", "Rotterdam", "Lyon"} <= names and not {"Vienna", "Brussels"} & names
    # the view state holds it
    assert at.session_state["atlas"].dates.start.isoformat() == "2024-05-01"


def test_the_slider_and_the_undated_choice_filter_places(dated_app):
    at, doc = dated_app
    at.run()
    show_panel(at, "Articles").run()
    [slider] = at.slider
    lo, hi = slider.value
    assert (lo.isoformat(), hi.isoformat()) == ("2024-05-03", "2024-07-22")
    slider.set_value((lo, lo.replace(month=5, day=31))).run()
    undated = next(c for c in at.checkbox if c.label.startswith("Include undated"))
    assert undated.value
    undated.uncheck().run()
    assert any("outside the dates" in c.label for c in at.checkbox)
    show_panel(at, "Table").run()
    assert table_names(at, doc) == {"Calais", "Dover"}
    dates = at.session_state["atlas"].dates
    assert (dates.start, dates.end.isoformat(), dates.undated) == (None, "2024-05-31", False)


def test_a_tampered_date_in_the_link_is_ignored_with_a_notice(dated_app):
    at, doc = dated_app
    at.query_params["from"] = "2024-99-01"
    at.run()
    assert not at.exception
    assert len(at.warning) == 1 and "`from`" in at.warning[0].value
    show_panel(at, "Table").run()
    assert table_ids(at) == {f["id"] for f in doc["features"]}


def test_article_list_shows_date_and_source_and_sorts_by_date(dated_app):
    at, doc = dated_app
    at.run()
    show_panel(at, "Articles").run()
    labels = [c.label for c in at.checkbox if not c.label.startswith("Include")]
    assert any("Ferries at Calais" in x and "3 May 2024" in x and "Harbour Weekly" in x for x in labels)


def test_passages_show_date_source_and_only_safe_links(dated_app):
    at, doc = dated_app
    at.query_params["place"] = place_id(doc, "Calais")
    at.run()
    page = html_text(at)
    assert "3 May 2024" in page and "Harbour Weekly" in page
    assert ('<a href="https://news.example.org/ferries-may" target="_blank" rel="noopener noreferrer">'
            in page)
    at = AppTest.from_file(APP, default_timeout=120)  # a new visitor, on Vienna (its source gave a javascript: URL)
    at.query_params["place"] = place_id(doc, "Vienna")
    at.run()
    page = html_text(at)
    assert "Rail Notes" in page and "javascript:" not in page and "Original article" not in page


def test_no_dated_article_no_timeline(app):
    at, doc = app
    at.run()
    show_panel(at, "Articles").run()
    assert not at.slider
    assert any("No article has a date" in c.value for c in at.caption)


def test_uploads_are_off_unless_turned_on(dated_app, monkeypatch):
    at, doc = dated_app
    at.run()
    show_panel(at, "Articles").run()
    assert not any(e.label == "Add articles" for e in at.expander)
    monkeypatch.setenv("ATLAS_UPLOADS", "1")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    show_panel(at, "Articles").run()
    assert any(e.label == "Add articles" for e in at.expander)
