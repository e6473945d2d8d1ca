"""Plain data types shared by every step of the pipeline.

``Found`` is what the recognizer hands the resolver: a span, its gazetteer candidates and the named
evidence that made it a place. ``Scored`` is one ranked reading of a mention with the named features that
ranked it. Evidence is a plain ``{name: value}`` dict; the weights that combine it live in
``geodata/model_params.json`` (see ``geodata/params.py``), so a command can print why a span is a place
and why this place (``python -m geodata explain``).
"""
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


@dataclass(frozen=True)
class Scored:
    """One reading of a mention: the place, its score and the named features behind the score."""

    place: Place
    score: float
    features: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class ResolvedMention:
    """A mention and the place it was resolved to (None when nothing fits).

    ``evidence``: the recognizer's named evidence for the span; ``ranked``: the readings the resolver
    scored, best first, each with its features (empty for forced or unknown names); ``role``: "place"
    for a place named outright, "adjective" for a nationality word ("Russian officials", "British
    troops") reported as a mention of its country (one of ``ROLES``)."""

    mention: Mention
    place: Place | None
    candidates: list[Place] = field(default_factory=list)
    score: float = 0.0
    evidence: dict[str, float] = field(default_factory=dict, compare=False)
    ranked: list[Scored] = field(default_factory=list, compare=False)
    role: str = "place"

    @property
    def start(self) -> int:
        return self.mention.start

    @property
    def end(self) -> int:
        return self.mention.end

    @property
    def text(self) -> str:
        return self.mention.text


ROLES = ("place", "adjective")
NAME_TYPES = ("name", "alternate", "abbreviation", "demonym", "code")


@dataclass(frozen=True)
class Candidate:
    """A gazetteer answer: a place and how the looked-up name relates to it."""

    place: Place
    name_type: str = "name"


@dataclass
class Found:
    """A recognised span, its gazetteer candidates and the evidence that led to it (recognizer -> resolver).

    ``label``: the NER label of the span (or the recognizer's own: STREET, SUB_GPE, IN_ORG, ...);
    ``lookup``: the name used for the gazetteer lookup; ``forced``: a user-supplied place that always
    wins; ``fallback``: a known place inside an unknown name ("Kanawha" in "Kanawha Valley");
    ``evidence``: named feature values, combined by the recognizer's weights into ``score``;
    ``role``: "place", or "adjective" for a nationality word the gazetteer knows only as a people's name
    (the resolver ranks its readings but leaves it out of the document's context)."""

    mention: Mention
    candidates: list[Candidate] = field(default_factory=list)
    label: str | None = None
    score: float = 0.0
    forced: Place | None = None
    lookup: str = ""
    fallback: list[Candidate] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)
    role: str = "place"
