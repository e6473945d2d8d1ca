"""An optional front-matter header at the top of a text or Markdown article.

The header is a first line ``---``, then ``key: value`` lines (title, date, url, source, author, language;
other keys are ignored, values may be quoted), then a line ``---``. It is not part of the article's text:
offsets index what follows it. A first line ``---`` without a closing ``---`` within ``MAX_LINES``, or
with a line that is not ``key: value``, is no header: the file is read whole.
"""
from __future__ import annotations

import re

MAX_LINES = 50
KEYS = ("title", "date", "url", "source", "author", "language")
_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:[ \t]?(.*)")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(the header's known keys, the text after it); ({}, text) when there is no header."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return {}, text
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:MAX_LINES + 1], 1):
        content = line.rstrip("\r\n")
        if content.strip() == "---":
            return meta, "".join(lines[number + 1:])
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        match = _LINE.fullmatch(content)
        if match is None:
            return {}, text
        key = match.group(1).lower()
        if key in KEYS:
            meta[key] = _unquote(match.group(2))
    return {}, text
