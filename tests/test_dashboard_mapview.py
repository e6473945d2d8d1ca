"""The folium map: only local assets, fixed base map, per-article layers (dashboard/mapview.py)."""
import json

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


def _place(pid, name, lat, lon, kind, mentions):
    """mentions: {article: count}"""
    return {"id": pid, "name": name, "lat": lat, "lon": lon, "kind": kind,
            "mention_count": sum(mentions.values()), "articles": list(mentions),
            "mentions": [{"article": a} for a, n in mentions.items() for _ in range(n)]}


PLACES = [
    _place("c", "Calais", 50.95, 1.85, "settlement", {"a1": 3, "a2": 2}),
    _place("z", "Zeebrugge", 51.33, 3.2, "settlement", {"a2": 1}),
    _place("d", "Dover", 51.1, 1.3, "settlement", {"a1": 2}),
]
COLOURS = {"a1": "#111111", "a2": "#222222"}


def test_map_loads_only_local_assets():
    m = mapview.base_map([[50, 1], [52, 4]], "offline")
    fg = mapview.place_group(mapview.place_rows(PLACES, ["a1", "a2"], COLOURS), "k", None)
    fg.add_to(m)
    links = all_links(m)
    assert links and all(u.startswith(("/app/static/vendor/", "/app/static/atlas/")) for u in links), links
    assert assets.LEAFLET_JS in links and assets.LEAFLET_CSS in links
    # our own browser code, declared as assets (folium-plugin style) and versioned by content
    ours = [u for u in links if u.startswith("/app/static/atlas/")]
    assert {u.split("?")[0].rsplit("/", 1)[1] for u in ours} == {
        "places.js", "bridge.js", "places.css", "basemap.js", "basemap.css"}
    assert all("?v=" in u for u in ours)
    assert any(u.startswith(basemap.SCRIPT_URL + "?v=") for u in ours)
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


def test_place_rows_colour_by_article_and_count_shown_mentions():
    rows = {r[0]: r for r in mapview.place_rows(PLACES, ["a1", "a2"], COLOURS)}
    assert set(rows) == {"c", "z", "d"}
    assert rows["c"][5] == ["#111111", "#222222"] and rows["d"][5] == ["#111111"]
    assert rows["c"][4] == 5
    only_a1 = {r[0]: r for r in mapview.place_rows(PLACES, ["a1"], COLOURS)}
    assert set(only_a1) == {"c", "d"} and only_a1["c"][4] == 3  # mentions in the shown article only
    assert mapview.place_rows(PLACES, [], COLOURS) == []


def test_many_articles_colour_by_kind_or_highlight():
    many = [f"a{i}" for i in range(12)]
    places = PLACES + [_place("f", "France", 46.0, 2.0, "country", {"a5": 4})]
    assert mapview.colour_mode(many) == "kind" and mapview.colour_mode(many[:10]) == "article"
    rows = {r[0]: r for r in mapview.place_rows(places, many, {})}
    assert rows["f"][5] == [mapview.KIND_COLOURS["country"]] and rows["c"][5] == [mapview.KIND_COLOURS["settlement"]]
    lit = {r[0]: r for r in mapview.place_rows(places, many, {}, highlight="a2")}
    assert lit["c"][5] == lit["z"][5] == [mapview.HIGHLIGHT_COLOUR] and lit["d"][5] == [mapview.MUTED_COLOUR]


def test_article_colours_are_distinct_for_the_shown():
    ids = [f"a{i}" for i in range(40)]
    shown = ids[5:15]
    colours = mapview.article_colours(ids, shown)
    assert len({colours[a] for a in shown}) == len(shown) == mapview.COLOUR_BY_ARTICLE_MAX
    small = mapview.article_colours(ids[:3], ids[1:3])  # a small corpus keeps one colour per article
    assert small == {a: mapview.ARTICLE_PALETTE[i] for i, a in enumerate(ids[:3])}


def test_story_bounds_fit_where_the_articles_mostly_are():
    channel = [_place("c", "Calais", 50.95, 1.86, "settlement", {"a": 25}),
               _place("q", "Coquelles", 50.93, 1.80, "settlement", {"a": 5}),
               _place("h", "Hook of Holland", 51.98, 4.13, "settlement", {"a": 1}),
               _place("d", "Dover", 51.13, 1.31, "settlement", {"a": 4})]
    far = [_place("s", "Sudan", 15.0, 30.0, "country", {"a": 2}),
           _place("uk", "United Kingdom", 54.0, -2.0, "country", {"a": 28}),
           _place("sy", "Sydney", -33.87, 151.2, "settlement", {"a": 2})]
    (s, w), (n, e) = mapview.story_bounds(channel + far)
    assert (s, w, n, e) == (50.93, 1.31, 51.98, 4.13)  # the ports; countries and the far town left out
    # a corpus spread over the world: every place
    spread = [_place(str(i), f"T{i}", lat, lon, "settlement", {"a": 1})
              for i, (lat, lon) in enumerate([(0, 0), (40, 100), (-30, -60), (60, 20)])]
    assert mapview.story_bounds(spread) == [[-30, -60], [60, 100]]
    assert mapview.story_bounds([]) is None


def test_js_json_cannot_close_a_script():
    s = mapview.js_json({"name": "</script><script>alert(1)</script>&\u2028"})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s)["name"] == "</script><script>alert(1)</script>&\u2028"


def test_initial_view_fits_the_places():
    centre, zoom = mapview.initial_view([[50.0, 1.0], [52.0, 4.0]])
    assert centre == [51.0, 2.5] and 4 <= zoom <= 9
    assert mapview.initial_view(None) == ([30.0, 0.0], 2)
