"""Geocode the names offline resolution left unresolved: rate-limited, retried, cached, reported.

``geocode_names`` never raises for a failing service: every name ends with a status, and the build goes
on with the offline data plus whatever the cache and the service gave.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from geodata.geocoders.base import Geocoder
from geodata.geocoders.cache import GeocodeCache
from geodata.geocoders.exc import GeocoderLookupError
from geodata.geocoders.plausible import ArticleContext
from geodata.model import Place, ResolvedMention
from geodata.overrides import surface_key

log = logging.getLogger(__name__)

FOUND = "found"
NO_RESULT = "no-result"
OFFLINE = "offline"
NOT_TRIED = "not-tried"
#: every status a name can end with; the failures are the reasons of GeocoderLookupError subclasses
STATUSES = (FOUND, NO_RESULT, "unreachable", "timeout", "rate-limited", "server-error", "malformed-answer",
            "rejected", NOT_TRIED, OFFLINE)


@dataclass
class NameResult:
    name: str
    status: str
    place: Place | None = None
    cached: bool = False
    attempts: int = 0
    detail: str = ""
    alternatives: list[Place] = field(default_factory=list)  # the service's other ranked answers

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "cached": self.cached, "attempts": self.attempts,
                "detail": self.detail, "place": dataclasses.asdict(self.place) if self.place else None,
                "alternatives": [dataclasses.asdict(p) for p in self.alternatives]}


@dataclass
class GeocodeReport:
    """What one ``geocode_names`` call did. ``requests`` counts requests sent (retries included)."""

    geocoder: str
    results: dict[str, NameResult] = field(default_factory=dict)
    requests: int = 0
    cache_hits: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # name -> why its answers did not fit the article

    @property
    def places(self) -> dict[str, Place]:
        return {name: r.place for name, r in self.results.items() if r.place is not None}

    @property
    def alternatives(self) -> dict[str, list[Place]]:
        """name -> the service's other ranked answers (for the dashboard's "wrong place?")."""
        return {name: r.alternatives for name, r in self.results.items() if r.place is not None and r.alternatives}

    @property
    def unresolved(self) -> dict[str, str]:
        """name -> why it has no place (status, plus the detail when there is one)."""
        why = {name: (f"{r.status}: {r.detail}" if r.detail else r.status)
               for name, r in self.results.items() if r.place is None}
        return {**why, **self.refused}

    @property
    def reasons(self) -> dict[str, str]:
        """Same as ``unresolved`` (name -> why it stayed without a place)."""
        return self.unresolved

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results.values():
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def summary_lines(self) -> list[str]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts().items())) or "nothing to do"
        lines = [f"geocoder {self.geocoder}: {len(self.results)} names ({counts}); "
                 f"{self.requests} requests, {self.cache_hits} from cache, {self.seconds:.1f} s"]
        lines += self.problems
        for name, why in sorted(self.unresolved.items()):
            lines.append(f"  unresolved {name!r}: {why}")
        return lines

    def as_dict(self) -> dict:
        return {"geocoder": self.geocoder, "requests": self.requests, "cache_hits": self.cache_hits,
                "seconds": round(self.seconds, 3), "counts": self.counts(), "problems": list(self.problems),
                "results": [r.as_dict() for r in self.results.values()]}


def _backoff(attempt: int, error: GeocoderLookupError, base: float, cap: float) -> float:
    wait = base * (2 ** attempt)
    if error.retry_after is not None:
        try:
            wait = max(wait, float(error.retry_after))
        except (TypeError, ValueError):
            pass
    return max(0.0, min(wait, cap))


def geocode_names(
    names: Iterable[str],
    geocoder: Geocoder | None,
    cache_path=None,
    min_delay_seconds: float | None = None,
    max_retries: int | None = None,
    *,
    backoff_seconds: float = 1.0,
    max_backoff_seconds: float = 30.0,
    give_up_after: int = 2,
    sleep: Callable[[float], None] = time.sleep,
) -> GeocodeReport:
    """Look every name up (once per spelling-insensitive key): cache first, then the service.

    - ``min_delay_seconds``: least time between requests (geopy's ``RateLimiter``); default the geocoder's
      own (1 s), never below the service's policy floor (1 s for the public Nominatim).
    - ``cache_path``: where answers are cached; a geocoder made from command-line flags with
      ``--geocoder-cache`` carries its own ``cache_path``, which wins over this argument.
    - ``max_retries`` (default: the geocoder's, 2; ``--geocoder-retries``): retries per name after a
      retryable failure (timeout, 429, 5xx, unreachable), waiting
      ``backoff_seconds * 2**attempt`` (or the server's Retry-After), at most ``max_backoff_seconds``.
    - ``give_up_after``: after this many names in a row failed for a retryable reason, the service is
      taken to be down and the remaining names are not tried (status ``not-tried``).
    - ``found`` and ``no-result`` answers are cached at ``cache_path`` (JSON, atomic); failures are not.
    """
    started = time.monotonic()
    if max_retries is None:
        max_retries = getattr(geocoder, "max_retries", 2)
    if max_retries < 0:
        raise ValueError("max_retries must be >= 0")
    if getattr(geocoder, "cache_path", None) is not None:
        cache_path = geocoder.cache_path
    name = geocoder.describe() if geocoder is not None else "offline"
    report = GeocodeReport(geocoder=name)
    unique: dict[str, list[str]] = {}
    for raw in names:
        key = surface_key(raw) if isinstance(raw, str) else ""
        if key:
            unique.setdefault(key, []).append(raw)
    if geocoder is None or not geocoder.online:
        for spellings in unique.values():
            for spelling in spellings:
                report.results[spelling] = NameResult(
                    spelling, OFFLINE, detail="not in the offline gazetteer; no online geocoder chosen (--geocoder)")
        report.seconds = time.monotonic() - started
        return report

    cache = GeocodeCache(cache_path)
    if cache.problem:
        report.problems.append(cache.problem)
    delay = geocoder.min_delay_seconds if min_delay_seconds is None else float(min_delay_seconds)
    delay = max(delay, geocoder.policy_min_delay_seconds, 0.0)

    def counted_lookup(query: str) -> list[Place]:
        report.requests += 1
        return geocoder.lookup_all(query)

    limited = _rate_limiter()(counted_lookup, min_delay_seconds=delay, max_retries=0, error_wait_seconds=delay,
                          swallow_exceptions=False)
    failures_in_a_row = 0
    down_reason = ""
    try:
        for key, spellings in unique.items():
            query = spellings[0]
            cached = cache.get(geocoder.cache_namespace, query)
            if cached is not None:
                status, places = cached
                result = NameResult(query, status, places[0] if places else None, cached=True,
                                    alternatives=places[1:])
                report.cache_hits += 1
            elif down_reason:
                result = NameResult(query, NOT_TRIED, detail=f"service given up after {give_up_after} failing "
                                                              f"names in a row ({down_reason})")
            else:
                result = _lookup_with_retries(query, limited, max_retries, backoff_seconds,
                                              max_backoff_seconds, sleep)
                if result.status in (FOUND, NO_RESULT):
                    cache.put(geocoder.cache_namespace, query,
                              [result.place, *result.alternatives] if result.place else [])
                    failures_in_a_row = 0
                    _save(cache, report)  # a build stopped midway keeps what it paid for
                elif result.status in ("unreachable", "timeout", "rate-limited", "server-error"):
                    failures_in_a_row += 1
                    if give_up_after and failures_in_a_row >= give_up_after:
                        down_reason = result.status
                        log.warning("geocoder %s: %d names failed in a row (%s); not trying the rest",
                                    name, failures_in_a_row, result.status)
            for spelling in spellings:
                report.results[spelling] = dataclasses.replace(result, name=spelling)
    finally:
        _save(cache, report)
        report.seconds = time.monotonic() - started
    return report


def _save(cache: GeocodeCache, report: GeocodeReport) -> None:
    try:
        cache.save()
    except OSError as error:
        message = f"geocoder cache {cache.path} not written: {error}"
        if message not in report.problems:
            report.problems.append(message)


def _lookup_with_retries(query, limited, max_retries, backoff, cap, sleep) -> NameResult:
    attempts = 0
    while True:
        attempts += 1
        try:
            places = limited(query)
        except GeocoderLookupError as error:
            if error.retryable and attempts <= max_retries:
                wait = _backoff(attempts - 1, error, backoff, cap)
                log.info("geocoder: %r failed (%s), retry %d/%d in %.1f s", query, error.reason, attempts,
                         max_retries, wait)
                if wait > 0:
                    sleep(wait)
                continue
            return NameResult(query, error.reason, attempts=attempts, detail=error.detail or str(error))
        except Exception as error:  # a bug in an adapter must not stop the build either
            return NameResult(query, "server-error", attempts=attempts, detail=f"{type(error).__name__}: {error}")
        if not places:
            return NameResult(query, NO_RESULT, attempts=attempts)
        return NameResult(query, FOUND, places[0], attempts=attempts, alternatives=list(places[1:]))


# -- helpers for the pipeline -------------------------------------------------------------------
def unresolved_names(resolved: Iterable[ResolvedMention] | Mapping[str, Iterable[ResolvedMention]]) -> list[str]:
    """Distinct surface forms (first spelling seen) of mentions without a place, in order of appearance."""
    groups = resolved.values() if isinstance(resolved, Mapping) else [resolved]
    seen: dict[str, str] = {}
    for group in groups:
        for item in group:
            if item.place is None:
                key = surface_key(item.text)
                if key and key not in seen:
                    seen[key] = item.text
    return list(seen.values())


def apply_geocoded(
    resolved: Iterable[ResolvedMention],
    places: Mapping[str, Place],
    alternatives: Mapping[str, list[Place]] | None = None,
    context: ArticleContext | None = None,
    refused: dict[str, str] | None = None,
) -> list[ResolvedMention]:
    """Give unresolved mentions their geocoded place (and the service's other answers as candidates).
    Mentions that already have a place are never changed. With ``context`` (the article's own places) the
    first of the service's ranked answers that fits the article is taken; when none fits the mention stays
    unresolved and the reason goes into ``refused`` (name -> why)."""
    by_key = {surface_key(name): place for name, place in places.items()}
    others = {surface_key(name): alts for name, alts in (alternatives or {}).items()}
    out = []
    for item in resolved:
        key = surface_key(item.text) if item.place is None else None
        place = by_key.get(key) if key is not None else None
        if place is not None and context is not None:
            ranked = [place, *others.get(key, [])]
            fitting = next((p for p in ranked if context.problem(p) is None), None)
            if fitting is None and refused is not None:
                refused[item.text] = context.problem(place)
            place = fitting
        if place is None:
            out.append(item)
            continue
        seen: set[str] = set()
        candidates = [c for c in [place, *others.get(key, []), *item.candidates]
                      if not (c.id in seen or seen.add(c.id))]
        out.append(dataclasses.replace(item, place=place, candidates=candidates))
    return out


def geocode_unresolved(
    resolved_by_article: Mapping[str, list[ResolvedMention]],
    geocoder: Geocoder | None,
    cache_path=None,
    **options,
) -> tuple[dict[str, list[ResolvedMention]], GeocodeReport]:
    """One call for the pipeline: geocode every still-unresolved name across all articles, fill them in
    (each article takes only answers that fit its own places: ``geocoders.plausible``)."""
    report = geocode_names(unresolved_names(resolved_by_article), geocoder, cache_path, **options)
    places, alternatives = report.places, report.alternatives
    filled = {aid: apply_geocoded(items, places, alternatives, ArticleContext.of(items), report.refused)
              for aid, items in resolved_by_article.items()}
    return filled, report


def _rate_limiter():
    """geopy's ``RateLimiter``, imported at the first online lookup (geopy and requests take about a
    second to import, which an offline build does not pay)."""
    return globals().get("RateLimiter") or __getattr__("RateLimiter")


def __getattr__(name: str):
    if name == "RateLimiter":
        from geopy.extra.rate_limiter import RateLimiter

        globals()["RateLimiter"] = RateLimiter
        return RateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
