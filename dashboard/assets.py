"""Copy the map's browser assets from node_modules/ into dashboard/static/vendor/ (run at set-up).

`python -m dashboard.assets` copies Leaflet 1.9.4 (JS, CSS, images) and writes the offline basemap's
data (`dashboard/basemap_data.py`: Natural Earth land, borders, first-level boundaries, lakes and rivers
from npm packages, town labels from the gazetteer index, so run `python -m geodata index` first).
Streamlit serves `dashboard/static/` at `/app/static/`, so the map never needs a CDN.
The command is idempotent: files already up to date are left alone (the basemap is rebuilt only when
its inputs or code changed).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dashboard import basemap_data
from geodata import atomic
from geodata.gazetteer.build import DEFAULT_INDEX_PATH
from geodata.gazetteer.topojson import to_geojson

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
URL_PREFIX = "/app/static/vendor"

LEAFLET_VERSION = "1.9.4"

# (source relative to node_modules, target relative to vendor dir)
COPIES = [
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images/layers.png", "leaflet/images/layers.png"),
    ("leaflet/dist/images/layers-2x.png", "leaflet/images/layers-2x.png"),
    ("leaflet/dist/images/marker-icon.png", "leaflet/images/marker-icon.png"),
    ("leaflet/dist/images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"),
    ("leaflet/dist/images/marker-shadow.png", "leaflet/images/marker-shadow.png"),
]

# What the map page needs (URLs served by Streamlit's static file server).
LEAFLET_JS = f"{URL_PREFIX}/leaflet/leaflet.js"
LEAFLET_CSS = f"{URL_PREFIX}/leaflet/leaflet.css"
BASEMAP_URL = f"{URL_PREFIX}/{basemap_data.TARGET}/"
REQUIRED = [target for _, target in COPIES] + [f"{basemap_data.TARGET}/{f}" for f in basemap_data.required_files()]


class AssetError(RuntimeError):
    """The npm packages are missing or unreadable (the message says what to run)."""


def _put(path: Path, data: bytes) -> bool:
    """Write data unless the file already holds exactly it. Returns True when written."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    atomic.write_bytes(path, data)
    return True


def topology_to_geojson(topology: dict, object_name: str = "countries") -> dict:
    """Decode one object of a TopoJSON topology into GeoJSON (the gazetteer's TopoJSON reader does it)."""
    try:
        return to_geojson(topology, object_name)
    except ValueError as exc:
        raise AssetError(str(exc)) from exc


def install(node_modules: Path = NODE_MODULES, vendor_dir: Path = VENDOR_DIR,
            gazetteer: Path = DEFAULT_INDEX_PATH) -> list[Path]:
    """Copy Leaflet and build the basemap data; returns the files or folders that were (re)written."""
    written: list[Path] = []
    missing = [src for src, _ in COPIES if not (node_modules / src).is_file()]
    if missing:
        raise AssetError(
            f"missing in {node_modules}: {', '.join(missing)} - run `npm install` in the repository first"
        )
    version = json.loads((node_modules / "leaflet/package.json").read_text())["version"]
    if version != LEAFLET_VERSION:
        raise AssetError(f"node_modules has leaflet {version}, the map needs {LEAFLET_VERSION}")
    try:
        basemap_data.check_sources(node_modules, gazetteer)
    except basemap_data.BasemapSourceError as exc:
        raise AssetError(str(exc)) from exc
    for src, target in COPIES:
        if _put(vendor_dir / target, (node_modules / src).read_bytes()):
            written.append(vendor_dir / target)
    try:
        if basemap_data.build(node_modules, gazetteer, vendor_dir):
            written.append(vendor_dir / basemap_data.TARGET)
    except (basemap_data.BasemapSourceError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise AssetError(f"cannot build the offline basemap: {exc}") from exc
    return written


def missing_assets(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    return [name for name in REQUIRED if not (vendor_dir / name).is_file()]


def main(argv: list[str] | None = None) -> int:
    try:
        written = install()
    except AssetError as exc:
        print(f"dashboard assets: {exc}", file=sys.stderr)
        return 1
    if written:
        print(f"dashboard assets: wrote {len(written)} file(s) into {VENDOR_DIR}")
    else:
        print(f"dashboard assets: up to date in {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
