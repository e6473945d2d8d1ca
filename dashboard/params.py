"""The share link: URL query parameters <-> the dashboard's view, validated against the loaded data.

Parameters:

- the article selection (absent = every article shown), as the shorter id list while it is a few ids
  (up to ID_LIST_BUDGET characters), else in whichever of these three forms is shortest:
  - `articles` (repeated): the shown ids; one empty value = none shown (links from before `hide`/`sel`
    use only this form, and still open);
  - `hide` (repeated): the hidden ids;
  - `sel`: a bitmap over the corpus's sorted id list, `b.<hash>.<bits>` (or `z.` with the bits
    deflated), base64url; `<hash>` is 8 hex digits of SHA-256 over that sorted list, so a link made
    for another corpus (articles added or removed since) is reported instead of showing the wrong set.
  A selection of a 1,000-article corpus is at most ~180 characters this way (ids cost ~30 each).
- `place` (selected place id), `lat`, `lon`, `zoom` (map view, written when the user asks for a link).
- the date filter: `from`, `to` (days, `YYYY-MM-DD`, inclusive; either may be absent = open) and
  `undated=0` (articles without a date left out; absent = included). Absent when there is no filter.
- `adjectives=1`: the "Nationality words" layer is on (absent = off).

Unknown or malformed values are dropped with a notice (one notice for any number of unknown
parameters); nothing here is ever used as a path.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import urllib.parse
import zlib
from dataclasses import dataclass, field
from datetime import date

from dashboard.timeline import article_date

SELECTION_KEYS = ("sel", "articles", "hide")  # the order they are tried in when a link has several
DATE_KEYS = ("from", "to", "undated")
KNOWN = SELECTION_KEYS + ("place", "lat", "lon", "zoom", "adjectives") + DATE_KEYS
# Parameters Streamlit itself uses; never reported as unknown.
STREAMLIT_OWN = ("embed", "embed_options")
MIN_ZOOM, MAX_ZOOM = 1, 18
MAX_VALUE_LEN = 300  # an id or a number; longer values are refused with a notice
MAX_SEL_LEN = 60_000  # a bitmap for ~350,000 articles; longer is refused before decoding
HASH_LEN = 8
ID_LIST_BUDGET = 400  # an id list up to this long is written as ids (a few ids), else the shortest form
_MIN_ID_COST = len("&hide=") + 1
LINK_LIMIT = 2000  # what a share link's query stays under for a 1,000-article corpus
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SEL = re.compile(r"([bz])\.([0-9a-f]{%d})\.([A-Za-z0-9_-]*)" % HASH_LEN)
_UNKNOWN_SHOWN = 5


@dataclass
class View:
    articles: list[str] | None = None  # None = every article
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    undated: bool = True
    adjectives: bool = False  # the "Nationality words" layer
    notices: list[str] = field(default_factory=list)


def shown_value(value: str, limit: int = 40) -> str:
    """A parameter value made safe to quote in a notice (letters, digits and a few marks only)."""
    clean = re.sub(r"[^\w.\-/ ]", "?", value)[:limit]
    return clean + ("..." if len(value) > limit else "")


def corpus_hash(article_ids) -> str:
    """8 hex digits naming the corpus's id list (order does not matter)."""
    joined = "\n".join(sorted(set(article_ids)))
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LEN]


