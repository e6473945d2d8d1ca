"""The one JSON-lines reader: one object per line, blank lines ignored, every error named by file and line."""
from __future__ import annotations

import json
import os
from typing import Iterator

from .errors import AtlasError


def read_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict]]:
    """Yield ``(line number, object)`` for each non-blank line of ``path``. Raises AtlasError naming the
    file (and line) when it cannot be read, is not UTF-8, or a line is not a JSON object."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise AtlasError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        for lineno, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise AtlasError(f"{path}:{lineno}: not UTF-8 text ({exc.reason})") from exc
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise AtlasError(f"{path}:{lineno}: not JSON ({exc})") from exc
            if not isinstance(obj, dict):
                raise AtlasError(f"{path}:{lineno}: expected an object, found {type(obj).__name__}")
            yield lineno, obj
