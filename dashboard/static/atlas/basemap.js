/* Article Atlas basemaps: OpenStreetMap tiles, or the offline basemap built at set-up by
   `python -m dashboard.assets` (dashboard/basemap_data.py), with a layer control and a fall-back to the
   offline map when tiles cannot be reached. Declared by dashboard/basemap.py: AtlasBasemap.add(map, o).

   The offline basemap draws on canvases under the markers: the whole world from a light file at low
   zoom (o.levels), and from o.detailZoom only the o.boxDeg-degree boxes in view (fetched once each, the
   list of boxes in o.base + "manifest.json"). Town and country names come with the data, each with the
   zoom it shows from; they are placed biggest first and a name that would overlap one already placed is
   left out. The map container tells tests what is drawn: dataset.basemap ("offline"/"osm"),
   dataset.outlines ("loaded"), dataset.basemapLevel, dataset.basemapReady ("<zoom>:<level>"), dataset.basemapView
   (AtlasBasemap.viewKey of the view drawn), dataset.labels (names placed). */
(function () {
  "use strict";
  var SCALE = 1e4;
  var STYLE = {
    land: {stroke: false, fill: true, fillColor: "#f3efe4", fillOpacity: 1},
    lakes: {stroke: false, fill: true, fillColor: "#a9cbe6", fillOpacity: 1},
    rivers: {color: "#7aaed8", weight: 1.3, opacity: 1, fill: false},
    admin1: {color: "#9a86a6", weight: 1, opacity: 0.9, dashArray: "5 4", fill: false},
    borders: {color: "#7d5a7d", weight: 1.8, opacity: 1, fill: false},
    coast: {color: "#5d8fbb", weight: 1.1, opacity: 1, fill: false}
  };
  var PANES = {land: ["atlasLand", 200], water: ["atlasWater", 205], lines: ["atlasLines", 210],
               labels: ["atlasLabels", 390]};
  /* label classes: country, city (500,000 people and more), town, small town (under 20,000) */
  var FONTS = {country: "italic 600 11px sans-serif", city: "700 13px sans-serif", town: "600 12px sans-serif",
               small: "500 11px sans-serif"};
  function labelClass(l) {
    if (l[5] === "c") { return "country"; }
    return l[4] >= 500000 ? "city" : l[4] >= 20000 ? "town" : "small";
  }
  var GAP = 3, CACHE = 48, ANCHORS = ["above", "right", "left", "below"];

  function decode(flat) {
    var pts = new Array(flat.length / 2), lat = 0, lon = 0;
    for (var i = 0, j = 0; i < flat.length; i += 2, j += 1) {
      lat += flat[i]; lon += flat[i + 1];
      pts[j] = [lat / SCALE, lon / SCALE];
    }
    return pts;
  }

  /* the view the drawn basemap and labels are for (tests wait until it is the map's current view) */
  function viewKey(map) {
    var c = map.getCenter();
    return c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," + map.getZoom();
  }

  function overlaps(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }

  var Offline = L.Layer.extend({
    initialize: function (o) {
      this.o = o; this.pieces = {}; this.pending = {}; this.failed = {}; this.shown = {};
      this.manifest = null; this.used = 0;
      this.measure = document.createElement("canvas").getContext("2d");
    },
    getAttribution: function () { return this.o.attribution; },

    onAdd: function (map) {
      this._map = map;
      var r = this.renderers = {};
      Object.keys(PANES).forEach(function (k) {
        if (!map.getPane(PANES[k][0])) { map.createPane(PANES[k][0]).style.zIndex = PANES[k][1]; }
        if (k !== "labels") { r[k] = L.canvas({pane: PANES[k][0], padding: 0.3}); }
      });
      this.labelPane = map.getPane(PANES.labels[0]);
      this.labelPane.classList.add("atlas-labels");
      map.on("moveend", this.update, this);
      map.on("zoomstart", this.hideLabels, this);
      map.on("layeradd layerremove", this.markersChanged, this);
      this.update();
    },
    onRemove: function (map) {
      map.off("moveend", this.update, this);
      map.off("zoomstart", this.hideLabels, this);
      map.off("layeradd layerremove", this.markersChanged, this);
      var self = this;
      Object.keys(this.shown).forEach(function (k) { self.setShown(k, false); });
      this.labelPane.textContent = "";
    },
    hideLabels: function () { this.labelPane.style.visibility = "hidden"; },
    /* markers came or went (a rerun replaces them): place the names again */
    markersChanged: function (e) {
      if (e.layer instanceof L.Marker && this.labelPane.style.visibility !== "hidden") { this.scheduleLabels(); }
    },
    /* names are placed in the next frame, once every layer (markers too) has its new position; then the
       container says which view is drawn (readyLevel: what update() found complete, undefined: unchanged) */
    scheduleLabels: function (readyLevel) {
      var self = this;
      if (readyLevel !== undefined) { this.readyLevel = readyLevel; }
      if (this.relabel) { return; }
      this.relabel = requestAnimationFrame(function () {
        self.relabel = null;
        var map = self._map;
        if (!map) { return; }
        self.placeLabels();
        var el = map.getContainer();
        el.dataset.basemapReady = self.readyLevel ? map.getZoom() + ":" + self.readyLevel : "";
        el.dataset.basemapView = self.readyLevel ? viewKey(map) : "";
      });
    },

    level: function (z) {
      var levels = this.o.levels;
      for (var i = 0; i < levels.length; i += 1) { if (z <= levels[i].maxZoom) { return levels[i]; } }
      return null;
    },
    /* the keys of what the view needs: one world file, or the boxes in view */
    wanted: function () {
      var map = this._map, z = map.getZoom(), lv = this.level(z);
      if (lv) { return {name: lv.name, keys: [lv.name]}; }
      if (!this.manifest) { this.loadManifest(); return {name: "detail", keys: null}; }
      var b = map.getBounds().pad(0.15), d = this.o.boxDeg, keys = [];
      var c0 = Math.floor((Math.max(-180, b.getWest()) + 180) / d), c1 = Math.floor((Math.min(179.999, b.getEast()) + 180) / d);
      var r0 = Math.floor((Math.max(-89.999, b.getSouth()) + 90) / d), r1 = Math.floor((Math.min(89.999, b.getNorth()) + 90) / d);
      for (var c = c0; c <= c1; c += 1) {
        for (var r = r0; r <= r1; r += 1) {
          var key = c + "_" + r;
          if (this.manifest[key]) { keys.push(key); }
        }
      }
      return {name: "detail", keys: keys};
    },
    url: function (key) {
      var lv = this.o.levels.filter(function (l) { return l.name === key; })[0];
      return this.o.base + (lv ? lv.file : "boxes/" + key + ".json");
    },
    loadManifest: function () {
      var self = this;
      if (this.pending.manifest) { return; }
      this.pending.manifest = true;
      fetch(this.o.base + "manifest.json").then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json();
      }).then(function (m) {
        var boxes = {};
        m.boxes.forEach(function (k) { boxes[k] = true; });
        self.manifest = boxes;
        if (self._map) { self.update(); }
      }).catch(function (e) { console.warn("atlas: offline basemap manifest unavailable", e); });
    },
    load: function (key) {
      var self = this;
      if (this.pieces[key] || this.pending[key] || this.failed[key]) { return; }
      this.pending[key] = true;
      fetch(this.url(key)).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json();
      }).then(function (data) {
        delete self.pending[key];
        self.pieces[key] = self.build(data);
        if (self._map) { self.update(); }
      }).catch(function (e) {
        delete self.pending[key]; self.failed[key] = true;
        console.warn("atlas: offline basemap part unavailable", key, e);
      });
    },
    build: function (data) {
      var r = this.renderers, layers = [];
      function add(name, renderer, make) {
        var parts = data[name] || [];
        if (!parts.length) { return; }
        var layer = make(parts, L.extend({renderer: renderer, interactive: false}, STYLE[name]));
        layer.atlasLayer = name;
        layers.push(layer);
      }
      function polygons(parts, opts) { return L.polygon(parts.map(function (p) { return p.map(decode); }), opts); }
      function lines(parts, opts) { return L.polyline(parts.map(decode), opts); }
      add("land", r.land, polygons);
      add("lakes", r.water, polygons);
      add("rivers", r.water, lines);
      add("admin1", r.lines, lines);
      add("borders", r.lines, lines);
      add("coast", r.lines, lines);
      return {layers: layers, labels: data.labels || [], used: 0};
    },
    setShown: function (key, on) {
      var piece = this.pieces[key], map = this._map;
      if (!piece || !!this.shown[key] === on) { return; }
      piece.layers.forEach(function (l) { if (on) { l.addTo(map); } else { map.removeLayer(l); } });
      if (on) { this.shown[key] = true; } else { delete this.shown[key]; }
    },
    forget: function () {
      var self = this, keys = Object.keys(this.pieces).filter(function (k) { return !self.shown[k]; });
      if (Object.keys(this.pieces).length <= CACHE) { return; }
      keys.sort(function (a, b) { return self.pieces[a].used - self.pieces[b].used; });
      keys.slice(0, Object.keys(this.pieces).length - CACHE).forEach(function (k) { delete self.pieces[k]; });
    },

    update: function () {
      var map = this._map, self = this;
      if (!map) { return; }
      var want = this.wanted(), keys = want.keys || [];
      keys.forEach(function (k) { self.load(k); });
      var ready = want.keys !== null && keys.every(function (k) { return self.pieces[k] || self.failed[k]; });
      this.used += 1;
      keys.forEach(function (k) { if (self.pieces[k]) { self.pieces[k].used = self.used; self.setShown(k, true); } });
      if (ready) {
        Object.keys(this.shown).forEach(function (k) { if (keys.indexOf(k) < 0) { self.setShown(k, false); } });
        this.forget();
      }
      var el = map.getContainer();
      if (Object.keys(this.shown).length) { el.dataset.outlines = "loaded"; }
      el.dataset.basemapLevel = want.name;
      el.dataset.basemapReady = el.dataset.basemapView = "";
      this.scheduleLabels(ready ? want.name : null);
    },

    /* Names in view that show at this zoom, biggest first; a name overlapping one placed is skipped. */
    placeLabels: function () {
      var map = this._map, z = map.getZoom(), self = this, seen = {}, cands = [];
      var view = map.getBounds().pad(0.05), size = map.getSize();
      Object.keys(this.shown).forEach(function (k) {
        self.pieces[k].labels.forEach(function (l) {
          var id = l[0] + "|" + l[1] + "|" + l[2];
          if (l[3] <= z && !seen[id] && view.contains([l[1], l[2]])) { seen[id] = true; cands.push(l); }
        });
      });
      cands.sort(function (a, b) {
        return (a[3] - b[3]) || ((a[5] === "c" ? 0 : 1) - (b[5] === "c" ? 0 : 1)) || (b[4] - a[4]);
      });
      var pane = this.labelPane, markers = this.markerBoxes(), placed = markers.concat(this.controlBoxes()), frag = document.createDocumentFragment();
      var ctx = this.measure, shown = 0;
      /* a place the articles mention is named by its marker already: no second name for it */
      var named = {};
      Array.prototype.forEach.call(map.getContainer().querySelectorAll(".atlas-pin"), function (el) {
        named[el.dataset.placeName] = true;
      });
      pane.textContent = "";
      cands.forEach(function (l) {
        if (named[l[0]]) { return; }
        var country = l[5] === "c", text = country ? l[0].toUpperCase() : l[0], cls = labelClass(l);
        var p = map.latLngToContainerPoint([l[1], l[2]]);
        ctx.font = FONTS[cls];
        var w = ctx.measureText(text).width, anchors = country ? ["centre"] : ANCHORS, box = null, anchor;
        var r = 4;  /* beside the dot, or beside a marker drawn on the place */
        markers.forEach(function (m) {
          if (p.x >= m[0] && p.x <= m[2] && p.y >= m[1] && p.y <= m[3]) {
            r = Math.max(r, p.x - m[0], m[2] - p.x, p.y - m[1], m[3] - p.y) + 1;
          }
        });
        for (var a = 0; a < anchors.length && !box; a += 1) {
          var b = labelBox(anchors[a], p, w, r);
          var inside = b[0] + GAP >= 0 && b[2] - GAP <= size.x && b[1] + GAP >= 0 && b[3] - GAP <= size.y;
          if (inside && !placed.some(function (q) { return overlaps(b, q); })) { box = b; anchor = anchors[a]; }
        }
        if (!box) { return; }
        placed.push(box);
        if (!country) { placed.push([p.x - 3, p.y - 3, p.x + 3, p.y + 3]); }
        shown += 1;
        var el = document.createElement("div");
        el.className = "atlas-label atlas-label-" + cls + (country ? "" : " atlas-label-place");
        el.dataset.anchor = anchor;
        var span = document.createElement("span");
        span.textContent = text;
        span.style.left = (box[0] + GAP - p.x) + "px";
        span.style.top = (box[1] + GAP - p.y) + "px";
        el.appendChild(span);
        el.dataset.name = l[0];
        L.DomUtil.setPosition(el, map.latLngToLayerPoint([l[1], l[2]]));
        frag.appendChild(el);
      });
      pane.appendChild(frag);
      pane.style.visibility = "";
      map.getContainer().dataset.labels = String(shown);
    },
    /* boxes (container pixels) no name may cover: a name moves beside a marker, never under it */
    markerBoxes: function () {  /* markers and the names places.js puts beside them */
      return this.boxesOf(".leaflet-marker-pane .leaflet-marker-icon, .leaflet-marker-pane .atlas-pin-label"); },
    /* the map's own controls (zoom, layers, scale, attribution) */
    controlBoxes: function () { return this.boxesOf(".leaflet-control"); },
    boxesOf: function (selector) {
      var el = this._map.getContainer(), origin = el.getBoundingClientRect(), out = [];
      el.querySelectorAll(selector).forEach(function (m) {
        var r = m.getBoundingClientRect();
        out.push([r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top]);
      });
      return out;
    }
  });

  /* a label's box (with GAP around it) for an anchor: the name above, right, left or below its dot (or
     the marker drawn there, r pixels around the point), or centred (countries) */
  function labelBox(anchor, p, w, r) {
    var h = 14, b;
    if (anchor === "centre") { b = [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2]; }
    else if (anchor === "above") { b = [p.x - w / 2, p.y - r - h, p.x + w / 2, p.y - r]; }
    else if (anchor === "below") { b = [p.x - w / 2, p.y + r, p.x + w / 2, p.y + r + h]; }
    else if (anchor === "right") { b = [p.x + r + 2, p.y - h / 2, p.x + r + 2 + w, p.y + h / 2]; }
    else { b = [p.x - r - 2 - w, p.y - h / 2, p.x - r - 2, p.y + h / 2]; }
    return [b[0] - GAP, b[1] - GAP, b[2] + GAP, b[3] + GAP];
  }

  function add(map, o) {
    var offline = new Offline(o);
    var tiles = L.tileLayer(o.osm, {maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"});
    var bases = {"OpenStreetMap": tiles};
    bases[o.name] = offline;
    var el = map.getContainer();
    function useOffline(on) { el.classList.toggle("atlas-offline", on); el.dataset.basemap = on ? "offline" : "osm"; }
    map.on("baselayerchange", function (e) { useOffline(e.layer === offline); });
    if (o.mode === "osm") { tiles.addTo(map); useOffline(false); } else { offline.addTo(map); useOffline(true); }
    L.control.layers(bases, null, {collapsed: true, position: "topright"}).addTo(map);
    var loaded = 0, failed = 0;
    tiles.on("tileload", function () { loaded += 1; });
    tiles.on("tileerror", function () {
      failed += 1;
      if (loaded === 0 && failed >= 2 && map.hasLayer(tiles)) {
        map.removeLayer(tiles); offline.addTo(map); useOffline(true);
        el.dataset.fallback = "tiles-unreachable";
      }
    });
    window.atlasBasemap = offline;
    return offline;
  }

  window.AtlasBasemap = {add: add, decode: decode, viewKey: viewKey};
})();
