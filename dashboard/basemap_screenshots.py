"""Capture the offline basemap's docs pictures: `python -m dashboard.basemap_screenshots [--out docs]`.

The map alone (chromium, no request leaves 127.0.0.1; the app starts with ATLAS_TILES=offline) at Calais
zoom 12 and Valencia zoom 9, saved as docs/offline-calais-z12.png and docs/offline-valencia-z9.png, each
once the basemap says it has drawn that view (`python -m dashboard.screenshot --map-only`).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from dashboard import screenshot
from dashboard.benchmark import REPO

VIEWS = {"offline-calais-z12.png": (50.9519, 1.8563, 12), "offline-valencia-z9.png": (39.47, -0.376, 9)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.basemap_screenshots")
    ap.add_argument("--out", type=Path, default=REPO / "docs", help="folder for the PNG files")
    args = ap.parse_args(argv)
    for name, (lat, lon, zoom) in VIEWS.items():
        code = screenshot.main(["--map-only", "--place", "", "--zoom", str(zoom), "--at", f"{lat},{lon}",
                                "--width", "1400", "--height", "1000", "--out", str(args.out / name)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
