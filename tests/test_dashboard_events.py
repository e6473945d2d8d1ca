"""Decoding the map component's values (dashboard/events.py)."""
from dashboard.events import interpret

IDS = {"calais", "dover"}


def folium_value(pid, count, lat=50.0, lng=1.5, zoom=7):
    return {"last_active_drawing": {"type": "Feature", "properties": {"id": pid}},
            "last_object_clicked_count": count, "center": {"lat": lat, "lng": lng}, "zoom": zoom}


def test_immediate_click_report_selects_once_per_nonce():
    e = interpret({"atlas_click": "calais", "atlas_nonce": 1.5}, IDS)
    assert e.selected == "calais" and e.nonce == 1.5
    again = interpret({"atlas_click": "calais", "atlas_nonce": 1.5}, IDS, last_nonce=1.5)
    assert again.selected is None
    assert interpret({"atlas_click": "../../etc/passwd", "atlas_nonce": 2}, IDS).selected is None
    assert interpret({"atlas_click": ["calais"], "atlas_nonce": 3}, IDS).selected is None


def test_folium_click_selects_only_when_the_count_changes():
    e = interpret(folium_value("dover", 3), IDS, last_count=2)
    assert e.selected == "dover" and e.count == 3
    assert e.view == {"center": [50.0, 1.5], "zoom": 7}
    pan = interpret(folium_value("dover", 3, lat=51.0), IDS, last_count=3)  # a pan: same click count
    assert pan.selected is None and pan.view["center"] == [51.0, 1.5]
    assert interpret(folium_value("nowhere", 4), IDS, last_count=3).selected is None


def test_view_is_normalised_or_dropped():
    assert interpret(folium_value("dover", 1, lng=190.0), IDS).view["center"] == [50.0, -170.0]
    assert interpret(folium_value("dover", 1, lat=float("nan")), IDS).view is None
    assert interpret(folium_value("dover", 1, zoom="7"), IDS).view is None
    assert interpret(folium_value("dover", 1, zoom=True), IDS).view is None


def test_malformed_values_change_nothing():
    for bad in (None, "x", 3, [], {"last_active_drawing": "x"}, {"last_active_drawing": {"properties": 5}}):
        e = interpret(bad, IDS, last_nonce="n", last_count=7)
        assert e.selected is None and e.view is None and e.nonce == "n"


def test_ready_report_changes_nothing_but_readiness():
    e = interpret({"atlas_ready": 12.5}, IDS, last_nonce="n", last_count=7)
    assert e.ready and e.selected is None and e.view is None and e.nonce == "n" and e.count == 7
    assert not interpret(folium_value("dover", 3), IDS).ready


def test_ready_report_carries_the_opening_view():
    e = interpret({"atlas_ready": 1.0, "view": {"center": {"lat": 51.25, "lng": 2.5}, "zoom": 7}}, IDS)
    assert e.ready and e.view == {"center": [51.25, 2.5], "zoom": 7} and e.selected is None
    assert interpret({"atlas_ready": 1.0, "view": {"center": "x", "zoom": 7}}, IDS).view is None
