"""Choose the place each recognised mention refers to, using the whole document as context.

Every gazetteer candidate gets a score from
- a prior: its kind (countries, continents and first-level divisions before towns) and population;
- how the name matched (main name, alternate name, abbreviation; demonyms and codes only when the
  surface form looks like one);
- document context: countries and first-level divisions the document mentions, "City, ST" / "City,
  Country" patterns, and distance to the other places of the document (spatial coherence);
- coherence between readings: a reading near (or containing) some reading of another name of the
  document gains, even when pass 1 chose neither ("London" and "St. Thomas" both in Ontario).
A first pass ranks by prior only; its confident choices form the context of the second pass.
The same name in the same document resolves to the same place (one sense per document), unless a
"City, ST" pattern says otherwise for one occurrence.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from geodata.model import Candidate, Place, ResolvedMention
from geodata.recognize import Found
from geodata.recognize import initialism as _initialism

MAX_CANDIDATES = 5
COUNTRY_WEIGHT = 2.0
PROXIMITY_WEIGHT = 1.2
ADMIN1_WEIGHT = 1.5
SELF_WEIGHT = 0.5
FALLBACK_GAIN = 1.5  # context gain needed to place "Kanawha Valley" at the known "Kanawha"
# Spatial coherence between readings: a reading of one name near some reading of another name of the
# same document ("London" and "St. Thomas" both in Ontario) gains, whatever pass 1 chose for either.
# Measured on LGL / TR-News / GeoVirus Acc@161: .831/.837/.834 without, .845/.838/.838 with.
COHERENCE_WEIGHT = 1.0
COHERENCE_KM = 25.0
COHERENCE_MAX_KM = 120.0
COHERENCE_CAP = 3.0
# A country's or division's share of the document's evidence is smoothed by this much unseen evidence,
# so one weak vote (often the name's own first reading) is not a 100 % share. Acc@161 LGL/TR-News/
# GeoVirus .851/.840/.841 -> .859/.851/.843 (the same within .002 for 0.75 to 1.5).
CONTEXT_PRIOR_MASS = 1.0
_POINT_KINDS = ("settlement", "admin2", "landmark", "street", "water")
_KIND_PRIOR = {
    "country": 3.2, "continent": 3.2, "admin1": 2.7, "water": 2.4, "region": 2.3, "admin2": 1.4,
    "street": 0.5, "landmark": 0.8, "other": 0.5,
}
_AFTER_COMMA = re.compile(r"\s*,\s*((?:[A-Z][\w'’.\-]*)(?:\s+[A-Z][\w'’.\-]*){0,2})")


def _km(a: Place, b: Place) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dl = math.radians(b.lon - a.lon)
    x = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(x)))


def _looks_abbreviated(surface: str) -> bool:
    s = surface.strip()
    return "." in s or (s.isupper() and len(s) <= 4)


def prior(c: Candidate, surface: str) -> float:
    p = c.place
    if p.kind == "settlement":
        score = 0.38 * math.log10(max(p.population, 0) + 10)
    else:
        score = _KIND_PRIOR.get(p.kind, 0.5)
        if p.kind == "admin2" and p.population:
            score += 0.1 * math.log10(p.population + 10)
    nt = c.name_type
    if nt == "alternate":
        score -= 0.5
    elif nt == "abbreviation":
        score -= 0.0 if _looks_abbreviated(surface) else 1.5
    elif nt == "code":
        score -= 0.3 if surface.isupper() else 3.0
    elif nt == "demonym":
        score -= 3.0
    if p.name == surface:
        score += 0.3
    if nt in ("name", "alternate") and _initialism(surface) and not _initialism(p.name):
        score -= 2.5  # "U.S." is not the French village "Us"
    return score



@dataclass
class _Ctx:
    countries: dict[str, float]
    admin1: dict[str, float]
    anchors: list[tuple[Place, float]]
    coherence: dict[str, float] = field(default_factory=dict)


def _coherence(readings: dict[str, list[Place]]) -> dict[str, dict[str, float]]:
    """name -> {place id: how strongly the document's OTHER names have a reading near this one}.

    ``readings``: each distinct name's candidates. A point-like reading gains from every other name's
    nearest reading (exp(-km / COHERENCE_KM), whatever that name's prior: two unlikely readings 25 km
    apart are good evidence for both); a first-level division or a country gains 1 for every other
    name with a reading inside it, so "Kansas" the state keeps its lead over a town called Kansas when
    the document's other places are in Kansas. Summed over names, capped. Readings are bucketed on a
    1-degree grid so only near pairs are measured.
    """
    grid: dict[tuple[int, int], list[tuple[str, Place]]] = defaultdict(list)
    inside: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, places in readings.items():
        for p in places:
            if p.kind in _POINT_KINDS:
                grid[(int(math.floor(p.lat)), int(math.floor(p.lon)))].append((name, p))
                if p.admin1:
                    inside[("admin1", p.admin1)].add(name)
                if p.country:
                    inside[("country", p.country)].add(name)
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for name, places in readings.items():
        for p in places:
            best: dict[str, float] = {}
            if p.kind in _POINT_KINDS:
                cy, cx = int(math.floor(p.lat)), int(math.floor(p.lon))
                for dy in (-1, 0, 1):
                    for dx in (-2, -1, 0, 1, 2):
                        for other, q in grid.get((cy + dy, cx + dx), ()):
                            if other == name or q.id == p.id:
                                continue
                            d = _km(p, q)
                            if d <= COHERENCE_MAX_KM:
                                v = math.exp(-d / COHERENCE_KM)
                                if v > best.get(other, 0.0):
                                    best[other] = v
            elif p.kind in ("admin1", "country"):
                key = ("admin1", p.admin1) if p.kind == "admin1" else ("country", p.country)
                if key[1]:
                    for other in inside.get(key, ()):
                        if other != name:
                            best[other] = 1.0
            if best:
                out[name][p.id] = min(COHERENCE_CAP, sum(best.values()))
    return out


class Resolver:
    """Ranks each mention's candidates with document context."""

    def __init__(self, gazetteer):
        self.gaz = gazetteer

    def _containers(self, text: str, f: Found) -> list[Place]:
        """Places named right after "X, " (the state or country that contains X)."""
        m = _AFTER_COMMA.match(text, f.mention.end)
        if not m:
            return []
        words = m.group(1).split()
        for k in range(len(words), 0, -1):
            name = " ".join(words[:k])
            cands = self.gaz.lookup(name)
            if not cands and name.endswith("."):
                cands = self.gaz.lookup(name[:-1])
            places = [c.place for c in cands if c.place.kind in ("admin1", "country", "admin2")]
            if places:
                return places
        return []

    def _context(self, chosen: list[tuple[Found, Candidate, float]], skip: str | None = None) -> _Ctx:
        """Countries, first-level divisions and anchor points of the document's confident choices,
        leaving out the occurrences of the name ``skip`` (a name must not vote for its own reading)."""
        countries: dict[str, float] = defaultdict(float)
        admin1: dict[str, float] = defaultdict(float)
        anchors: list[tuple[Place, float]] = []
        for f, c, conf in chosen:
            if skip is not None and f.lookup.lower() == skip:
                conf *= SELF_WEIGHT
            p = c.place
            w = conf
            if p.kind == "country" and p.country:
                countries[p.country] += 1.5 * w
            elif p.kind == "admin1":
                if p.admin1:
                    admin1[p.admin1] += 1.5 * w
                if p.country:
                    countries[p.country] += 1.0 * w
            elif p.kind in ("settlement", "admin2"):
                if p.country:
                    countries[p.country] += 0.7 * w
                if p.admin1:
                    admin1[p.admin1] += 0.7 * w
            if p.kind in ("settlement", "admin2", "admin1", "water", "landmark", "street"):
                anchors.append((p, w))
        return _Ctx(dict(countries), dict(admin1), anchors)

    def _score(self, c: Candidate, surface: str, ctx: _Ctx | None, containers: list[Place]) -> float:
        s = prior(c, surface)
        p = c.place
        if containers:
            if any((k.kind == "country" and k.country == p.country)
                   or (k.kind == "admin1" and k.admin1 and k.admin1 == p.admin1)
                   or (k.kind == "admin2" and p.country == k.country and _km(k, p) < 80) for k in containers):
                s += 4.0
        if ctx is None:
            return s
        if p.country and p.kind != "country":
            total = sum(ctx.countries.values()) + CONTEXT_PRIOR_MASS
            s += COUNTRY_WEIGHT * ctx.countries.get(p.country, 0.0) / total
        if p.kind == "country" and p.country:
            s += 0.3 * min(ctx.countries.get(p.country, 0.0), 3.0)
        if p.admin1 and p.kind != "country":
            # for a first-level division itself: the document's other places inside it speak for it
            total = sum(ctx.admin1.values()) + CONTEXT_PRIOR_MASS
            s += ADMIN1_WEIGHT * ctx.admin1.get(p.admin1, 0.0) / total
        if ctx.coherence and (p.kind != "admin2" or c.name_type == "name"):
            # an admin2 reached through an alternate form ("New York" -> New York County) gains nothing:
            # it would outvote the state it lies in
            s += COHERENCE_WEIGHT * ctx.coherence.get(p.id, 0.0)
        if ctx.anchors and p.kind in _POINT_KINDS:
            best = 0.0
            for a, w in ctx.anchors:
                if a.id == p.id:
                    continue
                d = _km(a, p)
                best = max(best, w * math.exp(-d / 250.0))
            s += PROXIMITY_WEIGHT * best
        return s

    def resolve(self, text: str, found: list[Found]) -> list[ResolvedMention]:
        containers = [self._containers(text, f) if f.forced is None and f.candidates else [] for f in found]
        # pass 1: priors (and explicit "X, ST" patterns) only
        chosen = []
        for f, cont in zip(found, containers):
            if f.forced is not None or not f.candidates:
                if f.forced is not None:
                    chosen.append((f, Candidate(f.forced), 1.0))
                continue
            scored = sorted(((self._score(c, f.lookup, None, cont), c) for c in f.candidates),
                            key=lambda t: -t[0])
            margin = scored[0][0] - scored[1][0] if len(scored) > 1 else 3.0
            conf = min(1.0, max(0.0, margin / 2.0))
            if scored[0][1].name_type in ("demonym",):
                conf *= 0.5
            chosen.append((f, scored[0][1], conf))
        contexts: dict[str, _Ctx] = {}
        readings: dict[str, list[Place]] = {}
        for f in found:
            key = f.lookup.lower()
            if f.forced is None and f.candidates and key not in readings:
                readings[key] = [c.place for c in f.candidates]
        coherence = _coherence(readings) if len(readings) > 1 else {}

        # pass 2: with document context, pooled over every occurrence of the same name
        by_key: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        ranked: list[list[tuple[float, Candidate]]] = []
        for f, cont in zip(found, containers):
            if f.forced is None and not f.candidates and f.fallback:
                ctx = self._context(chosen)
                scored = []
                for c in f.fallback:
                    gain = self._score(c, c.place.name, ctx, []) - self._score(c, c.place.name, None, [])
                    if gain >= FALLBACK_GAIN:
                        scored.append((gain, c))
                scored.sort(key=lambda t: -t[0])
                ranked.append(scored[:1])
                continue
            if f.forced is not None or not f.candidates:
                ranked.append([])
                continue
            key = f.lookup.lower()
            ctx = contexts.get(key)
            if ctx is None:
                ctx = contexts[key] = self._context(chosen, skip=key)
                ctx.coherence = coherence.get(key, {})
            scored = [(self._score(c, f.lookup, ctx, cont), c) for c in f.candidates]
            scored.sort(key=lambda t: -t[0])
            ranked.append(scored)
            if not cont:
                pool = by_key[f.lookup.lower()]
                for sc, c in scored:
                    pool[c.place.id] = max(pool[c.place.id], sc)

        out: list[ResolvedMention] = []
        for f, cont, scored in zip(found, containers, ranked):
            if f.forced is not None:
                out.append(ResolvedMention(f.mention, f.forced, [f.forced], f.score))
                continue
            if not scored:
                out.append(ResolvedMention(f.mention, None, [], f.score))
                continue
            best = scored[0][1]
            if not cont and f.candidates:
                pool = by_key[f.lookup.lower()]
                best_id = max(pool, key=pool.get)
                for _, c in scored:
                    if c.place.id == best_id:
                        best = c
                        break
            seen = {best.place.id}
            cands = [best.place]
            for _, c in scored:
                if c.place.id not in seen and len(cands) < MAX_CANDIDATES:
                    seen.add(c.place.id)
                    cands.append(c.place)
            out.append(ResolvedMention(f.mention, best.place, cands, f.score))
        return out
