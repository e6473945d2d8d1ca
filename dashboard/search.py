"""Finding a place by name, and labels that tell namesakes apart.

    search = PlaceSearch(atlas.places)
    search.matches("holland")        # ids: every name and alias, accents and case ignored
    search.label(pid)                # "Springfield — Illinois, United States"

Names are compared with the gazetteer's own normaliser (``geodata.gazetteer.normalize``: case and
accents folded, "St." = "Saint", hyphens = spaces), so the search equates what the pipeline equates.
A place matches on its display name, its gazetteer name and every spelling the articles use, and - when
the offline gazetteer is at hand (``gazetteer_lookup``) - on any other name the gazetteer gives it,
spelled out in full ("Dunkerque" finds Dunkirk even when no article wrote "Dunkerque"). Ranking:
a name equal to the query, then one starting with it, then a word starting with it, then the query
anywhere; within each, more mentions first.

Labels: the name, then its first-level division (state / province) and country name where they add
something ("Dunkirk — Hauts-de-France, France"). Places whose labels would still be equal get their
kind in plain words, then their coordinates, then their id: no two labels are ever the same.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

import pycountry

from dashboard.labels import kind_label
from geodata.gazetteer.normalize import normalize as _normalize

SEARCH_RESULTS = 8
SEPARATOR = " — "
_EQUAL, _PREFIX, _WORD, _INSIDE = range(4)
normalize = lru_cache(maxsize=100_000)(_normalize)  # names repeat (divisions, countries, aliases)
# where pycountry's names are not the ones English readers use (or it has no entry: Kosovo)
_EVERYDAY_NAMES = {"RU": "Russia", "XK": "Kosovo", "PS": "Palestine", "BN": "Brunei", "FM": "Micronesia",
                   "CD": "DR Congo"}


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str | None:
    """The country's everyday English name for an ISO alpha-2 code ("US" -> "United States"); the code
    itself when pycountry does not know it, None for no code."""
    if not code:
        return None
    if code.upper() in _EVERYDAY_NAMES:
        return _EVERYDAY_NAMES[code.upper()]
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def place_names(place: dict) -> list[str]:
    """Every spelling of a place: display name, gazetteer name, the articles' spellings."""
    names = [place.get("name"), place.get("gazetteer_name"), *(place.get("aliases") or [])]
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n.strip()))


def _tier(query: str, keys: list[str]) -> int | None:
    best = None
    for key in keys:
        if key == query:
            return _EQUAL
        if key.startswith(query):
            tier = _PREFIX
        elif (" " + query) in (" " + key):
            tier = _WORD
        elif query in key:
            tier = _INSIDE
        else:
            continue
        best = tier if best is None else min(best, tier)
    return best


def base_label(place: dict) -> str:
    """Name, then first-level division and country where they differ from the name."""
    name = place.get("name") or place.get("id") or "?"
    seen = {normalize(name)}
    parts = []
    for part in (place.get("admin1"), country_name(place.get("country"))):
        key = normalize(part) if part else None
        if key and key not in seen:
            parts.append(part)
            seen.add(key)
    return name + (SEPARATOR + ", ".join(parts) if parts else "")


def _coordinates(place: dict) -> str:
    lat, lon = place.get("lat"), place.get("lon")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return ""
    return f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}"


def _spread(labels: dict[str, str], places: dict[str, dict], extra) -> dict[str, str]:
    """Add ``extra(place)`` to every label that another place shares."""
    groups: dict[str, list[str]] = defaultdict(list)
    for pid, label in labels.items():
        groups[label].append(pid)
    out = dict(labels)
    for label, ids in groups.items():
        if len(ids) > 1:
            for pid in ids:
                more = extra(places[pid], pid)
                if more:
                    out[pid] = f"{label} ({more})" if not label.endswith(")") else f"{label[:-1]}; {more})"
    return out


def place_labels(places: list[dict]) -> dict[str, str]:
    """A label per place id, unique across ``places``."""
    by_id = {p["id"]: p for p in places}
    labels = {pid: base_label(p) for pid, p in by_id.items()}
    labels = _spread(labels, by_id, lambda p, _: kind_label(p.get("kind")))
    labels = _spread(labels, by_id, lambda p, _: _coordinates(p))
    return _spread(labels, by_id, lambda _, pid: f"id {pid}")


Lookup = Callable[[str], Iterable[tuple[str, int | None]]]


def gazetteer_lookup(index_path=None) -> Lookup:
    """``lookup(name)`` -> (place id, GeoNames id) of every gazetteer place with that name in any
    spelling; opens the offline index at the first call and answers nothing when it cannot."""
    state: dict = {}

    def lookup(name: str):
        if "gazetteer" not in state:
            try:
                from geodata.gazetteer import Gazetteer
                state["gazetteer"] = Gazetteer.open(index_path)
            except Exception:  # no index (or a broken one): the search still matches the atlas's names
                state["gazetteer"] = None
        gazetteer = state["gazetteer"]
        if gazetteer is None:
            return []
        try:
            return [(c.place.id, c.place.geonameid) for c in gazetteer.lookup(name)]
        except Exception:
            return []

    return lookup


class PlaceSearch:
    """Search and labels over one set of places (build once per loaded atlas: it folds every name).
    ``lookup``: more names from the gazetteer (``gazetteer_lookup()``), or None."""

    def __init__(self, places: list[dict], lookup: Lookup | None = None):
        self.lookup = lookup
        self.places = {p["id"]: p for p in places}
        self._by_geonameid = {p["geonameid"]: pid for pid, p in self.places.items() if p.get("geonameid")}
        self.labels = place_labels(places)
        self._keys = {pid: list(dict.fromkeys(k for k in map(normalize, place_names(p)) if k))
                      for pid, p in self.places.items()}

    def label(self, pid: str) -> str:
        return self.labels.get(pid, pid)

    def option_text(self, pid: str) -> str:
        """The label plus the spellings it does not show, for a drop-down that filters on its text
        ("Dunkirk — Hauts-de-France, France · also Dunkerque")."""
        label = self.label(pid)
        shown = normalize(label)
        others = [n for n in place_names(self.places.get(pid, {})) if normalize(n) not in shown]
        return label + (" · also " + ", ".join(others[:6]) if others else "")

    def matches(self, query: str, limit: int = SEARCH_RESULTS) -> list[str]:
        """Place ids matching ``query`` (see the module docstring for the order)."""
        q = normalize(query or "") if isinstance(query, str) else ""
        if not q:
            return []
        tiers = {pid: _tier(q, keys) for pid, keys in self._keys.items()}
        for pid in self._gazetteer_matches(query):
            tiers[pid] = _EQUAL
        found = []
        for pid, tier in tiers.items():
            if tier is not None:
                p = self.places[pid]
                found.append((tier, -(p.get("mention_count") or 0), self.labels[pid], pid))
        found.sort()
        return [pid for *_, pid in found[:max(limit, 0)]]

    def _gazetteer_matches(self, query: str) -> set[str]:
        if self.lookup is None:
            return set()
        out = set()
        for place_id, geonameid in self.lookup(query):
            if place_id in self.places:
                out.add(place_id)
            elif geonameid in self._by_geonameid:
                out.add(self._by_geonameid[geonameid])
        return out
