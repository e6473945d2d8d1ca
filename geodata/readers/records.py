"""Exports with one article per record (CSV rows, JSON lines): which column is which, and a record -> Article.

Fields: ``text`` (required), ``id``, ``title``, ``date``, ``url``, ``source``, ``author``, ``language``.
Each is read from the column (CSV) or key (JSON lines) of the same name, in any case; other columns are
ignored. A sidecar file ``NAME.csv.json`` / ``NAME.jsonl.json`` beside the export names other columns:
``{"columns": {"text": "body", "title": "headline", "date": "published_at"}}``.

An article's id is its ``id`` value when it has one, else ``<file stem>:<row or line number>``; its
text is the title, a blank line, then the body (unless the body already starts with the title).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..articles import safe_text, title_of
from .base import Entry, FileResult, clean_meta, make_article, with_headline

FIELDS = ("id", "title", "text", "date", "url", "source", "author", "language")
MAX_SIDECAR_BYTES = 64 * 1024


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def load_mapping(path: Path) -> dict[str, str] | str:
    """The sidecar's {field: column} for ``path`` ({} without a sidecar), or why it cannot be used."""
    sidecar = sidecar_path(path)
    if sidecar.is_symlink():  # as for articles: never followed (it could lead out of the folder)
        return f"its column mapping {sidecar.name} is a symbolic link; not read"
    if not sidecar.is_file():
        return {}
    try:
        with sidecar.open("rb") as fh:
            raw = fh.read(MAX_SIDECAR_BYTES + 1)
        if len(raw) > MAX_SIDECAR_BYTES:
            return f"its column mapping {sidecar.name} is larger than {MAX_SIDECAR_BYTES // 1024} KiB"
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        return f"its column mapping {sidecar.name} cannot be read ({exc})"
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(v, str) and v for v in columns.values()):
        return f'its column mapping {sidecar.name} must be {{"columns": {{"text": "<column>", ...}}}}'
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        return f"its column mapping {sidecar.name} names unknown fields {', '.join(unknown)} (known: {', '.join(FIELDS)})"
    return dict(columns)


def match_columns(names: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """{field: column name in ``names``}: the mapping's column, else the column named like the field."""
    by_lower = {n.strip().lower(): n for n in names}
    found: dict[str, str] = {}
    for name in FIELDS:
        wanted = mapping.get(name)
        if wanted is not None:
            if wanted in names:
                found[name] = wanted
            elif wanted.strip().lower() in by_lower:
                found[name] = by_lower[wanted.strip().lower()]
        elif name in by_lower:
            found[name] = by_lower[name]
    return found


def record_entry(result: FileResult, path: Path, where: str, number: int, record: dict,
                 columns: dict[str, str], fmt: str) -> None:
    """Add the record's article to ``result``, or a Skipped naming ``where`` and why."""
    body = record.get(columns["text"]) if "text" in columns else None
    if not isinstance(body, str):
        result.skip(path, f"{where}: its text is not a string" if body is not None else f"{where}: no text")
        return
    if not body.strip():
        result.skip(path, f"{where}: empty text")
        return
    value = {name: clean_meta(record.get(column)) for name, column in columns.items() if name != "text"}
    title = value.get("title") or title_of(body)
    article_id = value.get("id") or f"{safe_text(path.stem)}:{number}"
    article = make_article(result, path=path, where=where, article_id=article_id, title=title,
                           text=with_headline(title, body), meta=value, fmt=fmt)
    result.entries.append(Entry(article, where))


def open_export(path: Path, data: bytes, result: FileResult) -> tuple[str, dict[str, str]] | None:
    """An export's decoded text and its column mapping, or None (the reason already in ``result``)."""
    from .text import decoded

    text = decoded(path, data, result)
    if text is None:
        return None
    mapping = load_mapping(path)
    if isinstance(mapping, str):
        result.skip(path, mapping)
        return None
    return text, mapping
