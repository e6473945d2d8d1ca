"""Plain data types shared by every step of the pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = (
    "settlement", "country", "admin1", "admin2", "region", "continent",
    "water", "street", "landmark", "other",
)


@dataclass(frozen=True)
class Place:
    """A real place with a position."""

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    country: str | None = None
    geonameid: int | None = None
    population: int = 0
    source: str = "geonames"
    admin1: str | None = None  # GeoNames-style code of the first-level division ("US.IL")
    admin1_name: str | None = None  # its name ("Illinois"), filled by the gazetteer

    def as_properties(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "geonameid": self.geonameid,
            "lat": self.lat,
            "lon": self.lon,
            "source": self.source,
        }


@dataclass(frozen=True)
class Mention:
    """A span of article text that names a place. Offsets index the text as read."""

    start: int
    end: int
    text: str


@dataclass
class ResolvedMention:
    """A mention and the place it was resolved to (None when nothing fits)."""

    mention: Mention
    place: Place | None
    candidates: list[Place] = field(default_factory=list)
    score: float = 0.0

    @property
    def start(self) -> int:
        return self.mention.start

    @property
    def end(self) -> int:
        return self.mention.end

    @property
    def text(self) -> str:
        return self.mention.text


NAME_TYPES = ("name", "alternate", "abbreviation", "demonym", "code")


@dataclass(frozen=True)
class Candidate:
    """A gazetteer answer: a place and how the looked-up name relates to it."""

    place: Place
    name_type: str = "name"
