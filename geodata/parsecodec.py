"""One article's parse result (detected language + ResolvedMentions) as JSON text and back, losslessly.

Used by the parse cache (``geodata/parsecache.py``): plain JSON, never pickle, so a cache file is data
and nothing in it can run. Places repeat a lot inside an article (each mention, its candidates and its
ranked readings), so an article's places are written once in a table and referred to by position.
``decode(encode(language, mentions))`` gives objects equal field by field to the input, including the
fields that are left out of ``==`` (``evidence``, ``ranked``, ``Scored.features``).
"""
from __future__ import annotations

import dataclasses
import json

from geodata.model import Mention, Place, ResolvedMention, Scored

_PLACE_FIELDS = tuple(f.name for f in dataclasses.fields(Place))
# The fields written for each mention; a new field in ResolvedMention must be added here (a test checks).
MENTION_FIELDS = ("mention", "place", "candidates", "score", "evidence", "ranked", "role")


class CodecError(ValueError):
    """A stored value is not a parse result written by this codec."""


class _Places:
    """Collects an article's distinct places; each is written once and referred to by index."""

    def __init__(self):
        self.rows: list[list] = []
        self._index: dict[Place, int] = {}

    def ref(self, place: Place | None) -> int | None:
        if place is None:
            return None
        if place not in self._index:
            self._index[place] = len(self.rows)
            self.rows.append([getattr(place, name) for name in _PLACE_FIELDS])
        return self._index[place]


def encode(language: str, mentions: list[ResolvedMention]) -> str:
    places = _Places()
    rows = []
    for m in mentions:
        rows.append([m.mention.start, m.mention.end, m.mention.text, places.ref(m.place),
                     [places.ref(c) for c in m.candidates], m.score, m.evidence,
                     [[places.ref(s.place), s.score, s.features] for s in m.ranked], m.role])
    return json.dumps({"language": language, "fields": list(_PLACE_FIELDS), "places": places.rows,
                       "mentions": rows}, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> tuple[str, list[ResolvedMention]]:
    """The (language, mentions) that ``encode`` wrote; CodecError when ``text`` is anything else."""
    try:
        data = json.loads(text)
        if data["fields"] != list(_PLACE_FIELDS):
            raise CodecError("written with other Place fields")
        places = [Place(*row) for row in data["places"]]
        mentions = []
        for start, end, surface, place, candidates, score, evidence, ranked, role in data["mentions"]:
            mentions.append(ResolvedMention(
                mention=Mention(start, end, surface),
                place=None if place is None else places[place],
                candidates=[places[k] for k in candidates],
                score=score, evidence=dict(evidence),
                ranked=[Scored(places[k], s, dict(features)) for k, s, features in ranked],
                role=role))
        language = data["language"]
    except CodecError:
        raise
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise CodecError(f"not a parse result ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(language, str):
        raise CodecError("not a parse result (no language)")
    return language, mentions
