"""Plain-text articles (``.txt``): the first non-blank line is the headline, the file stem the id; an
optional front-matter header (``geodata.readers.frontmatter``) gives the title and metadata and is not
part of the text."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..articles import decode_article, safe_text, title_of
from .base import Entry, FileResult, make_article
from .frontmatter import split_front_matter


def decoded(path: Path, data: bytes, result: FileResult) -> str | None:
    """The file's text, or None (with the reason added to ``result``) when it is not text or is empty."""
    text = decode_article(data)
    if not isinstance(text, str):
        result.skip(path, text.reason)
        return None
    if not text.strip():
        result.skip(path, "empty")
        return None
    return text


def read_with_front_matter(path: Path, data: bytes, fmt: str, title_from: Callable[[str], str]) -> FileResult:
    """One article from a text file with an optional front-matter header; ``title_from(text)`` gives
    the title when the header has none."""
    result = FileResult()
    text = decoded(path, data, result)
    if text is None:
        return result
    meta, body = split_front_matter(text)
    if not body.strip():
        return result.skip(path, "empty (nothing after the front-matter header)")
    title = " ".join((meta.get("title") or "").split()) or title_from(body)
    article = make_article(result, path=path, where="", article_id=safe_text(path.stem), title=title,
                           text=body, meta=meta, fmt=fmt)
    result.entries.append(Entry(article))
    return result


def read(path: Path, data: bytes) -> FileResult:
    return read_with_front_matter(path, data, "txt", title_of)
