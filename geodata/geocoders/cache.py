"""On-disk cache of geocoder answers (JSON, written atomically).

Both kinds of definite answer are cached: a place (``found``) and "the service knows no such place"
(``no-result``), so a second build asks nothing. Failures (timeouts, 429, 5xx, malformed answers) are
never cached: the next build tries those names again.

File layout::

    {"format": "article-atlas-geocoder-cache", "version": 1,
     "entries": {"<namespace>|<name key>": {"status": "found", "query": "...", "place": {...}, "at": "..."}}}
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

from geodata import atomic
from geodata.model import Place
from geodata.overrides import surface_key

FORMAT = "article-atlas-geocoder-cache"
VERSION = 1
CACHEABLE = ("found", "no-result")


def cache_key(namespace: str, name: str) -> str:
    return f"{namespace}|{surface_key(name)}"


def _place_from_json(data: dict) -> Place:
    fields = {f.name for f in dataclasses.fields(Place)}
    values = {k: v for k, v in data.items() if k in fields}
    place = Place(**values)
    if not isinstance(place.lat, (int, float)) or not isinstance(place.lon, (int, float)):
        raise ValueError("lat/lon are not numbers")
    return place


class GeocodeCache:
    """``get(namespace, name) -> (status, Place | None) | None``; ``put`` then ``save``."""

    def __init__(self, path: str | os.PathLike | None):
        self.path = Path(path) if path is not None else None
        self.entries: dict[str, dict] = {}
        self.problem: str | None = None
        self.dirty = False
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a geocoder cache file")
            if data.get("version") != VERSION:
                raise ValueError(f"cache version {data.get('version')!r}, expected {VERSION}")
            entries = data.get("entries")
            if not isinstance(entries, dict):
                raise ValueError("no entries")
        except (OSError, ValueError) as error:
            if not self.path.is_file():  # e.g. a folder given as --geocoder-cache: never move it
                self.problem = f"geocoder cache {self.path} is not a file ({error}); answers are not cached"
                self.path = None
                return
            aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
            try:
                os.replace(self.path, aside)
                moved = f"; moved aside to {aside.name}"
            except OSError:
                moved = ""
            self.problem = f"geocoder cache {self.path} unreadable ({error}); starting empty{moved}"
            return
        for key, entry in entries.items():
            if isinstance(entry, dict) and entry.get("status") in CACHEABLE:
                self.entries[key] = entry

    def get(self, namespace: str, name: str) -> tuple[str, list[Place]] | None:
        """``("found", [best, *alternatives])``, ``("no-result", [])`` or None (not cached)."""
        entry = self.entries.get(cache_key(namespace, name))
        if entry is None:
            return None
        if entry["status"] == "no-result":
            return "no-result", []
        try:
            places = [_place_from_json(entry["place"])]
            places += [_place_from_json(p) for p in entry.get("alternatives") or []]
        except (KeyError, TypeError, ValueError):
            return None  # a damaged entry is asked again
        return "found", places

    def put(self, namespace: str, name: str, places: list[Place]) -> None:
        entry = {"status": "found" if places else "no-result", "query": name,
                 "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if places:
            entry["place"] = dataclasses.asdict(places[0])
            if len(places) > 1:
                entry["alternatives"] = [dataclasses.asdict(p) for p in places[1:]]
        self.entries[cache_key(namespace, name)] = entry
        self.dirty = True

    def save(self) -> None:
        """Write the cache atomically (temp file in the same folder + os.replace)."""
        if self.path is None or not self.dirty:
            return
        payload = {"format": FORMAT, "version": VERSION, "entries": dict(sorted(self.entries.items()))}
        atomic.write_json(self.path, payload, indent=1)
        self.dirty = False
