"""Saved web pages (``.html``, ``.htm``): the main text and metadata through trafilatura.

Title, author, date (htmldate, from the page's metadata and address, not guessed from the text),
site name (-> ``source``) and canonical URL (-> ``url``). The article's text is the headline, a blank
line, then the main text's paragraphs separated by blank lines (the headline is the first line, as for
every article). Boilerplate (menus, footers, comments) is left out by trafilatura.

Extraction time grows with the number of elements (measured on the shared 2-core machine: 23 ms for a
short article page, about 0.35-0.45 ms per element beyond that: 7 s for a 2 MB page of 20,000
paragraphs, 13.6 s for 30,000, 60 s for 500,000 tiny elements), so a page with more than
``MAX_ELEMENTS`` start tags is refused with a reason rather than read for minutes. Nesting deeper than
libxml2's limit (256) cannot be parsed: such a page has no main text and is skipped with that reason,
as is a page whose extracted text has no letters (stray markup of a broken file). A truncated page is
read as far as it goes.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..articles import decode_article, safe_text, title_of
from .base import Entry, FileResult, clean_meta, make_article

MAX_ELEMENTS = 20_000  # about 7 s to extract at the limit (measured, above)
_START_TAG = re.compile(rb"<[A-Za-z]")


def _extract(content: str | bytes):
    import trafilatura  # imported on first use: a folder without web pages never loads it
    from trafilatura.settings import set_date_params

    return trafilatura.bare_extraction(content, with_metadata=True, include_comments=False,
                                       date_extraction_params=set_date_params(False))


def _content(path: Path, data: bytes, result: FileResult) -> str | bytes | None:
    """The page as text (or as bytes, when it is not UTF-8 and trafilatura must find its charset)."""
    text = decode_article(data)
    if isinstance(text, str):
        return text
    if text.reason.startswith("not UTF-8"):
        return data
    result.skip(path, text.reason)
    return None


def main_text(raw: str, title: str) -> str:
    paragraphs = [" ".join(p.split()) for p in raw.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)


def read(path: Path, data: bytes) -> FileResult:
    result = FileResult()
    content = _content(path, data, result)
    if content is None:
        return result
    elements = len(_START_TAG.findall(data))
    if elements > MAX_ELEMENTS:
        return result.skip(path, f"HTML page too large to extract: {elements:,} elements (the limit is "
                                 f"{MAX_ELEMENTS:,}); save the article's own page or its text")
    try:
        doc = _extract(content)
    except Exception as exc:  # a third-party parser on untrusted input: any failure is this file's reason
        return result.skip(path, f"HTML that cannot be read ({type(exc).__name__}: {exc})")
    raw = (doc.text or "") if doc is not None else ""
    if not any(c.isalpha() for c in raw):  # nothing, or only stray markup characters
        return result.skip(path, "no main text found in the HTML page (broken, too deeply nested, or only "
                                 "menus and links)")
    title = clean_meta(doc.title) or title_of(raw)
    body = main_text(raw, title)
    text = f"{title}\n\n{body}" if body else title
    meta = {"date": doc.date, "url": doc.url, "source": doc.sitename, "author": doc.author,
            "language": doc.language}
    result.entries.append(Entry(make_article(result, path=path, where="", article_id=safe_text(path.stem),
                                             title=title, text=text, meta=meta, fmt="html")))
    return result
