"""The share link: URL query parameters <-> the dashboard's view, validated against the loaded data.

Parameters: `articles` (repeated; the shown article ids; absent = all shown, one empty value = none),
`place` (selected place id), `lat`, `lon`, `zoom` (map view, written when the user asks for a link).
Unknown or malformed values are dropped with a notice; nothing here is ever used as a path.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

KNOWN = ("articles", "place", "lat", "lon", "zoom")
# Parameters Streamlit itself uses; never reported as unknown.
STREAMLIT_OWN = ("embed", "embed_options")
MIN_ZOOM, MAX_ZOOM = 1, 18
MAX_VALUE_LEN = 300


@dataclass
class View:
    articles: list[str] | None = None  # None = every article
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    notices: list[str] = field(default_factory=list)


def shown_value(value: str, limit: int = 40) -> str:
    """A parameter value made safe to quote in a notice (letters, digits and a few marks only)."""
    clean = re.sub(r"[^\w.\-/ ]", "?", value)[:limit]
    return clean + ("..." if len(value) > limit else "")


def _number(raw: str, lo: float, hi: float) -> float | None:
    if len(raw) > 40:
        return None
    try:
        v = float(raw)
    except ValueError:
        return None
    if not math.isfinite(v) or not lo <= v <= hi:
        return None
    return v


def parse_view(params: dict[str, list[str]], article_ids, place_ids) -> View:
    """Validate raw query parameters (each key -> list of values) against the known ids."""
    view = View()
    article_ids = set(article_ids)
    for key in params:
        if key not in KNOWN and key not in STREAMLIT_OWN:
            view.notices.append(f"Ignored unknown link parameter `{shown_value(key, 30)}`.")

    if "articles" in params:
        values = list(params["articles"])
        if values == [""]:
            view.articles = []
        else:
            good, bad = [], []
            for v in values:
                if v and len(v) <= MAX_VALUE_LEN and v in article_ids:
                    if v not in good:
                        good.append(v)
                elif v:
                    bad.append(v)
            if bad:
                view.notices.append(
                    f"Ignored {len(bad)} unknown article id(s) in the link: "
                    + ", ".join(f"`{shown_value(b)}`" for b in bad[:5]) + "."
                )
            if good:
                view.articles = good
            elif bad:
                view.notices.append("No known article in the link: showing all articles.")

    place_vals = params.get("place") or []
    if place_vals:
        p = place_vals[-1]
        if p and len(p) <= MAX_VALUE_LEN and p in place_ids:
            view.place = p
        elif p:
            view.notices.append(f"Ignored unknown place `{shown_value(p)}` in the link.")

    lat_raw = (params.get("lat") or [None])[-1]
    lon_raw = (params.get("lon") or [None])[-1]
    if lat_raw is not None or lon_raw is not None:
        lat = _number(lat_raw, -90, 90) if lat_raw is not None else None
        lon = _number(lon_raw, -180, 180) if lon_raw is not None else None
        if lat is None or lon is None:
            view.notices.append("Ignored the map position in the link: `lat`/`lon` must both be numbers in range.")
        else:
            view.lat, view.lon = lat, lon
    zoom_raw = (params.get("zoom") or [None])[-1]
    if zoom_raw is not None:
        z = _number(zoom_raw, MIN_ZOOM, MAX_ZOOM)
        if z is None or z != int(z):
            view.notices.append(f"Ignored the zoom in the link: it must be a whole number {MIN_ZOOM}-{MAX_ZOOM}.")
        else:
            view.zoom = int(z)
    return view


def view_to_params(articles: list[str], all_ids: list[str], place: str | None,
                   lat: float | None = None, lon: float | None = None,
                   zoom: int | None = None) -> dict[str, list[str] | str]:
    """The query parameters for a view (articles omitted when all are shown)."""
    out: dict[str, list[str] | str] = {}
    if set(articles) != set(all_ids):
        order = {a: i for i, a in enumerate(all_ids)}
        out["articles"] = sorted(articles, key=lambda a: order.get(a, 0)) if articles else [""]
    if place:
        out["place"] = place
    if lat is not None and lon is not None:
        out["lat"] = f"{lat:.5f}"
        out["lon"] = f"{lon:.5f}"
    if zoom is not None:
        out["zoom"] = str(int(zoom))
    return out
