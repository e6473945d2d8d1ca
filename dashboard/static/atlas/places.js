/* Article Atlas: the place markers.
 *
 * Markers never bury each other. At every zoom the shown places are grouped on screen (most-mentioned
 * first): a place alone is drawn where it is; a few places that would overlap are fanned out around the
 * most-mentioned one, each towards its own direction, with a thin line to its true position; more than
 * FAN_MAX make a cluster that shows their total mentions and opens (zooms in, or fans out when zooming
 * cannot separate them). The most-mentioned places carry name labels, placed so that no label covers a
 * marker or another label. Markers are buttons: click, Enter or Space selects the place.
 *
 * Every piece of text is set with textContent, so a place name is never parsed as HTML.
 * Public API: AtlasPlaces.init(map, options) once per map, AtlasPlaces.show(group, data) per layer update.
 */
(function () {
  "use strict";

  var GROUP_PX = 34;        // places whose markers' centres are closer than this (px) form a group
  var CLUSTER_PX = 64;      // a place with more than FAN_MAX others this close (px) heads a cluster of them
  var FAN_MAX = 7;          // a group of up to this many places is fanned out; more make a cluster
  var LABEL_FONT = "600 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var LABEL_MAX = 60;       // at most this many labels in view
  var LABEL_GAP = 3;        // px between a marker and its label
  var VIEW_PAD = 0.4;       // markers are made for the view plus this share of it on each side
  var MAX_FIT_ZOOM = 11;
  /* fitted views keep clear of the controls (zoom, Story/World on the left, layers on the right) */
  var FIT = {maxZoom: MAX_FIT_ZOOM, paddingTopLeft: [70, 40], paddingBottomRight: [40, 40]};

  var state = {
    map: null, group: null, rows: [], key: null, selected: null, layouts: {}, drawn: {},
    leaders: null, readySent: false, clicked: false, pending: null, appSelected: null, options: {}
  };

  function markerSize(mentions) {
    return Math.round(Math.min(40, 18 + 5 * Math.log2(Math.max(1, mentions))));
  }

  function send(value) {
    try {
      window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
        dataType: "json", value: value}, "*");
    } catch (e) { console.warn("atlas: report to the page failed", e); }
  }

  function currentView() {
    var c = state.map.getCenter();
    return {center: {lat: c.lat, lng: c.lng}, zoom: state.map.getZoom()};
  }

  /* ------------------------------------------------------------ grouping (pure, per zoom) ------- */

  function project(zoom) {
    return state.rows.map(function (r) {
      var p = state.map.project([r.lat, r.lon], zoom);
      return {row: r, x: p.x, y: p.y, size: markerSize(r.mentions)};
    });
  }

  /* Places on screen in groups, heaviest first: a seed with more than FAN_MAX unassigned places within
     CLUSTER_PX makes a cluster of all of them, standing at the seed (so clusters are CLUSTER_PX apart and
     never overlap); otherwise the seed takes the places within GROUP_PX (alone, or a fan). */
  function groupPoints(pts) {
    var order = pts.slice().sort(byWeight), grid = {}, cell = CLUSTER_PX;
    function key(cx, cy) { return cx + ":" + cy; }
    order.forEach(function (p) {
      var k = key(Math.floor(p.x / cell), Math.floor(p.y / cell));
      (grid[k] = grid[k] || []).push(p);
    });
    function near(seed, radius) {
      var out = [], cx = Math.floor(seed.x / cell), cy = Math.floor(seed.y / cell);
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          (grid[key(cx + dx, cy + dy)] || []).forEach(function (p) {
            if (!p.taken && p !== seed && Math.hypot(p.x - seed.x, p.y - seed.y) < radius) { out.push(p); }
          });
        }
      }
      return out;
    }
    var groups = [];
    order.forEach(function (seed) {
      if (seed.taken) { return; }
      seed.taken = true;
      var wide = near(seed, CLUSTER_PX);
      var many = wide.length + 1 > FAN_MAX;
      var members = [seed].concat(many ? wide : near(seed, GROUP_PX));
      members.forEach(function (p) { p.taken = true; });
      groups.push({members: members.sort(byWeight), anchor: many ? {x: seed.x, y: seed.y} : null});
    });
    return groups;
  }

  /* Spread angles (radians, sorted) so neighbours are at least need[i] apart; a few relaxation passes. */
  function spreadAngles(angles, need) {
    var n = angles.length;
    for (var pass = 0; pass < 60; pass++) {
      var moved = false;
      for (var i = 0; i < n; i++) {
        var j = (i + 1) % n;
        var gap = angles[j] - angles[i];
        if (j === 0) { gap += 2 * Math.PI; }
        var want = (need[i] + need[j]) / 2;
        if (n > 1 && gap < want) {
          var push = (want - gap) / 2;
          angles[i] -= push; angles[j] += push; moved = true;
        }
      }
      if (!moved) { break; }
    }
    return angles;
  }

  /* Positions (layer px) for a fanned group: the seed stays, the others circle it, each on the side of
     its true position. */
  function fanLayout(members) {
    var seed = members[0], rest = members.slice(1);
    var maxSize = Math.max.apply(null, rest.map(function (m) { return m.size; }));
    var radius = seed.size / 2 + maxSize / 2 + 6;
    var circumference = rest.reduce(function (s, m) { return s + m.size + 6; }, 0);
    radius = Math.max(radius, circumference / (2 * Math.PI));
    var items = rest.map(function (m, i) {
      var dx = m.x - seed.x, dy = m.y - seed.y;
      var a = (Math.abs(dx) + Math.abs(dy) < 0.5) ? (-Math.PI / 2 + i * 2 * Math.PI / rest.length)
        : Math.atan2(dy, dx);
      return {m: m, a: a};
    }).sort(function (p, q) { return p.a - q.a; });
    var angles = spreadAngles(items.map(function (it) { return it.a; }),
                              items.map(function (it) { return (it.m.size + 6) / radius; }));
    var out = [{p: seed, x: seed.x, y: seed.y, moved: false}];
    items.forEach(function (it, i) {
      out.push({p: it.m, x: seed.x + radius * Math.cos(angles[i]), y: seed.y + radius * Math.sin(angles[i]),
                moved: true});
    });
    return out;
  }

  var CLUSTER_MAX_PX = 46;  // a cluster's disc grows with its mentions up to this size

  /* A cluster's disc: at its anchor (where an earlier cluster of the group stood) or at the members'
     mention-weighted centre; an anchored cluster that takes in its neighbours stays where it is, so
     clusters never drift into one another and swallow the map. */
  function clusterItem(members, anchor) {
    var total = 0, wx = 0, wy = 0;
    members.forEach(function (m) { total += m.row.mentions; wx += m.x * m.row.mentions; wy += m.y * m.row.mentions; });
    return {type: "cluster", members: members, mentions: total,
            x: anchor ? anchor.x : wx / total, y: anchor ? anchor.y : wy / total,
            size: Math.round(Math.min(CLUSTER_MAX_PX, 26 + 4 * Math.log2(Math.max(1, total))))};
  }

  /* One group's items ({members, anchor}): a place alone, a fan of a few, or one cluster. */
  function layoutGroup(group) {
    var members = group.members;
    if (members.length === 1) {
      return [{type: "place", p: members[0], x: members[0].x, y: members[0].y, moved: false}];
    }
    if (members.length <= FAN_MAX && !group.anchor) {
      return fanLayout(members).map(function (f) { return {type: "place", p: f.p, x: f.x, y: f.y, moved: f.moved}; });
    }
    return [clusterItem(members, group.anchor)];
  }

  function itemSize(item) { return item.type === "cluster" ? item.size : item.p.size; }

  /* Pairs of groups whose items overlap (a grid over the items' boxes finds the candidates). */
  function collidingGroups(laid) {
    var cell = 64, grid = {}, pairs = [];
    laid.forEach(function (items, g) {
      items.forEach(function (it) {
        var k = Math.floor(it.x / cell) + ":" + Math.floor(it.y / cell);
        (grid[k] = grid[k] || []).push({g: g, it: it});
      });
    });
    laid.forEach(function (items, g) {
      items.forEach(function (it) {
        var cx = Math.floor(it.x / cell), cy = Math.floor(it.y / cell);
        for (var dx = -1; dx <= 1; dx++) {
          for (var dy = -1; dy <= 1; dy++) {
            (grid[(cx + dx) + ":" + (cy + dy)] || []).forEach(function (o) {
              if (o.g <= g) { return; }
              var need = (itemSize(it) + itemSize(o.it)) / 2 + 2;
              if (Math.abs(it.x - o.it.x) < need && Math.abs(it.y - o.it.y) < need) { pairs.push([g, o.g]); }
            });
          }
        }
      });
    });
    return pairs;
  }

  function byWeight(a, b) {
    return (b.row.mentions - a.row.mentions) || (a.row.name < b.row.name ? -1 : a.row.name > b.row.name ? 1 : 0);
  }

  /* The heaviest cluster among some groups' items, as an anchor for their merged cluster (or null). */
  function heaviestCluster(indices, laid) {
    var best = null;
    indices.forEach(function (i) {
      laid[i].forEach(function (it) {
        if (it.type === "cluster" && (!best || it.mentions > best.mentions)) { best = it; }
      });
    });
    return best ? {x: best.x, y: best.y} : null;
  }

  /* Groups are laid out, then groups whose items would overlap are merged and laid out again, until
     nothing overlaps (a merged group of many becomes a cluster, standing where its heaviest cluster was). */
  function layoutFor(zoom) {
    if (state.layouts[zoom]) { return state.layouts[zoom]; }
    var groups = groupPoints(project(zoom)), laid = groups.map(layoutGroup);
    for (var round = 0; round < 40; round++) {
      var pairs = collidingGroups(laid);
      if (!pairs.length) { break; }
      /* each group merges with at most one other per round: no chain swallows a region at once */
      var partner = {};
      pairs.forEach(function (p) {
        if (!(p[0] in partner) && !(p[1] in partner)) { partner[p[0]] = p[1]; partner[p[1]] = p[0]; }
      });
      var sets = {};
      groups.forEach(function (_, i) { var r = i in partner ? Math.min(i, partner[i]) : i; (sets[r] = sets[r] || []).push(i); });
      groups = Object.keys(sets).map(function (k) {
        var idx = sets[k];
        if (idx.length === 1) { return groups[idx[0]]; }
        var members = [].concat.apply([], idx.map(function (i) { return groups[i].members; })).sort(byWeight);
        return {members: members, anchor: heaviestCluster(idx, laid)};
      });
      laid = groups.map(layoutGroup);
    }
    var items = [].concat.apply([], laid);
    state.layouts[zoom] = items;
    return items;
  }

  /* ------------------------------------------------------------ drawing ------------------------- */

  function pinElement(row, size) {
    var el = document.createElement("div");
    var colours = row.colours.length ? row.colours : ["#555"];
    el.className = "atlas-pin" + (colours.length > 1 ? " atlas-multi" : "");
    el.style.width = size + "px"; el.style.height = size + "px";
    if (colours.length > 1) {
      var stops = [], step = 360 / colours.length;
      colours.forEach(function (c, i) { stops.push(c + " " + (i * step) + "deg " + ((i + 1) * step) + "deg"); });
      el.style.background = "conic-gradient(" + stops.join(",") + ")";
    } else { el.style.background = colours[0]; }
    el.textContent = String(row.mentions);
    el.dataset.placeId = row.id;
    el.dataset.placeName = row.name;
    el.setAttribute("role", "button");
    el.setAttribute("tabindex", "0");
    el.setAttribute("aria-label", row.name + ", " + row.mentions + (row.mentions === 1 ? " mention" : " mentions"));
    if (row.id === state.selected) { el.classList.add("atlas-selected"); }
    return el;
  }

  function activate(el, handler) {
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " " || e.key === "Spacebar") {
        e.preventDefault(); e.stopPropagation(); handler();
      }
    });
  }

  /* A click is told to the app at once, and also written into streamlit-folium's own state (a new click
     count and the place's id), so a later value of streamlit-folium's (a pan's view, sent while the app
     is still busy) carries the click instead of replacing it. */
  function selectPlace(id) {
    window.atlasSelect(id);
    var fd = window.__GLOBAL_DATA__;
    if (fd && typeof fd.last_object_clicked_count === "number") {
      fd.last_object_clicked_count += 1;
      fd.last_active_drawing = {type: "Feature", properties: {id: id}, geometry: null};
    }
    state.clicked = true;  // a ready report still waiting would replace this click's value: it is not sent
    if (state.pending) { clearTimeout(state.pending.timer); }
    state.pending = {id: id, nonce: Date.now() + Math.random(), tries: 0};
    send({atlas_click: id, atlas_nonce: state.pending.nonce});
    awaitAnswer(state.pending);
  }

  /* Until the app answers a click (it draws the place layer again with that place selected, see show), the
     click is told again, with the same nonce, a few times: a value that streamlit-folium sends right after
     ours (a re-render, a pan's view) can replace it before the app reads it. The app ignores a nonce it has
     already seen, so a repeat never selects twice. */
  var CLICK_RETRIES = 3, CLICK_RETRY_MS = 1500;
  function awaitAnswer(pending) {
    pending.timer = setTimeout(function () {
      if (state.pending !== pending) { return; }
      if (state.appSelected === pending.id || pending.tries >= CLICK_RETRIES) { state.pending = null; return; }
      pending.tries += 1;
      send({atlas_click: pending.id, atlas_nonce: pending.nonce});
      awaitAnswer(pending);
    }, CLICK_RETRY_MS * (pending.tries + 1));
  }

  function placeMarker(item) {
    var row = item.p.row, size = item.p.size;
    var el = pinElement(row, size);
    var latlng = state.map.unproject([item.x, item.y], state.drawnZoom);
    var marker = L.marker(latlng, {icon: L.divIcon({html: el, className: "atlas-icon", iconSize: [size, size]}),
                                   keyboard: false, riseOnHover: true,
                                   zIndexOffset: row.id === state.selected ? 10000 : row.mentions});
    marker.bindTooltip(function () {
      var tip = document.createElement("div");
      tip.textContent = row.name + " (" + row.mentions + (row.mentions === 1 ? " mention)" : " mentions)");
      return tip;
    }, {direction: "top", offset: [0, -size / 2]});
    marker.on("click", function () { selectPlace(row.id); });
    activate(el, function () { selectPlace(row.id); });
    marker.atlasEl = el;
    marker.atlasItem = item;
    return marker;
  }

  function clusterMarker(item) {
    var el = document.createElement("div");
    var names = item.members.map(function (m) { return m.row.name; });
    el.className = "atlas-cluster";
    el.style.width = item.size + "px"; el.style.height = item.size + "px";
    el.textContent = String(item.mentions);
    el.setAttribute("role", "button");
    el.setAttribute("tabindex", "0");
    el.setAttribute("aria-label", item.members.length + " places, " + item.mentions + " mentions: " +
                    names.slice(0, 5).join(", ") + (names.length > 5 ? "..." : "") + ". Opens to show them.");
    el.dataset.places = String(item.members.length);
    el.dataset.placeIds = item.members.map(function (m) { return m.row.id; }).join(" ");
    el.dataset.mentions = String(item.mentions);
    if (item.members.some(function (m) { return m.row.id === state.selected; })) {
      el.classList.add("atlas-selected-inside");
    }
    var latlng = state.map.unproject([item.x, item.y], state.drawnZoom);
    var marker = L.marker(latlng, {icon: L.divIcon({html: el, className: "atlas-icon",
                                                      iconSize: [item.size, item.size]}),
                                   keyboard: false, zIndexOffset: 5000 + item.mentions});
    marker.bindTooltip(function () {
      var tip = document.createElement("div");
      tip.textContent = item.members.length + " places, " + item.mentions + " mentions: " +
        names.slice(0, 6).join(", ") + (names.length > 6 ? ", ..." : "");
      return tip;
    }, {direction: "top", offset: [0, -item.size / 2]});
    function open() { openCluster(item); }
    marker.on("click", open);
    activate(el, open);
    marker.atlasEl = el;
    marker.atlasItem = item;
    return marker;
  }

  function openCluster(item) {
    var map = state.map;
    var bounds = L.latLngBounds(item.members.map(function (m) { return [m.row.lat, m.row.lon]; }));
    var target = map.getBoundsZoom(bounds.pad(0.2));
    if (target > map.getZoom() && map.getZoom() < map.getMaxZoom()) {
      map.fitBounds(bounds.pad(0.2), {maxZoom: map.getMaxZoom()});
    } else {  /* zooming cannot separate them (one point): fan all of them out here */
      state.expanded = item;
      item.zoom = map.getZoom();
      redraw();
    }
  }

  function labelBox(item, text, side, width) {
    var r = item.type === "cluster" ? item.size / 2 : item.p.size / 2, h = 16;
    switch (side) {
      case "right": return {x1: item.x + r + LABEL_GAP, y1: item.y - h / 2, x2: item.x + r + LABEL_GAP + width, y2: item.y + h / 2};
      case "left": return {x1: item.x - r - LABEL_GAP - width, y1: item.y - h / 2, x2: item.x - r - LABEL_GAP, y2: item.y + h / 2};
      case "top": return {x1: item.x - width / 2, y1: item.y - r - LABEL_GAP - h, x2: item.x + width / 2, y2: item.y - r - LABEL_GAP};
      default: return {x1: item.x - width / 2, y1: item.y + r + LABEL_GAP, x2: item.x + width / 2, y2: item.y + r + LABEL_GAP + h};
    }
  }

  function overlaps(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }

  var measureCtx = null;
  function textWidth(text) {
    if (!measureCtx) { measureCtx = document.createElement("canvas").getContext("2d"); measureCtx.font = LABEL_FONT; }
    return Math.ceil(measureCtx.measureText(text).width) + 8;
  }

  /* The map's controls (zoom, layers, scale...) as boxes in the layout's pixel space. */
  function controlBoxes(view) {
    var container = state.map.getContainer(), c = container.getBoundingClientRect();
    return Array.prototype.map.call(container.querySelectorAll(".leaflet-control"), function (el) {
      var r = el.getBoundingClientRect();
      return {x1: r.left - c.left + view.min.x - 4, y1: r.top - c.top + view.min.y - 4,
              x2: r.right - c.left + view.min.x + 4, y2: r.bottom - c.top + view.min.y + 4};
    });
  }

  function inside(box, view) {
    return box.x1 >= view.min.x && box.x2 <= view.max.x && box.y1 >= view.min.y && box.y2 <= view.max.y;
  }

  /* Labels for the most-mentioned visible items, greedily, never over a marker, a control or another
     label, and never cut by the map's edge. */
  function placeLabels(drawn, view) {
    var boxes = drawn.map(function (d) {
      var r = (d.item.type === "cluster" ? d.item.size : d.item.p.size) / 2;
      return {x1: d.item.x - r, y1: d.item.y - r, x2: d.item.x + r, y2: d.item.y + r};
    }).concat(controlBoxes(view));
    var byWeight = drawn.slice().sort(function (a, b) { return weight(b.item) - weight(a.item); });
    var placed = 0;
    byWeight.forEach(function (d) {
      if (placed >= LABEL_MAX) { return; }
      var item = d.item;
      var text = item.type === "cluster"
        ? item.members[0].row.name + " +" + (item.members.length - 1) : item.p.row.name;
      var width = textWidth(text);
      var sides = item.moved ? [sideAway(item), "right", "left", "top", "bottom"] : ["right", "left", "top", "bottom"];
      for (var i = 0; i < sides.length; i++) {
        var box = labelBox(item, text, sides[i], width);
        if (inside(box, view) && !boxes.some(function (b) { return overlaps(b, box); })) {
          boxes.push(box);
          var label = document.createElement("span");
          label.className = "atlas-pin-label atlas-pin-label-" + sides[i];
          label.textContent = text;
          d.marker.atlasEl.appendChild(label);
          d.marker.atlasEl.dataset.label = sides[i];
          placed += 1;
          return;
        }
      }
    });
  }

  function weight(item) { return item.type === "cluster" ? item.mentions : item.p.row.mentions; }

  function sideAway(item) {
    var dx = item.x - item.p.x;
    return dx >= 0 ? "right" : "left";
  }

  function drawLeader(item) {
    var map = state.map, z = state.drawnZoom;
    var from = map.unproject([item.x, item.y], z), to = L.latLng(item.p.row.lat, item.p.row.lon);
    L.polyline([from, to], {pane: "atlasLeaders", interactive: false, color: "#333", weight: 1.2, opacity: 0.8})
      .addTo(state.leaders);
    L.circleMarker(to, {pane: "atlasLeaders", interactive: false, radius: 2.5, color: "#333", weight: 1,
                        fillColor: "#fff", fillOpacity: 1}).addTo(state.leaders);
  }

  function expandedItems(zoom) {
    var members = state.expanded.members;
    var fan = fanLayout(members.map(function (m) {
      var p = state.map.project([m.row.lat, m.row.lon], zoom);
      return {row: m.row, x: p.x, y: p.y, size: m.size};
    }));
    return fan.map(function (f) { return {type: "place", p: f.p, x: f.x, y: f.y, moved: f.moved}; });
  }

  function redraw() {
    var map = state.map, group = state.group;
    if (!map || !group) { return; }
    var zoom = map.getZoom();
    if (state.expanded && state.expanded.zoom !== zoom) { state.expanded = null; }
    var focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.placeId : null;
    group.clearLayers();
    state.leaders.clearLayers();
    state.drawnZoom = zoom;
    var items = layoutFor(zoom);
    if (state.expanded) {
      state.expanded.zoom = zoom;
      var open = state.expanded;
      items = items.filter(function (it) { return it.type !== "cluster" || it.x !== open.x || it.y !== open.y; })
        .concat(expandedItems(zoom));
    }
    var view = map.getPixelBounds(), w = view.max.x - view.min.x, h = view.max.y - view.min.y;
    var minX = view.min.x - w * VIEW_PAD, maxX = view.max.x + w * VIEW_PAD;
    var minY = view.min.y - h * VIEW_PAD, maxY = view.max.y + h * VIEW_PAD;
    var reg = window.atlasMarkers = {};
    var drawn = [];
    items.forEach(function (item) {
      if (item.x < minX || item.x > maxX || item.y < minY || item.y > maxY) { return; }
      var marker = item.type === "cluster" ? clusterMarker(item) : placeMarker(item);
      marker.addTo(group);
      if (item.type === "place") {
        reg[item.p.row.id] = marker;
        if (item.moved) { drawLeader(item); }
      }
      drawn.push({item: item, marker: marker});
    });
    placeLabels(drawn.filter(function (d) {
      return d.item.x >= view.min.x && d.item.x <= view.max.x && d.item.y >= view.min.y && d.item.y <= view.max.y;
    }), view);
    if (focused && reg[focused]) { reg[focused].atlasEl.focus({preventScroll: true}); }
    window.atlasMarkerCount = Object.keys(reg).length;
    window.atlasRendered = {key: state.key, zoom: zoom, places: drawn.reduce(function (n, d) {
      return n + (d.item.type === "cluster" ? d.item.members.length : 1); }, 0)};
    map.getContainer().dataset.markers = "dom";
    map.getContainer().dataset.layoutZoom = String(zoom);
  }

  /* ------------------------------------------------------------ selection, ready, controls ------ */

  window.atlasSelect = function (id) {
    state.selected = id;
    var reg = window.atlasMarkers || {};
    Object.keys(reg).forEach(function (k) {
      var m = reg[k], on = k === id;
      m.atlasEl.classList.toggle("atlas-selected", on);
      m.setZIndexOffset(on ? 10000 : m.atlasItem.p.row.mentions);
    });
    state.group && state.group.eachLayer(function (m) {
      if (m.atlasItem && m.atlasItem.type === "cluster") {
        m.atlasEl.classList.toggle("atlas-selected-inside",
          m.atlasItem.members.some(function (x) { return x.row.id === id; }));
      }
    });
  };

  /* Once the markers are drawn and the browser is idle, tell the app (with the view the map shows):
     the app adds its heavy parts (the places table) then, not while the map is being drawn. */
  function reportReady() {
    if (state.readySent) { return; }
    state.readySent = true;
    requestAnimationFrame(function () {
      setTimeout(function () {
        var go = function () {
          if (state.clicked) { return; }  // the click's own report already made the app run again
          send({atlas_ready: Date.now() + Math.random(), view: currentView()});
        };
        if (window.requestIdleCallback) { window.requestIdleCallback(go, {timeout: 1500}); } else { setTimeout(go, 300); }
      }, 0);
    });
  }

  function viewControl(options) {
    var Control = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function (map) {
        var box = L.DomUtil.create("div", "leaflet-bar atlas-view-control");
        function button(text, title, cls, handler) {
          var a = L.DomUtil.create("a", cls, box);
          a.href = "#"; a.textContent = text; a.title = title;
          a.setAttribute("role", "button"); a.setAttribute("aria-label", title);
          L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); L.DomEvent.stopPropagation(e); handler(); });
          return a;
        }
        if (options.story) {
          button("Story", "Fit the map to where the articles mostly are", "atlas-fit-story",
                 function () { map.fitBounds(options.story, FIT); });
        }
        button("World", "Show the whole world", "atlas-fit-world", function () { map.setView([25, 10], 2); });
        L.DomEvent.disableClickPropagation(box);
        return box;
      }
    });
    return new Control();
  }

  function init(map, options) {
    state.map = map; state.options = options || {};
    if (!isFinite(map.getMaxZoom())) { map.setMaxZoom(18); }  /* a map without tiles has no maximum */
    /* The page stretches the map's frame to the viewport; the map fills the frame from the start (before
       the first view is fitted) and follows it when it changes size. */
    var container = map.getContainer();
    container.style.setProperty("height", "100vh", "important");
    map.invalidateSize({pan: false});
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize({pan: false}); }).observe(container);
    }
    map.createPane("atlasLeaders");
    map.getPane("atlasLeaders").style.zIndex = 590;
    state.leaders = L.layerGroup().addTo(map);
    if (state.options.story && !state.options.viewGiven) {
      map.fitBounds(state.options.story, L.extend({animate: false}, FIT));
    }
    viewControl(state.options).addTo(map);
    /* dataset.moving: "1" from the start of a move or zoom until its markers are laid out again */
    container.dataset.moving = "0";
    map.on("movestart zoomstart", function () { container.dataset.moving = "1"; });
    map.on("zoomend", function () { state.expanded = null; redraw(); });
    map.on("moveend", function () { redraw(); container.dataset.moving = "0"; });
    map.on("resize", redraw);
  }

  function show(group, data) {
    state.group = group;
    state.selected = data.selected || null;
    state.appSelected = state.selected;  // what the app has selected (a pending click is answered by it)
    if (state.pending && state.pending.id === state.appSelected) {
      clearTimeout(state.pending.timer);
      state.pending = null;
    }
    if (data.key !== state.key) {
      state.key = data.key;
      state.rows = data.rows.map(function (r) {
        return {id: r[0], name: r[1], lat: r[2], lon: r[3], mentions: r[4], colours: r[5]};
      });
      state.layouts = {};
      state.expanded = null;
    }
    redraw();
    reportReady();
  }

  window.AtlasPlaces = {init: init, show: show, markerSize: markerSize, groupPx: GROUP_PX, fanMax: FAN_MAX};
})();
