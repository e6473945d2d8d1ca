"""JSON-lines exports (``.jsonl``): one object per line, one article per object (keys:
``geodata.readers.records``), read by the project's one JSON-lines reader (``geodata.jsonl``). A line that
is not a JSON object, or has no text, is skipped with its number; the other lines are kept."""
from __future__ import annotations

from pathlib import Path

from ..errors import AtlasError
from ..jsonl import jsonl_records
from .base import FileResult
from .records import match_columns, open_export, record_entry


def read(path: Path, data: bytes) -> FileResult:
    result = FileResult()
    opened = open_export(path, data, result)
    if opened is None:
        return result
    text, mapping = opened
    for lineno, record in jsonl_records(text.encode("utf-8").splitlines(keepends=True), path.name):
        if isinstance(record, AtlasError):
            result.skip(path, f"line {lineno}: {str(record).removeprefix(f'{path.name}:{lineno}: ')}")
            continue
        columns = match_columns(list(record), mapping)
        record_entry(result, path, f"line {lineno}", lineno, record, columns, "jsonl")
    return result
