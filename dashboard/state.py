"""The dashboard's per-visitor state: one typed home in Streamlit's session state.

Everything the page remembers between reruns lives in one `ViewState` (st.session_state["atlas"]),
except the values Streamlit widgets own, whose keys are named here. The URL is derived from it
(`dashboard/params.py`), never the other way round after the first run of a session.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import streamlit as st

from dashboard.timeline import DateRange

STATE_KEY = "atlas"
MAP_KEY = "atlas_map"                 # streamlit-folium's component value
SEARCH_KEY = "search"                 # the place search box (a drop-down of place ids)
SEARCH_TEXT_KEY = "search_text"       # the place search box above SELECTBOX_LIMIT places
PANEL_KEY = "panel_view"              # which view the side panel shows
ARTICLE_FILTER_KEY = "article_filter"  # the article list's search box
ARTICLE_SORT_KEY = "article_sort"     # the article list's sort order
HIGHLIGHT_KEY = "highlight_article"   # many articles shown: the article whose places are highlighted
TABLE_KEY = "places_table"            # the places table (its row selection)
DATE_RANGE_KEY = "date_range"         # the timeline's slider (+ the generation of `dates`)
UNDATED_KEY = "include_undated"       # the timeline's "include undated" checkbox (+ the generation)
UPLOAD_KEY = "upload_files"           # "Add articles": the file drop (+ the generation of the upload form)
PASTE_TITLE_KEY = "paste_title"       # "Add articles": a pasted text's title and text (+ the generation)
PASTE_TEXT_KEY = "paste_text"
ADJECTIVES_KEY = "adjectives_layer"   # the "Nationality words" layer toggle

PANEL_PLACE = "Place"
PANEL_ARTICLES = "Articles"
PANEL_TABLE = "Table"
PANEL_VIEWS = (PANEL_PLACE, PANEL_ARTICLES, PANEL_TABLE)


@dataclass
class ViewState:
    ready: bool = False                       # initialised from the URL
    shown: list[str] = field(default_factory=list)
    shown_gen: int = 0                        # bumped when `shown` is set in code (new widget keys)
    selected: str | None = None
    reader: str | None = None                 # article whose whole text is open
    notices: list[str] = field(default_factory=list)
    view_center: list[float] | None = None    # where the app moves the map (a link, a search)
    view_zoom: float | None = None
    view_flip: bool = False
    link_view: bool = False                   # the link that opened the session gave a map position
    map_state: dict = field(default_factory=dict)  # the map's last reported {"center", "zoom"}
    share: bool = False                       # the link holds the map's position too
    click_nonce: object = None
    click_count: object = None
    article_ids: tuple[str, ...] = ()         # the article list `shown` was made for
    highlight: str | None = None              # many articles shown: the one whose places stand out
    selected_name: str | None = None          # to find the selection again after a fix renames its id
    dates: DateRange = field(default_factory=DateRange)  # the date filter (on top of `shown`)
    dates_gen: int = 0                        # bumped when `dates` is set in code (new widget keys)
    upload_gen: int = 0                       # bumped after each upload (an empty form again)
    upload_report: list = field(default_factory=list)  # the last upload's outcome per file (uploads.Outcome)
    adjectives: bool = False                  # the "Nationality words" layer: countries named by them


def view_state() -> ViewState:
    ss = st.session_state
    if not isinstance(ss.get(STATE_KEY), ViewState):
        ss[STATE_KEY] = ViewState()
    return ss[STATE_KEY]


def checkbox_key(article_id: str, gen: int) -> str:
    """Keyed by the article id (not its position) and the generation of `shown`."""
    return f"show_{gen}_" + hashlib.sha1(article_id.encode()).hexdigest()[:16]


def editor_key(gen: int) -> str:
    return f"articles_editor_{gen}"
