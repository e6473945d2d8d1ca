"""Name normalisation shared by the index builder and every lookup.

Two surface forms are the same name when their normalised keys are equal:
casefolded, accents folded, curly quotes and dashes made straight, dots and
hyphens treated as spaces, spaced-out initials joined ("U. S." == "US"),
a leading "the" dropped, Saint/Mount/Fort shortened to St/Mt/Ft and whitespace collapsed.
"""
from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2010": " ", "\u2011": " ", "\u2012": " ", "\u2013": " ", "\u2014": " ", "\u2212": " ", "-": " ",
    ".": " ", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "_": " ",
    # letters that NFKD does not decompose into base + mark
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i",
    "ħ": "h", "ŧ": "t", "ŋ": "ng",
})
_SPACES = re.compile(r"\s+")
_INITIALS = re.compile(r"\b(\w)\s(?=\w\b)")
_LEADING_THE = re.compile(r"^the\s+")
# "Saint"/"St", "Mount"/"Mt", "Fort"/"Ft" are one word to a reader: keep the short form
_SHORT = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_WORDS = re.compile(r"\b(?:saint|sainte|mount|fort)\b")


def normalize(name: str) -> str:
    """The lookup key of a place name (see the module docstring)."""
    if not isinstance(name, str):
        raise TypeError(f"place name must be a str, not {type(name).__name__}")
    text = name.casefold().translate(_TRANSLATE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SPACES.sub(" ", text).strip()
    # "u s" (from "U.S." / "U. S.") -> "us"; "w va" stays "w va"
    prev = None
    while prev != text:
        prev, text = text, _INITIALS.sub(r"\1", text)
    text = _LEADING_THE.sub("", text)
    if _WORDS.search(text):
        text = _WORDS.sub(lambda m: _SHORT[m.group(0)], text)
    return text
