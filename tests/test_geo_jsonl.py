"""The one distance (geodata/geo.py) and the one JSONL reader (geodata/jsonl.py)."""
import pytest

from geodata.errors import AtlasError
from geodata.geo import haversine_km
from geodata.jsonl import read_jsonl


def test_haversine_known_distances():
    assert haversine_km(0, 0, 0, 0) == 0
    assert haversine_km(10, 20, 11, 20) == pytest.approx(111.2, abs=0.3)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(20015, abs=10)
    assert haversine_km(50.95, 1.86, 51.13, 1.31) == pytest.approx(42.6, abs=1)  # Calais - Dover


def test_jsonl_reader_yields_objects_with_line_numbers(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")
    assert list(read_jsonl(path)) == [(1, {"id": 1}), (3, {"id": 2})]


@pytest.mark.parametrize("body, message", [
    (b'{"id": 1}\nnot json\n', "in.jsonl:2: not JSON"),
    (b'[1, 2]\n', "in.jsonl:1: expected an object"),
    (b'{"id": 1}\n{"t": "\xff"}\n', "in.jsonl:2: not UTF-8"),
])
def test_jsonl_reader_names_the_bad_line(tmp_path, body, message):
    path = tmp_path / "in.jsonl"
    path.write_bytes(body)
    with pytest.raises(AtlasError, match=message):
        list(read_jsonl(path))
    with pytest.raises(AtlasError, match="cannot read"):
        list(read_jsonl(tmp_path / "missing.jsonl"))
