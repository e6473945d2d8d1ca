"""Read a folder of articles: text, Markdown, web pages, CSV and JSON-lines exports, RSS/Atom feeds.

Every file (or row, line, feed entry) that cannot be used is skipped with a reason; the others are still
read. Each kind of file has its reader in ``geodata.readers`` (chosen by suffix); this module lists the
folder, applies the checks every file gets (size limit, regular file) and refuses duplicate ids across
all files and formats. Offsets everywhere in the pipeline index ``Article.text``, the text shown to the
user: for a text file, its bytes decoded as UTF-8 (or as UTF-16 when the file starts with a UTF-16
byte-order mark) after any front-matter header; a leading byte-order mark is dropped, line endings are
kept as they are.

``scan_articles`` is THE definition of "the articles in a folder", used by the build and by the
dashboard's freshness check: files ending in one of ``ARTICLE_SUFFIXES`` (any case), recursively; names
starting with "." are skipped and listed; symbolic links are never followed out of the folder (nor into
folders). A CSV or JSON-lines export's column mapping (``NAME.csv.json``) is listed as a sidecar input.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

MAX_ARTICLE_BYTES = 5 * 1024 * 1024  # 5 MiB
MIB = 1024 * 1024
MAX_TITLE_CHARS = 300  # a headline longer than this (a one-line file of megabytes) is cut at a word
# One entry per reader in geodata.readers.READERS (tests/test_readers.py checks they agree).
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".csv", ".jsonl", ".rss", ".atom", ".xml")
SIDECAR_SUFFIXES = (".csv.json", ".jsonl.json")  # column mappings of exports (geodata.readers.records)
_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def safe_text(text: str) -> str:
    """``text`` with any undecodable bytes of a file name (surrogate escapes) shown as U+FFFD, so it can
    be written as UTF-8 anywhere (JSON, CSV, the terminal)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def display_path(path: str | os.PathLike) -> str:
    return safe_text(os.fspath(path))


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    path: Path
    language: str | None = None  # ISO 639-1, as detected by the geoparser (None before parsing)
    # Metadata, as the article's format gives it (None when unknown):
    date: str | None = None      # ISO 8601: "2024-05-03" or "2024-05-03T08:15:00+00:00"
    source: str | None = None    # the publication or site ("BBC News")
    url: str | None = None       # the original's address; only http(s) URLs are kept
    author: str | None = None
    format: str = "txt"          # the reader that produced it: txt, md, html, csv, jsonl, feed


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}: {self.reason}"


def _control_share_too_high(chars) -> bool:
    sample = list(chars)[:8192]
    control = sum(1 for c in sample if c < 32 and c not in (9, 10, 12, 13))
    return control > max(8, len(sample) // 100)


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data or _control_share_too_high(data[:8192])


def _looks_utf16(data: bytes) -> bool:
    """Mostly-Latin text in UTF-16 without a byte-order mark: every other byte is NUL."""
    sample = data[:8192]
    if len(sample) < 4:
        return False
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_nuls, odd_nuls) > 0.6 * half and min(even_nuls, odd_nuls) < 0.1 * half


