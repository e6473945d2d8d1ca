"""The one name normaliser and slug of the project.

``name_key`` is the gazetteer's lookup key (``geodata.gazetteer.normalize``: case, accents, quotes, dots and
hyphens, initials, a leading "the", Saint/St, Mount/Mt, Fort/Ft) with surrounding punctuation dropped, so an
override, the geocoder cache and the gazetteer agree on when two spellings are one name ("St. Louis" ==
"Saint Louis"). ``slugify`` makes readable ids from the same key.
"""
from __future__ import annotations

import re

from geodata.gazetteer.normalize import normalize

_EDGE = " .,;:!?\"'()[]{}"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """Matching key of a name as written in an article, an overrides file or a geocoder answer."""
    return _SPACES.sub(" ", normalize(text).strip(_EDGE))


def slugify(text: str) -> str:
    """``name_key`` as an id fragment: ASCII letters and digits joined by hyphens ("saint-omer" -> "st-omer")."""
    return _NOT_SLUG.sub("-", normalize(text)).strip("-")
