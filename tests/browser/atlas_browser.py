"""Real-browser harness helpers: a Streamlit server per data set and Debian's chromium driven by Playwright.

Every browser context aborts each request that is not to 127.0.0.1 and records it, together with
failed requests and console errors, so a test can prove the page needs no internet.
Under CI=true a missing chromium fails the run; elsewhere the browser tests are skipped with the reason.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashboard import server, settings

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
CHROMIUM = str(settings.read("ATLAS_CHROMIUM"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOOPBACK = ("http://127.0.0.1:", "ws://127.0.0.1:")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def run_build(articles: Path, out: Path) -> None:
    """The real pipeline build (the same command the app runs)."""
    proc = subprocess.run(
        [sys.executable, "-m", "geodata", "build", "--articles", str(articles), "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        pytest.fail(f"`python -m geodata build --articles {articles}` failed:\n{proc.stderr[-3000:]}")


def load_places(data_dir: Path) -> dict:
    return json.loads((data_dir / "places.geojson").read_text(encoding="utf-8"))


class AtlasServer(server.AtlasServer):
    """`streamlit run dashboard/app.py` on a free loopback port with ATLAS_* pointing at tmp dirs
    (editing off unless ``env`` turns it on)."""

    def __init__(self, articles: Path, data: Path, log: Path, env: dict | None = None):
        super().__init__(articles, data, log, env=env, unset=("ATLAS_EDITING",))


@dataclass
class Guard:
    """What a page did that it should not: non-loopback requests, failed requests, console errors."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.blocked == [], f"requests to other hosts: {self.blocked}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def new_guarded_page(browser, viewport=(1400, 1000)):
    guard = Guard()
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

    def route(route):
        url = route.request.url
        if url.startswith(LOOPBACK):
            route.continue_()
        else:
            guard.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("requestfailed", lambda r: guard.failed.append(f"{r.url} ({r.failure})"))
    page.on("console", lambda m: guard.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: guard.console_errors.append(f"pageerror: {e}"))
    return context, page, guard


# ------------------------------------------------------------------ page helpers ------------------

def map_frame(page):
    """The Frame of the streamlit-folium iframe (after it exists)."""
    handle = page.wait_for_selector(MAP_IFRAME, timeout=60_000)
    return handle.content_frame()


# streamlit-folium adds the map's stylesheets without waiting for them: on a loaded machine the markers can
# exist before Leaflet's and our CSS apply, and any geometry read then is wrong
STYLED = ("() => { const m = document.querySelector('.atlas-pin, .atlas-cluster'),"
          " p = document.querySelector('.leaflet-pane');"
          " return m && p && getComputedStyle(p).position === 'absolute'"
          " && getComputedStyle(m).borderRadius === '50%'; }")


def wait_markers(page, timeout: float = 60_000):
    """The map's frame once its place layer is drawn (markers or clusters) and styled."""
    frame = map_frame(page)
    frame.wait_for_selector(".atlas-pin, .atlas-cluster", timeout=timeout)
    frame.wait_for_function(STYLED, timeout=timeout)
    return frame


def open_map(open_page, url: str, viewport=(1400, 1000)):
    """A new visitor on ``url`` once the map's places are drawn and the app is idle: (page, frame, guard)."""
    page, guard = open_page(viewport=viewport)
    page.goto(url)
    frame = wait_markers(page)
    wait_idle(page)
    return page, frame, guard


def marker_ids(frame) -> set[str]:
    """Places on the map now: single markers and the members of clusters."""
    return set(frame.evaluate(
        "() => [...document.querySelectorAll('.atlas-pin')].map(e => e.dataset.placeId).concat("
        "[...document.querySelectorAll('.atlas-cluster')].flatMap(e => e.dataset.placeIds.split(' ')))"))


def pin_ids(frame) -> set[str]:
    """Places drawn as their own marker (not inside a cluster)."""
    return set(frame.eval_on_selector_all(".atlas-pin", "els => els.map(e => e.dataset.placeId)"))


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current script run (the app's own state attribute)."""
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return a && a.dataset.testScriptState === 'notRunning'; }", timeout=timeout)


def zoom_to(frame, lat: float, lon: float, zoom: int) -> None:
    """What a user does by zooming in; the markers are laid out again for that zoom (synchronously,
    on Leaflet's zoomend/moveend)."""
    frame.evaluate("([a, b, z]) => map.setView([a, b], z, {animate: false})", [lat, lon, zoom])
    frame.wait_for_function("(z) => document.getElementById('map_div').dataset.layoutZoom === String(z)",
                            arg=zoom)


def click_marker(frame, place_id: str) -> None:
    frame.locator(f'.atlas-pin[data-place-id="{place_id}"]').click()


def panel_view(page, name: str) -> None:
    """Switch the side panel to one of its views (Place, Articles, Table)."""
    page.locator('[data-testid="stButtonGroup"] button', has_text=name).first.click()


def selected_place(page, place_id: str, timeout: float = 20_000) -> None:
    """Wait until the panel shows this place."""
    page.wait_for_function("(id) => { const n = document.querySelector('.atlas-place-name');"
                           " return n && n.dataset.placeId === id; }", arg=place_id, timeout=timeout)


def find_place(places: dict, name: str, article: str | None = None) -> dict:
    """A feature whose name, alias or mention text is `name` (optionally mentioned in `article`)."""
    for f in places["features"]:
        p = f["properties"]
        words = {p.get("name")} | set(p.get("aliases") or []) | {m["text"] for m in p.get("mentions") or []}
        if name in words and (article is None or article in (p.get("articles") or [])):
            return f
    raise AssertionError(f"the build has no place named {name!r}"
                         + (f" in article {article}" if article else ""))
