"""The folium map: only local assets, fixed base map, per-article layers (dashboard/mapview.py)."""
import json

import folium
import streamlit_folium

from dashboard import assets, basemap, mapview


def all_links(element):
    """Every JS/CSS URL the streamlit-folium component would load (the same walk it does)."""
    links = []
    stack = [element]
    while stack:
        e = stack.pop()
        links += [u for _, u in getattr(e, "default_js", [])] + [u for _, u in getattr(e, "default_css", [])]
        stack += list(getattr(e, "_children", {}).values())
    return links


PLACES = [
    {"id": "c", "name": "Calais", "lat": 50.95, "lon": 1.85, "mention_count": 5, "articles": ["a1", "a2"]},
    {"id": "z", "name": "Zeebrugge", "lat": 51.33, "lon": 3.2, "mention_count": 1, "articles": ["a2"]},
    {"id": "d", "name": "Dover", "lat": 51.1, "lon": 1.3, "mention_count": 2, "articles": ["a1"]},
]
COLOURS = {"a1": "#111111", "a2": "#222222"}


def test_map_loads_only_local_assets():
    m = mapview.base_map([[50, 1], [52, 4]], "offline")
    fg = mapview.place_group(mapview.place_rows(PLACES, ["a1", "a2"], COLOURS))
    fg.add_to(m)
    links = all_links(m)
    assert links and all(u.startswith("/app/static/") for u in links), links
    assert assets.LEAFLET_JS in links and assets.LEAFLET_CSS in links
    assert basemap.SCRIPT_URL in links and basemap.STYLE_URL in links
    html = m.get_root().render()
    assert "cdn" not in html.lower() and "http://" not in html
    # the only remote URL is the OSM tile template, used only when online
    assert html.count("https://") == html.count(mapview.OSM_URL.split("{")[0])


def test_base_map_is_stable_across_selections():
    """streamlit-folium keys the iframe on the base map's JS: it must not depend on the shown articles."""
    a = streamlit_folium._get_map_string(mapview.base_map([[50, 1], [52, 4]], "offline"))
    b = streamlit_folium._get_map_string(mapview.base_map([[50, 1], [52, 4]], "offline"))
    assert streamlit_folium.generate_js_hash(a, "k") == streamlit_folium.generate_js_hash(b, "k")
    c = streamlit_folium._get_map_string(mapview.base_map([[50, 1], [52, 4]], "osm"))
    assert streamlit_folium.generate_js_hash(a, "k") != streamlit_folium.generate_js_hash(c, "k")


def test_place_rows_group_by_article_and_shared():
    layers = dict((k, rows) for k, rows in mapview.place_rows(PLACES, ["a1", "a2"], COLOURS))
    assert [r[0] for r in layers["a1"]] == ["d"] and [r[0] for r in layers["a2"]] == ["z"]
    assert [r[0] for r in layers[mapview.MULTI_LAYER]] == ["c"]
    assert layers[mapview.MULTI_LAYER][0][5] == ["#111111", "#222222"]
    only_a1 = dict((k, rows) for k, rows in mapview.place_rows(PLACES, ["a1"], COLOURS))
    assert sorted(r[0] for rows in only_a1.values() for r in rows) == ["c", "d"]
    assert mapview.place_rows(PLACES, [], COLOURS) == []


def test_js_json_cannot_close_a_script():
    s = mapview.js_json({"name": "</script><script>alert(1)</script>&\u2028"})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s)["name"] == "</script><script>alert(1)</script>&\u2028"


def test_canvas_beyond_the_dom_limit():
    assert not mapview.use_canvas(mapview.DOM_MARKER_LIMIT)
    assert mapview.use_canvas(mapview.DOM_MARKER_LIMIT + 1)
    assert mapview.use_canvas(5, "canvas") and not mapview.use_canvas(10**6, "dom")


def test_initial_view_fits_the_places():
    centre, zoom = mapview.initial_view([[50.0, 1.0], [52.0, 4.0]])
    assert centre == [51.0, 2.5] and 4 <= zoom <= 9
    assert mapview.initial_view(None) == ([30.0, 0.0], 2)
