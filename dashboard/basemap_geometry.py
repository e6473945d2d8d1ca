"""Geometry for the offline basemap, done once at set-up: TopoJSON meshes, boundary lines, boxes, encoding.

- `topo_polygons` / `topo_lines` decode one TopoJSON object into shapely geometries.
- `topo_mesh` splits a TopoJSON country layer into coastlines (arcs used by one country) and borders
  (arcs shared by two), the way a map draws them: one line per border, never two.
- `boundary_lines` splits admin-1 polygons into coastlines, country borders and first-level boundaries
  (by how many divisions, of how many countries, share each segment).
- `cut` clips geometries into boxes of `box_deg` degrees (with a small overlap, so filled land shows no
  seams where two boxes meet).
- `encode_line` / `encode_polygon`: the compact form the browser reads: a ring or line is a flat list of
  integers, latitude then longitude in units of 1e-4 degree (about 11 m), each pair after the first a
  difference from the one before.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator

import numpy as np
import shapely
import shapely.affinity
import shapely.geometry
from shapely.geometry import LineString, Polygon

from geodata.gazetteer.topojson import decode_arcs

SCALE = 10_000  # 1e-4 degree: what the browser gets
QUANT = 100_000  # 1e-5 degree: the precision of the admin-1 source, used to match shared segments


def _unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Longitudes made continuous across the antimeridian (a ring may then pass 180 degrees)."""
    out: list[tuple[float, float]] = []
    shift = 0.0
    for lon, lat in points:
        if out:
            d = lon + shift - out[-1][0]
            if d > 180:
                shift -= 360
            elif d < -180:
                shift += 360
        out.append((lon + shift, lat))
    return out


def _arc_points(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _object(topology: dict, name: str) -> list[dict]:
    if topology.get("type") != "Topology" or name not in topology.get("objects", {}):
        raise ValueError(f"not a TopoJSON topology with an object {name!r}")
    obj = topology["objects"][name]
    return obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]


def _wrapped_copies(geom):
    """The geometry, plus a copy shifted by 360 degrees when it passes the antimeridian."""
    minx, _, maxx, _ = geom.bounds
    out = [geom]
    if maxx > 180:
        out.append(shapely.affinity.translate(geom, xoff=-360))
    if minx < -180:
        out.append(shapely.affinity.translate(geom, xoff=360))
    return out


def topo_polygons(topology: dict, name: str) -> list[Polygon]:
    """Every polygon (holes included) of a TopoJSON object; invalid rings are repaired."""
    arcs = decode_arcs(topology)
    polygons: list[Polygon] = []
    for geom in _object(topology, name):
        if geom.get("type") == "Polygon":
            parts = [geom["arcs"]]
        elif geom.get("type") == "MultiPolygon":
            parts = geom["arcs"]
        else:
            continue
        for rings in parts:
            coords = [_unwrap(_arc_points(arcs, r)) for r in rings]
            coords = [c for c in coords if len(c) >= 4]
            if not coords:
                continue
            poly = Polygon(coords[0], coords[1:])
            if not poly.is_valid:
                poly = shapely.make_valid(poly)
            for piece in polygons_of(poly):
                polygons.extend(_wrapped_copies(piece))
    return polygons


def polygons_of(geom) -> Iterator[Polygon]:
    if geom.is_empty:
        return
    if geom.geom_type == "Polygon":
        yield geom
    elif hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from polygons_of(g)


def lines_of(geom) -> Iterator[LineString]:
    if geom.is_empty:
        return
    if geom.geom_type == "LineString":
        yield geom
    elif geom.geom_type == "LinearRing":
        yield LineString(geom.coords)
    elif hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from lines_of(g)


def topo_lines(topology: dict, name: str) -> list[LineString]:
    """Every line of a TopoJSON object (LineString / MultiLineString geometries)."""
    arcs = decode_arcs(topology)
    lines: list[LineString] = []
    for geom in _object(topology, name):
        if geom.get("type") == "LineString":
            parts = [geom["arcs"]]
        elif geom.get("type") == "MultiLineString":
            parts = geom["arcs"]
        else:
            continue
        for indexes in parts:
            points = _unwrap(_arc_points(arcs, indexes))
            if len(points) >= 2:
                lines.extend(_wrapped_copies(LineString(points)))
    return lines


def topo_mesh(topology: dict, name: str) -> tuple[list[LineString], list[LineString]]:
    """(coastlines, borders) of a polygon object: arcs used by one geometry, arcs shared by two."""
    users: dict[int, set[int]] = defaultdict(set)
    for n, geom in enumerate(_object(topology, name)):
        if geom.get("type") == "Polygon":
            rings = geom["arcs"]
        elif geom.get("type") == "MultiPolygon":
            rings = [r for poly in geom["arcs"] for r in poly]
        else:
            continue
        for ring in rings:
            for i in ring:
                users[i if i >= 0 else ~i].add(n)
    arcs = decode_arcs(topology)
    coast: list[LineString] = []
    borders: list[LineString] = []
    for i, who in sorted(users.items()):
        points = _unwrap(arcs[i])
        if len(points) < 2:
            continue
        (coast if len(who) == 1 else borders).extend(_wrapped_copies(LineString(points)))
    return coast, borders


def _rings(geometry: dict) -> Iterator[list]:
    if geometry.get("type") == "Polygon":
        yield from geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        for poly in geometry["coordinates"]:
            yield from poly


