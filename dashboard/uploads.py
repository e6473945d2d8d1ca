"""Articles added from the browser: check each file (or pasted text) and save it into the articles folder.

No Streamlit here (``dashboard/uploads_panel.py`` draws the form). A file is accepted when its type
(by suffix, then by content), size (at most the pipeline's article limit) and decoding are right; it is
saved under a name made from its own (folders, hidden names and odd characters never reach the disk),
never over an existing file, and atomically (``geodata.atomic.create_new``). Every refusal has a reason.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from geodata import atomic
from geodata.articles import ARTICLE_SUFFIXES, MAX_ARTICLE_BYTES, MIB, Skipped, decode_article, find_article_files
from geodata.readers import read_file

UPLOAD_SUFFIXES = ARTICLE_SUFFIXES  # what the build reads
MAX_FILES = 50            # files in one upload
MAX_STEM = 80             # characters of a saved file's name before its suffix
MAX_TITLE = 300
_UNSAFE = re.compile(r"[^\w\-]+")
_HTML_TAG = re.compile(r"<\s*(!doctype\s+html|html|head|body|article|main|p|div|h[1-6]|title)\b", re.I)
_FEED_ROOT = re.compile(r"<\s*(rss|feed|rdf:RDF)\b", re.I)
_XML_START = re.compile(r"\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<", re.S | re.I)


@dataclass(frozen=True)
class Outcome:
    """What happened to one uploaded file or pasted text: saved (as ``saved``), or refused (``reason``)."""
    name: str                      # as the user gave it (shown escaped)
    saved: str | None = None       # the file name in the articles folder
    reason: str = ""               # why it was refused, or a note about a saved file
    ok: bool = False


@dataclass(frozen=True)
class Checked:
    name: str                      # as given
    stem: str                      # safe name, without suffix
    suffix: str
    data: bytes


def plain_name(name: str) -> tuple[str, str] | str:
    """(safe stem, suffix) for an uploaded file's name, or why it is refused. Only the last part of a
    path is used (a browser may send folders, or ``../``); a hidden name (starting with ".") is refused,
    as the build would not read it; other characters than letters, digits, "-" and "_" become "-"."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    if not base or set(base) <= {"."}:
        return "it has no file name"
    if base.startswith("."):
        return "a hidden file name (it starts with '.'): the build does not read hidden files; rename it"
    stem, dot, suffix = base.rpartition(".")
    suffix = ("." + suffix.lower()) if dot else ""
    if suffix not in UPLOAD_SUFFIXES:
        kind = f"{suffix} files" if suffix else "files without a suffix"
        return f"not a supported type ({kind}); articles can be {', '.join(UPLOAD_SUFFIXES)}"
    safe = _UNSAFE.sub("-", stem).strip("-_")[:MAX_STEM].strip("-_")
    return (safe or "article"), suffix


def _csv_problem(text: str) -> str | None:
    try:
        rows = csv.reader(io.StringIO(text))
        header = next(rows, None)
        for _ in rows:
            pass
    except csv.Error as exc:
        return f"not readable as CSV ({exc})"
    if not header or len([c for c in header if c.strip()]) < 2:
        return "a CSV file needs a header row naming its columns (such as title,text,date)"
    return None


