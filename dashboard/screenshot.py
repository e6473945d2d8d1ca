"""Capture the README's screenshot (and the docs' others) in chromium, no request leaving 127.0.0.1.

`python -m dashboard.screenshot` builds the seeds into a temp dir, starts the app, opens its first view
and clicks the Calais marker there (no zooming: every port is clickable in the first view), then saves
the page to docs/screenshot.png.
Options: `--place NAME` (none: the first view as it opens), `--zoom Z --at LAT,LON` (move the map first),
`--articles N --places M` (a generated corpus instead of the seeds), `--map-only` (the map's frame, not
the page), `--width`, `--height`, `--out`. The picture is taken once the basemap has drawn the view.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from dashboard.benchmark import (
    CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, REPO, Server, _context, _wait_idle, build, generate_corpus,
)


# the offline basemap has drawn the map's current view (its data for the view has arrived); OSM: at once
BASEMAP_DRAWN = ("() => { const d = document.getElementById('map_div').dataset;"
                 " return d.basemap === 'osm' || d.basemapView === AtlasBasemap.viewKey(map); }")


def _select(page, frame, doc: dict, name: str) -> bool:
    try:
        target = next(f for f in doc["features"] if f["properties"]["name"] == name)
    except StopIteration:
        print(f"no place named {name!r} in the build", file=sys.stderr)
        return False
    frame.locator(f'.atlas-pin[data-place-id="{target["id"]}"]').click()
    page.wait_for_function("(id) => { const n = document.querySelector('.atlas-place-name');"
                           " return n && n.dataset.placeId === id; }", arg=target["id"], timeout=60_000)
    frame.wait_for_selector(f'.atlas-pin.atlas-selected[data-place-id="{target["id"]}"]', timeout=60_000)
    _wait_idle(page)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.screenshot")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    ap.add_argument("--place", default="Calais", help="name of the place to select ('' for none)")
    ap.add_argument("--zoom", type=int, help="zoom the map to this level first (with --at)")
    ap.add_argument("--at", help="LAT,LON to centre the map on (with --zoom)")
    ap.add_argument("--articles", type=int, default=0, help="a generated corpus of this many articles")
    ap.add_argument("--places", type=int, default=3000, help="distinct places in the generated corpus")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--map-only", action="store_true", help="only the map's frame")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="atlas-shot-") as tmpname, sync_playwright() as pw:
        tmp = Path(tmpname)
        articles = REPO / "seeds"
        if args.articles:
            articles = tmp / "articles"
            generate_corpus(articles, args.articles, args.places)
        data = tmp / "data"
        build(articles, data)
        doc = json.loads((data / "places.geojson").read_text(encoding="utf-8"))
        server = Server(articles, data, tmp / "streamlit.log")
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            ctx, blocked = _context(browser)
            page = ctx.new_page()
            page.set_viewport_size({"width": args.width, "height": args.height})
            page.goto(server.url)
            frame = page.wait_for_selector(MAP_IFRAME, timeout=120_000).content_frame()
            frame.wait_for_function("() => window.atlasRendered && window.atlasRendered.places > 0",
                                    timeout=120_000)
            _wait_idle(page)
            if args.zoom is not None and args.at:
                lat, lon = (float(x) for x in args.at.split(","))
                frame.evaluate("([a, b, z]) => map.setView([a, b], z, {animate: false})", [lat, lon, args.zoom])
                frame.wait_for_function("(z) => document.getElementById('map_div').dataset.layoutZoom"
                                        " === String(z)", arg=args.zoom)
            if args.place and not _select(page, frame, doc, args.place):
                return 1
            frame.wait_for_function(BASEMAP_DRAWN, timeout=60_000)
            page.mouse.move(2, args.height - 2)  # no hover tooltip over the picture
            frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            tmp_png = args.out.with_name(args.out.name + ".tmp.png")
            (page.wait_for_selector(MAP_IFRAME) if args.map_only else page).screenshot(path=str(tmp_png))
            tmp_png.replace(args.out)
            browser.close()
            print(f"wrote {args.out} ({len(blocked)} blocked request(s) to other hosts)")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
