"""Issue 4's browser tests: the dashboard in chromium, every non-loopback request blocked."""
from __future__ import annotations

import json
import os
import re

import pytest

from playwright.sync_api import expect

from dashboard.params import encode_selection

from atlas_browser import (
    AtlasServer, click_marker, find_place, load_places, marker_ids, panel_view, run_build,
    selected_place, wait_idle, wait_markers, zoom_to,
)

pytestmark = pytest.mark.timeout(300)

ART_MAIN = "000_2bde1196e0d50633"
ART_PORTS = "004_7c139b525ec878d2"


def checkbox(page, title: str):
    """An article's checkbox in the panel's Articles view (switching to it when needed)."""
    boxes = page.locator('[data-testid="stCheckbox"]')
    if boxes.count() == 0:
        panel_view(page, "Articles")
        boxes.first.wait_for(timeout=20_000)
    return boxes.filter(has_text=title[:25])


def checked(page, title: str) -> bool:
    return checkbox(page, title).locator("input").is_checked()


def world(frame) -> None:
    """The map's own "World" button, then wait for the layout of that zoom."""
    frame.locator(".atlas-fit-world").click()
    frame.wait_for_function("() => { const d = document.getElementById('map_div').dataset;"
                            " return d.layoutZoom === '2' && d.moving === '0'; }")


def titles(places: dict) -> dict[str, str]:
    return {a["id"]: a["title"] for a in places["articles"]}


def select_calais(page, places):
    """Zoom to Calais (its neighbours overlap at the start zoom) and click its marker."""
    calais = find_place(places, "Calais")
    frame = wait_markers(page)
    lon, lat = calais["geometry"]["coordinates"]
    zoom_to(frame, lat, lon, 12)
    click_marker(frame, calais["id"])
    selected_place(page, calais["id"])
    return calais, frame


