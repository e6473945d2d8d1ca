"""The dashboard's "Wrong place?" panel: choose the right place once, the fix holds in every article.

For the selected place (a GeoJSON feature's properties, with ``candidates`` = ranked alternatives and
``aliases`` = the spellings the articles use) it offers the alternatives and a gazetteer search. Choosing
one appends ``pin`` rows (one per spelling) to the overrides file (``$ATLAS_OVERRIDES``, default
``geodata/overrides.csv``), reruns ``python -m geodata build --articles A --out D`` in a subprocess and
reports the result. "Not a place" appends ``exclude`` rows instead.

The section is always there: first the resolver's evidence (``evidence_html``: why these words are a
place, why this place over the runner-up, top reasons then "All reasons"), then the fixes. Editing is off
unless the person running the app turns it on (``ATLAS_EDITING=1`` or ``editing = true`` in
``.streamlit/secrets.toml``); the panel checks that itself and never writes when it is off.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import html

import streamlit as st

from dashboard import data, settings
from dashboard.evidence_words import TOP, Reason, summarise
from dashboard.data import BuildResult, build_command  # noqa: F401  (re-exported for callers and tests)
from dashboard.text import md_escape
from geodata.errors import AtlasError
from geodata.overrides import (
    OverrideRow,
    append_overrides,
    default_overrides_path,
    load_overrides,
    pin_rows,
    remove_overrides,
    surface_key,
)

BUILD_TIMEOUT_SECONDS = 900
SEARCH_LIMIT = 12
_TRUE = {"1", "true", "yes", "on"}


class EditingDisabled(AtlasError):
    """A write was asked for while editing is off."""


# -- settings ---------------------------------------------------------------------------------------
def editing_enabled() -> bool:
    """``ATLAS_EDITING`` (1/true/yes/on), else ``editing`` in Streamlit secrets. Off by default."""
    if settings.read("ATLAS_EDITING"):
        return True
    try:
        value = st.secrets.get("editing", False)
    except Exception:  # no secrets file
        return False
    return value is True or str(value).strip().lower() in _TRUE


def overrides_path() -> Path:
    return default_overrides_path()


# -- rebuilding -------------------------------------------------------------------------------------
def run_build(articles_dir: Path, data_dir: Path, overrides: Path,
              timeout: float = BUILD_TIMEOUT_SECONDS) -> BuildResult:
    """Run the build in a subprocess (dashboard.data.run_build, with the overrides file this panel wrote)."""
    return data.run_build(articles_dir, data_dir, timeout=timeout, overrides=overrides)


# -- writing ----------------------------------------------------------------------------------------
def _require_editing() -> None:
    if not editing_enabled():
        raise EditingDisabled("editing is off (set ATLAS_EDITING=1 or `editing = true` in Streamlit secrets)")


def surfaces_of(place: dict) -> list[str]:
    """The spellings to fix: the place's aliases, else its name."""
    seen: dict[str, str] = {}
    for text in list(place.get("aliases") or []) or [place.get("name") or ""]:
        if isinstance(text, str) and surface_key(text) and surface_key(text) not in seen:
            seen[surface_key(text)] = text.strip()
    return list(seen.values())


def write_pin(place: dict, chosen: dict, surfaces: list[str], path: Path, gazetteer=None) -> list[OverrideRow]:
    """Append the rows that pin every spelling to ``chosen`` (an ``add`` row first for a place that is in no
    offline gazetteer). Raises EditingDisabled when editing is off, OverrideError for a bad choice."""
    _require_editing()
    in_gazetteer = None
    if gazetteer is not None and chosen.get("id"):
        try:
            in_gazetteer = gazetteer.get(str(chosen["id"])) is not None
        except Exception:
            in_gazetteer = None
    known = set(load_overrides(path).added)
    note = f"dashboard: was {place.get('name')} ({place.get('id')})"
    rows = pin_rows(surfaces, chosen, note=note, known_ids=known, in_gazetteer=in_gazetteer)
    return append_overrides(path, rows)


def write_exclusion(place: dict, surfaces: list[str], path: Path) -> list[OverrideRow]:
    """Append ``exclude`` rows: these spellings are not places, in any article."""
    _require_editing()
    note = f"dashboard: not a place (was {place.get('name')} ({place.get('id')}))"
    return append_overrides(path, [OverrideRow(action="exclude", surface=s, note=note) for s in surfaces])


def undo_rows(rows: list[OverrideRow], path: Path) -> int:
    """Remove rows this panel appended (the "Undo" button). Raises EditingDisabled when editing is off."""
    _require_editing()
    return remove_overrides(path, rows)


