"""The Articles view's timeline: a histogram of mentions over time and the date range filter.

The filter lives in the view state (``ViewState.dates``, a ``timeline.DateRange``) and the share link
(``from``/``to``/``undated``); the widgets only change it through their callbacks. With no dated
article there is no timeline, only a note, and the filter hides nothing (``timeline.in_range``).
"""
from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import timeline
from dashboard.data import Atlas
from dashboard.state import DATE_RANGE_KEY, UNDATED_KEY, ViewState
from dashboard.timeline import DateRange, day_words

IN_COLOUR, OUT_COLOUR = "#0072B2", "#c5ccd6"
CHART_HEIGHT = 110
SLIDER_FORMAT = "D MMM YYYY"


def date_note(rng: DateRange) -> str:
    """For the header's counts: " · dates: ..." while a date filter is on."""
    return f" · dates: {rng.describe()}" if rng.active else ""


def _set_dates(vs: ViewState, rng: DateRange) -> None:
    vs.dates = rng
    vs.dates_gen += 1


def _on_slider(vs: ViewState, key: str, whole: tuple[date, date]) -> None:
    value = st.session_state.get(key)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return
    start, end = value
    vs.dates = dataclasses.replace(vs.dates, start=None if start <= whole[0] else start,
                                   end=None if end >= whole[1] else end)


def _on_undated(vs: ViewState, key: str) -> None:
    vs.dates = dataclasses.replace(vs.dates, undated=bool(st.session_state.get(key)))


def _clamp(day: date | None, whole: tuple[date, date], fallback: date) -> date:
    return min(max(day or fallback, whole[0]), whole[1])


def _bin_label(day: date, unit: str) -> str:
    return f"{day:%b %Y}" if unit == "month" else f"{day.day} {day:%b}" + ("" if unit == "day" else " (week)")


def chart_rows(hist: timeline.Histogram) -> pd.DataFrame:
    """One row per bin and part (in the dates / outside) for the chart; bins keep their order."""
    rows = []
    for i, day in enumerate(hist.bins):
        label = _bin_label(day, hist.unit)
        rows.append({"order": i, "period": label, "part": "in the dates", "mentions": hist.in_range[i]})
        rows.append({"order": i, "period": label, "part": "outside", "mentions": hist.outside[i]})
    return pd.DataFrame(rows)


def _chart(hist: timeline.Histogram) -> None:
    """Bars of mentions per bin (Vega-Lite, drawn by Streamlit's own front end: no other host)."""
    spec = {
        "height": CHART_HEIGHT,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "sort": {"field": "order"}, "title": None,
                  "axis": {"labelAngle": 0, "labelOverlap": True}},
            "y": {"field": "mentions", "type": "quantitative", "stack": True,
                  "title": None, "axis": {"tickMinStep": 1}},
            "color": {"field": "part", "type": "nominal", "legend": None,
                      "scale": {"domain": ["in the dates", "outside"], "range": [IN_COLOUR, OUT_COLOUR]}},
            "order": {"field": "part", "sort": "ascending"},
        },
    }
    st.vega_lite_chart(chart_rows(hist), spec, use_container_width=True)


def date_filter(atlas: Atlas, vs: ViewState, dates: dict[str, date | None]) -> None:
    whole = timeline.span(dates)
    if whole is None:
        st.caption("No article has a date, so there is no timeline (the date filter hides nothing).")
        return
    with st.container(key="atlas_timeline"):
        hist = timeline.histogram(atlas.articles, vs.shown, dates, vs.dates)
        st.markdown(f"**Dates** · mentions per {hist.unit} in the shown articles")
        _chart(hist)
        if whole[0] < whole[1]:
            key = f"{DATE_RANGE_KEY}_{vs.dates_gen}"
            value = (_clamp(vs.dates.start, whole, whole[0]), _clamp(vs.dates.end, whole, whole[1]))
            st.slider("Show articles dated", min_value=whole[0], max_value=whole[1], value=value, key=key,
                      format=SLIDER_FORMAT, on_change=_on_slider, args=(vs, key, whole))
        else:
            st.caption(f"Every dated article is from {day_words(whole[0])}.")
        undated = sum(1 for d in dates.values() if d is None)
        if undated:
            key = f"{UNDATED_KEY}_{vs.dates_gen}"
            st.checkbox(f"Include undated articles ({undated})", value=vs.dates.undated, key=key,
                        on_change=_on_undated, args=(vs, key))
        in_dates = timeline.in_range([a["id"] for a in atlas.articles], dates, vs.dates)
        if vs.dates.active:
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.caption(f"{len(in_dates)} of {len(atlas.articles)} articles in the dates: {vs.dates.describe()}.")
            c2.button("All dates", key="dates_clear", on_click=_set_dates, args=(vs, DateRange()),
                      help="Clear the date filter")
