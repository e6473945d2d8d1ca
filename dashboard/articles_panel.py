"""The side panel's "Articles" view: which articles are shown on the map (the map's layers).

The shown set lives in the view state; widgets only change it through their callbacks, so filtering
the list (which leaves some checkboxes unrendered) never loses a choice. Up to CHECKBOX_LIMIT articles
get a checkbox each; a larger corpus gets a searchable, sortable table with a "show" column.
"""
from __future__ import annotations

import html
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.data import Atlas
from dashboard.state import (
    ARTICLE_FILTER_KEY, ARTICLE_SORT_KEY, HIGHLIGHT_KEY, ViewState, checkbox_key, editor_key,
)
from dashboard.text import md_code, md_escape
from dashboard.timeline import day_words

CHECKBOX_LIMIT = 30
SORTS = ("As in the folder", "Newest first", "Oldest first", "Title", "Source", "Most places")
_LAST = "\U0010ffff"  # sorts after any text: articles without a source (or date) come last


def set_shown(vs: ViewState, atlas: Atlas, ids) -> None:
    """Show exactly these articles (in the corpus order); widgets get fresh keys."""
    wanted = set(ids)
    vs.shown = [a["id"] for a in atlas.articles if a["id"] in wanted]
    vs.shown_gen += 1


def toggle(vs: ViewState, atlas: Atlas, aid: str, key: str) -> None:
    on = bool(st.session_state.get(key))
    current = set(vs.shown)
    current.add(aid) if on else current.discard(aid)
    vs.shown = [a["id"] for a in atlas.articles if a["id"] in current]


def language_tag(atlas: Atlas, aid: str) -> str:
    """ "FR", "DE": the article's detected language when it is not English ("" for English or unknown)."""
    code = atlas.languages.get(aid, "")
    return "" if code in ("", "en", "und") else code.upper()


def language_notices(atlas: Atlas) -> None:
    """The build's notices for articles in a language it has no pipeline for (parsed as English)."""
    notices = atlas.language_notices
    if notices:
        names = sorted({language_tag(atlas, a) or "?" for a in notices})
        st.warning(f"{len(notices)} article{'s' if len(notices) != 1 else ''} in a language without its own "
                   f"pipeline ({md_escape(', '.join(names))}): read with the English one, so places may be missed.",
                   icon="⚠️")


def matching(atlas: Atlas, query: str, sort: str, dates: dict[str, date | None] | None = None) -> list[dict]:
    """The articles whose title, id or source contains ``query``, in the order ``sort`` names (undated
    articles, or those without a source, last; ties keep the folder order)."""
    q = query.strip().casefold()
    arts = [a for a in atlas.articles
            if not q or q in a["title"].casefold() or q in a["id"].casefold() or q in (a.get("source") or "").casefold()]
    dates = dates or {}
    if sort == "Title":
        arts = sorted(arts, key=lambda a: a["title"].casefold())
    elif sort == "Source":
        arts = sorted(arts, key=lambda a: ((a.get("source") or _LAST).casefold(), a["title"].casefold()))
    elif sort in ("Newest first", "Oldest first"):
        dated = sorted((a for a in arts if dates.get(a["id"])), key=lambda a: dates[a["id"]],
                       reverse=sort == "Newest first")
        arts = dated + [a for a in arts if not dates.get(a["id"])]
    elif sort == "Most places":
        arts = sorted(arts, key=lambda a: -(a["place_count"] or 0))
    return arts


def meta_line(a: dict, day: date | None) -> str:
    """Date and source of an article in words ("3 May 2024 · BBC News"); "" when neither is known."""
    parts = [day_words(day)] if day else []
    if a.get("source"):
        parts.append(a["source"])
    return " · ".join(parts)


def apply_editor(vs: ViewState, atlas: Atlas, ids: list[str], key: str) -> None:
    edits = (st.session_state.get(key) or {}).get("edited_rows") or {}
    current = set(vs.shown)
    for row, change in edits.items():
        i = int(row)
        if 0 <= i < len(ids) and isinstance(change.get("show"), bool):
            current.add(ids[i]) if change["show"] else current.discard(ids[i])
    set_shown(vs, atlas, current)


