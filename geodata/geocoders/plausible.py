"""Is a geocoder's answer plausible for the article that mentions the name?

An article's context is what offline resolution already placed in it: the countries of its places and the
positions of its local places (settlements, streets, landmarks, divisions; not countries, continents,
seas or regions, which are too broad to measure from). An answer is implausible when it lies in none of the
article's countries AND farther than ``MAX_KM`` from every local place (or, with no local places, just
outside the countries). With no context at all, every answer stands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from geodata.geo import haversine_km
from geodata.model import Place, ResolvedMention

MAX_KM = 1000.0
BROAD_KINDS = frozenset({"country", "continent", "water", "region"})


@dataclass
class ArticleContext:
    countries: set[str] = field(default_factory=set)
    local: list[Place] = field(default_factory=list)

    @classmethod
    def of(cls, mentions: Iterable[ResolvedMention]) -> "ArticleContext":
        context = cls()
        seen: set[str] = set()
        for item in mentions:
            place = item.place
            if place is None or place.id in seen:
                continue
            seen.add(place.id)
            if place.country:
                context.countries.add(place.country.upper())
            if place.kind not in BROAD_KINDS:
                context.local.append(place)
        return context

    def problem(self, place: Place) -> str | None:
        """Why ``place`` does not fit this article (None: it fits, or there is nothing to compare with)."""
        country = (place.country or "").upper()
        if country and country in self.countries:
            return None
        where = f"in {country}" if country else "in no known country"
        if self.local:
            nearest = min(self.local, key=lambda p: haversine_km(p.lat, p.lon, place.lat, place.lon))
            km = haversine_km(nearest.lat, nearest.lon, place.lat, place.lon)
            if km <= MAX_KM:
                return None
            return (f"implausible answer {place.name!r} {where}, {km:,.0f} km from the article's nearest place"
                    f" ({nearest.name}); refused")
        if country and self.countries:
            return (f"implausible answer {place.name!r} {where}, outside the article's countries"
                    f" ({', '.join(sorted(self.countries))}); refused")
        return None
