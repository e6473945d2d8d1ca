"""Copy the map's browser assets from node_modules/ into dashboard/static/vendor/ (run at set-up).

`python -m dashboard.assets` copies Leaflet 1.9.4 (JS, CSS, images) and converts the Natural Earth
country outlines of the npm package `world-atlas` (TopoJSON) into a GeoJSON file that the offline
basemap loads. Streamlit serves `dashboard/static/` at `/app/static/`, so the map never needs a CDN.
The command is idempotent: files whose content is already up to date are left alone.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

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
TOPOJSON_SOURCE = "world-atlas/countries-110m.json"
OUTLINES_TARGET = "countries-110m.geojson"

# What the map page needs (URLs served by Streamlit's static file server).
LEAFLET_JS = f"{URL_PREFIX}/leaflet/leaflet.js"
LEAFLET_CSS = f"{URL_PREFIX}/leaflet/leaflet.css"
OUTLINES_URL = f"{URL_PREFIX}/{OUTLINES_TARGET}"
REQUIRED = [target for _, target in COPIES] + [OUTLINES_TARGET]


class AssetError(RuntimeError):
    """The npm packages are missing or unreadable (the message says what to run)."""


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _put(path: Path, data: bytes) -> bool:
    """Write data unless the file already holds exactly it. Returns True when written."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    _write_atomic(path, data)
    return True


def topology_to_geojson(topology: dict, object_name: str = "countries") -> dict:
    """Decode one object of a TopoJSON topology (quantized, delta-encoded arcs) into GeoJSON."""
    if topology.get("type") != "Topology":
        raise AssetError("not a TopoJSON topology")
    transform = topology.get("transform")
    raw_arcs = topology["arcs"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in raw_arcs:
        points = []
        x = y = 0
        for pos in arc:
            if transform:
                x += pos[0]
                y += pos[1]
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append((round(x * sx + tx, 5), round(y * sy + ty, 5)))
            else:
                points.append((pos[0], pos[1]))
        arcs.append(points)

    def ring(indices: list[int]) -> list[list[float]]:
        coords: list[list[float]] = []
        for i in indices:
            pts = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
            # consecutive arcs share their end/start point
            for k, p in enumerate(pts):
                if coords and k == 0:
                    continue
                lon = p[0]
                if coords:  # a ring crossing the antimeridian continues past +-180 instead of jumping
                    prev = coords[-1][0]
                    while lon - prev > 180:
                        lon -= 360
                    while lon - prev < -180:
                        lon += 360
                coords.append([lon, p[1]])
        return coords

    def geometry(g: dict) -> dict | None:
        kind = g.get("type")
        if kind == "Polygon":
            return {"type": "Polygon", "coordinates": [ring(r) for r in g["arcs"]]}
        if kind == "MultiPolygon":
            return {"type": "MultiPolygon",
                    "coordinates": [[ring(r) for r in poly] for poly in g["arcs"]]}
        return None

    obj = topology["objects"][object_name]
    geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    features = []
    for g in geoms:
        geom = geometry(g)
        if geom is None:
            continue
        features.append({
            "type": "Feature",
            "id": g.get("id"),
            "properties": {"name": (g.get("properties") or {}).get("name")},
            "geometry": geom,
        })
    return {"type": "FeatureCollection", "features": features}


def install(node_modules: Path = NODE_MODULES, vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy/convert every asset; returns the files that were (re)written."""
    written: list[Path] = []
    missing = [src for src, _ in COPIES if not (node_modules / src).is_file()]
    if not (node_modules / TOPOJSON_SOURCE).is_file():
        missing.append(TOPOJSON_SOURCE)
    if missing:
        raise AssetError(
            f"missing in {node_modules}: {', '.join(missing)} - run `npm install` in the repository first"
        )
    version = json.loads((node_modules / "leaflet/package.json").read_text())["version"]
    if version != LEAFLET_VERSION:
        raise AssetError(f"node_modules has leaflet {version}, the map needs {LEAFLET_VERSION}")
    for src, target in COPIES:
        if _put(vendor_dir / target, (node_modules / src).read_bytes()):
            written.append(vendor_dir / target)
    try:
        topology = json.loads((node_modules / TOPOJSON_SOURCE).read_text(encoding="utf-8"))
        outlines = topology_to_geojson(topology, "countries")
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise AssetError(f"cannot convert {TOPOJSON_SOURCE}: {exc}") from exc
    data = json.dumps(outlines, separators=(",", ":")).encode()
    if _put(vendor_dir / OUTLINES_TARGET, data):
        written.append(vendor_dir / OUTLINES_TARGET)
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
