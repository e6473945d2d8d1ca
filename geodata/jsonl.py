"""The one JSON-lines reader: one object per line, blank lines ignored, every error named by file and line.

``read_jsonl`` stops at the first bad line (annotated corpora must be whole); ``jsonl_records`` reads
lines already in memory and yields each bad line's error in its place, so a caller can skip it and keep
the others (article exports, ``geodata.readers.jsonlines``).
"""
from __future__ import annotations

import json
import os
from typing import Iterable, Iterator

from .errors import AtlasError


def _record(raw: bytes, lineno: int, name: str) -> dict | AtlasError | None:
    try:
        line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return AtlasError(f"{name}:{lineno}: not UTF-8 text ({exc.reason})")
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return AtlasError(f"{name}:{lineno}: not JSON ({exc})")
    if not isinstance(obj, dict):
        return AtlasError(f"{name}:{lineno}: expected an object, found {type(obj).__name__}")
    return obj


def jsonl_records(lines: Iterable[bytes], name: str) -> Iterator[tuple[int, dict | AtlasError]]:
    """Yield ``(line number, object)`` for each non-blank line, or ``(line number, AtlasError)`` for a
    line that is not UTF-8 or not a JSON object (the error names ``name`` and the line)."""
    for lineno, raw in enumerate(lines, 1):
        record = _record(raw, lineno, name)
        if record is not None:
            yield lineno, record


def read_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict]]:
    """Yield ``(line number, object)`` for each non-blank line of ``path``. Raises AtlasError naming the
    file (and line) when it cannot be read, is not UTF-8, or a line is not a JSON object."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise AtlasError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        for lineno, record in jsonl_records(handle, str(path)):
            if isinstance(record, AtlasError):
                raise record
            yield lineno, record
