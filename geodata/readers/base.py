"""What every reader returns, and the metadata checks they share (dates, URLs, languages).

A reader turns one file into ``FileResult``: its articles (each with where in the file it came from:
"" for a one-article file, "row 3", "line 3", "entry 2"), the parts skipped with a reason, and notices
about metadata that was dropped (a date that cannot be read is kept as unknown; a URL that is not
http(s) is dropped). Nothing is lost for a notice: the article is still read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..articles import Article, Skipped, display_path, safe_text, short_title
from .dates import normalise_date

MAX_META_CHARS = 500  # a title, source or author longer than this is cut
_LANGUAGE = re.compile(r"[a-z]{2}")


@dataclass
class Entry:
    article: Article
    where: str = ""  # "" (the whole file), "row 3", "line 3", "entry 2"


@dataclass
class FileResult:
    entries: list[Entry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def skip(self, path: Path, reason: str) -> FileResult:
        self.skipped.append(Skipped(path, reason))
        return self


def clean_meta(value: object) -> str | None:
    """A one-line metadata value (whitespace collapsed, at most MAX_META_CHARS), or None when empty."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(safe_text(str(value)).split())[:MAX_META_CHARS]
    return text or None


def http_url(raw: str | None) -> str | None:
    """``raw`` when it is an absolute http(s) URL with a host, else None."""
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    return raw if parts.scheme.lower() in ("http", "https") and parts.netloc and " " not in raw else None


def _language(raw: str | None) -> str | None:
    code = (raw or "").strip().lower().replace("_", "-").split("-")[0]
    return code if _LANGUAGE.fullmatch(code) else None


def _label(path: Path, where: str, article_id: str) -> str:
    return f"{display_path(path)}: {where + ': ' if where else ''}article {article_id!r}"


def make_article(result: FileResult, *, path: Path, where: str, article_id: str, title: str, text: str,
                 meta: dict, fmt: str) -> Article:
    """An Article from a reader's fields; ``meta``'s date, url, source, author and language are checked
    and normalised, and a notice is added for a date that cannot be read or a URL that is dropped."""
    raw_date, raw_url = clean_meta(meta.get("date")), clean_meta(meta.get("url"))
    date = normalise_date(raw_date) if raw_date else None
    if raw_date and date is None:
        result.notices.append(f"{_label(path, where, article_id)}: date {raw_date!r} cannot be read; kept as unknown")
    url = http_url(raw_url)
    if raw_url and url is None:
        result.notices.append(f"{_label(path, where, article_id)}: URL {raw_url!r} is not an http(s) address; dropped")
    return Article(id=article_id, title=short_title(title), text=text, path=path, date=date, url=url,
                   source=clean_meta(meta.get("source")), author=clean_meta(meta.get("author")),
                   language=_language(clean_meta(meta.get("language"))), format=fmt)


def with_headline(title: str, body: str) -> str:
    """The text shown for a record whose body may not start with its headline: the headline, a blank
    line, the body (the rest of the pipeline takes the first line as the headline)."""
    body = body.strip("\n")
    if not title or body.split("\n", 1)[0].strip() == title:
        return body
    return f"{title}\n\n{body}"
