"""JSON-lines exports (``.jsonl``): one object per line, one article per object (keys:
``geodata.readers.records``), read by the project's one JSON-lines reader (``geodata.jsonl``). A line that
is not a JSON object, or has no text, is skipped with its number; the other lines are kept."""
from __future__ import annotations

from pathlib import Path

from ..errors import AtlasError
from ..jsonl import jsonl_records
from .base import FileResult
from .records import load_mapping, match_columns, record_entry
from .text import decoded


def read(path: Path, data: bytes) -> FileResult:
    result = FileResult()
    text = decoded(path, data, result)
    if text is None:
        return result
    mapping = load_mapping(path)
    if isinstance(mapping, str):
        return result.skip(path, mapping)
    for lineno, record in jsonl_records(text.encode("utf-8").splitlines(keepends=True), path.name):
        if isinstance(record, AtlasError):
            result.skip(path, f"line {lineno}: {str(record).removeprefix(f'{path.name}:{lineno}: ')}")
            continue
        columns = match_columns(list(record), mapping)
        record_entry(result, path, f"line {lineno}", lineno, record, columns, "jsonl")
    return result
