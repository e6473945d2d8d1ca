"""The document's confident places as context for each name, in time linear in the number of mentions.

Pass 1 of the resolver picks each mention's best reading by prior with a confidence. Every name's
context is the votes of all those choices with the name's OWN votes down-weighted (a name must not
vote for its own reading). Instead of re-summing every mention for every name (quadratic), the
document totals are summed once and each name's own share is kept apart, so a name's view of a country's
or a division's votes is one subtraction. Anchor points (confident places) are merged by place and
bucketed on a grid keeping the ``ANCHORS_PER_CELL`` most confident per cell, so a reading's proximity
looks at a bounded number of anchors within ``PROXIMITY_MAX_KM`` however long the document is.
"""
from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from typing import Callable

from geodata.model import Place

ANCHOR_KINDS = ("settlement", "admin2", "admin1", "water", "landmark", "street")
# proximity decays as exp(-km / PROXIMITY_KM); beyond PROXIMITY_MAX_KM it is under 0.3 % and ignored
PROXIMITY_KM = 250.0
PROXIMITY_MAX_KM = 1500.0
ANCHORS_PER_CELL = 4
# with at most this many occupied cells, proximity measures every kept anchor directly (same maximum,
# no walk over the empty cells around the reading); the nearest-first ring walk is for long documents
DIRECT_CELLS = 64
_CELL_DEG = 2.0
_KM_PER_DEG = 111.2


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor(lat / _CELL_DEG)), int(math.floor(lon / _CELL_DEG))


@lru_cache(maxsize=8192)
def _rings(cell: tuple[int, int]) -> tuple[tuple[float, tuple[int, int]], ...]:
    """The cells within PROXIMITY_MAX_KM of ``cell``, nearest first, each with a lower bound on the
    distance between a point of ``cell`` and a point of it (whole cells between them)."""
    row, col = cell
    ncols = int(round(360 / _CELL_DEG))
    half = ncols // 2
    drows = int(math.ceil(PROXIMITY_MAX_KM / (_KM_PER_DEG * _CELL_DEG))) + 1
    out = []
    for r in range(row - drows, row + drows + 1):
        far_lat = min(90.0, max(abs(r * _CELL_DEG), abs((r + 1) * _CELL_DEG),
                                abs(row * _CELL_DEG), abs((row + 1) * _CELL_DEG)))
        lat_gap = max(0, abs(r - row) - 1) * _CELL_DEG * _KM_PER_DEG
        col_km = _CELL_DEG * _KM_PER_DEG * math.cos(math.radians(far_lat))
        for dc in range(-half, half):
            lon_gap = max(0, abs(dc) - 1) * col_km
            bound = math.hypot(lat_gap, lon_gap)
            if bound <= PROXIMITY_MAX_KM:
                out.append((bound, (r, (col + dc + half) % ncols - half)))
    out.sort()
    return tuple(out)


class DocContext:
    """Votes of the document's first-pass choices: totals, each name's own part, anchors on a grid."""

    def __init__(self, weights: dict[str, float]):
        self.w = weights
        self.countries: dict[str, float] = defaultdict(float)
        self.admin1: dict[str, float] = defaultdict(float)
        self.own_countries: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.own_admin1: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.anchor_conf: dict[str, dict[str, float]] = defaultdict(dict)  # place id -> name -> best conf
        self.anchor_place: dict[str, Place] = {}
        self.world_names: set[str] = set()  # names chosen as a country or a national capital
        self.named_countries: dict[str, set[str]] = defaultdict(set)  # country code -> names naming it
        self._grid: dict[tuple[int, int], list[str]] | None = None
        self._kept: list[str] | None = None

    @property
    def grid(self) -> dict[tuple[int, int], list[str]]:
        """Anchor place ids per cell, the most confident ANCHORS_PER_CELL of each (built once)."""
        if self._grid is None:
            cells: dict[tuple[int, int], list[str]] = defaultdict(list)
            for pid, p in self.anchor_place.items():
                cells[_cell(p.lat, p.lon)].append(pid)
            for ids in cells.values():
                ids.sort(key=lambda pid: (-max(self.anchor_conf[pid].values()), pid))
                del ids[ANCHORS_PER_CELL:]
            self._grid = dict(cells)
        return self._grid

    @property
    def kept(self) -> list[str]:
        """The anchor place ids the grid keeps (every cell's most confident ones)."""
        if self._kept is None:
            self._kept = [pid for ids in self.grid.values() for pid in ids]
        return self._kept

    def _vote(self, table: dict, own: dict, key: str, code: str | None, amount: float) -> None:
        if code:
            table[code] += amount
            own[key][code] += amount

    def add(self, key: str, p: Place, conf: float, capital: bool = False) -> None:
        """One first-pass choice of the name ``key`` with confidence ``conf`` (``capital``: the place
        is a national capital)."""
        w = self.w
        if p.kind == "country" or capital:
            self.world_names.add(key)
        if p.kind == "country" and p.country:
            self.named_countries[p.country].add(key)
        if p.kind == "country":
            self._vote(self.countries, self.own_countries, key, p.country, w["country_vote"] * conf)
        elif p.kind == "admin1":
            self._vote(self.admin1, self.own_admin1, key, p.admin1, w["admin1_vote_division"] * conf)
            self._vote(self.countries, self.own_countries, key, p.country, w["admin1_vote_country"] * conf)
        elif p.kind in ("settlement", "admin2"):
            self._vote(self.countries, self.own_countries, key, p.country, w["point_vote"] * conf)
            self._vote(self.admin1, self.own_admin1, key, p.admin1, w["point_vote"] * conf)
        if p.kind in ANCHOR_KINDS:
            confs = self.anchor_conf[p.id]
            self.anchor_place[p.id] = p
            self._grid = self._kept = None
            confs[key] = max(confs.get(key, 0.0), conf)

    def view(self, key: str | None) -> "NameContext":
        """The context as the name ``key`` sees it (None: the whole document)."""
        return NameContext(self, key)


