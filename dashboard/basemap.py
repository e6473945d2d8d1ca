"""The map's basemaps as a folium element: OpenStreetMap tiles or the offline basemap, a layer control,
and the fall-back to offline when tiles cannot be reached.

The JavaScript is `dashboard/static/atlas/basemap.js` (and its CSS), declared the way folium plugins
declare their assets (a JSCSSMixin): streamlit-folium loads the `default_js` / `default_css` of every
such element, here local URLs served by Streamlit's static server. The offline data comes from `python -m dashboard.assets`
(see `dashboard/basemap_data.py`).
"""
from __future__ import annotations

import json

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from dashboard import assets, basemap_data
from dashboard.static_files import static_url

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
SCRIPT_URL = "/app/static/atlas/basemap.js"
STYLE_URL = "/app/static/atlas/basemap.css"
OFFLINE_NAME = "Offline map (Natural Earth, GeoNames towns)"
OSM_CAPTION = "OpenStreetMap tiles"
OFFLINE_CAPTION = "offline - Natural Earth 1:10m coast, borders and provinces, lakes, rivers, GeoNames towns"


def caption(mode: str) -> str:
    """Which basemap the page starts with, in words (the map's corner names the one showing)."""
    return OSM_CAPTION if mode == "osm" else OFFLINE_CAPTION


def options(mode: str) -> dict:
    """What basemap.js needs; fixed for a mode, so the map's key (and the user's view) never changes."""
    return {
        "mode": "osm" if mode == "osm" else "offline",
        "osm": OSM_URL,
        "name": OFFLINE_NAME,
        "base": assets.BASEMAP_URL,
        "levels": [{"name": "low", "file": "world-110m.json", "maxZoom": basemap_data.LOW_MAX_ZOOM},
                   {"name": "mid", "file": "world-50m.json", "maxZoom": basemap_data.MID_MAX_ZOOM}],
        "boxDeg": basemap_data.BOX_DEG,
        "attribution": basemap_data.ATTRIBUTION,
    }


class AtlasBasemap(JSCSSMixin, MacroElement):
    """Adds the basemaps to its parent map: `AtlasBasemap(mode).add_to(m)`; mode "osm" or "offline"."""

    default_js = [("atlas_basemap", SCRIPT_URL)]  # noqa: RUF012 (folium's plugin convention)
    default_css = [("atlas_basemap_css", STYLE_URL)]  # noqa: RUF012
    # (the instances declare the same files with a content version, so a changed file is never cached)
    caption = staticmethod(caption)
    _template = Template("""
{% macro script(this, kwargs) %}
AtlasBasemap.add({{ this._parent.get_name() }}, {{ this.options_json }});
{% endmacro %}
""")

    def __init__(self, mode: str):
        super().__init__()
        self._name = "AtlasBasemaps"
        self.default_js = [("atlas_basemap", static_url("basemap.js"))]
        self.default_css = [("atlas_basemap_css", static_url("basemap.css"))]
        s = json.dumps(options(mode), ensure_ascii=False, separators=(",", ":"))
        self.options_json = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
