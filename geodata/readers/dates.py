"""Dates as articles give them, read into ISO 8601 (python-dateutil does the reading).

A date with a time and a UTC offset becomes ``2024-05-03T08:15:00+01:00``; a date alone, or a time
without an offset (its zone is unknown, so its day is the most that can be said), becomes ``2024-05-03``.
Numeric dates such as ``03/04/2024`` are read month first (dateutil's default). A value that is not a
date, or lacks its day, month or year, cannot be read: ``normalise_date`` returns None for it.
"""
from __future__ import annotations

import datetime as dt
import warnings

from dateutil import parser as date_parser

MAX_DATE_CHARS = 100
# Two different defaults: a field the text does not give takes the default, so it differs between them.
_DEFAULT_A = dt.datetime(2001, 1, 1, 0, 0, 0)
_DEFAULT_B = dt.datetime(2002, 2, 2, 1, 1, 1)


def _parse(raw: str, default: dt.datetime) -> dt.datetime:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown zone name ("EST"): read without the zone
        return date_parser.parse(raw, default=default)


def normalise_date(raw: object) -> str | None:
    """``raw`` as ISO 8601 (``YYYY-MM-DD`` or a full datetime with offset), or None when it cannot be read."""
    if isinstance(raw, dt.datetime):
        text = raw.isoformat()
    elif isinstance(raw, dt.date):
        return raw.isoformat()
    elif isinstance(raw, str):
        text = " ".join(raw.split())
    else:
        return None
    if not text or len(text) > MAX_DATE_CHARS:
        return None
    try:
        a, b = _parse(text, _DEFAULT_A), _parse(text, _DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.date() != b.date():  # day, month or year missing ("May 2024", "Monday")
        return None
    if a.time() != b.time() or a.tzinfo is None or a.utcoffset() is None:
        return a.date().isoformat()
    return a.isoformat(timespec="seconds")
