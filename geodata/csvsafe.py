"""Spreadsheet-safe CSV cells, the one function every CSV the project writes goes through.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
spreadsheet programs (CSV injection). Following OWASP's advice such text is prefixed with a single quote,
which spreadsheets show as text. Numbers (int, float, or text that reads as one such as ``"-3.5"``) are left
as numbers. ``unsafe_cell`` undoes the prefix for files the project reads back (the overrides file).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the functions that take a frame (a build does not need it)
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def safe_cell(value):
    """``value`` unchanged unless it is text a spreadsheet would run as a formula (then ``'`` + text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def unsafe_cell(text: str) -> str:
    """The text ``safe_cell`` was given (a cell read back from a file the project wrote)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) and not _is_number(text[1:]):
        return text[1:]
    return text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and every column name made safe."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def to_csv_text(frame: pd.DataFrame) -> str:
    return safe_frame(frame).to_csv(index=False)
