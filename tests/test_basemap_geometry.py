"""Offline basemap geometry (dashboard/basemap_geometry.py): boundaries, boxes, the browser's encoding."""
from shapely.geometry import LineString, Polygon

from dashboard import basemap_geometry as geo


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def feature(country, ring):
    return {"properties": {"adm0_a3": country}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_boundary_lines_tell_coast_border_and_province_apart():
    lines = geo.boundary_lines([feature("A", square(0, 0, 1, 1)), feature("A", square(1, 0, 2, 1)),
                                feature("B", square(2, 0, 3, 1))])
    xs = {name: {round(x, 5) for line in ls for x, _ in line.coords} for name, ls in lines.items()}
    assert xs["admin1"] == {1.0} and xs["borders"] == {2.0}
    assert sum(line.length for line in lines["coast"]) == 3 + 3 + 1 + 1  # the outer rectangle


def test_topo_mesh_splits_shared_arcs_from_coast():
    topo = {"type": "Topology", "arcs": [[[0, 0], [0, 1]], [[0, 1], [-1, 1], [-1, 0], [0, 0]],
                                         [[0, 0], [1, 0], [1, 1], [0, 1]]],
            "objects": {"c": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]]}, {"type": "Polygon", "arcs": [[2, ~0]]}]}}}
    coast, borders = geo.topo_mesh(topo, "c")
    assert [list(b.coords) for b in borders] == [[(0, 0), (0, 1)]] and len(coast) == 2


def test_cut_clips_into_overlapping_boxes():
    boxes = geo.cut([Polygon(square(-1, 1, 1, 3))], 4, 0.01, "polygon")  # boxes meet at lon 0, lat 2
    assert set(boxes) == {(44, 22), (45, 22), (44, 23), (45, 23)}
    assert abs(boxes[(45, 23)][0].area - 1.01 * 1.01) < 1e-9  # the box plus its margin
    lines = geo.cut([LineString([(-1, 0.5), (1, 0.5)])], 4, 0.0, "line")
    assert set(lines) == {(44, 22), (45, 22)}


def test_encoding_round_trip_and_ring_closing():
    poly = Polygon(square(1.85, 50.95, 1.86, 50.96))
    rings = geo.encode_polygon(poly)
    points = geo.decode(rings[0])
    assert len(points) == 4 and points[0] == (50.95, 1.85)  # (lat, lon); the closing point left out
    assert geo.decode(geo.encode_line(LineString([(0, 0), (0.00001, 0), (1, 1)]))) == [(0, 0), (1, 1)]