# -- presentation -----------------------------------------------------------------------------------
def label(candidate: dict) -> str:
    name = str(candidate.get("name") or candidate.get("id") or "?")
    bits = [x for x in (candidate.get("admin1"), candidate.get("country")) if x]
    where = f", {', '.join(str(b) for b in bits)}" if bits else ""
    kind = f" ({candidate['kind']})" if candidate.get("kind") else ""
    try:
        coords = f" · {float(candidate['lat']):.3f}, {float(candidate['lon']):.3f}"
    except (KeyError, TypeError, ValueError):
        coords = ""
    source = f" · {candidate['source']}" if candidate.get("source") else ""
    return f"{name}{where}{kind}{coords}{source}"


def _reason_items(reasons: list[Reason], total: int) -> str:
    items = []
    for r in reasons:
        against = r.against
        count = f' <span class="atlas-evidence-n">· {r.mentions} of {total}</span>' if total > 1 else ""
        cls = ' class="against"' if against else ""
        items.append(f'<li data-feature="{html.escape(r.feature)}"{cls}>'
                     f'{"against: " if against else ""}{html.escape(r.text)}{count}</li>')
    return "".join(items)


def evidence_html(place: dict, articles: set[str] | None = None) -> str:
    """Why these words are a place and why this place, from the place's evidence in ``articles`` (None:
    all); escaped HTML, empty when the build carried none (an older build, an online geocoder's place)."""
    why_place, why_this, total = summarise(place.get("evidence") or [], articles)
    if not (why_place or why_this):
        return ""
    name = html.escape(str(place.get("name") or "this place"))
    alts = alternatives(place)
    rival = f" and not {html.escape(label(alts[0]).split(' · ')[0])}" if alts else ""
    parts = [f'<div class="atlas-evidence" data-mentions="{total}">']
    if why_place:
        over = f" ({total} mentions)" if total > 1 else ""
        parts.append(f'<div class="atlas-evidence-head">Why a place{over}</div>'
                     f'<ul class="atlas-evidence-top" data-group="place">{_reason_items(why_place[:TOP], total)}</ul>')
    if why_this:
        parts.append(f'<div class="atlas-evidence-head">Why {name}{rival}</div>'
                     f'<ul class="atlas-evidence-top" data-group="choice">{_reason_items(why_this[:TOP], total)}</ul>')
    rest = len(why_place[TOP:]) + len(why_this[TOP:])
    if rest:
        parts.append(f'<details class="atlas-evidence-all"><summary>All reasons (+{rest})</summary>'
                     f'<ul data-group="place">{_reason_items(why_place, total)}</ul>'
                     f'<ul data-group="choice">{_reason_items(why_this, total)}</ul></details>')
    parts.append("</div>")
    return "".join(parts)


def alternatives(place: dict) -> list[dict]:
    """The ranked alternative candidates, without the current place and without duplicates."""
    seen = {str(place.get("id"))}
    out = []
    for candidate in place.get("candidates") or []:
        if not isinstance(candidate, dict) or not candidate.get("id"):
            continue
        if str(candidate["id"]) in seen:
            continue
        seen.add(str(candidate["id"]))
        out.append(candidate)
    return out


def enrich(candidate: dict, gazetteer) -> dict:
    """Add the first-level division's name ("Dover, Delaware, US") when the gazetteer knows the place."""
    if gazetteer is None or candidate.get("admin1") or str(candidate.get("source") or "").startswith("geocoder"):
        return candidate
    try:
        place = gazetteer.get(str(candidate.get("id")))
        code = getattr(place, "admin1", None)
        division = gazetteer.admin1(code) if code and hasattr(gazetteer, "admin1") else None
    except Exception:
        return candidate
    if division is not None and division.name != candidate.get("name"):
        return {**candidate, "admin1": division.name}
    if code and "." in code:
        return {**candidate, "admin1": code.split(".", 1)[1]}
    return candidate


def _place_dict(place) -> dict:
    if isinstance(place, dict):
        return place
    return {"id": place.id, "name": place.name, "kind": place.kind, "country": place.country,
            "lat": place.lat, "lon": place.lon,
            "geonameid": place.geonameid, "source": place.source}


@st.cache_resource(show_spinner=False)
def _open_gazetteer():
    from geodata.gazetteer import Gazetteer

    return Gazetteer.open()


def _gazetteer_or_none():
    try:
        return _open_gazetteer()
    except Exception:
        return None


