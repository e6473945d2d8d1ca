"""The passage around a mention: its paragraph when short, else its sentence, else a window."""
from __future__ import annotations

import re

MAX_PASSAGE_CHARS = 600
WINDOW_CHARS = 240
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*\s+")
_PARAGRAPH_BREAK = re.compile(r"\r?\n")


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind("\n", 0, start), -1) + 1
    right = text.find("\n", end)
    return left, len(text) if right == -1 else right


def _sentence(text: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
    s_lo, s_hi = lo, hi
    for match in _SENTENCE_END.finditer(text, lo, hi):
        if match.end() <= start:
            s_lo = match.end()
        elif match.start() >= end:
            s_hi = match.start() + 1
            break
    return s_lo, s_hi


def passage_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets (lo, hi) of the passage that contains text[start:end]."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} outside a text of {len(text)} characters")
    lo, hi = _strip(text, *_paragraph(text, start, end))
    if hi - lo > MAX_PASSAGE_CHARS:
        lo, hi = _strip(text, *_sentence(text, lo, hi, start, end))
    if hi - lo > MAX_PASSAGE_CHARS:
        w_lo, w_hi = max(lo, start - WINDOW_CHARS), min(hi, end + WINDOW_CHARS)
        if w_lo > lo:
            space = text.find(" ", w_lo, start)
            w_lo = space + 1 if space != -1 else w_lo
        if w_hi < hi:
            space = text.rfind(" ", end, w_hi)
            w_hi = space if space != -1 else w_hi
        lo, hi = w_lo, w_hi
    return min(lo, start), max(hi, end)


def passage(text: str, start: int, end: int) -> tuple[str, int]:
    """(passage, passage_start) with ``text[passage_start:passage_start + len(passage)] == passage``."""
    lo, hi = passage_span(text, start, end)
    return text[lo:hi], lo