def test_page_loads_every_seed_place_offline(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    expected = {f["id"] for f in places["features"]}
    assert expected, "the seed build produced no places"
    page, guard = open_page()
    page.goto(seeds_server.url)
    frame = wait_markers(page)
    world(frame)  # at the whole world every place is on the map, as a marker or inside a cluster
    assert marker_ids(frame) == expected
    # the offline basemap (Natural Earth outlines served by the app) is drawn
    frame.wait_for_function("() => document.getElementById('map_div').dataset.outlines === 'loaded'")
    assert frame.evaluate("document.getElementById('map_div').dataset.basemap") == "offline"
    # Leaflet came from the app itself
    scripts = frame.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert any(s.endswith("/app/static/vendor/leaflet/leaflet.js") for s in scripts), scripts
    assert any("/app/static/atlas/places.js?v=" in s for s in scripts), scripts
    # the places table is one click away, in the panel
    panel_view(page, "Table")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    wait_idle(page)
    guard.assert_clean()


def test_first_load_reruns_once_for_the_ready_report(seeds_server, seeds_data, open_page):
    """The map sends no value while it is being drawn (streamlit-folium's initial view is not sent), then its
    ready report; a pan is still reported; the share link of an unmoved map holds the initial view."""
    page, guard = open_page()
    page.add_init_script("""window.__atlasValues = [];
      window.addEventListener("message", (e) => {
        if (e.data && e.data.type === "streamlit:setComponentValue") { window.__atlasValues.push(e.data.value); }
      });""")
    page.goto(seeds_server.url)
    frame = wait_markers(page)
    page.wait_for_function("() => window.__atlasValues.length > 0", timeout=30_000)
    wait_idle(page)
    values = page.evaluate("window.__atlasValues")
    assert len(values) == 1 and "atlas_ready" in values[0], values
    page.get_by_role("button", name="Get a link to this view").click()
    code = page.locator('.st-key-atlas_share [data-testid="stCode"] code')
    code.wait_for(timeout=20_000)
    link = code.inner_text().strip()
    zoom = frame.evaluate("map.getZoom()")
    lat, lon = frame.evaluate("[map.getCenter().lat, map.getCenter().lng]")
    query = dict(re.findall(r"[?&](lat|lon|zoom)=([^&]+)", link))
    assert int(query["zoom"]) == zoom, link
    tolerance = 2 * 360 / (256 * 2 ** zoom)  # two pixels (a resize may nudge the centre by a pixel)
    assert abs(float(query["lat"]) - lat) < tolerance and abs(float(query["lon"]) - lon) < tolerance, link
    frame.evaluate("map.setView([51.0, 2.0], 7, {animate: false})")
    page.wait_for_function("window.__atlasValues.some(v => v.center && v.zoom === 7)", timeout=20_000)
    guard.assert_clean()


def test_click_calais_shows_passages_from_both_articles(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    page, guard = open_page()
    page.goto(seeds_server.url)
    calais, _ = select_calais(page, places)
    wanted = set(calais["properties"]["articles"])
    assert {ART_MAIN, ART_PORTS} <= wanted, "the build should find Calais in both seed articles"
    # the panel arrives element by element: wait for every article group
    page.wait_for_function("(n) => document.querySelectorAll('.atlas-group').length === n",
                           arg=len(wanted), timeout=20_000)
    groups = page.locator(".atlas-group")
    assert set(groups.evaluate_all("els => els.map(e => e.dataset.article)")) == wanted
    for aid in wanted:
        group = page.locator(f'.atlas-group[data-article="{aid}"]')
        assert titles(places)[aid] in group.locator(".atlas-article-title").inner_text()
        marks = group.locator("mark.atlas-hl").all_inner_texts()
        assert marks and all(m.lower() == "calais" for m in marks), marks
    # the whole article, every mention of Calais highlighted
    n_main = sum(1 for m in calais["properties"]["mentions"] if m["article"] == ART_MAIN)
    page.locator(f'.atlas-group[data-article="{ART_MAIN}"]').scroll_into_view_if_needed()
    page.get_by_role("button", name="Read the whole article").first.click()
    dialog = page.get_by_role("dialog")
    reader = dialog.locator(".atlas-article-text")
    expect(reader).to_be_visible(timeout=20_000)
    marks = reader.locator("mark.atlas-hl").all_inner_texts()
    assert len(marks) >= n_main and all(m.lower() == "calais" for m in marks), marks
    assert titles(places)[ART_MAIN] in dialog.locator(".atlas-reader-title").inner_text()
    # the article opens in view: the dialog's top is inside the window
    box = dialog.locator(".atlas-reader-title").bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"] - 100, box
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0, timeout=20_000)
    # position source in plain words, and the GeoNames link
    meta = page.locator(".atlas-place-meta").inner_text()
    assert "Position from:" in meta and "computed:" not in meta
    if calais["properties"].get("geonameid"):
        link = page.locator(".atlas-place-meta a")
        assert link.get_attribute("href").endswith(f"/{calais['properties']['geonameid']}")
    guard.assert_clean()


def test_hiding_an_article_removes_its_places_and_keeps_zoom(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    zeebrugge = find_place(places, "Zeebrugge", ART_PORTS)
    hook = find_place(places, "Hook of Holland", ART_PORTS)
    calais = find_place(places, "Calais")
    page, guard = open_page()
    page.goto(seeds_server.url)
    frame = wait_markers(page)
    wait_idle(page)
    zoom_to(frame, 51.3, 2.8, 7)
    ids = marker_ids(frame)
    assert {zeebrugge["id"], hook["id"], calais["id"]} <= ids
    frame.evaluate("window.__still_same_map = true")
    checkbox(page, titles(places)[ART_PORTS]).locator("label").click()
    frame.wait_for_function(
        "([a, b]) => !document.querySelector(`.atlas-pin[data-place-id=\"${a}\"]`)"
        " && !document.querySelector(`.atlas-pin[data-place-id=\"${b}\"]`)"
        " && document.querySelector('.atlas-pin')",
        arg=[zeebrugge["id"], hook["id"]], timeout=20_000)
    ids = marker_ids(frame)
    assert calais["id"] in ids
    only_ports = {f["id"] for f in places["features"] if f["properties"]["articles"] == [ART_PORTS]}
    assert not (ids & only_ports)
    # the map was not reloaded: same window, same zoom
    assert frame.evaluate("window.__still_same_map === true")
    assert frame.evaluate("map.getZoom()") == 7
    # one hidden article: the link names it (shorter than naming the shown one)
    page.wait_for_function("([a, b]) => location.search.includes('hide=' + b) && !location.search.includes(a)",
                           arg=[ART_MAIN, ART_PORTS])
    guard.assert_clean()


def test_share_link_restores_articles_and_place(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    t = titles(places)
    page, guard = open_page()
    page.goto(seeds_server.url)
    wait_markers(page)
    wait_idle(page)
    checkbox(page, t[ART_PORTS]).locator("label").click()
    wait_idle(page)
    calais, frame = select_calais(page, places)
    wait_idle(page)
    page.get_by_role("button", name="Get a link to this view").click()
    code = page.locator('.st-key-atlas_share [data-testid="stCode"] code')
    code.wait_for(timeout=20_000)
    link = code.inner_text().strip()
    assert link.startswith(seeds_server.url), link
    assert f"place={calais['id']}" in link and f"hide={ART_PORTS}" in link and "zoom=12" in link
    guard.assert_clean()

    page2, guard2 = open_page()  # a fresh context: a new visitor with nothing but the link
    page2.goto(link)
    frame2 = wait_markers(page2)
    selected_place(page2, calais["id"], timeout=30_000)
    wait_idle(page2)
    # the recipient sees the selection ring and only the sender's articles' passages
    frame2.wait_for_function("(id) => document.querySelector(`.atlas-pin.atlas-selected[data-place-id=\"${id}\"]`)",
                             arg=calais["id"], timeout=20_000)
    groups = page2.locator(".atlas-group").evaluate_all("els => els.map(e => e.dataset.article)")
    assert groups == [ART_MAIN], groups
    assert checked(page2, t[ART_MAIN]) and not checked(page2, t[ART_PORTS])
    frame2.wait_for_function("() => map.getZoom() === 12", timeout=20_000)
    ids = marker_ids(frame2)
    assert calais["id"] in ids
    lat, lon = frame2.evaluate("[map.getCenter().lat, map.getCenter().lng]")
    assert abs(lat - calais["geometry"]["coordinates"][1]) < 0.05
    assert abs(lon - calais["geometry"]["coordinates"][0]) < 0.05
    guard2.assert_clean()


HOSTILE = """<b>Bold</b> headline <script>window.__pwned = "title"</script> from Paris (www.example.org, \
https://example.org/a, desk@example.org)
The mayor of Paris said <script>window.__pwned = "passage"</script> that <img src=x onerror="window.__pwned='img'"> nothing changed.

<i>Meanwhile</i> in Paris, <a href="javascript:window.__pwned='link'">click</a> the talks went on in France.
"""
HOSTILE_NAME = '<img src=x onerror="window.__pwned=\'name\'"><b>Paris</b>'


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, browser):
    articles = tmp_path_factory.mktemp("hostile-articles")
    (articles / "hostile_001.txt").write_text(HOSTILE, encoding="utf-8")
    data = tmp_path_factory.mktemp("hostile-data")
    run_build(articles, data)
    # A place name with markup too (as a geocoder or an override could deliver it).
    doc = load_places(data)
    target = find_place(doc, "Paris")
    target["properties"]["name"] = HOSTILE_NAME
    tmp = data / "places.geojson.tmp"
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(tmp, data / "places.geojson")
    server = AtlasServer(articles, data, tmp_path_factory.mktemp("logs") / "hostile.log")
    yield server, target
    server.stop()


def test_article_markup_is_plain_text_everywhere(hostile_server, open_page):
    server, target = hostile_server
    page, guard = open_page()
    page.goto(server.url)
    frame = wait_markers(page)
    wait_idle(page)
    lon, lat = target["geometry"]["coordinates"]
    zoom_to(frame, lat, lon, 10)
    pin = frame.locator(f'.atlas-pin[data-place-id="{target["id"]}"]')
    # the name reaches the marker, its label and its tooltip as text only
    expect(pin).to_have_attribute("aria-label", re.compile("^" + re.escape(HOSTILE_NAME)))
    expect(pin.locator(".atlas-pin-label")).to_have_text(HOSTILE_NAME)
    pin.hover()
    tip = frame.locator(".leaflet-tooltip")
    expect(tip).to_contain_text(HOSTILE_NAME)
    assert tip.locator("img, b").count() == 0
    click_marker(frame, target["id"])
    page.locator(".atlas-passage").first.wait_for(timeout=20_000)
    assert page.locator(".atlas-place-name").inner_text().strip() == HOSTILE_NAME
    passages = "\n".join(page.locator(".atlas-passage").all_inner_texts())
    assert '<script>window.__pwned = "passage"</script>' in passages
    assert '<a href="javascript:' in passages
    page.get_by_role("button", name="Read the whole article").first.click()
    reader = page.get_by_role("dialog").locator(".atlas-article-text")
    expect(reader).to_be_visible(timeout=20_000)
    text = reader.inner_text()
    assert "<i>Meanwhile</i>" in text and "onerror=" in text
    assert '<b>Bold</b> headline <script>' in page.locator(".atlas-reader-title").inner_text()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=20_000)
    # the article list shows the title literally too
    panel_view(page, "Articles")
    article_boxes = page.locator('[data-testid="stCheckbox"]').filter(has_not_text="Nationality words")
    expect(article_boxes.first).to_contain_text("<b>Bold</b>")
    # no markup from the article became elements anywhere (page or map), nothing ran
    for where in (page, frame):
        assert where.locator("b", has_text="Bold").count() == 0
        assert where.locator("b", has_text="Paris").count() == 0
        assert where.locator("i", has_text="Meanwhile").count() == 0
        assert where.locator("img[src='x']").count() == 0
        assert where.locator("a[href^='javascript']").count() == 0
        assert where.locator("script", has_text="__pwned").count() == 0
        assert where.locator("a[href*='example.org']").count() == 0  # addresses in the title stay text
    wait_idle(page)
    assert page.evaluate("window.__pwned") is None
    assert frame.evaluate("window.__pwned") is None
    guard.assert_clean()


def test_tampered_url_shows_notice_and_default_view(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    page, guard = open_page()
    page.goto(seeds_server.url + "?place=../../etc/passwd&articles=nope")
    frame = wait_markers(page)
    alerts = page.locator('[data-testid="stAlert"]')
    page.wait_for_function(
        "() => { const t = [...document.querySelectorAll('[data-testid=\"stAlert\"]')].map(e => e.innerText).join(' ');"
        " return t.includes('unknown place') && t.includes('unknown article'); }", timeout=20_000)
    text = " ".join(alerts.all_inner_texts())
    assert "unknown place" in text and "unknown article" in text
    assert "root:" not in page.content()
    wait_idle(page)
    assert page.locator(".atlas-place-name").count() == 0
    world(frame)
    assert marker_ids(frame) == {f["id"] for f in places["features"]}
    for title in titles(places).values():
        assert checked(page, title)
    page.wait_for_function("() => !location.search.includes('passwd')")
    guard.assert_clean()


def test_a_bitmap_link_opens_its_selection_and_a_tampered_one_gives_a_notice(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    ids = [a["id"] for a in places["articles"]]
    t = titles(places)
    value = encode_selection([ART_MAIN], ids)
    page, guard = open_page()
    page.goto(seeds_server.url + "?sel=" + value)
    frame = wait_markers(page)
    wait_idle(page)
    assert checked(page, t[ART_MAIN]) and not checked(page, t[ART_PORTS])
    assert find_place(places, "Zeebrugge", ART_PORTS)["id"] not in marker_ids(frame)
    guard.assert_clean()

    page2, guard2 = open_page()
    form, tag, bits = value.split(".")
    page2.goto(seeds_server.url + f"?sel={form}.{'0' * len(tag) if tag != '0' * len(tag) else '1' * len(tag)}.{bits}")
    wait_markers(page2)
    page2.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stAlert\"]')]"
        ".some(e => e.innerText.includes('other articles'))", timeout=20_000)
    wait_idle(page2)
    for title in t.values():
        assert checked(page2, title)
    guard2.assert_clean()


def test_downloads_hold_the_current_selection(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    page, guard = open_page()
    page.goto(seeds_server.url)
    wait_markers(page)
    wait_idle(page)
    checkbox(page, titles(places)[ART_PORTS]).locator("label").click()
    wait_idle(page)
    panel_view(page, "Table")
    expected = {f["id"] for f in places["features"] if ART_MAIN in f["properties"]["articles"]}
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download selection (GeoJSON)").click()
    doc = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert {f["id"] for f in doc["features"]} == expected
    assert all(m["article"] == ART_MAIN for f in doc["features"] for m in f["properties"]["mentions"])
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download selection (CSV)").click()
    lines = open(info.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("id,place,")
    assert {line.split(",", 1)[0] for line in lines[1:]} == expected
    guard.assert_clean()


def test_search_moves_the_map_to_the_place(seeds_server, seeds_data, open_page):
    places = load_places(seeds_data)
    dover = find_place(places, "Dover")
    page, guard = open_page()
    page.goto(seeds_server.url)
    frame = wait_markers(page)
    wait_idle(page)
    box = page.locator('.st-key-atlas_header [data-testid="stSelectbox"]')
    box.click()
    page.keyboard.type("Dover")
    page.get_by_role("option", name=re.compile(r"^Dover")).first.click()
    selected_place(page, dover["id"])
    frame.wait_for_function("() => map.getZoom() === 9", timeout=20_000)
    # the selection ring follows a search too
    frame.wait_for_function("(id) => document.querySelector(`.atlas-pin.atlas-selected[data-place-id=\"${id}\"]`)",
                            arg=dover["id"], timeout=20_000)
    lat, lon = frame.evaluate("[map.getCenter().lat, map.getCenter().lng]")
    assert abs(lat - dover["geometry"]["coordinates"][1]) < 0.01
    assert abs(lon - dover["geometry"]["coordinates"][0]) < 0.01
    guard.assert_clean()
