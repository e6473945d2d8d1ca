"""The output contract: what `python -m geodata build` writes into ``--out``, described once.

Three files form one set, tied by ``build_id`` (the same value in each):

- ``places.geojson``: ``PlacesFile`` (an RFC 7946 FeatureCollection plus ``build_id`` and ``articles``);
- ``articles.json``: ``ArticlesFile`` (every article's full text, names left unresolved, files skipped);
- ``gazetteer.csv``: ``GAZETTEER_COLUMNS`` then one ``mentions:<article id>`` column per article, then
  ``build_id``; every text cell is written through ``geodata.csvsafe`` (formula-safe).

The writer's tests validate real outputs with ``validate_outputs``; the dashboard's reader checks the
envelopes (``PlacesEnvelope``, ``ArticlesEnvelope``) and refuses a set whose ``build_id`` values differ.
This module needs only pydantic (no spaCy, no gazetteer), so the dashboard can import it.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PLACES_FILE = "places.geojson"
ARTICLES_FILE = "articles.json"
GAZETTEER_FILE = "gazetteer.csv"
OUTPUT_FILES = (PLACES_FILE, GAZETTEER_FILE, ARTICLES_FILE)
GAZETTEER_COLUMNS = ("id", "name", "kind", "country", "lat", "lon", "source", "geonameid", "aliases",
                     "mention_count")
BUILD_ID_COLUMN = "build_id"

Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Offset = Annotated[int, Field(ge=0)]


class ContractError(ValueError):
    """An output file (or the set of them) does not follow the contract; the message says which and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Role = Literal["place", "adjective"]
# A place's compact evidence per article and role (``geodata/reasons.py``): [article, role, mentions,
# items], each item [group, feature, mentions it counted in, contribution summed (None: a rule), value];
# group "p" = why the words are a place (recognizer), "c" = why this place over the runner-up (resolver).
MAX_EVIDENCE = 8
EvidenceItem = tuple[Literal["p", "c"], Annotated[str, Field(max_length=60)], Annotated[int, Field(ge=1)],
                     float | None, float]
EvidenceGroup = tuple[str, Role, Annotated[int, Field(ge=1)],
                      Annotated[list[EvidenceItem], Field(max_length=MAX_EVIDENCE)]]


class MentionOut(_Strict):
    article: str
    start: Offset
    end: Offset
    text: str
    passage: str
    passage_start: Offset
    # Provenance, copied from the article (None when unknown; older builds lack them):
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    # "place": named outright; "adjective": a nationality word ("Russian officials") naming its country
    role: Role = "place"


class CandidateOut(_Strict):
    id: str
    name: str
    kind: str
    country: str | None
    geonameid: int | None
    lat: Lat
    lon: Lon
    source: str


class PlaceProperties(_Strict):
    """``mention_count``, ``articles``, ``mentions``: of every role (a country known only through
    nationality words has only "adjective" mentions; the dashboard shows those as a layer)."""

    id: str
    name: str
    gazetteer_name: str
    kind: str
    country: str | None
    admin1: str | None = None    # the first-level division's name (state, province), when known
    geonameid: int | None
    source: str
    aliases: list[str]
    mention_count: Annotated[int, Field(ge=1)]
    articles: list[str]
    mentions: list[MentionOut]
    candidates: list[CandidateOut]
    evidence: list[EvidenceGroup] | None = None  # why a place, why this one: per article and role


class Point(_Strict):
    type: Literal["Point"]
    coordinates: tuple[Lon, Lat]


class PlaceFeature(_Strict):
    type: Literal["Feature"]
    id: str
    geometry: Point
    properties: PlaceProperties


class ArticleSummary(_Strict):
    id: str
    title: str
    path: str
    place_count: Annotated[int, Field(ge=0)]
    mention_count: Annotated[int, Field(ge=0)]
    # Metadata read with the article (None when unknown; older builds lack them). ``date`` is ISO 8601.
    date: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    format: str | None = None


class ArticleWithText(ArticleSummary):
    text: str
    language: str | None = None  # detected language (ISO 639-1, "und" when undetermined); older builds lack it
    language_notice: str | None = None  # set when no pipeline reads that language (parsed as English)


class UnresolvedOut(_Strict):
    article: str
    start: Offset
    end: Offset
    text: str


class SkippedOut(_Strict):
    path: str
    reason: str


class PlacesFile(_Strict):
    type: Literal["FeatureCollection"]
    build_id: str
    articles: list[ArticleSummary]
    features: list[PlaceFeature]


class ArticlesFile(_Strict):
    build_id: str
    articles: list[ArticleWithText]
    unresolved: list[UnresolvedOut]
    skipped: list[SkippedOut]


# What a reader needs before it looks at single entries (it skips broken entries one by one).
class PlacesEnvelope(BaseModel):
    type: Literal["FeatureCollection"]
    build_id: str | None = None
    articles: list[Any] = []
    features: list[Any]


class ArticlesEnvelope(BaseModel):
    build_id: str | None = None
    articles: list[Any]
    unresolved: list[Any] = []   # the mentions no step could place (checked loosely: the reader skips bad ones)
    skipped: list[Any] = []      # the files the build skipped, with the reason


def first_error(exc: ValidationError) -> str:
    """One readable line for a pydantic error: where, and what was wrong."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "the top level"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"{path.name}: cannot be read as JSON ({exc})") from None


def _validate(model: type[BaseModel], path: Path) -> BaseModel:
    try:
        return model.model_validate(_read_json(path))
    except ValidationError as exc:
        raise ContractError(f"{path.name} breaks the output contract at {first_error(exc)}") from None


def _csv_build_id(path: Path, article_ids: list[str]) -> str:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    expected = [*GAZETTEER_COLUMNS, *(f"mentions:{a}" for a in article_ids), BUILD_ID_COLUMN]
    if not rows:
        raise ContractError(f"{path.name} is empty (not even a header)")
    if rows[0] != expected:
        raise ContractError(f"{path.name} header is {rows[0]!r}, the contract says {expected!r}")
    ids = {row[-1] for row in rows[1:]}
    if len(ids) > 1:
        raise ContractError(f"{path.name} holds rows of several builds: {sorted(ids)}")
    return ids.pop() if ids else ""


def mixed_set_message(places_id: str | None, articles_id: str | None) -> str:
    return (f"{PLACES_FILE} (build {places_id}) and {ARTICLES_FILE} (build {articles_id}) come from different "
            "builds (a build was interrupted while replacing them); rebuild to get a consistent set")


def validate_outputs(out_dir: str | Path) -> str:
    """Check the three files in ``out_dir`` against the contract and against each other; returns the
    build_id they share. Raises ContractError naming the file and the first problem."""
    out_dir = Path(out_dir)
    places = _validate(PlacesFile, out_dir / PLACES_FILE)
    articles = _validate(ArticlesFile, out_dir / ARTICLES_FILE)
    if places.build_id != articles.build_id:
        raise ContractError(mixed_set_message(places.build_id, articles.build_id))
    csv_id = _csv_build_id(out_dir / GAZETTEER_FILE, [a.id for a in places.articles])
    if csv_id and csv_id != places.build_id:
        raise ContractError(f"{GAZETTEER_FILE} (build {csv_id}) is not from build {places.build_id}")
    return places.build_id
