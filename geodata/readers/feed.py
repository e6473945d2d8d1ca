"""RSS and Atom feed files (``.rss``, ``.atom``, and ``.xml`` whose root is a feed), through feedparser.

One article per entry: its title, its content (else its summary) as text (HTML dropped by
``geodata.readers.htmltext``), its published (else updated) date, its link (-> ``url``), its author, and
the feed's title (-> ``source``). An entry's id is ``<file stem>:<entry number>``; its text is the
title, a blank line, then the body. feedparser is given the bytes as a stream, never as a string it
could take for an address or a file name, and it does not fetch external entities.
"""
from __future__ import annotations

import io
from pathlib import Path

from ..articles import safe_text
from .base import Entry, FileResult, clean_meta, make_article, with_headline
from .htmltext import html_to_text
from .text import decoded


def _body(entry) -> str:
    parts = entry.get("content") or []
    html = next((p.get("value") for p in parts if p.get("value")), None) or entry.get("summary") or ""
    return html_to_text(html)


def _add_entry(result: FileResult, path: Path, number: int, entry, source: str | None) -> None:
    where = f"entry {number}"
    body = _body(entry)
    title = clean_meta(html_to_text(entry.get("title") or "")) or ""
    if not body and not title:
        result.skip(path, f"{where}: no title and no text")
        return
    meta = {"date": entry.get("published") or entry.get("updated"), "url": entry.get("link"),
            "author": entry.get("author"), "source": source, "language": None}
    article = make_article(result, path=path, where=where, article_id=f"{safe_text(path.stem)}:{number}",
                           title=title or body.split("\n", 1)[0], text=with_headline(title, body) if body else title,
                           meta=meta, fmt="feed")
    result.entries.append(Entry(article, where))


def read(path: Path, data: bytes) -> FileResult:
    import feedparser  # imported on first use: a folder without feeds never loads it

    result = FileResult()
    if decoded(path, data, result) is None:  # binary, undecodable or empty: the same reasons as any text
        return result
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        why = f" ({type(problem).__name__}: {problem})" if problem else ""
        return result.skip(path, f"not an RSS or Atom feed{why}")
    if not parsed.entries:
        return result.skip(path, "feed has no items")
    source = clean_meta(parsed.feed.get("title"))
    for number, entry in enumerate(parsed.entries, 1):
        _add_entry(result, path, number, entry, source)
    return result
