"""The map a reporter can use (issue 9): the page around the map, markers that never bury each other,
labels, clusters, keyboard, the selection that follows the view. Debian's chromium, internet blocked."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from atlas_browser import (
    MAP_IFRAME, AtlasServer, find_place, load_places, open_map, panel_view, pin_ids, run_build, selected_place,
    wait_idle, wait_markers, zoom_to,
)

pytestmark = pytest.mark.timeout(300)

ART_PORTS = "004_7c139b525ec878d2"
PORTS = ("Calais", "Coquelles", "Dunkirk", "Dover", "Zeebrugge", "Hook of Holland")

# Boxes of every marker, cluster and label drawn in the map frame, in page pixels.
BOXES_JS = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {
    markers: [...document.querySelectorAll('.atlas-pin, .atlas-cluster')].map(e => ({
      id: e.dataset.placeId || ('cluster:' + e.dataset.placeIds), name: e.dataset.placeName, box: box(e)})),
    labels: [...document.querySelectorAll('.atlas-pin-label')].map(e => ({text: e.textContent, box: box(e)})),
    towns: [...document.querySelectorAll('.atlas-labels .atlas-label > span')].map(e => ({text: e.textContent, box: box(e)})),
    map: box(document.getElementById('map_div')),
  };
}"""


def overlap(a, b, slack=0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def discs_overlap(a, b, slack=0.5) -> bool:
    """Markers are discs: do the discs inscribed in these boxes overlap?"""
    ax, ay, ar = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2, (a[2] - a[0]) / 2
    bx, by, br = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, (b[2] - b[0]) / 2
    return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 < ar + br - slack


def assert_nothing_buried(frame) -> dict:
    """No marker covers another, no label covers a marker or another label."""
    drawn = frame.evaluate(BOXES_JS)
    markers, labels = drawn["markers"], drawn["labels"]
    assert markers, "nothing drawn"
    for i, a in enumerate(markers):
        for b in markers[i + 1:]:
            assert not discs_overlap(a["box"], b["box"]), f"{a['id']} and {b['id']} overlap"
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not overlap(a["box"], b["box"]), f"labels {a['text']!r} and {b['text']!r} overlap"
        for m in markers:
            assert not overlap(a["box"], m["box"]), f"label {a['text']!r} covers marker {m['id']}"
    marker_names = {m["name"] for m in markers if m["name"]}
    for t in drawn["towns"]:  # the basemap's town names keep clear of the markers and their names
        assert t["text"] not in marker_names, f"{t['text']!r} is named twice (its marker has the name)"
        for m in markers:
            assert not overlap(t["box"], m["box"]), f"town name {t['text']!r} under marker {m['id']}"
        for a in labels:
            assert not overlap(t["box"], a["box"]), f"town name {t['text']!r} over the name {a['text']!r}"
    return drawn


def test_page_is_built_around_the_map(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    page, frame, guard = open_map(open_page, seeds_server.url, viewport=(1400, 900))
    iframe = page.locator(MAP_IFRAME).bounding_box()
    assert iframe["width"] >= 0.55 * 1400, iframe
    assert iframe["y"] + iframe["height"] >= 900 - 40 and iframe["height"] >= 700, iframe
    title = page.get_by_role("heading", name="Article Atlas").bounding_box()
    assert title["y"] < 40, title  # no blank band above the title
    # the Leaflet map fills its frame
    assert frame.evaluate("document.getElementById('map_div').getBoundingClientRect().height") >= iframe["height"] - 2
    # the panel scrolls on its own; the map stays where it is
    calais = find_place(places, "Calais")
    lon, lat = calais["geometry"]["coordinates"]
    zoom_to(frame, lat, lon, 10)
    frame.locator(f'.atlas-pin[data-place-id="{calais["id"]}"]').click()
    selected_place(page, calais["id"])
    page.wait_for_function("() => document.querySelectorAll('.atlas-group').length === 2", timeout=20_000)
    panel = page.locator(".st-key-atlas_panel")
    sizes = panel.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert sizes[0] > sizes[1], sizes
    panel.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    page.wait_for_function("() => document.querySelector('.st-key-atlas_panel').scrollTop > 0")
    assert page.evaluate("window.scrollY") == 0
    assert page.locator(MAP_IFRAME).bounding_box()["y"] == pytest.approx(iframe["y"], abs=1)
    guard.assert_clean()


def test_narrow_screen_stacks_map_then_panel(seeds_server, open_page):
    page, guard = open_page(viewport=(600, 900))
    page.goto(seeds_server.url)
    wait_markers(page)
    wait_idle(page)
    iframe = page.locator(MAP_IFRAME).bounding_box()
    panel = page.locator(".st-key-atlas_panel").bounding_box()
    assert iframe["width"] >= 500 and panel["y"] >= iframe["y"] + iframe["height"] - 1, (iframe, panel)
    guard.assert_clean()


def test_first_view_shows_every_port_clickable_and_labelled(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    page, frame, guard = open_map(open_page, seeds_server.url, viewport=(1400, 900))
    drawn = assert_nothing_buried(frame)
    ports = {name: find_place(places, name) for name in PORTS}
    # each port is its own marker, inside the map, and what a click at its centre hits
    assert {p["id"] for p in ports.values()} <= pin_ids(frame)
    left, top, right, bottom = drawn["map"]
    for name, port in ports.items():
        cx, cy, hit = frame.evaluate(
            "(id) => { const r = document.querySelector(`.atlas-pin[data-place-id=\"${id}\"]`).getBoundingClientRect();"
            " const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;"
            " const e = document.elementFromPoint(x, y), p = e && e.closest('.atlas-pin');"
            " return [x, y, p && p.dataset.placeId]; }", port["id"])
        assert left < cx < right and top < cy < bottom, name
        assert hit == port["id"], f"a click on {name} hits {hit}"
    # the most-mentioned places carry their names
    label_texts = {lab["text"] for lab in drawn["labels"]}
    assert "Calais" in label_texts and len(label_texts & set(PORTS)) >= 4, label_texts
    # a click on the last port opens its passages without any zooming
    zoom = frame.evaluate("map.getZoom()")
    frame.locator(f'.atlas-pin[data-place-id="{ports["Hook of Holland"]["id"]}"]').click()
    selected_place(page, ports["Hook of Holland"]["id"])
    assert frame.evaluate("map.getZoom()") == zoom
    guard.assert_clean()


def test_world_view_clusters_with_mention_counts_and_opens(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    # markers count the places named outright (nationality words only with their layer on)
    mentions = {f["id"]: sum(m.get("role", "place") == "place" for m in f["properties"]["mentions"])
                for f in places["features"]}
    page, frame, guard = open_map(open_page, seeds_server.url)
    frame.locator(".atlas-fit-world").click()
    frame.wait_for_function("() => { const d = document.getElementById('map_div').dataset;"
                            " return d.layoutZoom === '2' && d.moving === '0'; }")
    cluster = frame.locator(".atlas-cluster").first
    expect(cluster).to_be_visible()
    ids = cluster.get_attribute("data-place-ids").split()
    assert len(ids) > 7
    assert int(cluster.get_attribute("data-mentions")) == sum(mentions[i] for i in ids)  # mentions, not places
    assert cluster.inner_text().startswith(str(sum(mentions[i] for i in ids)))
    assert_nothing_buried(frame)
    cluster.click()  # opens: the map zooms in to the cluster's places
    frame.wait_for_function("() => { const d = document.getElementById('map_div').dataset;"
                            " return map.getZoom() > 2 && d.moving === '0' && d.layoutZoom === String(map.getZoom()); }",
                            timeout=20_000)
    assert len(pin_ids(frame) & set(ids)) >= 3
    assert_nothing_buried(frame)
    guard.assert_clean()


SYNTHETIC_JS = """([n, m]) => {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(['same' + i, 'Same point ' + i, 48.0, 2.0, 1 + i, ['#0072B2']]);
  for (let i = 0; i < m; i++) rows.push(['pile' + i, 'Pile ' + i, 40.0, -3.0, 2, ['#D55E00']]);
  map.setView([44, 0], 6, {animate: false});
  const g = L.featureGroup().addTo(map);
  AtlasPlaces.show(g, {rows: rows, key: 'synthetic-' + n + '-' + m, selected: null});
  return true;
}"""


def test_places_at_the_same_point_spread_out(seeds_server, open_page):
    """Places at one point fan out (a few) or cluster and fan out when zooming cannot separate them."""
    page, frame, guard = open_map(open_page, seeds_server.url)
    frame.evaluate(SYNTHETIC_JS, [3, 12])
    assert {f"same{i}" for i in range(3)} <= pin_ids(frame)  # three at one point: a fan, each clickable
    assert_nothing_buried(frame)
    pile = frame.locator(".atlas-cluster")
    expect(pile).to_have_count(1)
    assert pile.get_attribute("data-places") == "12"
    frame.evaluate("map.setView([40, -3], map.getMaxZoom(), {animate: false})")
    frame.locator(".atlas-cluster").click()  # zooming cannot separate them: they fan out
    frame.wait_for_function("() => document.querySelectorAll('.atlas-pin[data-place-id^=\"pile\"]').length === 12")
    assert_nothing_buried(frame)
    guard.assert_clean()


def test_markers_open_with_the_keyboard(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    dover, coquelles = find_place(places, "Dover"), find_place(places, "Coquelles")
    page, frame, guard = open_map(open_page, seeds_server.url)
    pin = frame.locator(f'.atlas-pin[data-place-id="{dover["id"]}"]')
    assert pin.get_attribute("role") == "button" and pin.get_attribute("tabindex") == "0"
    pin.focus()
    page.keyboard.press("Enter")
    selected_place(page, dover["id"])
    frame.locator(f'.atlas-pin[data-place-id="{coquelles["id"]}"]').focus()
    page.keyboard.press(" ")
    selected_place(page, coquelles["id"])
    guard.assert_clean()


def test_selection_survives_a_toggle_and_passages_follow_the_articles(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    calais = find_place(places, "Calais")
    page, frame, guard = open_map(open_page, seeds_server.url)
    frame.locator(f'.atlas-pin[data-place-id="{calais["id"]}"]').click()
    selected_place(page, calais["id"])
    ring = f'.atlas-pin.atlas-selected[data-place-id="{calais["id"]}"]'
    frame.wait_for_selector(ring, timeout=20_000)
    wait_idle(page)
    title = next(a["title"] for a in places["articles"] if a["id"] == ART_PORTS)
    panel_view(page, "Articles")
    page.locator('[data-testid="stCheckbox"]').filter(has_text=title[:25]).locator("label").click()
    frame.wait_for_function("(id) => !document.querySelector(`.atlas-pin[data-place-id=\"${id}\"]`)",
                            arg=find_place(places, "Zeebrugge", ART_PORTS)["id"], timeout=20_000)
    frame.wait_for_selector(ring, timeout=20_000)  # still marked after the layer changed
    wait_idle(page)
    panel_view(page, "Place")
    selected_place(page, calais["id"])
    hidden = sum(1 for m in calais["properties"]["mentions"] if m["article"] == ART_PORTS)
    note = page.locator(".atlas-hidden-note")
    expect(note).to_have_attribute("data-hidden", str(hidden))
    groups = page.locator(".atlas-group").evaluate_all("els => els.map(e => e.dataset.article)")
    assert ART_PORTS not in groups and groups
    guard.assert_clean()


def test_table_row_click_selects_the_place(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    # the table's order: most mentions (of places named outright) first, then by name
    def named(f):
        return sum(m.get("role", "place") == "place" for m in f["properties"]["mentions"])

    order = sorted((f for f in places["features"] if named(f)), key=lambda f: (-named(f), f["properties"]["name"]))
    target = order[3]
    page, guard = open_page()
    page.goto(seeds_server.url)
    wait_markers(page)
    wait_idle(page)
    panel_view(page, "Table")
    grid = page.locator('[data-testid="stDataFrame"]')
    expect(grid).to_be_visible(timeout=30_000)
    wait_idle(page)
    box = grid.bounding_box()
    row_h, header_h = 35, 35  # the data grid's default row and header heights
    page.mouse.click(box["x"] + 14, box["y"] + header_h + row_h * 3 + row_h / 2)  # the row's selection box
    selected_place(page, target["id"], timeout=30_000)
    guard.assert_clean()


@pytest.fixture(scope="module")
def left_out_server(tmp_path_factory, browser):
    articles = tmp_path_factory.mktemp("left-out-articles")
    (articles / "good.txt").write_text("Ferries from Calais\nThe ferry left Calais for Dover at dawn.\n")
    (articles / "empty.txt").write_text("")
    (articles / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    data = tmp_path_factory.mktemp("left-out-data")
    run_build(articles, data)
    server = AtlasServer(articles, data, tmp_path_factory.mktemp("logs") / "left-out.log")
    yield server
    server.stop()


def test_skipped_files_are_listed_with_their_reasons(left_out_server, open_page):
    page, guard = open_page()
    page.goto(left_out_server.url)
    wait_markers(page)
    wait_idle(page)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Left out")
    expect(expander).to_contain_text("2 files skipped")
    expander.locator("summary").click()
    grid = expander.locator('[data-testid="stDataFrame"]')
    expect(grid).to_be_visible(timeout=20_000)
    guard.assert_clean()


@pytest.fixture(scope="module")
def many_server(tmp_path_factory, browser):
    from dashboard.benchmark import generate_corpus

    articles = tmp_path_factory.mktemp("many-articles")
    generate_corpus(articles, 40, 320)
    data = tmp_path_factory.mktemp("many-data")
    run_build(articles, data)
    server = AtlasServer(articles, data, tmp_path_factory.mktemp("logs") / "many.log")
    yield server, data
    server.stop()


def test_many_articles_colour_by_kind_and_highlight_one(many_server, open_page):
    server, data = many_server
    places = load_places(data)
    page, frame, guard = open_map(open_page, server.url)
    assert_nothing_buried(frame)
    # more than ten articles: no per-article colours (no multi-colour discs)
    assert frame.locator(".atlas-pin.atlas-multi").count() == 0
    panel_view(page, "Articles")
    expect(page.locator(".atlas-legend")).to_contain_text("countries")
    article = places["articles"][0]
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Highlight an article").click()
    page.get_by_role("option", name=article["title"][:40]).first.click()
    ids = [f["id"] for f in places["features"] if article["id"] in f["properties"]["articles"]]
    frame.wait_for_function("(id) => { const e = document.querySelector(`.atlas-pin[data-place-id=\"${id}\"]`);"
                            " return !e || e.style.background.includes('230, 159, 0'); }", arg=ids[0],
                            timeout=20_000)
    frame.locator(".atlas-fit-world").click()
    frame.wait_for_function("() => { const d = document.getElementById('map_div').dataset;"
                            " return d.layoutZoom === '2' && d.moving === '0'; }")
    lit = frame.evaluate("() => [...document.querySelectorAll('.atlas-pin')]"
                         ".filter(e => e.style.background.includes('230, 159, 0')).map(e => e.dataset.placeId)")
    assert lit and set(lit) <= set(ids)
    guard.assert_clean()
