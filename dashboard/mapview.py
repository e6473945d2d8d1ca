"""The folium map: a fixed base map (the basemap of dashboard/basemap.py, the marker scripts) plus the
layer of shown places.

The base map never changes while the data stays the same, so streamlit-folium keeps the iframe (and the
user's zoom); the places go through `feature_group_to_add`. The browser code lives in its own files
under `dashboard/static/atlas/` and is declared the way folium plugins declare assets (`default_js` /
`default_css` on a `JSCSSMixin` element); every URL is local, served by Streamlit's static file server.
Markers are built in the browser from compact rows; every piece of text is set with textContent, so a
place name is never parsed as HTML.
"""
from __future__ import annotations

import json
import math

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from dashboard import assets
from dashboard.basemap import OSM_URL, AtlasBasemap  # noqa: F401 (OSM_URL: mapview's public name)
from dashboard.static_files import STATIC_DIR, STATIC_URL, static_url  # noqa: F401 (mapview's public names)
from geodata.geo import haversine_km

TILE_MODES = ("auto", "osm", "offline")

# Colour by article while at most this many are shown; beyond that, colour by kind of place.
COLOUR_BY_ARTICLE_MAX = 10
# A readable, colour-blind friendly set (Okabe-Ito + two Tableau colours): one per shown article.
ARTICLE_PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
    "#56B4E9", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF",
]
KIND_COLOURS = {  # colour by kind (many articles shown)
    "settlement": "#0072B2", "street": "#0072B2", "landmark": "#0072B2",
    "country": "#D55E00", "continent": "#D55E00",
    "admin1": "#CC79A7", "admin2": "#CC79A7", "region": "#CC79A7",
    "water": "#009E73",
}
KIND_LEGEND = [("#0072B2", "towns, streets, landmarks"), ("#D55E00", "countries, continents"),
               ("#CC79A7", "regions, states, counties"), ("#009E73", "seas, rivers, lakes")]
OTHER_KIND_COLOUR = "#7F7F7F"
HIGHLIGHT_COLOUR = "#E69F00"
MUTED_COLOUR = "#9aa5b1"
# Kinds whose point stands for a large area: left out when finding where a story mostly happens.
AREA_KINDS = frozenset({"country", "continent", "region", "admin1", "water"})
STORY_RADIUS_KM = 300.0
STORY_MIN_SHARE = 0.5