def render_curation_panel(
    place: dict,
    data_dir: Path,
    articles_dir: Path,
    *,
    gazetteer=None,
    run: Callable[[Path, Path, Path], BuildResult] | None = None,
    articles: set[str] | None = None,
) -> None:
    """The "Wrong place?" panel for one place: its evidence in ``articles`` (default: all), then the
    fixes when editing is on. ``gazetteer`` and ``run`` are for tests (default: the offline
    gazetteer and ``run_build``)."""
    run = run or run_build
    pid = str(place.get("id") or place.get("name") or "place")
    key = f"curation_{pid}"
    with st.expander("Wrong place?", expanded=bool(st.session_state.get(f"{key}_open"))):
        result = st.session_state.pop("curation_result", None)  # shown once, after a rebuild
        if result:
            (st.success if result["ok"] else st.error)(result["message"])
            if result.get("output"):
                st.code(result["output"], language=None)
        evidence = evidence_html(place, articles)
        if evidence:
            st.html(evidence)
        if not editing_enabled():
            st.info("Editing is off. The person running the dashboard can turn it on with ATLAS_EDITING=1.")
            return
        path = overrides_path()
        last = st.session_state.get("curation_last")
        if last and last.get("path") == str(path):
            if st.button(f"Undo the last fix ({last['what']})", key=f"{key}_undo"):
                _undo(last, path, Path(articles_dir), Path(data_dir), run)
                return
        surfaces_all = surfaces_of(place)
        surfaces = st.multiselect("Spellings to fix (in every article)", surfaces_all, default=surfaces_all,
                                  key=f"{key}_surfaces")
        gaz = gazetteer if gazetteer is not None else _gazetteer_or_none()
        alts = [enrich(c, gaz) for c in alternatives(place)]
        chosen = None
        if alts:
            index = st.radio("Ranked alternatives", list(range(len(alts))), index=None,
                             format_func=lambda i: md_escape(label(alts[i])), key=f"{key}_alt")
            if index is not None:
                chosen = alts[index]
        else:
            st.caption("No ranked alternatives for this place.")
        query = st.text_input("Search the gazetteer", key=f"{key}_query", placeholder="e.g. Dover")
        if query.strip():
            if gaz is None:
                st.warning("The offline gazetteer is not available (run `python -m geodata index`).")
            else:
                try:
                    found = [enrich(_place_dict(p), gaz) for p in gaz.search(query.strip(), SEARCH_LIMIT)]
                except Exception as error:
                    found = []
                    st.warning(f"Search failed: {md_escape(str(error))}")
                found = [p for p in found if str(p.get("id")) != pid]
                if found:
                    picked = st.selectbox("Search results", list(range(len(found))), index=None,
                                          format_func=lambda i: label(found[i]), key=f"{key}_found")
                    if picked is not None:
                        chosen = found[picked]  # an explicit search pick wins over the radio
                else:
                    st.caption("No place found.")
        if chosen is not None:
            st.caption(md_escape(f"Will pin {', '.join(repr(s) for s in surfaces) or 'nothing'} to: {label(chosen)}"))
        left, right = st.columns(2)
        use = left.button("Use this place", key=f"{key}_use", disabled=chosen is None or not surfaces,
                          type="primary")
        drop = right.button("Not a place", key=f"{key}_drop", disabled=not surfaces,
                            help="Never report these spellings as places")
        if not (use or drop):
            return
        st.session_state[f"{key}_open"] = True
        try:
            if use:
                rows = write_pin(place, chosen, surfaces, path, gazetteer=gaz)
                what = md_escape(f"Pinned {', '.join(repr(s) for s in surfaces)} to {label(chosen)}")
            else:
                rows = write_exclusion(place, surfaces, path)
                what = md_escape(f"Excluded {', '.join(repr(s) for s in surfaces)}")
        except AtlasError as error:
            message = md_escape(f"Nothing written: {error}")
            st.session_state["curation_result"] = {"ok": False, "message": message}
            st.error(message)
            return
        st.session_state["curation_last"] = {"path": str(path), "what": what, "rows": [r.as_dict() for r in rows]}
        _rebuild_and_report(f"{what} ({len(rows)} row(s) in {path.name})", path, Path(articles_dir),
                            Path(data_dir), run, key)


def _rebuild_and_report(what: str, path: Path, articles_dir: Path, data_dir: Path, run, key: str) -> None:
    with st.spinner("Rebuilding the map..."):
        outcome = run(articles_dir, data_dir, path)
    tail = "\n".join(outcome.output.splitlines()[-15:])
    if outcome.ok:
        message = f"{what}; rebuilt in {outcome.seconds:.1f} s."
        st.cache_data.clear()  # the dashboard reads the new outputs on its next run
    else:
        message = (f"{what}, but the rebuild failed (exit {outcome.returncode}); "
                   f"the map still shows the previous build.")
    st.session_state["curation_result"] = {"ok": outcome.ok, "message": message, "output": tail}
    (st.success if outcome.ok else st.error)(message)
    if tail:
        st.code(tail, language=None)
    if outcome.ok:
        st.button("Show the updated map", key=f"{key}_reload")


def _undo(last: dict, path: Path, articles_dir: Path, data_dir: Path, run) -> None:
    rows = [OverrideRow.from_mapping(r) for r in last.get("rows") or []]
    try:
        removed = undo_rows(rows, path)
    except AtlasError as error:
        st.error(md_escape(f"Nothing undone: {error}"))
        return
    st.session_state.pop("curation_last", None)
    if not removed:
        st.warning("Those rows are no longer in the overrides file; nothing undone.")
        return
    _rebuild_and_report(f"Undid: {last['what']} ({removed} row(s) removed)", path, articles_dir, data_dir,
                        run, "curation_undo")
