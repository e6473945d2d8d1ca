"""The places table and the downloads of the current selection (pure functions of the loaded data)."""
from __future__ import annotations

import json

import pandas as pd

from dashboard.data import Atlas
from geodata.csvsafe import to_csv_text

TABLE_ARTICLE_COLUMNS = 12  # one mention-count column per shown article up to this many


def places_table(atlas: Atlas, shown: list[str]) -> pd.DataFrame:
    shown_set = set(shown)
    per_article = len(shown) <= TABLE_ARTICLE_COLUMNS
    titles: dict[str, str] = {}
    if per_article:
        used: set[str] = set()
        for a in shown:
            t = atlas.article_by_id[a]["title"][:60]
            t = t if t not in used else f"{t} [{a}]"
            used.add(t)
            titles[a] = t
    rows = []
    for p in atlas.places:
        counts: dict[str, int] = {}
        for m in p["mentions"]:
            if m["article"] in shown_set:
                counts[m["article"]] = counts.get(m["article"], 0) + 1
        in_shown = [a for a in p["articles"] if a in shown_set]
        if not in_shown:
            continue
        row = {"id": p["id"], "place": p["name"], "kind": p["kind"], "country": p["country"] or "",
               "lat": round(p["lat"], 5), "lon": round(p["lon"], 5), "source": p["source"],
               "mentions": sum(counts.values()) if counts else p["mention_count"],
               "articles": len(in_shown)}
        if per_article:
            for a in shown:
                row[titles[a]] = counts.get(a, 0)
        rows.append(row)
    cols = ["id", "place", "kind", "country", "lat", "lon", "source", "mentions", "articles"]
    if per_article:
        cols += [titles[a] for a in shown]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["mentions", "place"], ascending=[False, True], kind="stable").reset_index(drop=True)


def places_csv(atlas: Atlas, shown: list[str], table: pd.DataFrame | None = None) -> str:
    """The "Download selection (CSV)" file: ``places_table`` with every text cell and header (article
    titles) made spreadsheet-safe by ``geodata.csvsafe``; numbers stay numbers."""
    return to_csv_text(places_table(atlas, shown) if table is None else table)


def selection_geojson(atlas: Atlas, shown: list[str]) -> str:
    shown_set = set(shown)
    features = []
    for p in atlas.places:
        if not set(p["articles"]) & shown_set:
            continue
        mentions = [m for m in p["mentions"] if m["article"] in shown_set]
        props = {k: p[k] for k in ("name", "kind", "country", "geonameid", "source", "aliases")}
        props.update(mention_count=len(mentions), articles=[a for a in p["articles"] if a in shown_set],
                     mentions=mentions)
        features.append({"type": "Feature", "id": p["id"],
                         "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                         "properties": props})
    arts = [atlas.article_by_id[a] for a in shown]
    return json.dumps({"type": "FeatureCollection", "features": features,
                       "articles": [{"id": a["id"], "title": a["title"]} for a in arts]},
                      ensure_ascii=False, indent=1)
