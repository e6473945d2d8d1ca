"""One article's parse result (detected language + ResolvedMentions) as JSON text and back, losslessly.

Used by the parse cache (``geodata/parsecache.py``): plain JSON, never pickle, so a cache file is data
and nothing in it can run. Places repeat a lot inside an article (each mention, its candidates and its
ranked readings), so an article's places are written once in a table and referred to by position; so are
the names of the evidence and feature values (a dict is written as ``[name index, value, ...]``).
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


class _Names:
    """Collects the feature names of an article; a {name: value} dict is written as a flat list."""

    def __init__(self):
        self.names: list[str] = []
        self._index: dict[str, int] = {}

    def flat(self, values: dict[str, float]) -> list:
        out = []
        for name, value in values.items():
            if name not in self._index:
                self._index[name] = len(self.names)
                self.names.append(name)
            out += (self._index[name], value)
        return out


def _unflat(flat: list, names: list[str]) -> dict[str, float]:
    return {names[flat[k]]: flat[k + 1] for k in range(0, len(flat), 2)}


def encode(language: str, mentions: list[ResolvedMention]) -> str:
    places, names = _Places(), _Names()
    rows = []
    for m in mentions:
        rows.append([m.mention.start, m.mention.end, m.mention.text, places.ref(m.place),
                     [places.ref(c) for c in m.candidates], m.score, names.flat(m.evidence),
                     [[places.ref(s.place), s.score, names.flat(s.features)] for s in m.ranked], m.role])
    return json.dumps({"language": language, "fields": list(_PLACE_FIELDS), "places": places.rows,
                       "names": names.names, "mentions": rows}, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> tuple[str, list[ResolvedMention]]:
    """The (language, mentions) that ``encode`` wrote; CodecError when ``text`` is anything else."""
    try:
        data = json.loads(text)
        if data["fields"] != list(_PLACE_FIELDS):
            raise CodecError("written with other Place fields")
        places = [Place(*row) for row in data["places"]]
        names = data["names"]
        mentions = []
        for start, end, surface, place, candidates, score, evidence, ranked, role in data["mentions"]:
            mentions.append(ResolvedMention(
                mention=Mention(start, end, surface),
                place=None if place is None else places[place],
                candidates=[places[k] for k in candidates],
                score=score, evidence=_unflat(evidence, names),
                ranked=[Scored(places[k], s, _unflat(features, names)) for k, s, features in ranked],
                role=role))
        language = data["language"]
    except CodecError:
        raise
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise CodecError(f"not a parse result ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(language, str):
        raise CodecError("not a parse result (no language)")
    return language, mentions
