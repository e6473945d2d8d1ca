"""Turn resolved mentions into the pipeline's output files: places.geojson, gazetteer.csv, articles.json.

The three files are staged complete before any is renamed into place (places.geojson last), and both JSON
files carry the same ``build_id`` so a reader can tell they belong together. An interrupted build leaves
the previous outputs as they were.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import atomic
from .articles import Article
from .model import Place, ResolvedMention
from .passages import passage

PLACES_FILE = "places.geojson"
ARTICLES_FILE = "articles.json"
GAZETTEER_FILE = "gazetteer.csv"
COORD_DECIMALS = 5
MAX_CANDIDATES = 5


@dataclass
class PlaceEntry:
    place: Place
    mentions: list[dict] = field(default_factory=list)
    aliases: Counter = field(default_factory=Counter)
    candidates: dict[str, Place] = field(default_factory=dict)


def _is_plain_name(alias: str) -> bool:
    """A surface form fit to be shown as the place's name (not an abbreviation or code)."""
    return len(alias) > 3 and not alias.endswith(".") and not alias.isupper()


def display_name(place: Place, aliases: Counter) -> str:
    """The English name where one exists: for settlements, the form English articles use most
    (Dunkirk, not Dunkerque; Hook of Holland, not Hoek van Holland)."""
    if place.kind == "settlement":
        for alias, _ in aliases.most_common():
            if _is_plain_name(alias):
                return alias
    return place.name


def candidate_dict(place: Place) -> dict:
    return {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "country": place.country,
        "geonameid": place.geonameid,
        "lat": round(place.lat, COORD_DECIMALS),
        "lon": round(place.lon, COORD_DECIMALS),
        "source": place.source,
    }


def collect_places(articles: list[Article], resolved: dict[str, list[ResolvedMention]]) -> dict[str, PlaceEntry]:
    """Group resolved mentions by place, in order of first appearance."""
    entries: dict[str, PlaceEntry] = {}
    for article in articles:
        for rm in resolved.get(article.id, []):
            if rm.place is None:
                continue
            entry = entries.setdefault(rm.place.id, PlaceEntry(rm.place))
            text, passage_start = passage(article.text, rm.start, rm.end)
            entry.mentions.append({
                "article": article.id,
                "start": rm.start,
                "end": rm.end,
                "text": article.text[rm.start:rm.end],
                "passage": text,
                "passage_start": passage_start,
            })
            entry.aliases[" ".join(rm.text.split())] += 1
            for cand in rm.candidates:
                if cand.id != rm.place.id and len(entry.candidates) < MAX_CANDIDATES:
                    entry.candidates.setdefault(cand.id, cand)
    return entries


def feature(entry: PlaceEntry, article_order: dict[str, int]) -> dict:
    place = entry.place
    article_ids = sorted({m["article"] for m in entry.mentions}, key=article_order.__getitem__)
    return {
        "type": "Feature",
        "id": place.id,
        "geometry": {
            "type": "Point",
            "coordinates": [round(place.lon, COORD_DECIMALS), round(place.lat, COORD_DECIMALS)],
        },
        "properties": {
            "id": place.id,
            "name": display_name(place, entry.aliases),
            "gazetteer_name": place.name,
            "kind": place.kind,
            "country": place.country,
            "admin1": place.admin1_name,
            "geonameid": place.geonameid,
            "source": place.source,
            "aliases": [alias for alias, _ in entry.aliases.most_common()],
            "mention_count": len(entry.mentions),
            "articles": article_ids,
            "mentions": entry.mentions,
            "candidates": [candidate_dict(c) for c in entry.candidates.values()],
        },
    }


def article_summaries(articles: list[Article], resolved: dict[str, list[ResolvedMention]],
                      articles_dir: Path | None) -> list[dict]:
    rows = []
    for article in articles:
        found = [rm for rm in resolved.get(article.id, []) if rm.place is not None]
        try:
            path = str(article.path.relative_to(articles_dir)) if articles_dir else article.path.name
        except ValueError:
            path = article.path.name
        rows.append({
            "id": article.id,
            "title": article.title,
            "path": path,
            "place_count": len({rm.place.id for rm in found}),
            "mention_count": len(found),
        })
    return rows


def gazetteer_table(features: list[dict], articles: list[Article]) -> pd.DataFrame:
    rows = []
    for feat in features:
        props = feat["properties"]
        per_article = Counter(m["article"] for m in props["mentions"])
        lon, lat = feat["geometry"]["coordinates"]
        row = {
            "id": props["id"], "name": props["name"], "kind": props["kind"],
            "country": props["country"] or "", "lat": lat, "lon": lon, "source": props["source"],
            "geonameid": props["geonameid"] if props["geonameid"] is not None else "",
            "aliases": "; ".join(props["aliases"]), "mention_count": props["mention_count"],
        }
        for article in articles:
            row[f"mentions:{article.id}"] = per_article.get(article.id, 0)
        rows.append(row)
    columns = ["id", "name", "kind", "country", "lat", "lon", "source", "geonameid", "aliases",
               "mention_count"] + [f"mentions:{a.id}" for a in articles]
    return pd.DataFrame(rows, columns=columns)


def unresolved_list(articles: list[Article], resolved: dict[str, list[ResolvedMention]]) -> list[dict]:
    return [
        {"article": a.id, "start": rm.start, "end": rm.end, "text": rm.text}
        for a in articles for rm in resolved.get(a.id, []) if rm.place is None
    ]


def write_outputs(out_dir: str | os.PathLike, articles: list[Article],
                  resolved: dict[str, list[ResolvedMention]], *, articles_dir: Path | None = None,
                  skipped: list | None = None) -> dict:
    """Write the three output files into ``out_dir``; returns the FeatureCollection written."""
    out_dir = Path(out_dir)
    order = {a.id: i for i, a in enumerate(articles)}
    entries = collect_places(articles, resolved)
    features = [feature(e, order) for e in entries.values()]
    summaries = article_summaries(articles, resolved, articles_dir)
    collection = {"type": "FeatureCollection", "articles": summaries, "features": features}
    texts = {a.id: a.text for a in articles}
    build_id = hashlib.sha256(json.dumps(collection, sort_keys=True).encode()).hexdigest()[:16]
    collection["build_id"] = build_id
    table = gazetteer_table(features, articles)
    with atomic.StagedFiles() as staged:
        staged.write_json(out_dir / ARTICLES_FILE, {
            "build_id": build_id,
            "articles": [dict(s, text=texts[s["id"]]) for s in summaries],
            "unresolved": unresolved_list(articles, resolved),
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in (skipped or [])],
        })
        with staged.open(out_dir / GAZETTEER_FILE) as fh:
            table.to_csv(fh, index=False)
        staged.write_json(out_dir / PLACES_FILE, collection)
    return collection
