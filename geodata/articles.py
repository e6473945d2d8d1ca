"""Read a folder of articles: plain-text files whose first line is the headline.

Every file that cannot be used is skipped with a reason; the others are still read.
Offsets everywhere in the pipeline index ``Article.text``: the file's bytes decoded as UTF-8
(a leading byte-order mark is dropped; line endings are kept as they are).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
ARTICLE_SUFFIXES = (".txt",)


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    path: Path


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:8192]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > max(8, len(sample) // 100)


def title_of(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())
    return ""


def read_article(path: Path, *, max_bytes: int = MAX_ARTICLE_BYTES) -> Article | Skipped:
    """Read one article file, or say why it cannot be used."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            return Skipped(path, "not a regular file")
        if size > max_bytes:
            return Skipped(path, f"too large: {size / 1e6:.1f} MB (the limit is {max_bytes / 1e6:.0f} MB)")
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(path, f"unreadable: {exc.strerror or exc}")
    if len(data) > max_bytes:  # grew since stat
        return Skipped(path, f"too large: over {max_bytes / 1e6:.0f} MB")
    if not data.strip():
        return Skipped(path, "empty")
    if _looks_binary(data):
        return Skipped(path, "binary data, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Skipped(path, f"not UTF-8 text (undecodable byte at offset {exc.start})")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return Skipped(path, "empty")
    return Article(id=path.stem, title=title_of(text), text=text, path=path)


def find_article_files(directory: Path, errors: list[OSError] | None = None) -> list[Path]:
    """Article files below ``directory`` (recursively), in a stable order; hidden files are ignored.
    Folders that cannot be listed are appended to ``errors`` (when given) rather than passed over silently."""
    found = []
    for root, dirs, files in os.walk(directory, onerror=errors.append if errors is not None else None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(ARTICLE_SUFFIXES):
                found.append(Path(root) / name)
    return found


def load_articles(directory: str | os.PathLike, *, max_bytes: int = MAX_ARTICLE_BYTES) -> tuple[list[Article], list[Skipped]]:
    """Read every article below ``directory``. Returns (articles, skipped)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"articles folder not found: {directory}")
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen: dict[str, Path] = {}
    errors: list[OSError] = []
    files = find_article_files(directory, errors)
    for error in errors:
        skipped.append(Skipped(Path(error.filename or directory),
                               f"unreadable folder: {error.strerror or error}; its articles were not read"))
    for path in files:
        result = read_article(path, max_bytes=max_bytes)
        if isinstance(result, Skipped):
            skipped.append(result)
        elif result.id in seen:
            skipped.append(Skipped(path, f"duplicate id {result.id!r} (already read from {seen[result.id]})"))
        else:
            seen[result.id] = path
            articles.append(result)
    return articles, skipped
