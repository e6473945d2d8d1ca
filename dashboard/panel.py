"""The side panel's "Place" view: the selected place and the passages that mention it.

Passages come only from the articles shown on the map (the panel says how many are hidden); the whole
article opens in a dialog, in view. All article text is escaped before highlight markup is added.
"""
from __future__ import annotations

import html
from typing import Callable

import streamlit as st

from dashboard import labels
from dashboard.data import Atlas
from dashboard.state import ViewState
from dashboard.text import article_html, highlight, link_html, md_escape, mention_span_in_passage
from dashboard.timeline import article_date, day_words

OVERVIEW_PLACES = 8


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def overview(atlas: Atlas, shown: list[str], on_pick: Callable[[str], None]) -> None:
    """Nothing selected: how to start, and the most-mentioned places of the shown articles as buttons."""
    st.info("Click a marker (or search for a place) to read the passages that mention it.")
    shown_set = set(shown)
    counted = []
    for p in atlas.places:
        n = sum(1 for m in p["mentions"] if m["article"] in shown_set)
        if n:
            counted.append((n, p))
    counted.sort(key=lambda t: (-t[0], t[1]["name"]))
    if not counted:
        return
    st.markdown("**Most mentioned**")
    for n, p in counted[:OVERVIEW_PLACES]:
        st.button(f"{md_escape(p['name'])} · {plural(n, 'mention')}", key=f"top_{p['id']}",
                  on_click=on_pick, args=(p["id"],), width="stretch")


def place_header(place: dict, country: str | None) -> None:
    """Name, kind, division, country, position and where it came from, in plain words."""
    esc = html.escape
    rows = [("Kind", esc(labels.kind_label(place["kind"])))]
    if place.get("admin1") and place["admin1"] != place["name"]:
        rows.append((labels.kind_label("admin1").capitalize(), esc(place["admin1"])))
    rows += [("Country", esc(country or "-")), ("Coordinates", f"{place['lat']:.4f}, {place['lon']:.4f}"),
             ("Position from", f'<span title="{esc(place["source"] or "")}">'
                               f'{esc(labels.source_label(place["source"]))}</span>'),
             ("Mentions", str(place["mention_count"]))]
    if place["geonameid"] is not None:
        gid = int(place["geonameid"])
        rows.append(("GeoNames", f'<a href="https://www.geonames.org/{gid}" target="_blank" '
                                 f'rel="noopener noreferrer">{gid}</a>'))
    meta = "".join(f"<div><strong>{k}:</strong> {v}</div>" for k, v in rows)
    st.html(f'<div class="atlas-place"><h3 class="atlas-place-name" data-place-id="{esc(place["id"])}">'
            f'{esc(place["name"])}</h3><div class="atlas-place-meta">{meta}</div></div>')
    aliases = [a for a in place["aliases"] if a != place["name"]]
    if aliases:
        st.caption("Also written: " + md_escape(", ".join(aliases[:10])))


def passages_of(place: dict, shown: list[str]) -> tuple[dict[str, list[dict]], int]:
    """The place's mentions in the shown articles, grouped by article (in `shown` order), and how many
    mentions are in hidden articles."""
    shown_set = set(shown)
    groups: dict[str, list[dict]] = {}
    hidden = 0
    for m in place["mentions"]:
        if m["article"] in shown_set:
            groups.setdefault(m["article"], []).append(m)
        else:
            hidden += 1
    order = {a: i for i, a in enumerate(shown)}
    return dict(sorted(groups.items(), key=lambda kv: order[kv[0]])), hidden


def passage_blocks(mentions: list[dict]) -> str:
    """One block per passage, every mention in it highlighted."""
    passages: dict[tuple, list] = {}
    for m in mentions:
        passages.setdefault((m["passage_start"], m["passage"]), []).append(m)
    blocks = []
    for (_, text), ms in passages.items():
        spans = [s for s in (mention_span_in_passage(m) for m in ms) if s]
        blocks.append(f'<div class="atlas-passage">{highlight(text, spans)}</div>')
    return "".join(blocks)


def source_line(art: dict) -> str:
    """HTML: the article's date and source, and a link to the original (http/https only, a new tab,
    ``noopener noreferrer``); "" when none is known. Every value is escaped."""
    day = article_date(art.get("date"))
    parts = []
    if day:
        parts.append(f'<time datetime="{day.isoformat()}">{html.escape(day_words(day))}</time>')
    if art.get("source"):
        parts.append(f'<span class="atlas-source">{html.escape(art["source"])}</span>')
    link = link_html(art.get("url"), "Original article ↗")
    if "<a " in link:
        parts.append(link)
    return f'<div class="atlas-article-meta">{" · ".join(parts)}</div>' if parts else ""


def passages(atlas: Atlas, vs: ViewState, place: dict, colours: dict[str, str], visible: list[str],
             show_hidden: Callable[[list[str]], None]) -> None:
    """The place's passages from ``visible`` (the shown articles the date filter admits)."""
    esc = html.escape
    groups, hidden = passages_of(place, visible)
    shown_mentions = sum(len(ms) for ms in groups.values())
    st.markdown(f"**Passages** ({plural(shown_mentions, 'mention')} in {plural(len(groups), 'shown article')})")
    if hidden:
        hidden_articles = sorted({m["article"] for m in place["mentions"]} - set(visible))
        n = len(hidden_articles)
        why = plural(n, "hidden article") if set(hidden_articles).isdisjoint(vs.shown) else \
            f"{plural(n, 'article')} hidden or outside the dates"
        st.html(f'<div class="atlas-hidden-note" data-hidden="{hidden}">{plural(hidden, "mention")} in '
                f'{why} not shown.</div>')
        st.button("Show those articles too", key="show_hidden_articles", on_click=show_hidden,
                  args=(hidden_articles,))
    for i, (aid, mentions) in enumerate(groups.items()):
        art = atlas.article_by_id.get(aid, {"title": aid})
        colour = colours.get(aid, "#555")
        st.html(f'<div class="atlas-group" data-article="{esc(aid)}">'
                f'<h4 class="atlas-article-title"><span class="atlas-swatch" style="background:{colour}">'
                f'</span>{esc(art["title"])}</h4>{source_line(art)}{passage_blocks(mentions)}</div>')
        if aid in atlas.texts:
            st.button("Read the whole article", key=f"read_{i}_{aid}",
                      on_click=lambda a=aid: setattr(vs, "reader", a))


def reader_dialog(atlas: Atlas, aid: str, place: dict | None) -> None:
    """The whole article in a dialog (opens in view, over the page), every mention of the place marked."""
    art = atlas.article_by_id.get(aid, {"title": aid})
    mentions = [m for m in (place or {}).get("mentions", []) if m["article"] == aid]

    def body() -> None:
        st.html(f'<h4 class="atlas-reader-title">{html.escape(art["title"])}</h4>'
                f'<div class="atlas-article-text">{article_html(atlas.texts[aid], mentions)}</div>')

    st.dialog("The whole article", width="large")(body)()
