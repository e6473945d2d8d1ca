"""Article Atlas dashboard: `streamlit run dashboard/app.py`.

Reads the pipeline's outputs (places.geojson, articles.json) from ATLAS_DATA_DIR (default geodata/),
building them first from ATLAS_ARTICLES_DIR (default seeds/) when they are missing or stale.

The page is built around the map: a one-line header (title, place search, share), then the map and a
side panel (the selected place's passages, the article list, the places table) sharing the viewport's
height; the panel scrolls on its own. All per-visitor state lives in `dashboard.state.ViewState`.
"""
from __future__ import annotations

import hashlib
import socket
import threading
import urllib.parse
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import assets, mapview, panel, settings, timeline
from dashboard.articles_panel import article_list, highlight_picker, language_notices, legend, set_shown
from dashboard.data import (
    COORDINATOR, Atlas, DataError, article_files, build_reason, config_from_env, load_atlas, output_signature,
    with_roles,
)
from dashboard.events import interpret
from dashboard.params import parse_view, view_to_params
from dashboard.search import PlaceSearch, country_name, gazetteer_lookup
from dashboard.state import (
    ADJECTIVES_KEY, MAP_KEY, PANEL_ARTICLES, PANEL_KEY, PANEL_PLACE, PANEL_TABLE, PANEL_VIEWS, SEARCH_KEY, SEARCH_TEXT_KEY,
    TABLE_KEY, ViewState, view_state,
)
from dashboard.tables import places_csv, places_table, selection_geojson
from dashboard.text import md_code, md_escape
from dashboard.timeline import DateRange
from dashboard.timeline_panel import date_filter, date_note
from dashboard.uploads_panel import add_articles, upload_report

SELECTBOX_LIMIT = 300  # more places than this: a text search instead of a drop-down
SEARCH_ZOOM = 9
MAP_HEIGHT = 640  # px; the page's CSS stretches the map to the viewport's height
PAGE_CSS = (Path(__file__).resolve().parent / "static" / "atlas" / "page.css").read_text(encoding="utf-8")


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


