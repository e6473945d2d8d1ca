"""The folium map: a fixed base map (basemaps, marker code) plus per-article place layers.

The base map never changes while the data stays the same, so streamlit-folium keeps the iframe (and the
user's zoom); the place layers go through `feature_group_to_add`. All Leaflet assets are local URLs.
Markers are built in the browser from compact rows; every piece of text is set with textContent, so a
place name is never parsed as HTML.
"""
from __future__ import annotations

import json
import math

import folium
from branca.element import MacroElement
from jinja2 import Template

from dashboard import assets
from dashboard.basemap import OSM_URL, AtlasBasemap  # noqa: F401 (OSM_URL: mapview's public name)

TILE_MODES = ("auto", "osm", "offline")
MULTI_LAYER = "__several__"
DOM_MARKER_LIMIT = 400


def js_json(value) -> str:
    """JSON safe to embed in a script (no '<', '>', '&' or line separators left raw)."""
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Basemap(MacroElement):
    """The marker factory (the basemaps are dashboard/basemap.py's AtlasBasemap)."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
  .atlas-icon { background: transparent; border: none; }
  .atlas-pin { box-sizing: border-box; border-radius: 50%; border: 2px solid #fff; color: #fff;
    font: bold 11px/1 sans-serif; display: flex; align-items: center; justify-content: center;
    box-shadow: 0 0 3px rgba(0,0,0,.6); cursor: pointer; text-shadow: 0 0 2px #000; }
  .atlas-pin.atlas-multi { border: 3px double #111; }
  .atlas-pin.atlas-selected { outline: 3px solid #ff1744; outline-offset: 2px; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(map) {
  function pinStyle(el, colours, size) {
    el.style.width = size + "px"; el.style.height = size + "px";
    if (colours.length > 1) {
      var stops = [], step = 360 / colours.length;
      colours.forEach(function(c, i) { stops.push(c + " " + (i * step) + "deg " + ((i + 1) * step) + "deg"); });
      el.style.background = "conic-gradient(" + stops.join(",") + ")";
    } else { el.style.background = colours[0] || "#555"; }
  }
  var selectedId = null;
  function markSelected(layer, on) {
    if (layer.atlasEl) {
      layer.atlasEl.classList.toggle("atlas-selected", on);
      layer.setZIndexOffset(on ? 10000 : 0);
    } else if (layer.setStyle) {
      layer.setStyle(on ? {color: "#ff1744", weight: 4} : layer.atlasStyle);
      if (on) { layer.bringToFront(); }
    }
  }
  window.atlasSelect = function(id) {
    var reg = window.atlasMarkers || {};
    if (selectedId !== null && reg[selectedId]) { markSelected(reg[selectedId], false); }
    selectedId = id;
    if (id !== null && reg[id]) { markSelected(reg[id], true); }
  };
  /* Once the markers are drawn and the browser has nothing else to do, tell Streamlit: the app adds its
     heavy parts (places table, large article list) then, not while the map is still being drawn. */
  function reportReady() {
    try {
      window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
        dataType: "json", value: {atlas_ready: Date.now() + Math.random()}}, "*");
    } catch (e) { console.warn("atlas: ready report failed", e); }
  }
  requestAnimationFrame(function() { setTimeout(function() {
    if (window.requestIdleCallback) { window.requestIdleCallback(reportReady, {timeout: 1500}); }
    else { setTimeout(reportReady, 300); }
  }, 0); });
  /* streamlit-folium sends the map's view as soon as the map exists, which reruns the whole app while the
     browser is still drawing the markers, and tells the app nothing it does not know (the initial view).
     Record that value as already sent, so streamlit-folium sends only real changes (a pan, a zoom, a
     click). Only done when its state looks as expected; otherwise the value is sent as before. */
  var fd = window.__GLOBAL_DATA__;
  var FOLIUM_KEYS = ["last_clicked", "last_object_clicked", "last_object_clicked_count",
    "last_object_clicked_tooltip", "last_object_clicked_popup", "all_drawings", "last_active_drawing",
    "last_geocoder_result", "bounds", "zoom", "last_circle_radius", "last_circle_polygon", "center",
    "selected_layers", "selected_tags"];
  var known = {last_object_clicked_count: true, last_active_drawing: true, zoom: true, center: true};
  if (fd && "previous_data" in fd && Array.isArray(fd.returned_objects) && !fd.wrap_longitude
      && fd.returned_objects.every(function(k) { return known[k]; })) {
    var initial = {last_object_clicked_count: fd.last_object_clicked_count,
                   last_active_drawing: fd.last_active_drawing, zoom: map.getZoom(), center: map.getCenter()};
    var sent = {};
    FOLIUM_KEYS.forEach(function(k) { if (fd.returned_objects.indexOf(k) >= 0) { sent[k] = initial[k]; } });
    fd.previous_data = sent;
  }
  window.atlasRenderer = L.canvas({padding: 0.5});
  /* rows: [id, name, lat, lon, mentions, [colours]]; canvas: circles on one canvas (large corpora) */
  window.atlasPlaceLayer = function(rows, label, canvas) {
    var reg = window.atlasMarkers = window.atlasMarkers || {};
    var fc = {type: "FeatureCollection", features: rows.map(function(r) {
      return {type: "Feature", id: r[0], geometry: {type: "Point", coordinates: [r[3], r[2]]},
              properties: {id: r[0], name: r[1], mentions: r[4], colours: r[5]}};
    })};
    return L.geoJSON(fc, {
      pointToLayer: function(f, latlng) {
        var p = f.properties, multi = p.colours.length > 1, marker;
        var size = Math.round(Math.min(38, 16 + 5 * Math.log2(Math.max(1, p.mentions))));
        if (canvas) {
          var style = {renderer: window.atlasRenderer, radius: Math.max(4, size / 4),
                       fillColor: p.colours[0] || "#555", fillOpacity: 0.85,
                       color: multi ? "#111" : "#fff", weight: multi ? 2.5 : 1};
          marker = L.circleMarker(latlng, style);
          marker.atlasStyle = {color: style.color, weight: style.weight};
        } else {
          var el = document.createElement("div");
          el.className = "atlas-pin" + (multi ? " atlas-multi" : "");
          el.textContent = String(p.mentions);
          el.dataset.placeId = p.id; el.dataset.placeName = p.name; el.dataset.layer = label;
          pinStyle(el, p.colours, size);
          marker = L.marker(latlng, {icon: L.divIcon({html: el, className: "atlas-icon",
              iconSize: [size, size]}), riseOnHover: true, keyboard: true});
          marker.atlasEl = el;
        }
        /* the tooltip is made when first shown (thousands of markers load faster); text only */
        marker.bindTooltip(function() {
          var tip = document.createElement("div");
          tip.textContent = p.name + " (" + p.mentions + (p.mentions === 1 ? " mention)" : " mentions)");
          return tip;
        }, {direction: "top", offset: [0, canvas ? -size / 4 : -size / 2]});
        marker.on("click", function() {
          window.atlasSelect(p.id);
          /* Tell Streamlit at once (streamlit-folium reports the same click ~250 ms later, debounced). */
          try {
            window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
              dataType: "json", value: {atlas_click: p.id, atlas_nonce: Date.now() + Math.random()}}, "*");
          } catch (e) { console.warn("atlas: direct click report failed", e); }
        });
        reg[p.id] = marker;
        return marker;
      }
    });
  };
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, mode: str):
        super().__init__()
        self._name = "AtlasBasemap"


class _PlaceLayers(MacroElement):
    """The shown places: one Leaflet layer per article plus one for places in several articles."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function(group, layers, canvas) {
  window.atlasMarkers = {};
  layers.forEach(function(l) { window.atlasPlaceLayer(l[1], l[0], canvas).addTo(group); });
  window.atlasMarkerCount = Object.keys(window.atlasMarkers).length;
  if (window.map) { window.map.getContainer().dataset.markers = canvas ? "canvas" : "dom"; }
})({{ this._parent.get_name() }}, {{ this.layers_json }}, {{ this.canvas_json }});
{% endmacro %}
""")

    def __init__(self, layers: list, canvas: bool):
        super().__init__()
        self._name = "AtlasPlaces"
        self.layers_json = js_json(layers)
        self.canvas_json = js_json(bool(canvas))


def initial_view(bounds: list[list[float]] | None) -> tuple[list[float], int]:
    """Centre and a zoom that shows all places (rough Web-Mercator fit for a ~700 px map)."""
    if not bounds:
        return [30.0, 0.0], 2
    (s, w), (n, e) = bounds
    centre = [(s + n) / 2, (w + e) / 2]
    span = max(n - s, (e - w) * 0.6, 0.02)
    zoom = int(max(2, min(12, math.floor(math.log2(360 / span)) - 1)))
    return centre, zoom


def base_map(bounds: list[list[float]] | None, mode: str) -> folium.Map:
    centre, zoom = initial_view(bounds)
    m = folium.Map(location=centre, zoom_start=zoom, tiles=None, max_zoom=18, min_zoom=1,
                   control_scale=True, world_copy_jump=False)
    m.default_js = [("leaflet", assets.LEAFLET_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    AtlasBasemap(mode).add_to(m)
    _Basemap(mode).add_to(m)
    return m


def place_rows(places: list[dict], shown: list[str], colours: dict[str, str]) -> list:
    """Group the places of the shown articles into per-article layers (+ one for shared places)."""
    shown_set = set(shown)
    order = {a: i for i, a in enumerate(shown)}
    per_article: dict[str, list] = {a: [] for a in shown}
    several: list = []
    for p in places:
        arts = sorted((a for a in p["articles"] if a in shown_set), key=order.get)
        if not arts:
            continue
        row = [p["id"], p["name"], round(p["lat"], 5), round(p["lon"], 5), p["mention_count"],
               [colours.get(a, "#555") for a in arts[:6]]]
        if len(arts) == 1:
            per_article[arts[0]].append(row)
        else:
            several.append(row)
    layers = [[a, rows] for a, rows in per_article.items() if rows]
    if several:
        layers.append([MULTI_LAYER, several])
    return layers


def use_canvas(n_places: int, setting: str = "auto") -> bool:
    """Numbered DOM markers up to DOM_MARKER_LIMIT places; beyond that circles drawn on one canvas."""
    if setting == "dom":
        return False
    if setting == "canvas":
        return True
    return n_places > DOM_MARKER_LIMIT


def place_group(layers: list, canvas: bool = False) -> folium.FeatureGroup:
    """The shown places from place_rows() (the selection is marked in the browser, so clicks never
    rebuild the markers)."""
    fg = folium.FeatureGroup(name="Places", control=False)
    _PlaceLayers(layers, canvas).add_to(fg)
    return fg
