"""Browser tests of the other map modes: tile fallback when OpenStreetMap is unreachable, and the
canvas markers used for large corpora (forced here on the seed build)."""
from __future__ import annotations

import pytest

from atlas_browser import SEEDS, AtlasServer, MAP_IFRAME, find_place, load_places, wait_idle

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def osm_server(seeds_data, tmp_path_factory, browser):
    server = AtlasServer(SEEDS, seeds_data, tmp_path_factory.mktemp("logs") / "osm.log",
                         env={"ATLAS_TILES": "osm"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def canvas_server(seeds_data, tmp_path_factory, browser):
    server = AtlasServer(SEEDS, seeds_data, tmp_path_factory.mktemp("logs") / "canvas.log",
                         env={"ATLAS_MARKERS": "canvas"})
    yield server
    server.stop()


def test_unreachable_tiles_fall_back_to_offline_outlines(osm_server, seeds_data, open_page):
    page, guard = open_page()
    page.goto(osm_server.url)
    frame = page.wait_for_selector(MAP_IFRAME, timeout=60_000).content_frame()
    frame.wait_for_function("() => document.getElementById('map_div')"
                            " && document.getElementById('map_div').dataset.fallback === 'tiles-unreachable'",
                            timeout=60_000)
    frame.wait_for_function("() => document.getElementById('map_div').dataset.outlines === 'loaded'")
    assert frame.evaluate("document.getElementById('map_div').dataset.basemap") == "offline"
    assert frame.evaluate("window.atlasMarkerCount") == len(load_places(seeds_data)["features"])
    # the tiles were tried (and blocked); nothing else left the machine
    assert guard.blocked and all(u.startswith("https://tile.openstreetmap.org/") for u in guard.blocked)
    assert all("Failed to load resource" in e for e in guard.console_errors), guard.console_errors


def test_canvas_markers_click_and_filter(canvas_server, seeds_data, open_page):
    places = load_places(seeds_data)
    calais = find_place(places, "Calais")
    zeebrugge = find_place(places, "Zeebrugge", "004_7c139b525ec878d2")
    page, guard = open_page()
    page.goto(canvas_server.url)
    iframe = page.wait_for_selector(MAP_IFRAME, timeout=60_000)
    frame = iframe.content_frame()
    frame.wait_for_function(f"() => window.atlasMarkerCount === {len(places['features'])}", timeout=60_000)
    assert frame.evaluate("document.getElementById('map_div').dataset.markers") == "canvas"
    assert frame.locator(".atlas-pin").count() == 0
    wait_idle(page)
    lon, lat = calais["geometry"]["coordinates"]
    frame.evaluate("([a, b]) => map.setView([a, b], 12, {animate: false})", [lat, lon])
    page.wait_for_timeout(300)
    x, y = frame.evaluate("([a, b]) => { const p = map.latLngToContainerPoint([a, b]);"
                          " const r = map.getContainer().getBoundingClientRect();"
                          " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("(id) => { const n = document.querySelector('.atlas-place-name');"
                           " return n && n.dataset.placeId === id; }", arg=calais["id"], timeout=20_000)
    page.wait_for_function("(n) => document.querySelectorAll('.atlas-group').length === n",
                           arg=len(calais["properties"]["articles"]), timeout=20_000)
    wait_idle(page)
    page.locator('[data-testid="stCheckbox"]').nth(1).locator("label").click()
    frame.wait_for_function("(id) => window.atlasMarkers && !(id in window.atlasMarkers)",
                            arg=zeebrugge["id"], timeout=20_000)
    assert frame.evaluate("(id) => id in window.atlasMarkers", calais["id"])
    guard.assert_clean()