def geojson_polygons(features: Iterable[dict]) -> list[Polygon]:
    """The polygons of GeoJSON features (invalid ones repaired)."""
    out: list[Polygon] = []
    for f in features:
        geometry = f.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        geom = shapely.geometry.shape(geometry)
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        out.extend(polygons_of(geom))
    return out


def boundary_lines(features: list[dict], country_key: str = "adm0_a3") -> dict[str, list[LineString]]:
    """Coastlines, country borders and first-level boundaries from a country's divisions' polygons.

    Natural Earth's admin-1 polygons share their vertices along common boundaries, so each segment of
    a ring is used by one division (a coast), by divisions of two countries (a border) or by two
    divisions of one country (a first-level boundary). Returns {"coast", "borders", "admin1"}."""
    rows: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    countries: dict[str, int] = {}
    for f in features:
        code = countries.setdefault(str((f.get("properties") or {}).get(country_key)), len(countries))
        for ring in _rings(f.get("geometry") or {}):
            pts = np.rint(np.asarray(ring, dtype=float)[:, :2] * QUANT).astype(np.int64)
            if len(pts) < 2:
                continue
            seg = np.hstack([pts[:-1], pts[1:]])
            seg = seg[(seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])]
            swap = (seg[:, 0] > seg[:, 2]) | ((seg[:, 0] == seg[:, 2]) & (seg[:, 1] > seg[:, 3]))
            seg[swap] = seg[swap][:, [2, 3, 0, 1]]
            rows.append(seg)
            owners.append(np.full(len(seg), code, dtype=np.int64))
    if not rows:
        return {"coast": [], "borders": [], "admin1": []}
    seg = np.vstack(rows)
    owner = np.concatenate(owners)
    unique, inverse, counts = np.unique(seg, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    lo = np.full(len(unique), np.iinfo(np.int64).max)
    hi = np.full(len(unique), -1)
    np.minimum.at(lo, inverse, owner)
    np.maximum.at(hi, inverse, owner)
    kinds = {"coast": counts == 1, "borders": (counts > 1) & (lo != hi), "admin1": (counts > 1) & (lo == hi)}
    out: dict[str, list[LineString]] = {}
    for name, mask in kinds.items():
        chosen = unique[mask].astype(float) / QUANT
        if len(chosen) == 0:
            out[name] = []
            continue
        merged = shapely.line_merge(shapely.multilinestrings(shapely.linestrings(chosen.reshape(-1, 2, 2))))
        out[name] = list(lines_of(merged))
    return out


def box_of(lon: float, lat: float, box_deg: float) -> tuple[int, int]:
    """(column, row) of the box that holds a point; columns from -180, rows from -90."""
    return math.floor((lon + 180) / box_deg), math.floor((lat + 90) / box_deg)


def box_bounds(col: int, row: int, box_deg: float) -> tuple[float, float, float, float]:
    return (-180 + col * box_deg, -90 + row * box_deg, -180 + (col + 1) * box_deg, -90 + (row + 1) * box_deg)


def cut(geoms: list, box_deg: float, margin: float, kind: str) -> dict[tuple[int, int], list]:
    """Clip polygons (kind "polygon") or lines (kind "line") into boxes; returns {(col, row): pieces}."""
    if not geoms:
        return {}
    tree = shapely.STRtree(geoms)
    cols = round(360 / box_deg)
    rows = round(180 / box_deg)
    pieces_of = polygons_of if kind == "polygon" else lines_of
    out: dict[tuple[int, int], list] = {}
    for col in range(cols):
        for row in range(rows):
            w, s, e, n = box_bounds(col, row, box_deg)
            box = (w - margin, s - margin, e + margin, n + margin)
            hits = tree.query(shapely.box(*box))
            if len(hits) == 0:
                continue
            clipped = shapely.clip_by_rect([geoms[i] for i in hits], *box)
            pieces = [p for g in clipped for p in pieces_of(g)]
            if pieces:
                out[(col, row)] = pieces
    return out


def _encode(coords: Iterable[tuple[float, ...]], closed: bool) -> list[int]:
    flat: list[int] = []
    prev: tuple[int, int] | None = None
    first: tuple[int, int] | None = None
    for c in coords:
        lat, lon = round(c[1] * SCALE), round(c[0] * SCALE)
        if (lat, lon) == prev:
            continue
        if prev is None:
            flat += [lat, lon]
            first = (lat, lon)
        else:
            flat += [lat - prev[0], lon - prev[1]]
        prev = (lat, lon)
    if closed and prev == first and len(flat) > 2:
        del flat[-2:]  # the browser closes rings itself
    return flat


def encode_line(line: LineString) -> list[int] | None:
    flat = _encode(line.coords, closed=False)
    return flat if len(flat) >= 4 else None


def encode_polygon(poly: Polygon) -> list[list[int]] | None:
    rings = [_encode(r.coords, closed=True) for r in [poly.exterior, *poly.interiors]]
    rings = [r for r in rings if len(r) >= 6]
    return rings if rings else None


def decode(flat: list[int]) -> list[tuple[float, float]]:
    """(lat, lon) points of an encoded line or ring (what the browser does; used by tests)."""
    out: list[tuple[float, float]] = []
    lat = lon = 0
    for k in range(0, len(flat), 2):
        lat += flat[k]
        lon += flat[k + 1]
        out.append((lat / SCALE, lon / SCALE))
    return out
