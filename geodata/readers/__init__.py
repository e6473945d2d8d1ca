"""One reader per kind of article file; ``read_file`` picks it by the file's suffix.

Each reader takes the file's path and bytes (already checked for size by ``geodata.articles``) and
returns a ``FileResult``: the articles read (one, or one per row, line or feed entry), the parts
skipped with a reason, and notices about metadata that was dropped. The suffixes here are
``geodata.articles.ARTICLE_SUFFIXES`` (the folder listing), one table read by both.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from . import feed, html, jsonlines, markdown, table, text
from .base import Entry, FileResult

READERS: dict[str, Callable[[Path, bytes], FileResult]] = {
    ".txt": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".csv": table.read,
    ".jsonl": jsonlines.read,
    ".rss": feed.read,
    ".atom": feed.read,
    ".xml": feed.read,
}

__all__ = ["READERS", "Entry", "FileResult", "read_file"]


def read_file(path: Path, data: bytes) -> FileResult:
    """The articles in one file (its reader chosen by suffix, in any case)."""
    return READERS[path.suffix.lower()](path, data)
