"""Article Atlas dashboard: `streamlit run dashboard/app.py`.

Reads the pipeline's outputs (places.geojson, articles.json) from ATLAS_DATA_DIR (default geodata/),
building them first from ATLAS_ARTICLES_DIR (default seeds/) when they are missing or stale.
"""
from __future__ import annotations

import hashlib
import html
import os
import socket
import sys
import threading
import urllib.parse
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

if __package__ in (None, ""):  # run as a script by `streamlit run dashboard/app.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import assets, mapview  # noqa: E402
from dashboard.events import interpret, map_is_drawn  # noqa: E402
from dashboard.data import (  # noqa: E402
    Atlas, DataError, article_files, build_reason, config_from_env, load_atlas, output_signature, run_build,
)
from dashboard.params import parse_view, view_to_params  # noqa: E402
from dashboard.tables import places_table, selection_geojson  # noqa: E402
from dashboard.text import article_html, highlight, md_escape, mention_span_in_passage  # noqa: E402

MAP_KEY = "atlas_map"
CHECKBOX_LIMIT = 30  # more articles than this: an editable table instead of checkboxes
SELECTBOX_LIMIT = 300  # more places than this: a text search instead of a drop-down
SEARCH_RESULTS = 8
SEARCH_ZOOM = 9

CSS = """
<style>
.atlas-hl { background: #ffe066; color: #000; padding: 0 1px; border-radius: 2px; font-weight: 600; }
.atlas-passage { margin: 0 0 .6rem 0; padding: .45rem .6rem; border-left: 3px solid #bbb;
  background: rgba(127,127,127,.07); white-space: pre-wrap; line-height: 1.45; }
.atlas-article-text { white-space: pre-wrap; line-height: 1.5; }
.atlas-place-meta { margin: 0; line-height: 1.6; }
.atlas-swatch { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .3em; }
</style>
"""


# ---------------------------------------------------------------- data ---------------------------

@st.cache_resource
def _build_lock() -> threading.Lock:
    return threading.Lock()


@st.cache_resource
def _build_memory() -> dict:
    """Inputs signature -> last build failure message (so a failing build does not loop)."""
    return {}


def _inputs_signature(articles_dir: Path, overrides: Path | None, files: list[Path] | None = None) -> tuple:
    files = (article_files(articles_dir) if files is None else files) \
        + ([overrides] if overrides is not None and overrides.is_file() else [])
    return (str(articles_dir), tuple((str(p), p.stat().st_mtime_ns) for p in files))


def ensure_outputs(articles_dir: Path, data_dir: Path, force: bool = False,
                   overrides: Path | None = None) -> str | None:
    """Build when needed; returns the build error message (None when the outputs are fine)."""
    memory = _build_memory()
    files = article_files(articles_dir)  # listed once per run (a large folder takes tens of ms)
    sig = _inputs_signature(articles_dir, overrides, files)
    reason = "rebuild requested" if force else build_reason(articles_dir, data_dir, overrides, files)
    if reason is None:
        return None
    if not force and sig in memory:
        return memory[sig]
    with _build_lock():
        reason = "rebuild requested" if force else build_reason(articles_dir, data_dir, overrides)
        if reason is None:
            return None
        with st.spinner(f"Building the map data from {articles_dir} ({reason})..."):
            result = run_build(articles_dir, data_dir, overrides=overrides)
    memory[sig] = None if result.ok else result.message
    return memory[sig]


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_atlas(data_dir: str, signature: tuple) -> Atlas:
    return load_atlas(Path(data_dir))


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_rows(_atlas: Atlas, key: tuple, shown_key: str, _shown: list[str]) -> list:
    return mapview.place_rows(_atlas.places, _shown, _atlas.colours)


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_table(_atlas: Atlas, key: tuple, shown_key: str, _shown: list[str]) -> pd.DataFrame:
    return places_table(_atlas, _shown)


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_downloads(_atlas: Atlas, key: tuple, shown_key: str, _shown: list[str]) -> tuple[str, str]:
    return (selection_geojson(_atlas, _shown),
            cached_table(_atlas, key, shown_key, _shown).to_csv(index=False))


@st.cache_data(ttl=600, show_spinner=False)
def tiles_reachable(host: str = "tile.openstreetmap.org", timeout: float = 1.5) -> bool:
    result = {"ok": False}

    def probe():
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                result["ok"] = True
        except OSError:
            pass

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout + 0.5)
    return result["ok"]


