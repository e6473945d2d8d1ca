"""Concurrent visitors (issue 13's matrix, "concurrent sessions"): several browser sessions on one server at
once, each choosing its own place, never see each other's choice, and the server logs no error."""
from __future__ import annotations

import pytest

from atlas_browser import click_marker, selected_place, wait_idle, wait_markers

pytestmark = [pytest.mark.timeout(300), pytest.mark.reliability]

VISITORS = 4
# markers a visitor can click: the element at the marker's centre is the marker (not a control above it, not
# outside the map's box)
CLICKABLE = ("() => [...document.querySelectorAll('.atlas-pin')].filter(e => { const r = e.getBoundingClientRect();"
             " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
             " return hit !== null && e.contains(hit); }).map(e => e.dataset.placeId)")


def test_concurrent_visitors_keep_their_own_selection(seeds_server, open_page):
    pages = []
    for _ in range(VISITORS):
        page, guard = open_page()
        page.goto(seeds_server.url)  # returns at the load event: the sessions start side by side
        pages.append((page, guard))
    frames = [wait_markers(page) for page, _ in pages]
    for page, _ in pages:
        wait_idle(page)
    shown = sorted(frames[0].evaluate(CLICKABLE))
    assert len(shown) >= VISITORS, f"the seeds' first view should show {VISITORS} separate markers: {shown}"
    chosen = shown[:VISITORS]
    for frame, place_id in zip(frames, chosen):  # every visitor clicks before any panel has answered
        click_marker(frame, place_id)
    for (page, guard), place_id in zip(pages, chosen):
        selected_place(page, place_id, timeout=90_000)  # four sessions answer on a shared, 2-core machine
    for (page, guard), place_id in zip(pages, chosen):  # and nobody's choice moved to another session
        wait_idle(page)
        assert page.locator(".atlas-place-name").get_attribute("data-place-id") == place_id
        guard.assert_clean()
    log = seeds_server.log()
    assert "Traceback" not in log and "Error" not in log, log


# In the page (not the map's frame): swallow the first click report the map sends, as a value streamlit-folium
# sends right after it can replace it before the app reads it.
DROP_FIRST_CLICK = """window.__atlasDropped = 0;
window.addEventListener("message", (e) => {
  const v = e.data && e.data.type === "streamlit:setComponentValue" ? e.data.value : null;
  if (window === window.top && v && v.atlas_click && window.__atlasDropped === 0) {
    window.__atlasDropped = 1;
    e.stopImmediatePropagation();
  }
}, true);"""


def test_a_lost_click_report_is_told_again_until_the_app_answers(seeds_server, open_page):
    page, guard = open_page()
    page.add_init_script(DROP_FIRST_CLICK)
    page.goto(seeds_server.url)
    frame = wait_markers(page)
    wait_idle(page)
    [place_id, *_] = sorted(frame.evaluate(CLICKABLE))
    click_marker(frame, place_id)
    page.wait_for_function("() => window.__atlasDropped === 1", timeout=20_000)  # the first report was lost
    selected_place(page, place_id, timeout=60_000)
    guard.assert_clean()
