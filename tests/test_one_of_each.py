"""The code keeps one of each: one great-circle distance, one JSON-lines reader (issue 13's "one of each").

These scan the project's own source, so a copy pasted back into a module fails here."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("geodata", "dashboard") for p in (ROOT / folder).rglob("*.py"))


def _modules_matching(pattern: str) -> set[str]:
    rx = re.compile(pattern)
    return {str(p.relative_to(ROOT)) for p in SOURCES if rx.search(p.read_text(encoding="utf-8"))}


def test_the_sources_are_found():
    assert len(SOURCES) > 40 and ROOT / "geodata" / "geo.py" in SOURCES


def test_one_great_circle_distance():
    # the haversine's tell-tale: an arcsine of a square root, or the Earth's radius written out
    assert _modules_matching(r"asin\(|6371") == {"geodata/geo.py"}


def test_one_json_lines_reader():
    # reading a file line by line into json.loads happens in one module only
    assert _modules_matching(r"for [^\n]*\bin (fh|handle|f)\b[^\n]*:\s*\n(?:[^\n]*\n){0,8}?[^\n]*json\.loads\(") <= {
        "geodata/jsonl.py"}


def test_the_one_distance_is_right():
    from geodata.geo import haversine_km

    # Calais to Dover, about 41 km across the Strait; a quarter of the equator, 10,008 km
    assert 38 < haversine_km(50.9513, 1.8587, 51.1279, 1.3134) < 44
    assert abs(haversine_km(0, 0, 0, 90) - 10007.5) < 1
