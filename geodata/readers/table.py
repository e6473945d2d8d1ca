"""CSV exports (``.csv``): a header row, then one article per row (columns: ``geodata.readers.records``).

Read with Python's csv module (comma-separated, double quotes, any line endings), with a field size
limit as large as an article file may be. A cell a spreadsheet-safe writer prefixed with ``'`` (see
``geodata.csvsafe``) is read back as it was written. A file without a ``text`` column is skipped as a
whole, naming its columns; a row without text is skipped with its number and the other rows are kept;
columns that are not fields are ignored.
"""
from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from ..articles import MAX_ARTICLE_BYTES, display_path
from ..csvsafe import unsafe_cell
from .base import FileResult
from .records import match_columns, open_export, record_entry, sidecar_path


@contextlib.contextmanager
def _field_limit(limit: int):
    """The csv module's field size limit is process-wide (the overrides reader relies on the default):
    raised only while an export is read, then put back."""
    before = csv.field_size_limit(max(csv.field_size_limit(), limit))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _missing_text(path: Path, header: list[str], mapping: dict[str, str]) -> str:
    shown = ", ".join(repr(h) for h in header[:20]) or "none"
    named = mapping.get("text")
    where = f"the column {named!r} named in {sidecar_path(path).name}" if named else "a 'text' column"
    return (f"CSV without {where} (its columns: {shown}); name the text column in "
            f'{display_path(sidecar_path(path).name)}: {{"columns": {{"text": "<column>"}}}}')


def read(path: Path, data: bytes) -> FileResult:
    result = FileResult()
    opened = open_export(path, data, result)
    if opened is None:
        return result
    text, mapping = opened
    with _field_limit(MAX_ARTICLE_BYTES):
        return _read_rows(path, text, mapping, result)


def _read_rows(path: Path, text: str, mapping: dict[str, str], result: FileResult) -> FileResult:
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows, [])
        columns = match_columns(header, mapping)
        if "text" not in columns:
            return result.skip(path, _missing_text(path, header, mapping))
        index = {name: header.index(column) for name, column in columns.items()}
        for number, row in enumerate(rows, 1):
            if not any(cell.strip() for cell in row):
                continue
            record = {name: unsafe_cell(row[i]) if i < len(row) else None for name, i in index.items()}
            record_entry(result, path, f"row {number}", number, record, {n: n for n in index}, "csv")
    except csv.Error as exc:
        result.skip(path, f"CSV that cannot be read from line {rows.line_num} on ({exc}); the rows before it were kept")
    return result
