"""Airports from the `airportsdata` package (PyPI), as gazetteer records.

Only airports with an IATA code are kept (those a newspaper names). Each gets the names a
newspaper uses, and no name that would turn a common word or a person into a place:
- its full name ("London Heathrow Airport") and "<core> Airport" ("Heathrow Airport", "Schiphol
  Airport", "O'Hare Airport"), where the core is the name without its city and airport words;
- the bare core ("Heathrow", "Schiphol", "Gatwick") only when it is one word that is not a common
  English word (wordfreq), not the airport's city, and not already the name of a large place.
IATA codes ("LHR") are not indexed: with them, GeoVirus exact precision fell from .909 to .904
(three-letter acronyms became airports) while LGL and TR-News did not change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from geodata.errors import GazetteerError

from .normalize import normalize

SOURCE = "airportsdata"
# a bare one-word core at or above this word frequency (zipf) is a common word or a person's
# name in English text ("Liberty", "Midway", "Logan", "Kennedy"), not the airport
MAX_BARE_ZIPF = 3.5
_AIRPORT_WORDS = re.compile(
    r"\b(?:international|intl|ntl|national|regional|municipal|airport|airfield|aerodrome|airstrip|"
    r"airpark|heliport|air\s+base|air\s+force\s+base|afb)\b\.?", re.IGNORECASE)
_PARENS = re.compile(r"\(([^)]*)\)")
_BARE_WORD = re.compile(r"^[A-Z][a-z]+(?:'[A-Z]?[a-z]+)?$")


@dataclass
class AirportRecord:
    iata: str
    name: str
    lat: float
    lon: float
    country: str | None
    subdivision: str | None = None  # airportsdata's `subd` ("England", "North Holland")
    names: list[tuple[str, str]] = field(default_factory=list)  # (surface, name_type)


def check_installed():
    """The airportsdata module, or a GazetteerError that says how to install it."""
    try:
        import airportsdata
    except ImportError as exc:
        raise GazetteerError("the `airportsdata` package is missing; run "
                             "`pip install -r requirements.txt`, then `python -m geodata index`") from exc
    return airportsdata


def _load_airports() -> dict:
    return check_installed().load("IATA")


def _cores(name: str, city: str) -> list[str]:
    """ "London Heathrow Airport" (London) -> ["Heathrow"]; "Amsterdam Airport Schiphol" -> ["Schiphol"];
    "Leonardo Da Vinci (Fiumicino) International Airport" -> ["Leonardo Da Vinci", "Fiumicino"]."""
    pieces = [_PARENS.sub(" ", name)] + _PARENS.findall(name)
    out = []
    city_words = city.split()
    for piece in pieces:
        text = _AIRPORT_WORDS.sub(" ", piece)
        text = re.sub(r"\s*[-/]\s*", " ", text)
        words = text.split()
        if city_words and words[:len(city_words)] == city_words and len(words) > len(city_words):
            words = words[len(city_words):]
        core = " ".join(words).strip(" ,.")
        if core and normalize(core) != normalize(city) and core not in out:
            out.append(core)
    return out


def _bare_core_allowed(core: str, taken: set[str]) -> bool:
    if not _BARE_WORD.match(core) or len(core) < 4 or normalize(core) in taken:
        return False
    from wordfreq import zipf_frequency

    return zipf_frequency(core, "en") < MAX_BARE_ZIPF


def airport_records(taken: set[str]) -> list[AirportRecord]:
    """Every airport with an IATA code. ``taken``: normalised names of countries, first-level
    divisions and large settlements, which a bare airport core must not also claim."""
    out = []
    for iata, a in _load_airports().items():
        name = (a.get("name") or "").strip()
        if not iata or not name:
            continue
        try:
            lat, lon = float(a["lat"]), float(a["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        rec = AirportRecord(iata, name, lat, lon, (a.get("country") or None), (a.get("subd") or "").strip() or None)
        rec.names.append((name, "name"))
        for core in _cores(name, (a.get("city") or "").strip()):
            rec.names.append((f"{core} Airport", "alternate"))
            if _bare_core_allowed(core, taken):
                rec.names.append((core, "alternate"))
        out.append(rec)
    return out
