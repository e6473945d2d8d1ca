"""The offline basemap in a real browser: detailed coast, boundaries and town names at city zoom, names
that never overlap, nothing fetched from another host (dashboard/static/atlas/basemap.js)."""
from __future__ import annotations

import itertools

from atlas_browser import wait_markers

DATASET = "document.getElementById('map_div').dataset"
DRAWN = f"() => {DATASET}.basemapView === AtlasBasemap.viewKey(map)"


def show(frame, lat: float, lon: float, zoom: int) -> dict:
    """Move the map and wait until the basemap says it has drawn this very view (data and names)."""
    frame.evaluate("([a, b, z]) => map.setView([a, b], z, {animate: false})", [lat, lon, zoom])
    frame.wait_for_function(DRAWN, timeout=60_000)
    return frame.evaluate(f"() => ({{...{DATASET}}})")


def drawn_parts(frame, layer: str) -> int:
    """How many pieces of a basemap layer ("coast", "admin1", ...) Leaflet draws in the view now."""
    return frame.evaluate(
        "(name) => { let n = 0; map.eachLayer(l => { if (l.atlasLayer === name && l._parts) {"
        " n += l._parts.length; } }); return n; }", layer)


def label_boxes(frame) -> list[tuple[str, list[float]]]:
    return frame.evaluate(
        "() => [...document.querySelectorAll('.atlas-label > span')].map(s => { const r = s.getBoundingClientRect();"
        " return [s.parentElement.dataset.name, [r.left, r.top, r.right, r.bottom]]; })")


def assert_no_overlap(boxes) -> None:
    for (na, a), (nb, b) in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), f"{na!r} overlaps {nb!r}"


def open_map(seeds_server, open_page):
    page, guard = open_page()
    page.goto(seeds_server.url)
    frame = wait_markers(page)
    frame.wait_for_function(f"() => {DATASET}.outlines === 'loaded'", timeout=60_000)
    assert frame.evaluate(f"{DATASET}.basemap") == "offline"
    return page, guard, frame


def test_calais_at_city_zoom_has_coast_and_town_names(seeds_server, open_page):
    _page, guard, frame = open_map(seeds_server, open_page)
    state = show(frame, 50.9519, 1.8563, 12)
    assert state["basemapLevel"] == "detail"
    assert drawn_parts(frame, "coast") > 0 and drawn_parts(frame, "land") > 0  # 1:10m coast and land in view
    names = [n for n, _ in label_boxes(frame)]
    assert len(names) >= 4, names
    assert int(state["labels"]) == len(names)
    # Calais is named once: by its marker (the articles mention it), not a second time by the basemap
    marker_names = frame.eval_on_selector_all(".atlas-pin-label", "els => els.map(e => e.textContent)")
    assert "Calais" in marker_names and "Calais" not in names, (marker_names, names)
    assert_no_overlap(label_boxes(frame))
    # the detail came as boxes fetched for this view, from the app itself
    fetched = frame.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)"
                             ".filter(u => u.includes('/vendor/basemap/boxes/'))")
    assert fetched and all(u.startswith("http://127.0.0.1:") for u in fetched)
    attribution = frame.inner_text(".leaflet-control-attribution")
    assert "Natural Earth" in attribution and "GeoNames" in attribution
    guard.assert_clean()


def test_valencia_at_zoom_9_has_names_and_boundaries(seeds_server, open_page):
    _page, guard, frame = open_map(seeds_server, open_page)
    show(frame, 39.47, -0.376, 9)
    assert drawn_parts(frame, "admin1") > 0 and drawn_parts(frame, "coast") > 0  # provinces, coast in view
    names = [n for n, _ in label_boxes(frame)]
    assert "Valencia" in names and len(names) >= 8, names
    assert_no_overlap(label_boxes(frame))
    guard.assert_clean()


def test_names_follow_the_zoom_and_never_overlap(seeds_server, open_page):
    _page, guard, frame = open_map(seeds_server, open_page)
    counts = {}
    for zoom in (3, 5, 7, 9, 11):
        state = show(frame, 39.47, -0.376, zoom)  # Valencia: no seed marker nearby
        boxes = label_boxes(frame)
        assert_no_overlap(boxes)
        counts[zoom] = {n for n, _ in boxes}
        countries = frame.locator(".atlas-label-country").count()
        assert (countries > 0) == (zoom <= 6), (zoom, countries)  # country names only zoomed out
        assert state["basemapLevel"] == ("low" if zoom <= 3 else "mid" if zoom <= 6 else "detail")
    assert "Valencia" in counts[7] and "Valencia" not in counts[3], counts  # big cities first
    assert "Sagunto" not in counts[5] and "Sagunto" in counts[9], counts  # towns only when zoomed in
    guard.assert_clean()
