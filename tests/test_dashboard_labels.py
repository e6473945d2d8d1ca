"""Plain words for kinds and position sources (dashboard/labels.py), checked against what the pipeline emits."""
import ast
import dataclasses
import re
import sqlite3
from pathlib import Path

import pytest

from dashboard.labels import KIND_LABELS, is_known_source, kind_label, source_label
from geodata.gazetteer.build import DEFAULT_INDEX_PATH, Sources
from geodata.geocoders import get_geocoder
from geodata.model import KINDS, Place
from geodata.overrides import SOURCE as OVERRIDE_SOURCE

REPO = Path(__file__).resolve().parent.parent
CODE_LIKE = re.compile(r"[a-z0-9]+[-_:][a-z0-9]|^admin\d$")


def literal_sources() -> set[str]:
    """Every ``computed:...`` / ``curated:...`` string constant in the pipeline's code."""
    found = set()
    for path in (REPO / "geodata").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"(computed|curated):[\w.\-]+", node.value):
                found.add(node.value)
    return found


def computed_sources() -> set[str]:
    """``computed:<how>`` for every way the index builder places an area from its cities."""
    members = [(50.9, 1.8, 70_000), (51.0, 2.3, 90_000), (50.7, 1.6, 40_000), (48.8, 2.3, 2_000_000)]
    return {f"computed:{how}" for how in Sources.point_options(members)}


def index_sources() -> set[str]:
    if not DEFAULT_INDEX_PATH.is_file():
        pytest.skip("the gazetteer index is not built (python -m geodata index)")
    con = sqlite3.connect(f"file:{DEFAULT_INDEX_PATH.as_posix()}?mode=ro", uri=True)
    try:
        return {row[0] for row in con.execute("SELECT DISTINCT source FROM places")}
    finally:
        con.close()


def pipeline_sources() -> set[str]:
    default = next(f.default for f in dataclasses.fields(Place) if f.name == "source")
    geocoders = {get_geocoder("offline").source, get_geocoder("nominatim", domain="localhost:1").source}
    return {default, OVERRIDE_SOURCE} | geocoders | literal_sources() | computed_sources() | index_sources()


def test_every_kind_has_plain_words():
    assert set(KINDS) <= set(KIND_LABELS)
    for kind in KINDS:
        assert kind_label(kind) == KIND_LABELS[kind] and not CODE_LIKE.search(kind_label(kind)), kind
    assert kind_label("admin1") == "state / province" and kind_label("admin2") == "county / district"


def test_every_source_the_pipeline_can_emit_has_plain_words():
    sources = pipeline_sources()
    assert {"geonames", "override", "geocoder:nominatim", "computed:cities-popweighted"} <= sources
    assert len(sources) >= 15, sorted(sources)  # the derivation found the index's and the code's values
    missing = sorted(s for s in sources if not is_known_source(s))
    assert missing == [], f"add plain words for these position sources to dashboard/labels.py: {missing}"
    for s in sources:
        words = source_label(s)
        assert words and words != s and "computed" not in words and not CODE_LIKE.search(words), (s, words)


def test_known_values_read_as_phrases():
    assert source_label("computed:cities-popweighted") == "centre of its towns, weighted by population"
    assert source_label("geocoder:nominatim") == "online geocoder: Nominatim (OpenStreetMap)"
    assert source_label("override") == "set by hand in the overrides file"
    assert source_label("geocoder:offline") == "the offline gazetteer"


def test_unknown_values_fall_back_readably():
    assert kind_label("volcano-field") == "volcano field"
    assert kind_label("") == kind_label(None) == "unknown kind"
    assert source_label("computed:new-method") == "worked out from the places inside it (new method)"
    assert source_label("geocoder:photon") == "online geocoder: photon"
    assert source_label("curated:extra.csv") == "a curated list (extra.csv)"
    assert source_label("some_new-thing") == "some new thing"
    assert source_label(None) == source_label("") == "unknown"
    assert not is_known_source("computed:new-method") and not is_known_source("mystery")