def legend(atlas: Atlas, shown: list[str], colours: dict[str, str], by_article: bool, kind_legend) -> None:
    if by_article:
        items = [(colours.get(a, "#555"), atlas.article_by_id[a]["title"][:70]) for a in shown]
        st.caption("Marker colour = article; a disc of several colours = a place in several articles.")
    else:
        items = list(kind_legend)
        st.caption(f"{len(shown)} articles shown: marker colour = kind of place. "
                   "Highlight one article to see its places.")
    if items:
        st.html('<div class="atlas-legend">' + "".join(
            f'<div><span class="atlas-swatch" style="background:{c}"></span>{html.escape(t)}</div>'
            for c, t in items) + "</div>")


def _label(a: dict, day: date | None, in_range: bool) -> str:
    """A checkbox's label: the title, then date · source · places in grey; out of the dates, said so."""
    places = a["place_count"] or 0
    tail = " · ".join(x for x in (md_escape(meta_line(a, day)), "" if in_range else "outside the dates") if x)
    return (f"{md_escape(a['title'])} ({places} place{'s' if places != 1 else ''})"
            + (f" :gray[{tail}]" if tail else ""))


def article_list(atlas: Atlas, vs: ViewState, dates: dict[str, date | None] | None = None) -> None:
    """The checkboxes (or the table) of the article selection; articles the date filter leaves out are
    marked "outside the dates" (``dates``: article id -> day)."""
    n = len(atlas.articles)
    dates = dates or {}
    in_range = {a["id"] for a in atlas.articles if vs.dates.admits(dates.get(a["id"]))}
    outside = sum(1 for a in vs.shown if a not in in_range)
    st.markdown(f"**Articles** ({len(vs.shown)} of {n} shown"
                + (f"; {outside} of them outside the dates)" if outside else ")"))
    c1, c2 = st.columns(2)
    c1.button("Show all", on_click=set_shown, args=(vs, atlas, [a["id"] for a in atlas.articles]),
              width="stretch")
    c2.button("Hide all", on_click=set_shown, args=(vs, atlas, []), width="stretch")
    if n > 8:
        f1, f2 = st.columns([3, 2])
        query = f1.text_input("Search the articles", key=ARTICLE_FILTER_KEY, placeholder="Words of a title or id")
        sort = f2.selectbox("Sort", SORTS, key=ARTICLE_SORT_KEY)
    else:
        query, sort = "", SORTS[0]
    arts = matching(atlas, query or "", sort or SORTS[0], dates)
    if query and not arts:
        st.caption("No article matches.")
    shown = set(vs.shown)
    if n <= CHECKBOX_LIMIT:
        for a in arts:
            key = checkbox_key(a["id"], vs.shown_gen)
            tag = language_tag(atlas, a["id"])
            notice = atlas.language_notices.get(a["id"])
            st.checkbox(_label(a, dates.get(a["id"]), a["id"] in in_range) + (f" {md_code(tag)}" if tag else ""),
                        value=a["id"] in shown, key=key, on_change=toggle, args=(vs, atlas, a["id"], key),
                        help=f"Article id {md_escape(a['id'])}" + (f" · {md_escape(notice)}" if notice else ""))
        return
    ids = [a["id"] for a in arts]
    table = pd.DataFrame({"show": [a["id"] in shown for a in arts],
                          "article": [a["title"] for a in arts],
                          "date": [dates.get(a["id"]) for a in arts],
                          "source": [a.get("source") or "" for a in arts],
                          "places": [a["place_count"] or 0 for a in arts],
                          "language": [language_tag(atlas, a["id"]) for a in arts]})
    key = editor_key(vs.shown_gen) + f"_{hash((query, sort)) & 0xffff}"
    st.data_editor(table, key=key, hide_index=True, height=360, width="stretch",
                   disabled=["article", "date", "source", "places", "language"], on_change=apply_editor,
                   args=(vs, atlas, ids, key),
                   column_config={"show": st.column_config.CheckboxColumn("show", width="small")})


def highlight_picker(atlas: Atlas, vs: ViewState, shown: list[str]) -> None:
    """Many articles shown: one of them may be highlighted on the map (its places stand out)."""
    options = list(shown)
    if vs.highlight not in options:
        vs.highlight = None
    key = f"{HIGHLIGHT_KEY}_{vs.shown_gen}"
    st.selectbox("Highlight an article", options, key=key,
                 index=options.index(vs.highlight) if vs.highlight else None,
                 placeholder="Choose an article to highlight its places",
                 format_func=lambda a: atlas.article_by_id[a]["title"][:90],
                 on_change=lambda: setattr(vs, "highlight", st.session_state.get(key)))
