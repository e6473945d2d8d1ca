"""Parse results cached by article text, so a rebuild parses only the articles that changed.

``<out>/cache/parse.sqlite`` (beside the geocoder's cache) holds one row per (fingerprint, text hash):
the detected language and the ResolvedMentions of one text, as JSON (``geodata/parsecodec.py``),
before the overrides are applied and before the online geocoder. The fingerprint
(``geodata/parsefingerprint.py``) covers everything besides the text that can change a result; rows of
another fingerprint are never read and are deleted at the next write.

The cache never fails a build: a file that cannot be opened, read or written, or a row that cannot be
decoded, is a notice (``ParseCache.notices``) and those articles are parsed. A damaged file is replaced
by a new one at the next write (atomically); writes are one SQLite transaction.

``parse_with_cache(articles, cache, make_parser)`` is the one entry point: it looks every article up,
builds the parser (``make_parser()``, which loads spaCy) only when something is missing, parses the
misses in one ``parse_many_with_language`` batch and stores them. Any object with that method will do,
so another engine can plug in its own parser.
"""
from __future__ import annotations

import copy
import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Protocol

from geodata import atomic
from geodata.model import ResolvedMention
from geodata.parsecodec import CodecError, decode, encode

CACHE_FILE = "parse.sqlite"
FORMAT = "2"  # the table layout and the codec's; a file with another one is replaced
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parses(fingerprint TEXT NOT NULL, text_hash TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (fingerprint, text_hash)) WITHOUT ROWID;
"""
_TIMEOUT_S = 30.0  # another build writing the same cache

Result = tuple[str, list[ResolvedMention]]  # (detected language, mentions)


class _Article(Protocol):
    id: str
    text: str


class _Parser(Protocol):
    def parse_many_with_language(self, texts: Iterable[str]) -> Iterable[Result]: ...


def default_path(out_dir: str | os.PathLike) -> Path:
    return Path(out_dir) / "cache" / CACHE_FILE


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _display(path: Path) -> str:
    from geodata.articles import display_path

    return display_path(path)


@dataclass
class ParseCache:
    """The cache file at ``path`` for one ``fingerprint``. Nothing is opened until the first lookup."""

    path: Path
    fingerprint: str
    notices: list[str] = field(default_factory=list)
    _damaged: bool = False

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=_TIMEOUT_S)
        try:
            con.executescript(_SCHEMA)
            row = con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None:
                with con:
                    con.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            elif row[0] != FORMAT:
                raise sqlite3.DatabaseError(f"cache format {row[0]!r}, expected {FORMAT!r}")
        except BaseException:
            con.close()
            raise
        return con

    def _problem(self, what: str, exc: Exception) -> None:
        self.notices.append(f"parse cache {_display(self.path)}: {what} ({exc}); those articles are parsed")

    def get_many(self, hashes: Iterable[str]) -> dict[str, Result]:
        """The cached results among ``hashes`` (a missing, unreadable or foreign file: none)."""
        wanted = set(hashes)
        if not wanted or not self.path.is_file():
            return {}
        found: dict[str, Result] = {}
        bad = 0
        try:
            con = self._connect()
            try:
                rows = con.execute("SELECT text_hash, value FROM parses WHERE fingerprint = ?",
                                   (self.fingerprint,)).fetchall()
            finally:
                con.close()
        except sqlite3.Error as exc:
            self._damaged = True
            self._problem("cannot be read, it is rebuilt", exc)
            return {}
        for key, value in rows:
            if key in wanted:
                try:
                    found[key] = decode(value)
                except CodecError:
                    bad += 1
        if bad:
            self.notices.append(f"parse cache {_display(self.path)}: {bad} damaged entr{'y' if bad == 1 else 'ies'}"
                                " ignored; those articles are parsed")
        return found

    def put_many(self, results: dict[str, Result]) -> None:
        """Store ``results`` (text hash -> result) in one transaction, dropping other fingerprints' rows."""
        if not results:
            return
        rows = [(self.fingerprint, key, encode(language, mentions)) for key, (language, mentions) in results.items()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._damaged:
                self._replace(rows)
                return
            con = self._connect()
            try:
                with con:
                    con.execute("DELETE FROM parses WHERE fingerprint != ?", (self.fingerprint,))
                    con.executemany("INSERT OR REPLACE INTO parses VALUES (?, ?, ?)", rows)
            finally:
                con.close()
        except (OSError, sqlite3.Error) as exc:
            self.notices.append(f"parse cache {_display(self.path)}: cannot be written ({exc}); "
                                "the next build parses these articles again")

    def _replace(self, rows: list[tuple[str, str, str]]) -> None:
        """A new file with only ``rows``, renamed over the damaged one."""
        with atomic.atomic_path(self.path) as tmp:
            con = sqlite3.connect(tmp)
            try:
                con.executescript(_SCHEMA)
                with con:
                    con.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
                    con.executemany("INSERT INTO parses VALUES (?, ?, ?)", rows)
            finally:
                con.close()
        self._damaged = False


@dataclass
class ParseOutcome:
    results: dict[str, Result]  # article id -> (language, mentions), in the articles' order
    parsed: int = 0  # articles parsed now
    reused: int = 0  # articles taken from the cache


def parse_with_cache(articles: list[_Article], cache: ParseCache | None, make_parser: Callable[[], _Parser],
                     on_article: Callable[[int, int], None] | None = None) -> ParseOutcome:
    """Every article's (language, mentions): from ``cache`` when it has the text, else parsed (one batch
    through ``make_parser()``, called only when something is missing) and stored. ``on_article(done,
    total)`` after each article, cached ones included. ``cache=None``: parse everything, store nothing."""
    keys = [text_hash(a.text) for a in articles]
    found = cache.get_many(keys) if cache is not None else {}
    total = len(articles)
    by_key: dict[str, Result] = {}
    slots: dict[str, Result] = {}
    done = 0

    def take(article_id: str, key: str, result: Result) -> None:
        nonlocal done
        # the same text twice: each article gets its own objects, as when parsed one by one
        slots[article_id] = copy.deepcopy(result) if key in by_key else result
        by_key[key] = result
        done += 1
        if on_article is not None:
            on_article(done, total)

    for article, key in zip(articles, keys):
        if key in found:
            take(article.id, key, found[key])
    reused = done
    missing = [(a, k) for a, k in zip(articles, keys) if k not in found]
    todo = list(dict.fromkeys(k for _, k in missing))
    if todo:
        texts = {k: a.text for a, k in missing}
        waiting: dict[str, list[str]] = {}
        for a, k in missing:
            waiting.setdefault(k, []).append(a.id)
        parsed: dict[str, Result] = {}
        parser = make_parser()
        for key, result in zip(todo, parser.parse_many_with_language(texts[k] for k in todo)):
            parsed[key] = result
            for article_id in waiting[key]:
                take(article_id, key, result)
        if cache is not None:
            cache.put_many(parsed)
    results = {a.id: slots[a.id] for a in articles}
    return ParseOutcome(results, parsed=total - reused, reused=reused)


@dataclass(frozen=True)
class _Text:
    id: str
    text: str


class CachedParser:
    """A parser (``parse_many_with_language``) that answers from ``cache`` and parses only the texts it
    lacks, with the real parser ``make_parser()`` built on first need (no spaCy when every text is
    cached). ``parsed`` / ``reused`` count the texts of every call."""

    def __init__(self, cache: ParseCache, make_parser: Callable[[], _Parser]):
        self.cache, self._make_parser, self._parser = cache, make_parser, None
        self.parsed = self.reused = 0

    def _real(self) -> _Parser:
        if self._parser is None:
            self._parser = self._make_parser()
        return self._parser

    def parse_many_with_language(self, texts: Iterable[str]) -> list[Result]:
        items = [_Text(str(i), t) for i, t in enumerate(texts)]
        outcome = parse_with_cache(items, self.cache, self._real)
        self.parsed += outcome.parsed
        self.reused += outcome.reused
        return [outcome.results[item.id] for item in items]