class NameContext:
    """One name's view of the document context: its own votes count ``self_weight`` times."""

    def __init__(self, doc: DocContext, key: str | None):
        self.doc = doc
        self.key = key
        self.cut = 1.0 - doc.w["self_weight"] if key is not None else 0.0
        self.own_c = doc.own_countries.get(key, {}) if key is not None else {}
        self.own_a = doc.own_admin1.get(key, {}) if key is not None else {}
        self.country_sum = sum(doc.countries.values()) - self.cut * sum(self.own_c.values())
        self.admin1_sum = sum(doc.admin1.values()) - self.cut * sum(self.own_a.values())
        self.coherence: dict[str, float] = {}
        self.has_anchors = bool(doc.anchor_place)
        # a story that names a country or another national capital is a national or world story
        self.world_story = bool(doc.world_names - {key})
        self.countries_named = {code for code, names in doc.named_countries.items() if names - {key}}

    def country(self, code: str) -> float:
        return self.doc.countries.get(code, 0.0) - self.cut * self.own_c.get(code, 0.0)

    def admin1(self, code: str) -> float:
        return self.doc.admin1.get(code, 0.0) - self.cut * self.own_a.get(code, 0.0)

    def _anchor_weight(self, confs: dict[str, float]) -> float:
        best = 0.0
        for name, conf in confs.items():
            best = max(best, conf * (1.0 - self.cut) if name == self.key else conf)
        return best

    def proximity(self, p: Place, km: Callable[[Place, Place], float]) -> float:
        """max over the anchors near p (p itself left out) of weight * exp(-km / PROXIMITY_KM)."""
        if len(self.doc.grid) <= DIRECT_CELLS:
            return self._proximity_direct(p, km)
        return self._proximity_rings(p, km)

    def _proximity_direct(self, p: Place, km: Callable[[Place, Place], float]) -> float:
        """Every kept anchor measured: few occupied cells cost less than the empty ones around p."""
        best = 0.0
        for pid in self.doc.kept:
            best = self._with_anchor(best, pid, p, km)
        return best

    def _with_anchor(self, best: float, pid: str, p: Place, km: Callable[[Place, Place], float]) -> float:
        """``best`` raised by the anchor ``pid`` (weight times the decay of its distance to ``p``)."""
        if pid == p.id:
            return best
        doc = self.doc
        w = self._anchor_weight(doc.anchor_conf[pid])
        if w <= best:
            return best
        d = km(doc.anchor_place[pid], p)
        return max(best, w * math.exp(-d / PROXIMITY_KM)) if d <= PROXIMITY_MAX_KM else best

    def _proximity_rings(self, p: Place, km: Callable[[Place, Place], float]) -> float:
        """Cells visited nearest first; the search stops when no farther anchor can do better."""
        grid = self.doc.grid
        best = 0.0
        for bound, cell in _rings(_cell(p.lat, p.lon)):
            if math.exp(-bound / PROXIMITY_KM) <= best:
                break  # weights are at most 1: nothing from here on can beat the best so far
            for pid in grid.get(cell, ()):
                best = self._with_anchor(best, pid, p, km)
        return best
