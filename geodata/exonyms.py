"""Names of places in another language that the gazetteer lacks ("Angleterre" for England).

``geodata/gazetteer/exonyms.csv`` (language, name, target place id, note) is a short curated list; the
gazetteer's own alternate names (GeoNames has many French forms: Douvres, Londres, Dunkerque, la Manche)
come first and are not repeated there. ``ExonymGazetteer`` answers a lookup with the gazetteer's
candidates plus the listed place, as an alternate name, for text in that language only.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from geodata.errors import AtlasError
from geodata.model import Candidate

EXONYMS_CSV = Path(__file__).parent / "gazetteer" / "exonyms.csv"


@lru_cache(maxsize=8)
def exonyms(language: str, path: Path = EXONYMS_CSV) -> dict[str, str]:
    """name -> target place id, for one language."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            if not row.get("name") or not row.get("target") or not row.get("language"):
                raise AtlasError(f"{path}:{lineno}: expected language, name and target")
            if row["language"] == language:
                out[row["name"]] = row["target"]
    return out


class ExonymGazetteer:
    """A gazetteer whose lookups also know one language's curated names (case as written)."""

    def __init__(self, gazetteer, language: str):
        self.gazetteer = gazetteer
        self.names = exonyms(language)

    def lookup(self, name: str) -> list[Candidate]:
        hits = list(self.gazetteer.lookup(name))
        target = self.names.get(name)
        if target is not None and not any(c.place.id == target for c in hits):
            place = self.gazetteer.get(target)
            if place is None:
                raise AtlasError(f"{EXONYMS_CSV}: {name!r} names place {target!r}, which the gazetteer lacks")
            hits.insert(0, Candidate(place, "alternate"))
        return hits

    def get(self, place_id: str):
        return self.gazetteer.get(place_id)