def _build_with_progress(articles_dir: Path, data_dir: Path, overrides: Path | None, reason: str, slot=None):
    bar = (slot or st).progress(0.0, text=f"Building the map data from {articles_dir} ({reason})...")

    def step(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Reading the articles: {done} of {total}")

    result, joined = COORDINATOR.request(articles_dir, data_dir, overrides, on_progress=step)
    bar.empty()
    return result


def ensure_outputs(articles_dir: Path, data_dir: Path, force: bool = False,
                   overrides: Path | None = None, slot=None) -> str | None:
    """Build when needed; returns the build error message (None when the outputs are fine). ``slot``: where
    the progress bar goes (a placeholder drawn on every run, so a build mid-session shifts nothing below
    it and the map's frame is not drawn again for that)."""
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
        result = _build_with_progress(articles_dir, data_dir, overrides, reason, slot)
    memory[sig] = None if result.ok else result.message
    return memory[sig]


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_atlas(data_dir: str, signature: tuple) -> Atlas:
    return load_atlas(Path(data_dir))


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_view(_atlas: Atlas, key: tuple, adjectives: bool) -> Atlas:
    """The places the map shows: named outright, plus nationality words with the layer on."""
    return with_roles(_atlas, adjectives)


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_story(_atlas: Atlas, key: tuple) -> list[list[float]] | None:
    return mapview.story_bounds(_atlas.places)


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_rows(_atlas: Atlas, key: tuple, shown_key: str, _shown: list[str], highlight: str | None) -> list:
    colours = mapview.article_colours([a["id"] for a in _atlas.articles], _shown)
    return mapview.place_rows(_atlas.places, _shown, colours, highlight)


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_table(_atlas: Atlas, key: tuple, shown_key: str, _shown: list[str]) -> pd.DataFrame:
    return places_table(_atlas, _shown)


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_downloads(_atlas: Atlas, key: tuple, shown_key: str, _shown: list[str]) -> tuple[str, str]:
    return (selection_geojson(_atlas, _shown),
            places_csv(_atlas, _shown, cached_table(_atlas, key, shown_key, _shown)))


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_dates(_atlas: Atlas, key: tuple) -> dict:
    return timeline.article_dates(_atlas.articles)


def visible_articles(atlas: Atlas, vs: ViewState, key: tuple) -> list[str]:
    """The shown articles the date filter admits: what the map, the passages and the table show."""
    return timeline.in_range(vs.shown, cached_dates(atlas, key), vs.dates)


def reveal(atlas: Atlas, vs: ViewState, key: tuple, ids) -> None:
    """Show these articles too; when the date filter leaves one of them out, the filter is cleared."""
    ids = list(ids)
    set_shown(vs, atlas, vs.shown + ids)
    dates = cached_dates(atlas, key)
    if not all(vs.dates.admits(dates.get(a)) for a in ids):
        vs.dates = DateRange()
        vs.dates_gen += 1


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_search(_atlas: Atlas, key: tuple) -> PlaceSearch:
    """Place search and namesake labels, with the offline gazetteer's other names when it is there."""
    return PlaceSearch(_atlas.places, lookup=gazetteer_lookup())


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
    mode = settings.read("ATLAS_TILES")
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

def init_state(atlas: Atlas, vs: ViewState) -> None:
    """First run of a session: the view comes from the URL (validated), else the default view."""
    raw = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    view = parse_view(raw, [a["id"] for a in atlas.articles], atlas.by_id.keys())
    set_shown(vs, atlas, view.articles if view.articles is not None else [a["id"] for a in atlas.articles])
    vs.article_ids = tuple(a["id"] for a in atlas.articles)
    vs.selected = view.place
    vs.selected_name = atlas.by_id[view.place]["name"] if view.place else None
    vs.notices = view.notices
    vs.view_center = [view.lat, view.lon] if view.lat is not None else None
    vs.view_zoom = view.zoom
    vs.share = view.lat is not None or view.zoom is not None
    vs.link_view = vs.view_center is not None
    vs.map_state = {"center": vs.view_center, "zoom": view.zoom}
    vs.dates = DateRange(view.date_from, view.date_to, view.undated)
    vs.adjectives = view.adjectives
    vs.ready = True


def follow_rebuild(atlas: Atlas, vs: ViewState) -> None:
    """After a rebuild: articles new since the session started are shown, and a selection whose id
    changed (a fix pinned the name elsewhere) follows its name."""
    ids = tuple(a["id"] for a in atlas.articles)
    if ids != vs.article_ids:
        new = set(ids) - set(vs.article_ids)
        set_shown(vs, atlas, [a for a in vs.shown if a in ids] + sorted(new))
        vs.article_ids = ids
    if vs.selected and vs.selected not in atlas.by_id:
        name = vs.selected_name
        again = [p for p in atlas.places if name and (p["name"] == name or name in p["aliases"])]
        vs.selected = max(again, key=lambda p: p["mention_count"])["id"] if again else None


def select_place(vs: ViewState, atlas: Atlas, pid: str | None) -> None:
    if vs.selected != pid:
        vs.reader = None
    vs.selected = pid
    vs.selected_name = atlas.by_id[pid]["name"] if pid in atlas.by_id else None
    if pid is not None:
        st.session_state[PANEL_KEY] = PANEL_PLACE


def on_map_change(atlas: Atlas) -> None:
    vs = view_state()
    event = interpret(st.session_state.get(MAP_KEY), atlas.by_id, vs.click_nonce, vs.click_count)
    if event.selected:
        select_place(vs, atlas, event.selected)
    vs.click_nonce, vs.click_count = event.nonce, event.count
    if event.view:
        vs.map_state = event.view


def go_to_place(atlas: Atlas, pid: str, key: tuple) -> None:
    vs = view_state()
    place = atlas.by_id[pid]
    select_place(vs, atlas, pid)
    # streamlit-folium only moves the map when centre/zoom differ from the last ones it was given:
    # alternate a negligible offset so choosing a place again (after panning away) still goes there
    eps = 1e-7 if vs.view_flip else 0.0
    vs.view_flip = not vs.view_flip
    vs.view_center = [place["lat"] + eps, place["lon"]]
    vs.view_zoom = SEARCH_ZOOM + (eps and 0.001)
    # a place hidden by the article selection or the date filter is shown again so it is on the map
    if not set(place["articles"]) & set(visible_articles(atlas, vs, key)):
        reveal(atlas, vs, key, place["articles"])


def on_search(atlas: Atlas, key: tuple) -> None:
    pid = st.session_state.get(SEARCH_KEY)
    if pid in atlas.by_id:
        go_to_place(atlas, pid, key)


def on_table_select(atlas: Atlas, ids: list[str], key: tuple) -> None:
    rows = getattr(getattr(st.session_state.get(TABLE_KEY), "selection", None), "rows", None) or []
    if rows and 0 <= rows[0] < len(ids) and ids[rows[0]] in atlas.by_id:
        go_to_place(atlas, ids[rows[0]], key)


# ---------------------------------------------------------------- the share link -----------------

def share_params(atlas: Atlas, vs: ViewState, story: list[list[float]] | None) -> dict:
    lat = lon = zoom = None
    if vs.share:
        centre = (vs.map_state or {}).get("center")
        if centre and None not in centre:
            lat, lon = centre
            zoom = vs.map_state.get("zoom")
        else:  # the map has not reported its view yet: the view it opens with
            (lat, lon), zoom = mapview.initial_view(story or atlas.bounds)
    return view_to_params(vs.shown, [a["id"] for a in atlas.articles], vs.selected, lat, lon, zoom,
                          date_from=vs.dates.start, date_to=vs.dates.end, undated=vs.dates.undated,
                          adjectives=vs.adjectives)


def sync_url(params: dict) -> None:
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def share_link(params: dict) -> str:
    query = urllib.parse.urlencode(params, doseq=True)
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:
        base = ""
    if base and urllib.parse.urlsplit(base).path == "":
        base += "/"
    return f"{base}?{query}" if query else (base or "?")


# ---------------------------------------------------------------- rendering ----------------------

def header(atlas: Atlas, vs: ViewState, finder: PlaceSearch, key: tuple, visible: list[str]) -> None:
    with st.container(key="atlas_header"):
        title, search, share = st.columns([5, 4, 2], vertical_alignment="center")
        with title:
            st.title("Article Atlas")
            st.caption(f"{panel.plural(len(atlas.places), 'place')} in "
                       f"{panel.plural(len(atlas.articles), 'article')} · {len(visible)} shown"
                       + date_note(vs.dates))
        with search:
            if len(atlas.places) <= SELECTBOX_LIMIT:
                ids = sorted(atlas.by_id, key=lambda p: (atlas.by_id[p]["name"].lower(), p))
                st.selectbox("Find a place", ids, index=None, key=SEARCH_KEY, placeholder="Find a place",
                             format_func=finder.option_text, label_visibility="collapsed",
                             on_change=on_search, args=(atlas, key))
            else:
                with st.popover("Find a place", width="stretch"):
                    query = st.text_input("Place name", key=SEARCH_TEXT_KEY, placeholder="Type a place name")
                    found = finder.matches(query or "")
                    for pid in found:
                        st.button(md_escape(finder.label(pid)), key=f"go_{pid}",
                                  on_click=go_to_place, args=(atlas, pid, key), width="stretch")
                    if query and not found:
                        st.caption("No place matches.")
        with share:
            st.button("Get a link to this view", width="stretch", on_click=lambda: setattr(vs, "share", True))


def share_box(vs: ViewState, params: dict) -> None:
    """Always drawn (empty until asked for), so the map after it keeps its place in the page and its
    frame is never reloaded."""
    with st.container(key="atlas_share"):
        if vs.share:
            st.caption("Copy this link (copy button on the right); it reopens this view.")
            st.code(share_link(params), language=None, wrap_lines=True)


def left_out(atlas: Atlas) -> None:
    """Files the build skipped and names it could not place, with the reasons."""
    skipped, unresolved = atlas.skipped, atlas.unresolved
    if not (skipped or unresolved or atlas.problems):
        return
    parts = [panel.plural(len(skipped), "file") + " skipped" if skipped else "",
             panel.plural(len(unresolved), "name") + " not placed" if unresolved else "",
             panel.plural(len(atlas.problems), "problem") + " in the data files" if atlas.problems else ""]
    with st.expander("Left out: " + ", ".join(p for p in parts if p)):
        if skipped:
            st.markdown("**Files skipped**")
            st.dataframe(pd.DataFrame(skipped, columns=["file", "reason"]), hide_index=True, width="stretch")
        if unresolved:
            st.markdown("**Names not placed** (fix them in the overrides file, or use an online geocoder)")
            st.dataframe(pd.DataFrame(unresolved, columns=["name", "articles", "mentions"]),
                         hide_index=True, width="stretch")
        for p in atlas.problems[:50]:
            st.text(p)


def the_map(atlas: Atlas, vs: ViewState, key: tuple, shown_key: str, visible: list[str], base_view: tuple) -> None:
    """``visible``: the shown articles inside the date filter. ``base_view``: (bounds, story) of the places
    named outright, whatever the layers: the base map must stay the same all session (a change reloads the
    map), as must whether the link gave a view."""
    highlight = vs.highlight if mapview.colour_mode(visible) == "kind" else None
    bounds, story = base_view
    base = mapview.base_map(bounds, tile_mode(), story, view_given=vs.link_view)
    rows = cached_rows(atlas, key, shown_key, visible, highlight)
    layer = mapview.place_group(rows, f"{shown_key}:{highlight}:{int(vs.adjectives)}", vs.selected)
    st_folium(base, key=MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
              returned_objects=["last_active_drawing", "last_object_clicked_count", "center", "zoom"],
              feature_group_to_add=layer, center=vs.view_center, zoom=vs.view_zoom,
              on_change=lambda: on_map_change(atlas))


def place_view(atlas: Atlas, vs: ViewState, cfg, key: tuple, visible: list[str]) -> None:
    place = atlas.by_id.get(vs.selected) if vs.selected else None
    if place is None:
        panel.overview(atlas, visible, lambda pid: go_to_place(atlas, pid, key))
        language_notices(atlas)
        left_out(atlas)
        return
    panel.place_header(place, country_name(place["country"]))
    curation_hook(place, cfg, visible)
    colours = mapview.article_colours([a["id"] for a in atlas.articles], visible)
    panel.passages(atlas, vs, place, colours, visible, lambda ids: reveal(atlas, vs, key, ids))
    if vs.reader and vs.reader in atlas.texts:
        aid, vs.reader = vs.reader, None  # the dialog opens once; closing it needs no rerun
        panel.reader_dialog(atlas, aid, place)


def layer_toggles(vs: ViewState) -> None:
    """The map's optional layers (in the view state and the share link)."""
    st.toggle("Nationality words", value=vs.adjectives, key=ADJECTIVES_KEY,
              on_change=lambda: setattr(vs, "adjectives", bool(st.session_state.get(ADJECTIVES_KEY))),
              help="Also map the countries that articles name through nationality words "
                   "(\"Russian officials\", \"British troops\") and count those words as mentions")


def articles_view(atlas: Atlas, vs: ViewState, cfg, key: tuple, visible: list[str]) -> None:
    if cfg.uploads:
        upload_report(vs)
        add_articles(cfg, vs)
    layer_toggles(vs)
    date_filter(atlas, vs, cached_dates(atlas, key))
    by_article = mapview.colour_mode(visible) == "article"
    if not by_article:
        highlight_picker(atlas, vs, visible)
    legend(atlas, visible, mapview.article_colours([a["id"] for a in atlas.articles], visible), by_article,
           mapview.KIND_LEGEND)
    language_notices(atlas)
    article_list(atlas, vs, cached_dates(atlas, key))
    left_out(atlas)
    if editing_enabled(cfg.editing):
        st.button("Rebuild map data", on_click=lambda: st.session_state.update(force_build=True),
                  help="Run `python -m geodata build` again on the articles folder")


def table_view(atlas: Atlas, key: tuple, shown_key: str, visible: list[str]) -> None:
    df = cached_table(atlas, key, shown_key, visible)
    d1, d2 = st.columns(2)
    # generated only when clicked (a large selection is megabytes)
    d1.download_button("Download selection (GeoJSON)", lambda: cached_downloads(atlas, key, shown_key, visible)[0],
                       file_name="atlas-selection.geojson", mime="application/geo+json", on_click="ignore")
    d2.download_button("Download selection (CSV)", lambda: cached_downloads(atlas, key, shown_key, visible)[1],
                       file_name="atlas-selection.csv", mime="text/csv", on_click="ignore")
    st.caption("Click a row to select the place on the map.")
    ids = list(df["id"])
    st.dataframe(df, width="stretch", hide_index=True, height=520, key=TABLE_KEY,
                 on_select=lambda: on_table_select(atlas, ids, key), selection_mode="single-row",
                 column_config={"id": None})


def curation_hook(place: dict, cfg, shown: list[str]) -> None:
    """The "Wrong place?" section (dashboard/curation_panel.py): the place's evidence in the shown
    articles for every reader; the fixes only when editing is on (the panel checks)."""
    try:
        from dashboard.curation_panel import render_curation_panel
    except ImportError:
        return
    try:
        render_curation_panel(dict(place), cfg.data_dir, cfg.articles_dir, articles=set(shown))
    except Exception as exc:  # the map must keep working even when the panel fails
        st.warning(f"The curation panel failed: {md_escape(str(exc))[:300]}")


def keep_panel_choice() -> None:
    """The panel's switch never ends up empty (clicking the chosen view again would clear it)."""
    ss = st.session_state
    if ss.get(PANEL_KEY) is None:
        ss[PANEL_KEY] = ss.get("panel_last") or PANEL_PLACE
    ss["panel_last"] = ss[PANEL_KEY]


def side_panel(atlas: Atlas, vs: ViewState, cfg, key: tuple, shown_key: str, visible: list[str]) -> None:
    with st.container(key="atlas_panel"):
        if st.session_state.get(PANEL_KEY) not in PANEL_VIEWS:
            st.session_state[PANEL_KEY] = PANEL_PLACE
        view = st.segmented_control("Panel", PANEL_VIEWS, key=PANEL_KEY, label_visibility="collapsed",
                                    on_change=keep_panel_choice)
        if view == PANEL_ARTICLES:
            articles_view(atlas, vs, cfg, key, visible)
        elif view == PANEL_TABLE:
            table_view(atlas, key, shown_key, visible)
        else:
            place_view(atlas, vs, cfg, key, visible)


def main() -> None:
    st.set_page_config(page_title="Article Atlas", layout="wide", page_icon=":world_map:",
                       initial_sidebar_state="collapsed")
    st.html(f"<style>{PAGE_CSS}</style>")
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
                           overrides=cfg.overrides, slot=st.empty())
    if error:
        st.error(f"Building the map data from {md_code(str(cfg.articles_dir))} failed:")
        st.code(error, language=None)
        st.button("Retry the build", on_click=lambda: ss.update(force_build=True))
    try:
        key = (str(cfg.data_dir), output_signature(cfg.data_dir))
        every_role = cached_atlas(*key)
    except DataError as exc:
        st.error(f"Cannot read the map data in {md_code(str(cfg.data_dir))}: {md_escape(str(exc))}")
        st.stop()

    vs = view_state()
    if not vs.ready:
        init_state(every_role, vs)
    places_only = cached_view(every_role, key, False)
    base_view = (places_only.bounds, cached_story(places_only, key))
    atlas = cached_view(every_role, key, True) if vs.adjectives else places_only
    key = key + ("adjectives",) if vs.adjectives else key  # every cache below depends on the layer
    follow_rebuild(atlas, vs)

    visible = visible_articles(atlas, vs, key)
    header(atlas, vs, cached_search(atlas, key), key, visible)
    for notice in vs.notices:
        st.warning(notice, icon="⚠️")
    for message in settings.problems():  # an invalid ATLAS_* value: its default is used
        st.warning(md_escape(message), icon="⚠️")
    params = share_params(atlas, vs, base_view[1])
    sync_url(params)
    share_box(vs, params)

    shown_key = hashlib.sha1("\0".join(visible).encode()).hexdigest()
    left, right = st.columns([3, 2], gap="medium")
    with left:  # the map first: Streamlit draws elements in script order
        the_map(atlas, vs, key, shown_key, visible, base_view)
    with right:
        side_panel(atlas, vs, cfg, key, shown_key, visible)


main()
