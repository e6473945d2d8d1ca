"""Issue 11's browser tests: the date filter and the share link holding it, and "Add articles"."""
from __future__ import annotations

import json
import urllib.parse

import pytest
from playwright.sync_api import expect

from atlas_browser import AtlasServer, load_places, open_map, panel_view, run_build, wait_idle
from dated_corpus import write_dated_corpus

pytestmark = pytest.mark.timeout(300)

MARKER_IDS = ("() => [...document.querySelectorAll('.atlas-pin')].map(e => e.dataset.placeId).concat("
              "[...document.querySelectorAll('.atlas-cluster')].flatMap(e => e.dataset.placeIds.split(' ')))"
              ".sort().join(' ')")


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    root = tmp_path_factory.mktemp("dated")
    write_dated_corpus(root / "articles", root / "out")
    doc = json.loads((root / "out" / "places.geojson").read_text(encoding="utf-8"))
    server = AtlasServer(root / "articles", root / "out", root / "streamlit.log")
    yield server, doc
    server.stop()


def ids_of(doc: dict, *names: str) -> set[str]:
    return {f["id"] for f in doc["features"] if f["properties"]["name"] in names}


def articles_of(doc: dict, ids) -> set[str]:
    return {f["id"] for f in doc["features"] if set(f["properties"]["articles"]) & set(ids)}


def wait_map_shows(page, expected: set[str]) -> None:
    """Until the map shows these places (at least), asked from the page, so a map frame drawn again for
    new data is followed."""
    page.wait_for_function(
        "(want) => { const f = document.querySelector('iframe[title=\"streamlit_folium.st_folium\"]');"
        " const d = f && f.contentDocument; if (!d) return false;"
        " const ids = new Set([...d.querySelectorAll('.atlas-pin')].map(e => e.dataset.placeId).concat("
        "[...d.querySelectorAll('.atlas-cluster')].flatMap(e => e.dataset.placeIds.split(' '))));"
        " return want.every(id => ids.has(id)); }", arg=sorted(expected), timeout=60_000)


def world(frame) -> None:
    """The map's own "World" button (every place in view: markers exist only for places in view)."""
    frame.locator(".atlas-fit-world").click()
    frame.wait_for_function("() => { const d = document.getElementById('map_div').dataset;"
                            " return d.layoutZoom === '2' && d.moving === '0'; }")


def wait_marker_set(frame, expected: set[str]) -> None:
    """Until the map shows exactly these places (markers and cluster members)."""
    frame.wait_for_function(f"(want) => ({MARKER_IDS})() === want", arg=" ".join(sorted(expected)),
                            timeout=30_000)


def test_timeline_filter_changes_the_markers(dated, open_page, browser):
    server, doc = dated
    page, frame, guard = open_map(open_page, server.url)
    world(frame)
    everything = {f["id"] for f in doc["features"]}
    wait_marker_set(frame, everything)
    panel_view(page, "Articles")
    # leaving undated articles out takes the undated story's places off the map
    undated = page.locator('[data-testid="stCheckbox"]', has_text="Include undated articles")
    undated.locator("label").click()
    wait_marker_set(frame, everything - articles_of(doc, ["undated-lyon"]))
    # the slider's right end to its left end: only the first day (3 May) is left
    end = page.get_by_role("slider").nth(1)
    end.focus()
    end.press("Home")
    wait_marker_set(frame, articles_of(doc, ["ferries-may"]))
    expect(page.locator('[data-testid="stCaptionContainer"]', has_text="1 of 4 articles in the dates")).to_be_visible()
    # "All dates" clears it
    page.get_by_role("button", name="All dates").click()
    wait_marker_set(frame, everything)
    guard.assert_clean()


