"""A small TopoJSON reader: decodes arcs into rings and computes polygon centroids.

Only what the gazetteer needs: Polygon and MultiPolygon geometries, quantized or not.
Centroids are planar in longitude/latitude with longitudes scaled by cos(latitude),
which is accurate enough for placing a marker on a map.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Part:
    """One polygon (outer ring only): its area in square degrees (cos-lat scaled) and centroid."""

    area: float
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


@dataclass(frozen=True)
class Feature:
    id: str | None
    properties: dict
    parts: tuple[Part, ...]

    @property
    def largest(self) -> Part | None:
        return max(self.parts, key=lambda p: p.area) if self.parts else None

    def centroid(self, how: str = "largest") -> tuple[float, float] | None:
        """(lat, lon) of the feature: `largest` part's centroid, `area` weighted over all
        parts, or `bbox` centre of the largest part."""
        if not self.parts:
            return None
        if how == "largest":
            p = self.largest
            return p.lat, p.lon
        if how == "bbox":
            b = self.largest.bbox
            return (b[1] + b[3]) / 2, _wrap((b[0] + b[2]) / 2)
        if how == "area":
            total = sum(p.area for p in self.parts)
            if total <= 0:
                return self.centroid("largest")
            lat = sum(p.lat * p.area for p in self.parts) / total
            lon = sum(p.lon * p.area for p in self.parts) / total
            return lat, lon
        raise ValueError(f"unknown centroid method {how!r}")


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            sx, sy = transform["scale"]
            tx, ty = transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc of a topology as absolute (lon, lat) points (quantized delta arcs decoded)."""
    return _decode_arcs(topology)


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous across the antimeridian (no jumps over 180 degrees)."""
    out = []
    shift = 0.0
    prev = None
    for lon, lat in ring:
        if prev is not None:
            d = lon + shift - prev
            if d > 180:
                shift -= 360
            elif d < -180:
                shift += 360
        prev = lon + shift
        out.append((prev, lat))
    return out


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _part(ring: list[tuple[float, float]]) -> Part | None:
    if len(ring) < 3:
        return None
    ring = _unwrap(ring)
    lats = [p[1] for p in ring]
    lons = [p[0] for p in ring]
    mean_lat = sum(lats) / len(lats)
    k = math.cos(math.radians(mean_lat))
    area2 = cx = cy = 0.0
    n = len(ring)
    for j in range(n):
        x0, y0 = ring[j][0] * k, ring[j][1]
        x1, y1 = ring[(j + 1) % n][0] * k, ring[(j + 1) % n][1]
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    bbox = (min(lons), min(lats), max(lons), max(lats))
    if abs(area2) < 1e-12:
        return Part(0.0, (bbox[1] + bbox[3]) / 2, _wrap((bbox[0] + bbox[2]) / 2), bbox)
    lon = cx / (3 * area2) / k if k else (bbox[0] + bbox[2]) / 2
    lat = cy / (3 * area2)
    return Part(abs(area2) / 2, lat, _wrap(lon), bbox)


def ring_part(ring) -> Part | None:
    """Area, centroid and bounding box of one ring of (lon, lat) points (None for fewer than 3)."""
    return _part([(float(lon), float(lat)) for lon, lat in ring])


def read_features(path: str | Path, object_name: str) -> list[Feature]:
    """Every Polygon/MultiPolygon geometry of `object_name` in the TopoJSON file at `path`."""
    with open(path, encoding="utf-8") as fh:
        topology = json.load(fh)
    if topology.get("type") != "Topology" or object_name not in topology.get("objects", {}):
        raise ValueError(f"{path}: not a TopoJSON file with an object {object_name!r}")
    arcs = _decode_arcs(topology)
    features = []
    for geom in topology["objects"][object_name].get("geometries", []):
        if geom.get("type") == "Polygon":
            polygons = [geom["arcs"]]
        elif geom.get("type") == "MultiPolygon":
            polygons = geom["arcs"]
        else:
            polygons = []
        parts = []
        for polygon in polygons:
            if polygon:
                part = _part(_ring(arcs, polygon[0]))
                if part is not None:
                    parts.append(part)
        gid = geom.get("id")
        features.append(Feature(str(gid) if gid is not None else None, geom.get("properties") or {}, tuple(parts)))
    return features


def to_geojson(topology: dict, object_name: str, decimals: int = 5) -> dict:
    """One object of a TopoJSON topology as a GeoJSON FeatureCollection (Polygon and MultiPolygon
    geometries, holes included; other geometries are left out). Each ring's longitudes are made
    continuous across the antimeridian, so a map draws it without a line across the world."""
    if topology.get("type") != "Topology" or object_name not in topology.get("objects", {}):
        raise ValueError(f"not a TopoJSON topology with an object {object_name!r}")
    arcs = _decode_arcs(topology)

    def ring(indexes: list[int]) -> list[list[float]]:
        return [[round(lon, decimals), round(lat, decimals)] for lon, lat in _unwrap(_ring(arcs, indexes))]

    obj = topology["objects"][object_name]
    features = []
    for geom in obj.get("geometries", [obj]) if obj.get("type") == "GeometryCollection" else [obj]:
        if geom.get("type") == "Polygon":
            geometry = {"type": "Polygon", "coordinates": [ring(r) for r in geom["arcs"]]}
        elif geom.get("type") == "MultiPolygon":
            geometry = {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geom["arcs"]]}
        else:
            continue
        features.append({"type": "Feature", "id": geom.get("id"),
                         "properties": {"name": (geom.get("properties") or {}).get("name")},
                         "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
