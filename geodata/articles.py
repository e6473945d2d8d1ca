"""Read a folder of articles: plain-text files whose first line is the headline.

Every file that cannot be used is skipped with a reason; the others are still read.
Offsets everywhere in the pipeline index ``Article.text``: the file's bytes decoded as UTF-8 (or as UTF-16
when the file starts with a UTF-16 byte-order mark); a leading byte-order mark is dropped, line endings are
kept as they are.

``scan_articles`` is THE definition of "the articles in a folder", used by the build and by the
dashboard's freshness check: files ending in ``.txt`` (any case), recursively; names starting with "."
are skipped and listed; symbolic links are never followed out of the folder (nor into folders).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

MAX_ARTICLE_BYTES = 5 * 1024 * 1024  # 5 MiB
MIB = 1024 * 1024
ARTICLE_SUFFIXES = (".txt",)
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


def _too_large(size: int, max_bytes: int) -> str:
    return f"too large: {size / MIB:.1f} MiB (the limit is {max_bytes / MIB:g} MiB)"


def read_article(path: Path, *, max_bytes: int = MAX_ARTICLE_BYTES) -> Article | Skipped:
    """Read one article file, or say why it cannot be used."""
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
    text = decode_article(data)
    if isinstance(text, Skipped):
        return Skipped(path, text.reason)
    if not text.strip():
        return Skipped(path, "empty")
    return Article(id=safe_text(path.stem), title=title_of(text), text=text, path=path)


@dataclass
class Listing:
    """The article files of a folder, and the entries passed over with a reason."""
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


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
    """Just the article files of ``scan_articles`` (what the dashboard's freshness check watches)."""
    return scan_articles(directory).files if Path(directory).is_dir() else []


def load_articles(directory: str | os.PathLike, *, max_bytes: int = MAX_ARTICLE_BYTES) -> tuple[list[Article], list[Skipped]]:
    """Read every article below ``directory``. Returns (articles, skipped)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"articles folder not found: {display_path(directory)}")
    listing = scan_articles(directory)
    articles: list[Article] = []
    skipped: list[Skipped] = list(listing.skipped)
    seen: dict[str, Path] = {}
    for path in listing.files:
        result = read_article(path, max_bytes=max_bytes)
        if isinstance(result, Skipped):
            skipped.append(result)
        elif result.id in seen:
            skipped.append(Skipped(path, f"duplicate id {result.id!r} (already read from {display_path(seen[result.id])})"))
        else:
            seen[result.id] = path
            articles.append(result)
    return articles, skipped