def js_json(value) -> str:
    """JSON safe to embed in a script (no '<', '>', '&' or line separators left raw)."""
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class PlaceMarkers(JSCSSMixin, MacroElement):
    """The marker code (static/atlas/places.js, bridge.js, places.css): grouping, fans, clusters,
    labels, selection, keyboard, the Story / World buttons; set up once per map."""

    _template = Template("""
{% macro script(this, kwargs) %}
AtlasPlaces.init({{ this._parent.get_name() }}, {{ this.options_json }});
AtlasBridge.quietStart({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, story: list[list[float]] | None, view_given: bool):
        super().__init__()
        self._name = "AtlasPlaceMarkers"
        self.default_js = [("atlas_bridge", static_url("bridge.js")), ("atlas_places", static_url("places.js"))]
        self.default_css = [("atlas_places_css", static_url("places.css"))]
        self.options_json = js_json({"story": story, "viewGiven": bool(view_given)})


class _ShownPlaces(MacroElement):
    """One layer update: the shown places' rows, their key and the selected place."""

    _template = Template("""
{% macro script(this, kwargs) %}
AtlasPlaces.show({{ this._parent.get_name() }}, {{ this.data_json }});
{% endmacro %}
""")

    def __init__(self, rows: list, key: str, selected: str | None):
        super().__init__()
        self._name = "AtlasShownPlaces"
        self.data_json = js_json({"rows": rows, "key": key, "selected": selected})


def initial_view(bounds: list[list[float]] | None) -> tuple[list[float], int]:
    """Centre and a zoom that shows the bounds (rough Web-Mercator fit for a ~800 px map); the browser
    fits the bounds exactly."""
    if not bounds:
        return [30.0, 0.0], 2
    (s, w), (n, e) = bounds
    centre = [(s + n) / 2, (w + e) / 2]
    span = max(n - s, (e - w) * 0.6, 0.02)
    zoom = int(max(2, min(12, math.floor(math.log2(360 / span)) - 1)))
    return centre, zoom


def story_bounds(places: list[dict]) -> list[list[float]] | None:
    """Where the articles mostly are: the places (areas such as countries left out) within
    STORY_RADIUS_KM of the point with the most mentions around it, if they hold at least
    STORY_MIN_SHARE of the mentions of such places; else the bounds of every place."""
    if not places:
        return None
    points = [p for p in places if p.get("kind") not in AREA_KINDS] or places
    total = sum(max(1, p["mention_count"]) for p in points)

    def near(centre: dict) -> list[dict]:
        return [p for p in points if haversine_km(centre["lat"], centre["lon"], p["lat"], p["lon"]) <= STORY_RADIUS_KM]

    # the heaviest places are the likely centres: try the 50 most mentioned (linear in the places)
    tries = sorted(points, key=lambda p: -p["mention_count"])[:50]
    best = max((near(c) for c in tries), key=lambda g: sum(max(1, p["mention_count"]) for p in g))
    chosen = best if sum(max(1, p["mention_count"]) for p in best) >= STORY_MIN_SHARE * total else places
    lats = [p["lat"] for p in chosen]
    lons = [p["lon"] for p in chosen]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def base_map(bounds: list[list[float]] | None, mode: str, story: list[list[float]] | None = None,
             view_given: bool = False) -> folium.Map:
    centre, zoom = initial_view(story or bounds)
    m = folium.Map(location=centre, zoom_start=zoom, tiles=None, max_zoom=18, min_zoom=1,
                   control_scale=True, world_copy_jump=False)
    m.default_js = [("leaflet", assets.LEAFLET_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    AtlasBasemap(mode).add_to(m)
    PlaceMarkers(story or bounds, view_given).add_to(m)
    return m


def article_colours(all_ids: list[str], shown: list[str]) -> dict[str, str]:
    """A distinct colour per shown article while at most COLOUR_BY_ARTICLE_MAX are shown: fixed per
    article in a small corpus, in the order shown in a larger one."""
    order = all_ids if len(all_ids) <= COLOUR_BY_ARTICLE_MAX else shown
    return {a: ARTICLE_PALETTE[i] for i, a in enumerate(order[:COLOUR_BY_ARTICLE_MAX])}


def colour_mode(shown: list[str]) -> str:
    return "article" if len(shown) <= COLOUR_BY_ARTICLE_MAX else "kind"


def place_rows(places: list[dict], shown: list[str], colours: dict[str, str],
               highlight: str | None = None) -> list:
    """One row per place of the shown articles: [id, name, lat, lon, mentions in the shown articles,
    [colours]]. Colours: one per shown article it is in (few articles shown); else by kind, or with an
    article highlighted, that article's places in the highlight colour and the others muted."""
    shown_set = set(shown)
    order = {a: i for i, a in enumerate(shown)}
    by_article = colour_mode(shown) == "article"
    rows = []
    for p in places:
        arts = sorted((a for a in p["articles"] if a in shown_set), key=order.get)
        if not arts:
            continue
        mentions = sum(1 for m in p["mentions"] if m["article"] in shown_set) or p["mention_count"]
        if by_article:
            fill = [colours.get(a, OTHER_KIND_COLOUR) for a in arts[:6]]
        elif highlight is not None:
            fill = [HIGHLIGHT_COLOUR if highlight in arts else MUTED_COLOUR]
        else:
            fill = [KIND_COLOURS.get(p.get("kind") or "", OTHER_KIND_COLOUR)]
        rows.append([p["id"], p["name"], round(p["lat"], 5), round(p["lon"], 5), mentions, fill])
    return rows


def place_group(rows: list, key: str, selected: str | None) -> folium.FeatureGroup:
    """The shown places from place_rows() as one feature group (the selection is part of it, so a
    toggle, a search or a shared link keep the selected marker marked)."""
    fg = folium.FeatureGroup(name="Places", control=False)
    _ShownPlaces(rows, key, selected).add_to(fg)
    return fg
