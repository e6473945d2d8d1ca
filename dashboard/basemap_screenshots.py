"""Capture the offline basemap's docs pictures: `python -m dashboard.basemap_screenshots [--out docs]`.

Builds the seeds into a temp dir, starts the app with ATLAS_TILES=offline, and saves the map (chromium, no
request leaves 127.0.0.1) at Calais zoom 12 and Valencia zoom 9 as docs/offline-calais-z12.png and
docs/offline-valencia-z9.png, each once the basemap says it has drawn that view.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from dashboard.benchmark import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    REPO,
    Server,
    _context,
    _wait_idle,
    build,
)

VIEWS = {"offline-calais-z12.png": (50.9519, 1.8563, 12), "offline-valencia-z9.png": (39.47, -0.376, 9)}
DRAWN = "() => document.getElementById('map_div').dataset.basemapView === AtlasBasemap.viewKey(map)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.basemap_screenshots")
    ap.add_argument("--out", type=Path, default=REPO / "docs", help="folder for the PNG files")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    os.environ["ATLAS_TILES"] = "offline"
    with tempfile.TemporaryDirectory(prefix="atlas-basemap-shot-") as tmpname, sync_playwright() as pw:
        tmp = Path(tmpname)
        build(REPO / "seeds", tmp / "data")
        server = Server(REPO / "seeds", tmp / "data", tmp / "streamlit.log")
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            ctx, blocked = _context(browser)
            page = ctx.new_page()
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(server.url)
            frame = page.wait_for_selector(MAP_IFRAME, timeout=120_000).content_frame()
            frame.wait_for_function("() => window.atlasMarkerCount > 0", timeout=120_000)
            _wait_idle(page)
            args.out.mkdir(parents=True, exist_ok=True)
            for name, (lat, lon, zoom) in VIEWS.items():
                frame.evaluate("([a, b, z]) => map.setView([a, b], z, {animate: false})", [lat, lon, zoom])
                frame.wait_for_function(DRAWN, timeout=60_000)
                tmp_png = args.out / f".{name}.tmp.png"
                page.wait_for_selector(MAP_IFRAME).screenshot(path=str(tmp_png))
                tmp_png.replace(args.out / name)
                print(f"wrote {args.out / name}")
            browser.close()
            print(f"{len(blocked)} blocked request(s) to other hosts")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