def _jsonl_problem(text: str) -> str | None:
    lines = [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    for i, line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            return f"line {i} is not JSON (JSON lines: one JSON object per line)"
        if not isinstance(item, dict):
            return f"line {i} is not a JSON object (JSON lines: one object per line)"
    return None


def content_problem(suffix: str, text: str) -> str | None:
    """Why ``text`` is not what its suffix says, or None."""
    head = text[:65536]
    if suffix in (".html", ".htm") and not _HTML_TAG.search(head):
        return "does not look like HTML (no <html>, <body>, <p> or similar tag)"
    if suffix in (".rss", ".atom", ".xml"):
        if not _XML_START.match(head) or not _FEED_ROOT.search(head):
            return "not an RSS or Atom feed (no <rss> or <feed> element)"
    if suffix == ".csv":
        return _csv_problem(text)
    if suffix == ".jsonl":
        return _jsonl_problem(text)
    return None


def check_file(name: str, data: bytes) -> Checked | Outcome:
    """Type (suffix and content), size and decoding of one uploaded file."""
    parts = plain_name(name)
    if isinstance(parts, str):
        return Outcome(name, reason=parts)
    stem, suffix = parts
    if len(data) > MAX_ARTICLE_BYTES:
        return Outcome(name, reason=f"too large: {len(data) / MIB:.1f} MiB (the limit is "
                                    f"{MAX_ARTICLE_BYTES / MIB:g} MiB per article file)")
    if not data.strip():
        return Outcome(name, reason="empty")
    text = decode_article(data)
    if isinstance(text, Skipped):
        return Outcome(name, reason=text.reason)
    if not text.strip():
        return Outcome(name, reason="empty")
    problem = content_problem(suffix, text) or reader_problem(stem + suffix, data)
    if problem:
        return Outcome(name, reason=problem)
    return Checked(name, stem, suffix, data)


def reader_problem(name: str, data: bytes) -> str | None:
    """Why the build's own reader for this kind of file would find no article in it, or None."""
    try:
        result = read_file(Path(name), data)
    except Exception as exc:  # a reader's own bug must not take the page down: the file is refused
        return f"cannot be read as a {Path(name).suffix} article file ({type(exc).__name__})"
    if result.entries:
        return None
    return result.skipped[0].reason if result.skipped else "no article in the file"


def check_pasted(title: str, text: str) -> Checked | Outcome:
    """A pasted article: its title becomes the first line (the headline) and its file name."""
    title = " ".join((title or "").split())
    shown = title or "pasted text"
    if not title:
        return Outcome(shown, reason="a pasted text needs a title")
    if len(title) > MAX_TITLE:
        return Outcome(shown[:60] + "...", reason=f"the title is longer than {MAX_TITLE} characters")
    if not (text or "").strip():
        return Outcome(shown, reason="the text is empty")
    body = text.replace("\r\n", "\n").strip("\n")
    checked = check_file(title.replace("/", " ").replace("\\", " ").lstrip(".") + ".txt",
                         f"{title}\n\n{body}\n".encode("utf-8"))
    return Checked(shown, checked.stem, checked.suffix, checked.data) if isinstance(checked, Checked) \
        else Outcome(shown, reason=checked.reason)


def _taken(folder: Path) -> tuple[set[str], set[str]]:
    """Names in the folder (case-folded) and the stems of its articles anywhere below it (article ids)."""
    names = {p.name.casefold() for p in folder.iterdir()} if folder.is_dir() else set()
    stems = {p.stem.casefold() for p in find_article_files(folder)}
    return names, stems


def _same_content(folder: Path, checked: Checked) -> bool:
    path = folder / (checked.stem + checked.suffix)
    try:
        return path.is_file() and not path.is_symlink() and path.read_bytes() == checked.data
    except OSError:
        return False


def save(folder: Path, checked: Checked, taken: tuple[set[str], set[str]] | None = None) -> Outcome:
    """Save one checked file into ``folder`` under its safe name, or ``name-2``, ``name-3``... when that
    name (or an article id below the folder) is taken; the same file uploaded again is refused."""
    folder = Path(folder)
    names, stems = taken if taken is not None else _taken(folder)
    if _same_content(folder, checked):
        return Outcome(checked.name, reason=f"already in the articles folder (as {checked.stem + checked.suffix})")
    for n in range(1, 1000):
        stem = checked.stem if n == 1 else f"{checked.stem}-{n}"
        target = stem + checked.suffix
        if target.casefold() in names or stem.casefold() in stems:
            continue
        try:
            atomic.create_new(folder / target, checked.data)
        except FileExistsError:  # created since we looked
            names.add(target.casefold())
            continue
        except OSError as exc:
            return Outcome(checked.name, reason=f"could not be saved: {exc.strerror or exc}")
        names.add(target.casefold())
        stems.add(stem.casefold())
        return Outcome(checked.name, saved=target, ok=True)
    return Outcome(checked.name, reason="too many files of that name in the articles folder")


def add(folder: Path, files: list[tuple[str, bytes]], pasted: tuple[str, str] | None = None) -> list[Outcome]:
    """Check and save every file (name, bytes) and the pasted (title, text), if any: one outcome each."""
    folder = Path(folder)
    if not folder.is_dir():
        return [Outcome(name, reason=f"the articles folder {folder.name} does not exist") for name, _ in files]
    outcomes: list[Outcome] = []
    items: list[Checked | Outcome] = []
    for i, (name, data) in enumerate(files):
        items.append(check_file(name, data) if i < MAX_FILES else
                     Outcome(name, reason=f"more than {MAX_FILES} files at once: add the others next"))
    if pasted is not None:
        items.append(check_pasted(*pasted))
    taken = _taken(folder)
    for item in items:
        outcomes.append(save(folder, item, taken) if isinstance(item, Checked) else item)
    return outcomes
