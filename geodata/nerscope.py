"""Run spaCy's NER only over the sentences that can hold a place name.

NER is four fifths of the parse. A sentence whose only capitalised word is its first one, and that word
unknown to the gazetteer or a frequent function word ("He said the fire started at noon."), can hold no
place the recognizer would keep: every span it proposes starts with a capital letter (NER places,
gazetteer matches, streets).
``segments`` cuts a text into runs of consecutive sentences worth parsing (the text between them kept
as it is, so NER sees the same context inside a run); ``merge`` puts the runs' entities back at their
offsets in the whole text, as the light document the recognizer reads (``text`` and ``ents``).
Measured: 20 % of LGL's text skipped, 23 % of TR-News', 20 % of GeoVirus'.
"""
from __future__ import annotations

import re
from typing import Callable

from geodata.nercache import Ent, EntDoc

# a sentence ends at ., ! or ? (with any closing quote) before white space and a capital, or at a line break
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z])|\n\s*")
# a first word this frequent ("The", "He", "But") is a sentence word, whatever the gazetteer knows
FUNCTION_WORD_ZIPF = 6.0
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def may_hold_place(sentence: str, known: Callable[[str], bool]) -> bool:
    """True unless the sentence's only capitalised word is its first and ``known`` does not know it."""
    words = _WORD.findall(sentence)
    if not words:
        return False
    if any(w[0].isupper() for w in words[1:]):
        return True
    first = re.split(r"['’]", words[0])[0].rstrip(".-")  # "Ottawa's plan": Ottawa
    return first[:1].isupper() and known(first)


def name_test(gazetteer, language: str) -> Callable[[str], bool]:
    """Whether a sentence's first word may be a place: the gazetteer knows it and it is not a function
    word (initialisms such as "US" always may)."""
    from geodata.evidence import word_zipf

    def known(word: str) -> bool:
        return bool(gazetteer.lookup(word)) and (word.isupper() or word_zipf(word, language) < FUNCTION_WORD_ZIPF)

    return known


def segments(text: str, known: Callable[[str], bool]) -> list[tuple[int, str]]:
    """(offset, text) of each run of consecutive sentences that may hold a place."""
    runs: list[list[int]] = []
    previous_kept = False
    for start, end in _sentences(text):
        kept = may_hold_place(text[start:end], known)
        if kept and previous_kept:
            runs[-1][1] = end  # the next sentence of the same run
        elif kept:
            runs.append([start, end])
        previous_kept = kept
    return [(start, text[start:end]) for start, end in runs]


def merge(text: str, parts: list[tuple[int, object]]) -> EntDoc:
    """One light document for ``text`` from spaCy documents of some of its segments."""
    ents = []
    for offset, doc in parts:
        for e in doc.ents:
            ents.append(Ent(e.start_char + offset, e.end_char + offset, e.label_, e.text))
    return EntDoc(text, tuple(ents))
