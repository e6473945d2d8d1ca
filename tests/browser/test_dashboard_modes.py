"""Browser tests of the other map mode: the tile fallback when OpenStreetMap is unreachable."""
from __future__ import annotations

import pytest

from atlas_browser import SEEDS, AtlasServer, MAP_IFRAME, load_places

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def osm_server(seeds_data, tmp_path_factory, browser):
    server = AtlasServer(SEEDS, seeds_data, tmp_path_factory.mktemp("logs") / "osm.log",
                         env={"ATLAS_TILES": "osm"})
    yield server
    server.stop()


def test_unreachable_tiles_fall_back_to_offline_outlines(osm_server, seeds_data, open_page):
    page, guard = open_page()
    page.goto(osm_server.url)
    frame = page.wait_for_selector(MAP_IFRAME, timeout=60_000).content_frame()
    frame.wait_for_function("() => document.getElementById('map_div')"
                            " && document.getElementById('map_div').dataset.fallback === 'tiles-unreachable'",
                            timeout=60_000)
    frame.wait_for_function("() => document.getElementById('map_div').dataset.outlines === 'loaded'")
    assert frame.evaluate("document.getElementById('map_div').dataset.basemap") == "offline"
    frame.wait_for_function("() => window.atlasRendered && window.atlasRendered.places > 0")
    assert frame.locator(".atlas-pin").count() > 0 and len(load_places(seeds_data)["features"]) > 0
    # the tiles were tried (and blocked); nothing else left the machine
    assert guard.blocked and all(u.startswith("https://tile.openstreetmap.org/") for u in guard.blocked)
    assert all("Failed to load resource" in e for e in guard.console_errors), guard.console_errors