def tile_mode() -> str:
    mode = os.environ.get("ATLAS_TILES", "auto").strip().lower()
    if mode not in mapview.TILE_MODES:
        mode = "auto"
    if mode == "auto":
        return "osm" if tiles_reachable() else "offline"
    return mode


def editing_enabled(env_flag: bool) -> bool:
    if env_flag:
        return True
    try:
        value = st.secrets.get("editing", False)
    except Exception:  # no secrets file: editing stays off
        return False
    # as the curation panel reads it: `editing = "false"` is off
    return value is True or str(value).strip().lower() in {"1", "true", "yes", "on"}


# ---------------------------------------------------------------- state --------------------------

def init_state(atlas: Atlas) -> None:
    """First run of a session: the view comes from the URL (validated), else the default view."""
    ss = st.session_state
    raw = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    view = parse_view(raw, [a["id"] for a in atlas.articles], atlas.by_id.keys())
    shown = view.articles if view.articles is not None else [a["id"] for a in atlas.articles]
    set_shown(atlas, shown)
    ss.selected = view.place
    ss.reader = None
    ss.notices = view.notices
    ss.view_center = [view.lat, view.lon] if view.lat is not None else None
    ss.view_zoom = view.zoom
    ss.share = view.lat is not None or view.zoom is not None
    ss.map_state = {"center": ss.view_center, "zoom": view.zoom}
    ss.click_count = None
    ss.atlas_ready = True


def set_shown(atlas: Atlas, shown: list[str]) -> None:
    ss = st.session_state
    wanted = set(shown)
    if len(atlas.articles) > CHECKBOX_LIMIT:
        # the editor shows this base state; a new key drops its pending edits
        ss["shown_base"] = [a["id"] in wanted for a in atlas.articles]
        ss["editor_gen"] = ss.get("editor_gen", 0) + 1
    else:
        for a in atlas.articles:
            ss[_checkbox_key(a["id"])] = a["id"] in wanted


def _checkbox_key(article_id: str) -> str:
    """Keyed by the id (not the position) so a rebuild that adds articles keeps every choice."""
    return "show_" + hashlib.sha1(article_id.encode()).hexdigest()[:16]


def _editor_key() -> str:
    return f"articles_editor_{st.session_state.get('editor_gen', 0)}"


def get_shown(atlas: Atlas) -> list[str]:
    ss = st.session_state
    if len(atlas.articles) > CHECKBOX_LIMIT:
        flags = list(ss.get("shown_base") or [])
        if len(flags) != len(atlas.articles):  # first run, or a rebuild changed the article list
            flags = [True] * len(atlas.articles)
            ss["shown_base"] = flags
            ss["editor_gen"] = ss.get("editor_gen", 0) + 1
        edits = (ss.get(_editor_key()) or {}).get("edited_rows") or {}
        for row, change in edits.items():
            i = int(row)
            if 0 <= i < len(flags) and isinstance(change.get("show"), bool):
                flags[i] = change["show"]
        return [a["id"] for a, on in zip(atlas.articles, flags) if on]
    for a in atlas.articles:  # articles new since the session started are shown
        if _checkbox_key(a["id"]) not in ss:
            ss[_checkbox_key(a["id"])] = True
    return [a["id"] for a in atlas.articles if ss[_checkbox_key(a["id"])]]


def select_place(pid: str | None) -> None:
    ss = st.session_state
    if ss.get("selected") != pid:
        ss.reader = None
    ss.selected = pid


def on_map_change(atlas: Atlas) -> None:
    ss = st.session_state
    event = interpret(ss.get(MAP_KEY), atlas.by_id, ss.get("click_nonce"), ss.get("click_count"))
    ss.map_reports = ss.get("map_reports", 0) + 1
    if map_is_drawn(event, ss.map_reports):  # the table below the map can come now
        ss.map_reported = True
    if event.selected:
        select_place(event.selected)
    ss.click_nonce, ss.click_count = event.nonce, event.count
    if event.view:
        ss.map_state = event.view


def go_to_place(atlas: Atlas, pid: str) -> None:
    ss = st.session_state
    place = atlas.by_id[pid]
    select_place(pid)
    # streamlit-folium only moves the map when centre/zoom differ from the last ones it was given:
    # alternate a negligible offset so choosing a place again (after panning away) still goes there
    flip = ss.get("view_flip", False)
    ss.view_flip = not flip
    eps = 1e-7 if flip else 0.0
    ss.view_center = [place["lat"] + eps, place["lon"]]
    ss.view_zoom = SEARCH_ZOOM + (eps and 0.001)
    # a place hidden by the article filter is shown again so it is on the map
    shown = get_shown(atlas)
    if not set(place["articles"]) & set(shown):
        set_shown(atlas, shown + place["articles"])


