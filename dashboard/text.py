"""Escape untrusted article text and add highlight markup around mentions.

Every piece of article text goes through html.escape before any tag is added, so an article that
contains `<script>` or other markup is shown as the characters it contains, never as HTML.
"""
from __future__ import annotations

import html
import re
import urllib.parse

MARK_OPEN = '<mark class="atlas-hl">'
MARK_CLOSE = "</mark>"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&\"'])")
# Where GitHub-flavoured markdown would start a link by itself (``www.``, ``scheme://``, ``name@host``):
# escapes do not stop that (the autolink pass runs on the text after they are removed), a word joiner does.
_AUTOLINK_START = re.compile(r"(?i)www(?=\.)|:(?=//)|@(?=[\w-])")
WORD_JOINER = "\u2060"


def md_escape(text: str) -> str:
    """Escape text for Streamlit labels/markdown so it shows literally (no links, images, colours, maths;
    web and e-mail addresses stay text: an invisible word joiner follows ``www``, the ``:`` of ``://``
    and ``@``)."""
    text = _AUTOLINK_START.sub(lambda m: m.group(0) + WORD_JOINER, text.replace("\n", " "))
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(text: str) -> str:
    """``text`` as a Markdown code span, shown exactly as it is: inside a code span backslash escapes are
    printed literally (``md_escape`` there gives stray backslashes), so nothing is escaped; the fence is one
    backtick longer than the longest run of backticks in the text, and line breaks become spaces."""
    text = text.replace("\r", " ").replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _merge(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    clean = sorted((max(0, s), min(length, e)) for s, e in spans if e > s and s < length and e > 0)
    merged: list[tuple[int, int]] = []
    for s, e in clean:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML for text with the given character spans wrapped in <mark>; all text escaped."""
    out: list[str] = []
    pos = 0
    for s, e in _merge(spans, len(text)):
        out.append(html.escape(text[pos:s]))
        out.append(MARK_OPEN + html.escape(text[s:e]) + MARK_CLOSE)
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def find_all(text: str, needle: str) -> list[tuple[int, int]]:
    if not needle:
        return []
    spans, i = [], text.find(needle)
    while i >= 0:
        spans.append((i, i + len(needle)))
        i = text.find(needle, i + len(needle))
    return spans


def mention_span_in_passage(m: dict) -> tuple[int, int] | None:
    """Where the mention sits inside its passage (offsets checked against the text)."""
    passage, word = m.get("passage") or "", m.get("text") or ""
    start, end, pstart = m.get("start"), m.get("end"), m.get("passage_start")
    if None not in (start, end, pstart):
        s, e = start - pstart, end - pstart
        if 0 <= s < e <= len(passage) and (not word or passage[s:e] == word):
            return (s, e)
    found = find_all(passage, word)
    return found[0] if found else None


def passage_html(m: dict) -> str:
    span = mention_span_in_passage(m)
    return highlight(m.get("passage") or "", [span] if span else [])


def article_spans(text: str, mentions: list[dict]) -> list[tuple[int, int]]:
    """Spans of the given mentions in the full article text; falls back to searching the words."""
    spans: list[tuple[int, int]] = []
    words: set[str] = set()
    for m in mentions:
        s, e, word = m.get("start"), m.get("end"), m.get("text") or ""
        if s is not None and e is not None and 0 <= s < e <= len(text) and (not word or text[s:e] == word):
            spans.append((s, e))
        elif word:
            words.add(word)
    for word in words:
        spans.extend(find_all(text, word))
    return spans


def article_html(text: str, mentions: list[dict]) -> str:
    return highlight(text, article_spans(text, mentions))


LINK_SCHEMES = ("http", "https")
MAX_URL_LEN = 2000


def safe_url(url) -> str | None:
    """``url`` when it is an absolute http(s) address with a host and nothing odd in it (no spaces,
    control characters or quotes), else None: a ``javascript:``, ``data:`` or relative link is never made."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LEN:
        return None
    if any(c.isspace() or ord(c) < 32 or c in "\"'<>`\\" for c in url):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return url


def link_html(url, label: str) -> str:
    """An escaped link to ``url`` opened in a new tab without handing it this page (``noopener
    noreferrer``); just the escaped label when the URL is not a safe http(s) one."""
    href = safe_url(url)
    if href is None:
        return html.escape(label)
    return (f'<a href="{html.escape(href, quote=True)}" target="_blank" rel="noopener noreferrer">'
            f"{html.escape(label)}</a>")
