"""The passage around a mention: its paragraph when short, else its sentence, else a window.

Sentences come from spaCy's rule-based ``sentencizer`` on a blank English pipeline, whose tokenizer keeps
abbreviations whole ("Mr.", "U.S."), so "Mr. Smith of the U.S. Coast Guard flew to Calais." stays one
sentence. The splitter runs once per article text (cached), and only for paragraphs too long to show whole.
"""
from __future__ import annotations

import bisect
import functools

MAX_PASSAGE_CHARS = 600
WINDOW_CHARS = 240


@functools.lru_cache(maxsize=1)
def _splitter():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10**8  # articles are capped in size by geodata.articles, not here
    return nlp


@functools.lru_cache(maxsize=4)
def sentence_starts(text: str) -> tuple[int, ...]:
    """Character offsets at which the sentences of ``text`` begin (the first is 0)."""
    doc = _splitter()(text)
    return tuple(sent.start_char for sent in doc.sents) or (0,)


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
    """The sentence(s) holding text[start:end], within the paragraph lo:hi."""
    starts = sentence_starts(text)
    first = bisect.bisect_right(starts, start) - 1
    after = bisect.bisect_left(starts, max(end, start + 1))
    s_lo = max(lo, starts[first] if first >= 0 else lo)
    s_hi = min(hi, starts[after]) if after < len(starts) else hi
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
