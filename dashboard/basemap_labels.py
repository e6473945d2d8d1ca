"""Place labels of the offline basemap: which names show from which zoom (computed once at set-up).

Towns come from the project's gazetteer (GeoNames places with a population), countries from the Natural
Earth country polygons. A label becomes eligible at the first zoom its population (or a country's area)
reaches (`MIN_POPULATION`, `country_zoom`); it gets that zoom as its `min_zoom` only if its box, roughly
estimated in pixels, does not overlap a label already placed at that zoom (countries first, then towns by
population), otherwise it is tried again one zoom further in. So few big cities show at low zoom and towns
from zoom 9-12. The browser places the labels in the same order with their measured size and skips any
that would overlap, so what is drawn never overlaps even where this estimate is off.
"""
from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

MIN_ZOOM = 2
MAX_ZOOM = 12  # labels not placed by this zoom are left out
COUNTRY_MAX_ZOOM = 6  # country names are drawn up to this zoom (the whole-world files)
# the smallest population a town needs to be considered at each zoom
MIN_POPULATION = {2: 5_000_000, 3: 2_000_000, 4: 1_000_000, 5: 400_000, 6: 150_000, 7: 60_000,
                  8: 25_000, 9: 10_000, 10: 4_000, 11: 1_500, 12: 800}
SMALLEST_TOWN = MIN_POPULATION[MAX_ZOOM]
CHAR_PX = {"town": 6.6, "country": 7.8}  # rough average glyph widths of the browser's label fonts
LABEL_PX_HEIGHT = 15
GAP_PX = 6
CELL_PX = 128


@dataclass
class Label:
    name: str
    lat: float
    lon: float
    kind: str  # "town" or "country"
    rank: float  # population (towns) or area in square degrees (countries); larger first
    min_zoom: int | None = None

    def row(self) -> list:
        """What the browser gets: [name, lat, lon, min_zoom, rank, kind letter]."""
        return [self.name, round(self.lat, 4), round(self.lon, 4), self.min_zoom, int(self.rank),
                "c" if self.kind == "country" else "t"]


def eligible_zoom(population: int) -> int | None:
    """The first zoom at which a town of this population is considered (None: too small for any)."""
    for zoom in range(MIN_ZOOM, MAX_ZOOM + 1):
        if population >= MIN_POPULATION[zoom]:
            return zoom
    return None


def country_zoom(area: float) -> int:
    """The first zoom at which a country's name is considered, by its area in square degrees."""
    if area >= 60:
        return 2
    if area >= 8:
        return 3
    if area >= 1:
        return 4
    return 5


def _pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    size = 256 * 2 ** zoom
    lat = max(-85.0, min(85.0, lat))
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2
    return (lon + 180) / 360 * size, y * size


def _box(label: Label, zoom: int) -> tuple[float, float, float, float]:
    x, y = _pixel(label.lat, label.lon, zoom)
    half = (CHAR_PX[label.kind] * len(label.name) + GAP_PX) / 2
    return x - half, y - LABEL_PX_HEIGHT, x + half, y + GAP_PX


class _Grid:
    """Placed label boxes of one zoom, hashed into cells for overlap tests."""

    def __init__(self):
        self.cells: dict[tuple[int, int], list] = defaultdict(list)

    def _cells(self, box):
        for cx in range(int(box[0] // CELL_PX), int(box[2] // CELL_PX) + 1):
            for cy in range(int(box[1] // CELL_PX), int(box[3] // CELL_PX) + 1):
                yield cx, cy

    def free(self, box) -> bool:
        for cell in self._cells(box):
            for b in self.cells[cell]:
                if box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]:
                    return False
        return True

    def add(self, box) -> None:
        for cell in self._cells(box):
            self.cells[cell].append(box)


def _start_zoom(label: Label) -> int | None:
    return country_zoom(label.rank) if label.kind == "country" else eligible_zoom(int(label.rank))


def assign_min_zooms(labels: list[Label]) -> list[Label]:
    """Set each label's min_zoom (see the module docstring); returns the labels that got one, in the
    order the browser places them (by min_zoom, countries first, then larger first)."""
    order = sorted(labels, key=lambda lb: (lb.kind != "country", -lb.rank, lb.name))
    for lb in order:
        lb.min_zoom = None
    for zoom in range(MIN_ZOOM, MAX_ZOOM + 1):
        grid = _Grid()
        shown = [lb for lb in order if lb.kind != "country" or zoom <= COUNTRY_MAX_ZOOM]
        for lb in shown:  # labels placed at a lower zoom keep their place (they only move apart)
            if lb.min_zoom is not None:
                grid.add(_box(lb, zoom))
        for lb in shown:
            start = _start_zoom(lb)
            if lb.min_zoom is not None or start is None or start > zoom:
                continue
            box = _box(lb, zoom)
            if grid.free(box):
                grid.add(box)
                lb.min_zoom = zoom
    chosen = [lb for lb in order if lb.min_zoom is not None]
    chosen.sort(key=lambda lb: (lb.min_zoom, lb.kind != "country", -lb.rank))
    return chosen


def read_towns(gazetteer: Path, smallest: int = SMALLEST_TOWN) -> list[Label]:
    """Settlements of the gazetteer index with at least `smallest` inhabitants."""
    con = sqlite3.connect(f"file:{gazetteer.resolve().as_posix()}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT name, lat, lon, population FROM places WHERE kind = 'settlement' "
                           "AND population >= ?", (smallest,)).fetchall()
    finally:
        con.close()
    return [Label(name, lat, lon, "town", float(pop)) for name, lat, lon, pop in rows if name]
