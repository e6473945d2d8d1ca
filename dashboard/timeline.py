"""Time in the dashboard: the articles' dates, the date range filter and the histogram's bins.

No Streamlit here (``dashboard/timeline_panel.py`` draws the widgets). An article's date is the calendar
day written at the start of its ISO 8601 ``date`` ("2024-05-03" or "2024-05-03T08:15:00+00:00" are both
3 May 2024: the day the source gave, not converted to another time zone); anything else counts as undated.
The filter applies to articles (every mention carries its article's date), on top of the article
selection: the map, the passages and the table show the shown articles that are in range.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?=$|[T ])")
DAY_SPAN_MAX = 62         # days: a span up to two months is counted by day
WEEK_SPAN_MAX = 2 * 366   # up to two years by week (weeks start on Monday), beyond that by month
UNITS = ("day", "week", "month")


def article_date(value) -> date | None:
    """The calendar day of an ISO 8601 date (or date-time) string; None for anything else."""
    if not isinstance(value, str):
        return None
    m = _ISO_DAY.match(value.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@dataclass(frozen=True)
class DateRange:
    """The date filter: articles dated from ``start`` to ``end`` (inclusive; None = open) and, when
    ``undated``, the articles without a date. The default admits everything."""
    start: date | None = None
    end: date | None = None
    undated: bool = True

    @property
    def active(self) -> bool:
        return self.start is not None or self.end is not None or not self.undated

    def admits(self, day: date | None) -> bool:
        if day is None:
            return self.undated
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def describe(self) -> str:
        """In words, for the page ("3 May 2024 to 31 May 2024, undated articles left out")."""
        if self.start is None and self.end is None:
            days = "any date"
        elif self.start is None:
            days = f"up to {day_words(self.end)}"
        elif self.end is None:
            days = f"from {day_words(self.start)}"
        else:
            days = f"{day_words(self.start)} to {day_words(self.end)}"
        return days + ("" if self.undated else ", undated articles left out")


def day_words(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def article_dates(articles: list[dict]) -> dict[str, date | None]:
    """Article id -> its day (None when undated or unreadable)."""
    return {a["id"]: article_date(a.get("date")) for a in articles}


def in_range(ids, dates: dict[str, date | None], rng: DateRange) -> list[str]:
    """The ids (in their order) whose article the range admits; all of them when no article has a
    date (there is no timeline then, so the filter must hide nothing)."""
    if not rng.active or all(d is None for d in dates.values()):
        return list(ids)
    return [a for a in ids if rng.admits(dates.get(a))]


def span(dates: dict[str, date | None]) -> tuple[date, date] | None:
    """The first and last day of the dated articles (None when none has a date)."""
    days = [d for d in dates.values() if d is not None]
    return (min(days), max(days)) if days else None


def bin_unit(first: date, last: date) -> str:
    days = (last - first).days
    return "day" if days <= DAY_SPAN_MAX else "week" if days <= WEEK_SPAN_MAX else "month"


def bin_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_bin(day: date, unit: str) -> date:
    if unit == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + timedelta(days=7 if unit == "week" else 1)


@dataclass
class Histogram:
    unit: str                          # day, week or month
    bins: list[date]                   # the first day of each bin, every bin from the first to the last
    in_range: list[int]                # mentions per bin in articles the range admits
    outside: list[int]                 # ... and in articles outside it
    undated: int = 0                   # mentions in undated articles (not in any bin)


def histogram(articles: list[dict], ids, dates: dict[str, date | None], rng: DateRange) -> Histogram | None:
    """Mentions over time of the articles ``ids`` (the shown ones), split by whether ``rng`` admits
    them; None when none of them has a date. The bins span the whole corpus's dates (``dates``), so the
    axis stays put while articles are shown or hidden."""
    whole = span(dates)
    if whole is None:
        return None
    unit = bin_unit(*whole)
    first, last = bin_start(whole[0], unit), bin_start(whole[1], unit)
    bins = [first]
    while bins[-1] < last:
        bins.append(_next_bin(bins[-1], unit))
    index = {b: i for i, b in enumerate(bins)}
    hist = Histogram(unit, bins, [0] * len(bins), [0] * len(bins))
    mentions = {a["id"]: a.get("mention_count") or 0 for a in articles}
    for aid in ids:
        day = dates.get(aid)
        if day is None:
            hist.undated += mentions.get(aid, 0)
            continue
        row = hist.in_range if rng.admits(day) else hist.outside
        row[index[bin_start(day, unit)]] += mentions.get(aid, 0)
    return hist