def test_share_link_reopens_the_date_range(dated, open_page):
    server, doc = dated
    url = server.url + "?" + urllib.parse.urlencode({"from": "2024-05-01", "to": "2024-06-30", "undated": "0"})
    page, frame, guard = open_map(open_page, url)
    in_range = articles_of(doc, ["ferries-may", "cargo-june"])
    world(frame)
    wait_marker_set(frame, in_range)
    expect(page.locator('[data-testid="stAlert"]', has_text="Ignored")).to_have_count(0)  # a valid link: no notice
    # the page's own URL keeps the range, and the link it offers reopens the same view
    page.wait_for_function("() => new URLSearchParams(location.search).get('to') === '2024-06-30'")
    page.get_by_role("button", name="Get a link to this view").click()
    code = page.locator('.st-key-atlas_share [data-testid="stCode"]')
    expect(code).to_contain_text("from=2024-05-01")
    link = code.inner_text().strip()
    assert "to=2024-06-30" in link and "undated=0" in link
    again, frame2, guard2 = open_map(open_page, link)
    world(frame2)
    wait_marker_set(frame2, in_range)
    expect(again.locator(".st-key-atlas_header")).to_contain_text("dates: 1 May 2024 to 30 Jun 2024")
    guard.assert_clean()
    guard2.assert_clean()


def test_a_tampered_date_in_the_link_shows_one_notice(dated, open_page):
    server, doc = dated
    page, frame, guard = open_map(open_page, server.url + "?from=2024-02-31&to=2024-06-30")
    world(frame)
    # the bad `from` is ignored, the good `to` kept: everything up to 30 June
    wait_marker_set(frame, {f["id"] for f in doc["features"]} - articles_of(doc, ["trains-july"]))
    notices = page.locator('[data-testid="stAlert"]', has_text="Ignored")
    expect(notices).to_have_count(1)
    expect(notices).to_contain_text("from date 2024-02-31")
    guard.assert_clean()


# ---------------------------------------------------------------- uploads ------------------------

@pytest.fixture
def upload_server(tmp_path):
    articles, out = tmp_path / "articles", tmp_path / "out"
    articles.mkdir()
    (articles / "harbour.txt").write_text("Harbour news\n\nThe ferry from Calais was late.\n", encoding="utf-8")
    run_build(articles, out)
    server = AtlasServer(articles, out, tmp_path / "streamlit.log", env={"ATLAS_UPLOADS": "1"})
    yield server, articles
    server.stop()


def test_upload_adds_places_and_refuses_a_bad_file(upload_server, open_page, tmp_path):
    server, articles = upload_server
    good = tmp_path / "rotterdam-cargo.txt"
    good.write_text("Cargo at Rotterdam\n\nShips waited outside Rotterdam for three days.\n", encoding="utf-8")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 not an article")
    page, frame, guard = open_map(open_page, server.url)
    before = {f["id"] for f in load_places(server.data)["features"]}
    world(frame)
    wait_marker_set(frame, before)
    panel_view(page, "Articles")
    page.get_by_text("Add articles").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(good), str(bad)])
    # the button counts the files once the server has them
    page.get_by_role("button", name="Add 2 files to the map").click()
    # the refused file says why; the accepted one is saved and the map rebuilt with its places
    report = page.locator(".st-key-atlas_upload_report")
    expect(report).to_contain_text("rotterdam-cargo.txt added as rotterdam-cargo.txt", timeout=60_000)
    expect(report).to_contain_text("scan.pdf refused: not a supported type (.pdf files)")
    assert sorted(p.name for p in articles.iterdir()) == ["harbour.txt", "rotterdam-cargo.txt"]
    expect(page.locator(".st-key-atlas_header")).to_contain_text("in 2 articles", timeout=120_000)
    after = {f["id"]: f["properties"]["name"] for f in load_places(server.data)["features"]}
    assert "Rotterdam" in after.values() and before < set(after)
    wait_map_shows(page, set(after))  # the first view fits the new story: Calais and Rotterdam
    wait_idle(page)
    guard.assert_clean()