def on_search(atlas: Atlas) -> None:
    pid = st.session_state.get("search")
    if pid in atlas.by_id:
        go_to_place(atlas, pid)


def search_matches(atlas: Atlas, query: str, limit: int = SEARCH_RESULTS) -> list[str]:
    """Place ids whose name (or an alias) starts with, then contains, the query (case-insensitive)."""
    q = query.strip().casefold()
    if not q:
        return []
    starts, contains = [], []
    for p in atlas.places:
        names = [p["name"].casefold()] + [a.casefold() for a in p["aliases"]]
        if any(n.startswith(q) for n in names):
            starts.append(p)
        elif any(q in n for n in names):
            contains.append(p)
    key = lambda p: (-p["mention_count"], p["name"])  # noqa: E731
    return [p["id"] for p in sorted(starts, key=key) + sorted(contains, key=key)][:limit]


# ---------------------------------------------------------------- rendering ----------------------

def sidebar(atlas: Atlas) -> None:
    """Article visibility, place search and the share button (their values are read from session state
    at the start of the next run, so the map can be drawn before the sidebar)."""
    with st.sidebar:
        st.header("Articles")
        c1, c2 = st.columns(2)
        c1.button("Show all", on_click=lambda: set_shown(atlas, [a["id"] for a in atlas.articles]),
                  width="stretch")
        c2.button("Hide all", on_click=lambda: set_shown(atlas, []), width="stretch")
        ss = st.session_state
        if len(atlas.articles) > CHECKBOX_LIMIT and not (ss.get("map_reported") or ss.get("table_requested")):
            st.caption(f"{len(atlas.articles)} articles: the list appears once the map is drawn.")
        elif len(atlas.articles) > CHECKBOX_LIMIT:
            table = pd.DataFrame({
                "show": ss["shown_base"],
                "article": [a["title"] for a in atlas.articles],
                "places": [a["place_count"] for a in atlas.articles],
            })
            st.data_editor(table, key=_editor_key(), hide_index=True, height=320, width="stretch",
                           disabled=["article", "places"],
                           column_config={"show": st.column_config.CheckboxColumn("show", width="small")})
        else:
            for a in atlas.articles:
                n = a["place_count"]
                st.checkbox(f"{md_escape(a['title'])} ({n} place{'s' if n != 1 else ''})",
                            key=_checkbox_key(a["id"]), help=f"Article id {md_escape(a['id'])}")
        shown = get_shown(atlas)
        st.caption(f"{len(shown)} of {len(atlas.articles)} articles shown. Marker colour = article; "
                   "rings of several colours = a place in several articles.")
        if len(shown) <= CHECKBOX_LIMIT:
            swatches = "".join(
                f'<div><span class="atlas-swatch" style="background:{atlas.colours[a]}"></span>'
                f"{html.escape(atlas.article_by_id[a]['title'][:60])}</div>" for a in shown)
            if swatches:
                st.html(f'<div style="font-size:.8rem">{swatches}</div>')

        st.header("Find a place")
        if len(atlas.places) <= SELECTBOX_LIMIT:
            ids = sorted(atlas.by_id, key=lambda p: (atlas.by_id[p]["name"].lower(), p))
            st.selectbox("Place", ids, index=None, key="search", placeholder="Type a place name",
                         format_func=lambda p: _place_label(atlas.by_id[p]),
                         on_change=on_search, args=(atlas,))
        else:
            query = st.text_input("Place name", key="search_text", placeholder="Type a place name")
            for pid in search_matches(atlas, query or ""):
                st.button(md_escape(_place_label(atlas.by_id[pid])), key=f"go_{pid}",
                          on_click=go_to_place, args=(atlas, pid), width="stretch")
            if query and not search_matches(atlas, query, 1):
                st.caption("No place matches.")

        st.header("Share")
        st.button("Get a link to this view", width="stretch",
                  on_click=lambda: st.session_state.update(share=True))


def _place_label(p: dict) -> str:
    extra = ", ".join(x for x in (p.get("kind"), p.get("country")) if x)
    return f"{p['name']} ({extra})" if extra else p["name"]


