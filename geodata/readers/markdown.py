"""Markdown notes (``.md``, ``.markdown``): an optional front-matter header, the title from it or from
the first ``# heading`` (else the first non-blank line). The text is kept as written, not rendered:
offsets index the Markdown source that is shown."""
from __future__ import annotations

import re
from pathlib import Path

from ..articles import title_of
from .base import FileResult
from .text import read_with_front_matter

_HEADING = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def markdown_title(text: str) -> str:
    match = _HEADING.search(text)
    return " ".join(match.group(1).split()) if match else title_of(text)


def read(path: Path, data: bytes) -> FileResult:
    return read_with_front_matter(path, data, "md", markdown_title)
