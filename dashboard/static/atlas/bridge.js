/* Article Atlas: the map's side of the conversation with the Streamlit app.
 *
 * streamlit-folium sends the map's view as soon as the map exists, which would rerun the whole app while
 * the browser is still drawing the markers, and tells the app nothing it does not know (the initial
 * view; the app learns it from the markers' ready report instead). AtlasBridge.quietStart records that
 * value as already sent, so streamlit-folium sends only real changes (a pan, a zoom, a click). It is
 * only done when streamlit-folium's state looks as expected; otherwise the value is sent as before.
 */
(function () {
  "use strict";
  var FOLIUM_KEYS = ["last_clicked", "last_object_clicked", "last_object_clicked_count",
    "last_object_clicked_tooltip", "last_object_clicked_popup", "all_drawings", "last_active_drawing",
    "last_geocoder_result", "bounds", "zoom", "last_circle_radius", "last_circle_polygon", "center",
    "selected_layers", "selected_tags"];
  var KNOWN = {last_object_clicked_count: true, last_active_drawing: true, zoom: true, center: true};

  function quietStart(map) {
    var fd = window.__GLOBAL_DATA__;
    if (!(fd && "previous_data" in fd && Array.isArray(fd.returned_objects) && !fd.wrap_longitude
          && fd.returned_objects.every(function (k) { return KNOWN[k]; }))) { return false; }
    var initial = {last_object_clicked_count: fd.last_object_clicked_count,
                   last_active_drawing: fd.last_active_drawing, zoom: map.getZoom(), center: map.getCenter()};
    var sent = {};
    FOLIUM_KEYS.forEach(function (k) { if (fd.returned_objects.indexOf(k) >= 0) { sent[k] = initial[k]; } });
    fd.previous_data = sent;
    return true;
  }

  window.AtlasBridge = {quietStart: quietStart};
})();
