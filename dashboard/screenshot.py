"""Capture docs/screenshot.png: the dashboard on the seed articles with Calais selected.

`python -m dashboard.screenshot [--out docs/screenshot.png]` builds the seeds into a temp dir, starts
the app, clicks the Calais marker in chromium (no request leaves 127.0.0.1) and saves the page.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from dashboard.benchmark import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, REPO, Server, _context, _wait_idle, build


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.screenshot")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    ap.add_argument("--place", default="Calais", help="name of the place to select")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="atlas-shot-") as tmpname, sync_playwright() as pw:
        tmp = Path(tmpname)
        data = tmp / "data"
        build(REPO / "seeds", data)
        doc = json.loads((data / "places.geojson").read_text(encoding="utf-8"))
        try:
            target = next(f for f in doc["features"] if f["properties"]["name"] == args.place)
        except StopIteration:
            print(f"no place named {args.place!r} in the seed build", file=sys.stderr)
            return 1
        server = Server(REPO / "seeds", data, tmp / "streamlit.log")
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            ctx, blocked = _context(browser)
            page = ctx.new_page()
            page.set_viewport_size({"width": 1440, "height": 1000})
            page.goto(server.url)
            frame = page.wait_for_selector(MAP_IFRAME, timeout=120_000).content_frame()
            frame.wait_for_function("() => window.atlasMarkerCount > 0", timeout=120_000)
            _wait_idle(page)
            lon, lat = target["geometry"]["coordinates"]
            frame.evaluate("([a, b]) => map.setView([a, b], 10, {animate: false})", [lat, lon])
            page.wait_for_timeout(400)
            frame.locator(f'.atlas-pin[data-place-id="{target["id"]}"]').click()
            page.wait_for_function(
                "(id) => { const n = document.querySelector('.atlas-place-name');"
                " return n && n.dataset.placeId === id; }", arg=target["id"], timeout=60_000)
            _wait_idle(page)
            # zoom back out to show the region around the selected place
            frame.evaluate("([a, b]) => map.setView([a + 0.6, b + 1.2], 7, {animate: false})", [lat, lon])
            page.wait_for_timeout(800)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            tmp_png = args.out.with_name(args.out.name + ".tmp.png")
            page.screenshot(path=str(tmp_png))
            tmp_png.replace(args.out)
            browser.close()
            print(f"wrote {args.out} ({len(blocked)} blocked request(s) to other hosts)")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