def share_params(atlas: Atlas, shown: list[str]) -> dict:
    ss = st.session_state
    lat = lon = zoom = None
    if ss.get("share"):
        state = ss.get("map_state") or {}
        centre = state.get("center")
        if centre and None not in centre:
            lat, lon = centre
            zoom = state.get("zoom")
        else:  # the map has not been moved (it reports only changes): its initial view
            (lat, lon), first_zoom = mapview.initial_view(atlas.bounds)
            zoom = state.get("zoom") if state.get("zoom") is not None else first_zoom
    return view_to_params(shown, [a["id"] for a in atlas.articles], ss.get("selected"), lat, lon, zoom)


def sync_url(params: dict) -> None:
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def share_box(params: dict) -> None:
    query = urllib.parse.urlencode(params, doseq=True)
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:
        base = ""
    if base and urllib.parse.urlsplit(base).path == "":
        base += "/"
    link = f"{base}?{query}" if query else (base or "?")
    with st.sidebar:
        st.caption("Copy this link (copy button on the right); it reopens this view.")
        st.code(link, language=None, wrap_lines=True)


def place_panel(atlas: Atlas, cfg) -> None:
    ss = st.session_state
    pid = ss.get("selected")
    place = atlas.by_id.get(pid) if pid else None
    if place is None:
        st.info("Click a marker (or search for a place) to read the passages that mention it.")
        return
    esc = html.escape
    coords = f"{place['lat']:.4f}, {place['lon']:.4f}"
    rows = [("Kind", esc(place["kind"] or "unknown")), ("Country", esc(place["country"] or "-")),
            ("Coordinates", coords), ("Position source", esc(place["source"] or "unknown")),
            ("Mentions", str(place["mention_count"]))]
    if place["geonameid"] is not None:
        gid = int(place["geonameid"])
        rows.append(("GeoNames", f'<a href="https://www.geonames.org/{gid}" target="_blank" '
                                 f'rel="noopener noreferrer">{gid}</a>'))
    meta = "".join(f"<div><strong>{k}:</strong> {v}</div>" for k, v in rows)
    st.html(f'<div class="atlas-place"><h3 class="atlas-place-name" data-place-id="{esc(place["id"])}">'
            f'{esc(place["name"])}</h3>'
            f'<div class="atlas-place-meta">{meta}</div></div>')
    aliases = [a for a in place["aliases"] if a != place["name"]]
    if aliases:
        st.caption("Also written: " + md_escape(", ".join(aliases[:10])))

    curation_hook(place, cfg)

    groups: dict[str, list[dict]] = {}
    for m in place["mentions"]:
        groups.setdefault(m["article"], []).append(m)
    order = {a["id"]: i for i, a in enumerate(atlas.articles)}
    st.markdown(f"**Passages** ({len(place['mentions'])} mention"
                f"{'s' if len(place['mentions']) != 1 else ''} in {len(groups)} article"
                f"{'s' if len(groups) != 1 else ''})")
    for aid in sorted(groups, key=lambda a: order.get(a, len(order))):
        art = atlas.article_by_id.get(aid, {"title": aid})
        # one block per passage, every mention in it highlighted
        passages: dict[tuple, list] = {}
        for m in groups[aid]:
            passages.setdefault((m["passage_start"], m["passage"]), []).append(m)
        blocks = []
        for (_, text), ms in passages.items():
            spans = [s for s in (mention_span_in_passage(m) for m in ms) if s]
            blocks.append(f'<div class="atlas-passage">{highlight(text, spans)}</div>')
        colour = atlas.colours.get(aid, "#555")
        st.html(f'<div class="atlas-group" data-article="{esc(aid)}">'
                f'<h4 class="atlas-article-title"><span class="atlas-swatch" style="background:{colour}">'
                f'</span>{esc(art["title"])}</h4>{"".join(blocks)}</div>')
        if aid in atlas.texts:
            st.button("Read the whole article", key=f"read_{order.get(aid, aid)}",
                      on_click=lambda a=aid: setattr(st.session_state, "reader", a))

    reader = ss.get("reader")
    if reader and reader in atlas.texts:
        art = atlas.article_by_id.get(reader, {"title": reader})
        mentions = [m for m in place["mentions"] if m["article"] == reader]
        with st.container(border=True, height=520):
            st.html(f'<h4 class="atlas-reader-title">{esc(art["title"])}</h4>'
                    f'<div class="atlas-article-text">{article_html(atlas.texts[reader], mentions)}</div>')
        st.button("Close the article", on_click=lambda: setattr(st.session_state, "reader", None))