# ---------------------------------------------------------------- the bitmap ---------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def encode_selection(shown, article_ids) -> str:
    """The `sel` value for the ids in ``shown`` (over ``article_ids``; ids outside it are ignored)."""
    order = sorted(set(article_ids))
    wanted = set(shown)
    bits = bytearray((len(order) + 7) // 8)
    for i, aid in enumerate(order):
        if aid in wanted:
            bits[i // 8] |= 0x80 >> (i % 8)
    raw = "b." + corpus_hash(order) + "." + _b64(bytes(bits))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = "z." + corpus_hash(order) + "." + _b64(packer.compress(bytes(bits)) + packer.flush())
    return packed if len(packed) < len(raw) else raw


class SelectionError(ValueError):
    """A `sel` value that cannot be read; the message is the notice."""


def _unb64(payload: str) -> bytes:
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raise SelectionError("malformed") from None
    if _b64(data) != payload:  # not the canonical spelling: altered by hand
        raise SelectionError("malformed")
    return data


def _inflate(data: bytes, size: int) -> bytes:
    unpacker = zlib.decompressobj(-15)
    try:
        out = unpacker.decompress(data, size + 1)  # never more than one byte past what is expected
    except zlib.error:
        raise SelectionError("malformed") from None
    if not unpacker.eof or unpacker.unconsumed_tail or unpacker.unused_data:
        raise SelectionError("malformed")
    return out


def decode_selection(value: str, article_ids) -> list[str]:
    """The shown ids (in sorted order) of a `sel` value made for ``article_ids``. SelectionError when it
    is malformed ("malformed") or was made for another corpus ("other corpus")."""
    if len(value) > MAX_SEL_LEN:
        raise SelectionError("too long")
    match = _SEL.fullmatch(value)
    if not match:
        raise SelectionError("malformed")
    form, tag, payload = match.groups()
    order = sorted(set(article_ids))
    if tag != corpus_hash(order):
        raise SelectionError("other corpus")
    size = (len(order) + 7) // 8
    bits = _unb64(payload)
    if form == "z":
        bits = _inflate(bits, size)
    if len(bits) != size:
        raise SelectionError("malformed")
    spare = size * 8 - len(order)
    if spare and bits[-1] & ((1 << spare) - 1):  # bits past the last article must be zero
        raise SelectionError("malformed")
    return [aid for i, aid in enumerate(order) if bits[i // 8] & (0x80 >> (i % 8))]


_SEL_NOTICES = {
    "other corpus": "The link's article selection was made when the corpus held other articles (some were "
                    "added or removed since), so it cannot say which to show: showing all articles.",
    "too long": "Ignored the link's article selection (`sel`): it is far longer than any this dashboard "
                "writes. Showing all articles.",
    "malformed": "Ignored the link's article selection (`sel`): it is damaged or was altered. "
                 "Showing all articles.",
}


# ---------------------------------------------------------------- reading ------------------------

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


def _unknown_notice(keys: list[str]) -> str:
    quoted = ", ".join(f"`{shown_value(k, 30)}`" for k in keys[:_UNKNOWN_SHOWN])
    more = f" and {len(keys) - _UNKNOWN_SHOWN} more" if len(keys) > _UNKNOWN_SHOWN else ""
    noun = "parameter" if len(keys) == 1 else "parameters"
    return f"Ignored {len(keys)} unknown link {noun}: {quoted}{more}."


def _known_ids(values: list[str], article_ids: set[str], view: View, what: str) -> list[str]:
    """The known ids among ``values`` (first occurrence order); a notice for the rest."""
    good, bad, long = [], [], 0
    for v in values:
        if len(v) > MAX_VALUE_LEN:
            long += 1
        elif v in article_ids:
            if v not in good:
                good.append(v)
        elif v:
            bad.append(v)
    if bad:
        view.notices.append(f"Ignored {len(bad)} unknown article id(s) {what} in the link: "
                            + ", ".join(f"`{shown_value(b)}`" for b in bad[:_UNKNOWN_SHOWN])
                            + (" ..." if len(bad) > _UNKNOWN_SHOWN else "") + ".")
    if long:
        view.notices.append(f"Ignored {long} article value(s) {what} longer than {MAX_VALUE_LEN} characters "
                            "(no article id is that long).")
    return good


def _selection(params: dict[str, list[str]], article_ids: list[str], view: View) -> None:
    present = [k for k in SELECTION_KEYS if k in params]
    if not present:
        return
    if len(present) > 1:
        view.notices.append(f"The link holds more than one article selection ({', '.join(present)}): "
                            f"used `{present[0]}`.")
    key, values, known = present[0], list(params[present[0]]), set(article_ids)
    order = {a: i for i, a in enumerate(article_ids)}
    if key == "sel":
        try:
            shown = set(decode_selection(values[-1] if values else "", article_ids))
        except SelectionError as exc:
            view.notices.append(_SEL_NOTICES[str(exc)])
            return
        view.articles = [a for a in article_ids if a in shown]
    elif key == "articles":
        if values == [""]:
            view.articles = []
            return
        good = _known_ids(values, known, view, "shown")
        if good:
            view.articles = sorted(good, key=order.__getitem__)
        elif any(values):
            view.notices.append("No known article in the link: showing all articles.")
    else:
        hidden = set(_known_ids(values, known, view, "hidden"))
        view.articles = [a for a in article_ids if a not in hidden] if hidden else None


def _place(params: dict[str, list[str]], place_ids, view: View) -> None:
    place_vals = params.get("place") or []
    if not place_vals:
        return
    p = place_vals[-1]
    if len(p) > MAX_VALUE_LEN:
        view.notices.append(f"Ignored the place in the link: {len(p):,} characters long (no place id is).")
    elif p and p in place_ids:
        view.place = p
    elif p:
        view.notices.append(f"Ignored unknown place `{shown_value(p)}` in the link.")


def _position(params: dict[str, list[str]], view: View) -> None:
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


def _day(raw: str | None) -> date | None:
    """A link's day: exactly YYYY-MM-DD and a real day (read as an article's date is)."""
    return article_date(raw) if _DAY.fullmatch(raw or "") else None


def _dates(params: dict[str, list[str]], view: View) -> None:
    days = {}
    for key in ("from", "to"):
        raw = (params.get(key) or [None])[-1]
        if raw is None:
            continue
        days[key] = _day(raw)
        if days[key] is None:
            view.notices.append(f"Ignored the link's `{key}` date `{shown_value(raw, 20)}`: "
                                "it must be a real day written YYYY-MM-DD.")
    start, end = days.get("from"), days.get("to")
    if start and end and start > end:
        view.notices.append(f"Ignored the link's date range: `from` ({start}) is after `to` ({end}).")
        start = end = None
    view.date_from, view.date_to = start, end
    raw = (params.get("undated") or [None])[-1]
    if raw is not None:
        if raw in ("0", "1"):
            view.undated = raw == "1"
        else:
            view.notices.append(f"Ignored the link's `undated` value `{shown_value(raw, 20)}`: it must be 0 or 1.")


def _layers(params: dict[str, list[str]], view: View) -> None:
    raw = (params.get("adjectives") or [None])[-1]
    if raw in ("1", "0"):
        view.adjectives = raw == "1"
    elif raw is not None:
        view.notices.append(f"Ignored `adjectives={shown_value(raw)}` in the link: it must be 1 or 0.")


def parse_view(params: dict[str, list[str]], article_ids, place_ids) -> View:
    """Validate raw query parameters (each key -> list of values) against the known ids
    (``article_ids`` in the corpus's order: the order of ``View.articles``)."""
    view = View()
    unknown = [k for k in params if k not in KNOWN and k not in STREAMLIT_OWN]
    if unknown:
        view.notices.append(_unknown_notice(unknown))
    _selection(params, list(dict.fromkeys(article_ids)), view)
    _place(params, place_ids, view)
    _position(params, view)
    _dates(params, view)
    _layers(params, view)
    return view


# ---------------------------------------------------------------- writing ------------------------

def query_length(params: dict) -> int:
    """Characters of ``params`` as a URL query string."""
    return len(urllib.parse.urlencode(params, doseq=True))


def selection_params(articles, all_ids) -> dict[str, list[str] | str]:
    """The parameters for showing ``articles`` of ``all_ids`` ({} when all are shown): the shorter id
    list (shown or hidden) while it fits in ID_LIST_BUDGET characters - ids survive articles being
    added or removed and read as themselves - else the shortest of the three forms."""
    known = list(dict.fromkeys(all_ids))
    wanted = set(articles) & set(known)
    if wanted == set(known):
        return {}
    if not wanted:
        return {"articles": [""]}
    shown = [a for a in known if a in wanted]
    hidden = [a for a in known if a not in wanted]
    # an id costs at least "&hide=" plus one character: longer lists are never measured (they lose to `sel`)
    lists = [p for p in ({"articles": shown}, {"hide": hidden})
             if len(next(iter(p.values()))) * _MIN_ID_COST <= ID_LIST_BUDGET]
    best = min(lists, key=query_length) if lists else None
    if best is not None and query_length(best) <= ID_LIST_BUDGET:
        return best
    return min([*lists, {"sel": encode_selection(shown, known)}], key=query_length)


def view_to_params(articles: list[str], all_ids: list[str], place: str | None,
                   lat: float | None = None, lon: float | None = None,
                   zoom: int | None = None, date_from: date | None = None, date_to: date | None = None,
                   undated: bool = True, adjectives: bool = False) -> dict[str, list[str] | str]:
    """The query parameters for a view (no selection parameter when every article is shown, no date
    parameter without a date filter)."""
    out: dict[str, list[str] | str] = selection_params(articles, all_ids)
    if place:
        out["place"] = place
    if lat is not None and lon is not None:
        out["lat"] = f"{lat:.5f}"
        out["lon"] = f"{lon:.5f}"
    if zoom is not None:
        out["zoom"] = str(int(zoom))
    if date_from is not None:
        out["from"] = date_from.isoformat()
    if date_to is not None:
        out["to"] = date_to.isoformat()
    if not undated:
        out["undated"] = "0"
    if adjectives:
        out["adjectives"] = "1"
    return out
