"""The basemap element (dashboard/basemap.py): declared like a folium plugin, local files only."""
import json
from pathlib import Path

import folium

from dashboard import assets, basemap

STATIC = Path(basemap.__file__).resolve().parent / "static"


def test_assets_are_local_files_the_static_server_has():
    element = basemap.AtlasBasemap("offline")
    for _, url in element.default_js + element.default_css:
        assert url.startswith("/app/static/")
        assert (STATIC / url.removeprefix("/app/static/").split("?")[0]).is_file(), url


def test_the_page_calls_the_script_with_the_mode():
    m = folium.Map(tiles=None)
    basemap.AtlasBasemap("offline").add_to(m)
    html = m.get_root().render()
    call = html[html.index("AtlasBasemap.add("):]
    options = json.loads(call[call.index(",") + 1:call.index(");")])
    assert options["mode"] == "offline" and options["base"] == assets.BASEMAP_URL
    assert [lv["maxZoom"] for lv in options["levels"]] == sorted(lv["maxZoom"] for lv in options["levels"])
    assert basemap.options("osm")["mode"] == "osm" and basemap.options("auto")["mode"] == "offline"


def test_caption_names_the_basemap():
    assert "OpenStreetMap" in basemap.caption("osm")
    assert "Natural Earth" in basemap.caption("offline") and "GeoNames" in basemap.caption("offline")