def curation_hook(place: dict, cfg) -> None:
    """Call dashboard/curation_panel.py's render_curation_panel when it exists and editing is on."""
    if not editing_enabled(cfg.editing):
        return
    try:
        from dashboard.curation_panel import render_curation_panel
    except ImportError:
        return
    try:
        render_curation_panel(dict(place), cfg.data_dir, cfg.articles_dir)
    except Exception as exc:  # the map must keep working even when the panel fails
        st.warning(f"The curation panel failed: {md_escape(str(exc))[:300]}")


def main() -> None:
    st.set_page_config(page_title="Article Atlas", layout="wide", page_icon=":world_map:")
    st.html(CSS)
    cfg = config_from_env()
    ss = st.session_state

    missing = assets.missing_assets()
    if missing:
        try:
            assets.install()
        except assets.AssetError as exc:
            st.error(f"The map's browser files are missing ({', '.join(missing)}): {exc}. "
                     "Run `python -m dashboard.assets` after `npm install`.")
            st.stop()

    error = ensure_outputs(cfg.articles_dir, cfg.data_dir, force=bool(ss.pop("force_build", False)),
                           overrides=cfg.overrides)
    if error:
        st.error(f"Building the map data from `{md_escape(str(cfg.articles_dir))}` failed:")
        st.code(error, language=None)
        st.button("Retry the build", on_click=lambda: ss.update(force_build=True))
    try:
        key = (str(cfg.data_dir), output_signature(cfg.data_dir))
        atlas = cached_atlas(*key)
    except DataError as exc:
        st.error(f"Cannot read the map data in `{md_escape(str(cfg.data_dir))}`: {md_escape(str(exc))}")
        st.stop()

    if not ss.get("atlas_ready"):
        init_state(atlas)

    st.title("Article Atlas")
    for notice in ss.get("notices") or []:
        st.warning(notice, icon="⚠️")
    if atlas.problems:
        with st.expander(f"{len(atlas.problems)} problem(s) in the data files"):
            for p in atlas.problems[:50]:
                st.text(p)

    shown = get_shown(atlas)
    shown_key = hashlib.sha1("\0".join(shown).encode()).hexdigest()
    params = share_params(atlas, shown)
    sync_url(params)

    # The map first: Streamlit draws elements in script order.
    left, right = st.columns([3, 2], gap="medium")
    with left:
        base = mapview.base_map(atlas.bounds, tile_mode())
        place_layers = cached_rows(atlas, key, shown_key, shown)
        n_shown = sum(len(rows) for _, rows in place_layers)
        canvas = mapview.use_canvas(n_shown, os.environ.get("ATLAS_MARKERS", "auto").strip().lower())
        layers = mapview.place_group(place_layers, canvas)
        st_folium(base, key=MAP_KEY, height=620, use_container_width=True,
                  returned_objects=["last_active_drawing", "last_object_clicked_count", "center", "zoom"],
                  feature_group_to_add=layers, center=ss.get("view_center"), zoom=ss.get("view_zoom"),
                  on_change=lambda: on_map_change(atlas))
        st.caption(f"{n_shown} places from {len(shown)} article(s). "
                   f"Basemap: {mapview.AtlasBasemap.caption(tile_mode())} - switch with the layer button.")
    with right:
        place_panel(atlas, cfg)

    sidebar(atlas)
    if ss.get("share"):
        share_box(params)

    st.subheader("Places")
    # The table and downloads need big front-end bundles that would hold back the map on a page's first
    # load: they come with the map's "drawn" report (once the browser is idle after drawing the markers),
    # or on request.
    if ss.get("map_reported") or ss.get("table_requested"):
        df = cached_table(atlas, key, shown_key, shown)
        st.dataframe(df, width="stretch", hide_index=True, height=360)
        d1, d2, d3 = st.columns(3)
        # generated only when clicked (a large selection is megabytes)
        d1.download_button("Download selection (GeoJSON)",
                           lambda: cached_downloads(atlas, key, shown_key, shown)[0],
                           file_name="atlas-selection.geojson", mime="application/geo+json", on_click="ignore")
        d2.download_button("Download selection (CSV)", lambda: cached_downloads(atlas, key, shown_key, shown)[1],
                           file_name="atlas-selection.csv", mime="text/csv", on_click="ignore")
    else:
        d1, d2, d3 = st.columns(3)
        d1.button("Show the places table", on_click=lambda: ss.update(table_requested=True))
    d3.button("Rebuild map data", on_click=lambda: ss.update(force_build=True),
              help="Run `python -m geodata build` again on the articles folder")


main()
