"""What a streamlit-folium value means for the dashboard (a pure function, so it can be tested).

The component value is either the marker's own immediate report `{atlas_click, atlas_nonce}` (sent by
the marker code in static/atlas/places.js the moment it is clicked), the map's "drawn" report
`{atlas_ready, view}` (sent once per page when the browser is idle after drawing the markers, with the
view the map opened with) or streamlit-folium's value with
`last_active_drawing` (the clicked feature), `last_object_clicked_count`, `center` and `zoom`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class MapEvent:
    selected: str | None = None        # a place to select (a new click on a known place)
    nonce: object = None               # last immediate-report nonce seen
    count: object = None               # last streamlit-folium click count seen
    view: dict | None = None           # {"center": [lat, lon], "zoom": int} when the value has a view
    ready: bool = False                # the map's "drawn, browser idle" report


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def interpret(value, known_ids, last_nonce=None, last_count=None) -> MapEvent:
    """Decode one component value; unknown ids, repeats and malformed parts are ignored."""
    event = MapEvent(nonce=last_nonce, count=last_count)
    if not isinstance(value, dict):
        return event
    if "atlas_ready" in value:
        event.ready = True
        event.view = _view(value.get("view"))
        return event
    if "atlas_click" in value:
        pid, nonce = value.get("atlas_click"), value.get("atlas_nonce")
        if nonce != last_nonce and isinstance(pid, str) and pid in known_ids:
            event.selected, event.nonce = pid, nonce
        return event
    count = value.get("last_object_clicked_count")
    drawing = value.get("last_active_drawing")
    props = drawing.get("properties") if isinstance(drawing, dict) else None
    pid = props.get("id") if isinstance(props, dict) else None
    if count != last_count and isinstance(pid, str) and pid in known_ids:
        event.selected = pid
    event.count = count
    event.view = _view(value)
    return event


def _view(value) -> dict | None:
    """{"center": [lat, lon], "zoom": int} from a value holding `center` {lat, lng} and `zoom`."""
    if not isinstance(value, dict):
        return None
    center, zoom = value.get("center"), value.get("zoom")
    if isinstance(center, dict) and _finite(zoom) and _finite(center.get("lat")) and _finite(center.get("lng")):
        lat = max(-90.0, min(90.0, float(center["lat"])))
        lon = (float(center["lng"]) + 180.0) % 360.0 - 180.0  # the map can be panned round the world
        return {"center": [lat, lon], "zoom": int(round(zoom))}
    return None
