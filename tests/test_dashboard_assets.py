"""Set-up copy of the browser assets and the TopoJSON -> GeoJSON conversion (dashboard/assets.py)."""
import json

import pytest

from dashboard import assets


def test_topology_decoding_quantized_delta_arcs():
    topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [10, 20]},
            "arcs": [[[0, 0], [1, 0], [0, 1]], [[1, 1], [-1, 0], [0, -1]]],
            "objects": {"countries": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "1", "properties": {"name": "Square"}},
                {"type": "MultiPolygon", "arcs": [[[~1, ~0]]], "id": "2", "properties": {"name": "Rev"}},
                {"type": None, "id": "3"},
            ]}}}
    fc = assets.topology_to_geojson(topo)
    assert [f["properties"]["name"] for f in fc["features"]] == ["Square", "Rev"]
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert ring == [[10, 20], [11, 20], [11, 21], [10, 21], [10, 20]]
    rev = fc["features"][1]["geometry"]["coordinates"][0][0]
    assert rev == list(reversed(ring))


def test_not_a_topology():
    with pytest.raises(assets.AssetError):
        assets.topology_to_geojson({"type": "FeatureCollection"})


def test_install_copies_and_is_idempotent(tmp_path):
    if not (assets.NODE_MODULES / "leaflet/dist/leaflet.js").is_file():
        pytest.skip("node_modules not installed (run npm install)")
    vendor = tmp_path / "vendor"
    first = assets.install(vendor_dir=vendor)
    assert len(first) == len(assets.REQUIRED)
    assert assets.missing_assets(vendor) == []
    assert assets.install(vendor_dir=vendor) == []  # second run: nothing rewritten
    outlines = json.loads((vendor / assets.OUTLINES_TARGET).read_text())
    names = {f["properties"]["name"] for f in outlines["features"]}
    assert {"France", "Belgium", "United Kingdom"} <= names and len(names) > 150


def test_install_reports_missing_packages(tmp_path):
    with pytest.raises(assets.AssetError, match="npm install"):
        assets.install(node_modules=tmp_path / "nothing", vendor_dir=tmp_path / "vendor")