def decode_article(data: bytes) -> str | Skipped:
    """The text of an article file's bytes, or (as a Skipped without a path) why it is not text."""
    encoding = _UTF16_BOMS.get(data[:2])
    if encoding is not None:
        try:
            text = data[2:].decode(encoding)
        except UnicodeDecodeError as exc:
            return Skipped(Path(), f"UTF-16 text (byte-order mark) that cannot be decoded at offset {exc.start + 2}")
        if "\x00" in text or _control_share_too_high(ord(c) for c in text[:8192]):
            return Skipped(Path(), "binary data, not text (despite a UTF-16 byte-order mark)")
        return text
    if _looks_utf16(data):
        return Skipped(Path(), "UTF-16 text without a byte-order mark: save it as UTF-8 (or UTF-16 with a byte-order mark)")
    if _looks_binary(data):
        return Skipped(Path(), "binary data, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Skipped(Path(), f"not UTF-8 text (undecodable byte at offset {exc.start})")
    return text[1:] if text.startswith("\ufeff") else text


def title_of(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())
    return ""


def short_title(title: str) -> str:
    """``title``, or its first ``MAX_TITLE_CHARS`` characters cut at a word and ended with an ellipsis."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    head = title[:MAX_TITLE_CHARS - 1]
    space = head.rfind(" ")
    return (head[:space] if space > MAX_TITLE_CHARS // 2 else head).rstrip() + "\u2026"


def _too_large(size: int, max_bytes: int) -> str:
    return f"too large: {size / MIB:.1f} MiB (the limit is {max_bytes / MIB:g} MiB)"


def read_bytes(path: Path, *, max_bytes: int = MAX_ARTICLE_BYTES) -> bytes | Skipped:
    """The bytes of one article file, or why it cannot be used (not a regular file, too large, empty)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            return Skipped(path, "not a regular file")
        if size > max_bytes:
            return Skipped(path, _too_large(size, max_bytes))
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return Skipped(path, f"unreadable: {exc.strerror or exc}")
    if len(data) > max_bytes:  # grew since stat
        return Skipped(path, f"too large: over {max_bytes / MIB:g} MiB")
    if not data.strip():
        return Skipped(path, "empty")
    return data


def read_article(path: Path, *, max_bytes: int = MAX_ARTICLE_BYTES) -> Article | Skipped:
    """Read one article file (its first article, for a file with several), or say why it cannot be used."""
    data = read_bytes(path, max_bytes=max_bytes)
    if isinstance(data, Skipped):
        return data
    result = _read_file(path, data)
    if result.entries:
        return result.entries[0].article
    return result.skipped[0] if result.skipped else Skipped(path, "no article in the file")


def _read_file(path: Path, data: bytes):
    from .readers import read_file  # the readers build on this module's Article and checks

    return read_file(path, data)


@dataclass
class Listing:
    """The article files of a folder, and the entries passed over with a reason."""
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    sidecars: list[Path] = field(default_factory=list)  # column mappings of exports: inputs, not articles


def _is_article_name(name: str) -> bool:
    return name.lower().endswith(ARTICLE_SUFFIXES)


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def _scan_entry(entry: os.DirEntry, root: str, listing: Listing, folders: list[str]) -> None:
    path = Path(entry.path)
    is_link = entry.is_symlink()
    is_dir = entry.is_dir()  # follows a link, to say what it points to
    if entry.name.startswith("."):
        if is_dir:
            listing.skipped.append(Skipped(path, "hidden folder (name starts with '.'); not read"))
        elif _is_article_name(entry.name):
            listing.skipped.append(Skipped(path, "hidden file (name starts with '.'); not read"))
        return
    if is_link and is_dir:
        listing.skipped.append(Skipped(path, "symbolic link to a folder; not followed"))
    elif is_dir:
        folders.append(entry.path)
    elif entry.name.lower().endswith(SIDECAR_SUFFIXES) and not is_link:
        listing.sidecars.append(path)
    elif _is_article_name(entry.name):
        if is_link and not _inside(os.path.realpath(entry.path), root):
            listing.skipped.append(Skipped(path, "symbolic link to a file outside the articles folder; not read"))
        else:
            listing.files.append(path)


def scan_articles(directory: str | os.PathLike) -> Listing:
    """Article files below ``directory`` (recursively; a folder's files before its sub-folders, each in
    name order) and the entries skipped: hidden names, symbolic links leading out of the folder or to a
    folder, and folders that cannot be listed."""
    listing = Listing()
    root = os.path.realpath(directory)
    pending = [os.fspath(directory)]
    while pending:
        folder = pending.pop(0)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            listing.skipped.append(Skipped(Path(exc.filename or folder),
                                           f"unreadable folder: {exc.strerror or exc}; its articles were not read"))
            continue
        folders: list[str] = []
        for entry in entries:
            _scan_entry(entry, root, listing, folders)
        pending[:0] = folders  # depth first, as a reader expects the tree
    return listing


def find_article_files(directory: str | os.PathLike) -> list[Path]:
    """The files the build reads, as ``scan_articles`` lists them: the article files, then the exports'
    column mappings (what the dashboard's freshness check watches)."""
    if not Path(directory).is_dir():
        return []
    listing = scan_articles(directory)
    return listing.files + listing.sidecars


@dataclass
class Loaded:
    """A folder's articles, what was skipped (files, rows, lines, entries), and notices about metadata
    that was dropped (a date that cannot be read, a URL that is not http(s)): those articles are kept."""
    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def read_folder(directory: str | os.PathLike, *, max_bytes: int = MAX_ARTICLE_BYTES) -> Loaded:
    """Read every article below ``directory``; an id already read (from any file or format) is skipped."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"articles folder not found: {display_path(directory)}")
    listing = scan_articles(directory)
    loaded = Loaded(skipped=list(listing.skipped))
    seen: dict[str, str] = {}  # id -> where it was read: "file" or "file, row 3"
    for path in listing.files:
        data = read_bytes(path, max_bytes=max_bytes)
        if isinstance(data, Skipped):
            loaded.skipped.append(data)
            continue
        result = _read_file(path, data)
        loaded.skipped += result.skipped
        loaded.notices += result.notices
        for entry in result.entries:
            here = display_path(path) + (f", {entry.where}" if entry.where else "")
            article_id = entry.article.id
            if article_id in seen:
                prefix = f"{entry.where}: " if entry.where else ""
                loaded.skipped.append(Skipped(path, f"{prefix}duplicate id {article_id!r} (already read from {seen[article_id]})"))
            else:
                seen[article_id] = here
                loaded.articles.append(entry.article)
    return loaded


def load_articles(directory: str | os.PathLike, *, max_bytes: int = MAX_ARTICLE_BYTES) -> tuple[list[Article], list[Skipped]]:
    """Read every article below ``directory``. Returns (articles, skipped); ``read_folder`` also gives the notices."""
    loaded = read_folder(directory, max_bytes=max_bytes)
    return loaded.articles, loaded.skipped
