"""Queries on the columnar store (``geodata/store_schema.py``) with DuckDB: what the dashboard will ask.

``Store.open(out_dir)`` validates the store (a mixed or tampered one is refused with the reason) and
answers, for a ``Selection`` of articles (ids, sources, a date range; all articles by default):

- ``places_in_view``: the places in a bounding box aggregated into grid cells sized by zoom (count,
  mentions, weighted centre, the most-mentioned place of each cell);
- ``passages``: the mentions of one place with their passages and provenance, paged (offset, limit);
- ``iter_geojson`` / ``iter_gazetteer_csv`` / ``iter_long_csv``: streamed exports. For all articles the
  first two have the same contents as the build's ``places.geojson`` and ``gazetteer.csv``; for a
  selection they hold its mentions only (a place's name, aliases and alternatives stay the whole
  build's). The long CSV is one row per (place, article): ``place, article, mentions``.

Needs duckdb and pyarrow only (no spaCy, no gazetteer). Each call uses its own cursor, so one Store can
serve several threads.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb

from .articles import safe_text
from .contract import BUILD_ID_COLUMN, GAZETTEER_COLUMNS
from .csvsafe import safe_cell
from .store_schema import STORE_LINK, Manifest, read_manifest

TILE_PX = 256
DEFAULT_CELL_PX = 64
FETCH_ROWS = 5_000
SUMMARY_FIELDS = ("id", "title", "path", "place_count", "mention_count", "date", "source", "url", "author", "format")
MENTION_FIELDS = ("article", "start", "end", "text", "passage", "passage_start", "title", "date", "source", "url")
LONG_COLUMNS = ("place", "article", "mentions")


@dataclass(frozen=True)
class Selection:
    """Which articles count: all of those given (None: no filter of that kind). Dates are ISO 8601 text,
    both ends inclusive ("2024-05" as ``date_to`` takes all of May); an article without a date is outside
    any date range."""

    articles: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def where(self) -> tuple[str, list]:
        clauses, params = [], []
        if self.articles is not None:
            clauses.append("list_contains(?, id)")
            params.append(list(self.articles))
        if self.sources is not None:
            clauses.append("list_contains(?, source)")
            params.append(list(self.sources))
        if self.date_from:
            clauses.append("date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("substr(date, 1, ?) <= ?")
            params += [len(self.date_to), self.date_to]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


ALL = Selection()


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _rows(cursor, sql: str, params: list) -> Iterator[dict]:
    """Stream a query's rows as dicts, a batch at a time."""
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(FETCH_ROWS):
        for row in batch:
            yield dict(zip(names, row))


class Store:
    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self._con = duckdb.connect(":memory:")
        for table in ("articles", "places", "place_articles", "mentions"):
            self._con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({_sql_list(manifest.paths(table))})")

    @classmethod
    def open(cls, out_dir: str | os.PathLike) -> "Store":
        """The store of an output folder (``<out>/store``) or a store folder itself. Raises
        ``store_schema.StoreError`` when it is missing, mixed or tampered with."""
        path = Path(out_dir)
        link = path / STORE_LINK
        folder = Path(os.path.realpath(link if link.exists() or link.is_symlink() else path))
        return cls(read_manifest(folder))  # the folder the link names now: a later swap cannot mix them

    @property
    def build_id(self) -> str:
        return self.manifest.build_id

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _with_selection(self, selection: Selection, sql: str, params: list | None = None) -> tuple[str, list]:
        where, where_params = selection.where()
        return f"WITH sel AS (SELECT * FROM articles{where}) {sql}", [*where_params, *(params or [])]

    def articles(self, selection: Selection = ALL) -> list[dict]:
        """The selected articles' summaries (no text), in build order."""
        sql, params = self._with_selection(selection, f"SELECT {', '.join(SUMMARY_FIELDS)} FROM sel ORDER BY ord")
        return list(_rows(self._con.cursor(), sql, params))

    def places_in_view(self, west: float, south: float, east: float, north: float, zoom: int,
                       selection: Selection = ALL, cell_px: int = DEFAULT_CELL_PX) -> list[dict]:
        """Grid cells of about ``cell_px`` screen pixels at ``zoom`` (cells in degrees of longitude, the
        same in latitude) holding the selection's places inside the box; a box with ``west > east``
        crosses the antimeridian. Each cell: ``lat``/``lon`` (centre weighted by mentions), ``places``,
        ``mentions``, and ``place``/``name`` of its most-mentioned place (first seen wins a tie), most
        mentioned cells first."""
        cell = 360.0 / (TILE_PX * 2 ** max(0, zoom)) * cell_px
        lon_test = "p.lon BETWEEN ? AND ?" if west <= east else "(p.lon >= ? OR p.lon <= ?)"
        sql, params = self._with_selection(selection, f"""
            , counts AS (SELECT pa.place, sum(pa.mentions) AS n FROM place_articles pa JOIN sel ON pa.article = sel.id
                         GROUP BY pa.place)
            SELECT floor((p.lon + 180) / ?) AS cx, floor((p.lat + 90) / ?) AS cy, count(*) AS places,
                   sum(c.n) AS mentions, sum(p.lat * c.n) / sum(c.n) AS lat, sum(p.lon * c.n) / sum(c.n) AS lon,
                   max_by(p.id, c.n * 1000000000 - p.ord) AS place, max_by(p.name, c.n * 1000000000 - p.ord) AS name
            FROM places p JOIN counts c ON c.place = p.id
            WHERE p.lat BETWEEN ? AND ? AND {lon_test}
            GROUP BY cx, cy ORDER BY mentions DESC, cx, cy""", [cell, cell, south, north, west, east])
        return [{k: v for k, v in row.items() if k not in ("cx", "cy")} for row in _rows(self._con.cursor(), sql, params)]

    def passages(self, place_id: str, selection: Selection = ALL, offset: int = 0, limit: int = 20) -> dict:
        """One page of a place's mentions (article order, then text order): ``{"total", "mentions"}``, each
        mention with its passage and its article's title, date, source and url."""
        cursor = self._con.cursor()
        sql, params = self._with_selection(selection, "SELECT count(*) FROM mentions m JOIN sel s ON m.article = s.id "
                                                      "WHERE m.place = ?", [place_id])
        total = cursor.execute(sql, params).fetchone()[0]
        sql, params = self._with_selection(selection, """
            SELECT m.article, m.start, m."end", m.text, m.passage, m.passage_start, s.title, s.date, s.source, s.url
            FROM mentions m JOIN sel s ON m.article = s.id WHERE m.place = ?
            ORDER BY s.ord, m.seq LIMIT ? OFFSET ?""", [place_id, max(0, limit), max(0, offset)])
        return {"total": total, "mentions": list(_rows(cursor, sql, params))}

    # ---- exports -------------------------------------------------------------------------------
    def _places(self, selection: Selection, columns: str) -> Iterator[dict]:
        """The places with a mention in the selection, in build order, with their selected mention count."""
        sql, params = self._with_selection(selection, f"""
            , counts AS (SELECT pa.place, sum(pa.mentions) AS selected FROM place_articles pa
                         JOIN sel ON pa.article = sel.id GROUP BY pa.place)
            SELECT {columns}, c.selected FROM places p JOIN counts c ON c.place = p.id ORDER BY p.ord""")
        return _rows(self._con.cursor(), sql, params)

    def _place_mentions(self, selection: Selection) -> Iterator[tuple[str, list[dict]]]:
        """(place id, its selected mentions) in build order of the places."""
        sql, params = self._with_selection(selection, f"""
            SELECT m.place AS place_id, {', '.join('s.' + f if f in ('title', 'date', 'source', 'url')
                                                   else 'm."' + f + '"' for f in MENTION_FIELDS)}
            FROM mentions m JOIN sel s ON m.article = s.id JOIN places p ON p.id = m.place
            ORDER BY p.ord, s.ord, m.seq""")
        yield from _grouped(_rows(self._con.cursor(), sql, params), "place_id")

    def iter_geojson(self, selection: Selection = ALL) -> Iterator[str]:
        """``places.geojson`` for the selection, in pieces (one per place)."""
        yield '{"type": "FeatureCollection", "build_id": ' + json.dumps(self.build_id) + ', "articles": '
        yield json.dumps(self.articles(selection), ensure_ascii=False) + ', "features": ['
        mentions = self._place_mentions(selection)
        for k, place in enumerate(self._places(selection, "p.*")):
            place_id, found = next(mentions)
            assert place_id == place["id"], "places and mentions out of step"
            yield ("" if k == 0 else ", ") + json.dumps(_feature(place, found), ensure_ascii=False)
        yield "]}\n"

    def iter_gazetteer_csv(self, selection: Selection = ALL) -> Iterator[str]:
        """``gazetteer.csv`` for the selection (a column of counts per selected article), row by row."""
        article_ids = [a["id"] for a in self.articles(selection)]
        header = [*GAZETTEER_COLUMNS, *(f"mentions:{safe_text(a)}" for a in article_ids), BUILD_ID_COLUMN]
        yield _csv_line([safe_cell(h) for h in header])
        sql, params = self._with_selection(selection, """
            SELECT pa.place, pa.article, pa.mentions FROM place_articles pa JOIN sel ON pa.article = sel.id
            JOIN places p ON p.id = pa.place ORDER BY p.ord, sel.ord""")
        counts = _grouped(_rows(self._con.cursor(), sql, params), "place")
        for place in self._places(selection, "p.id, p.name, p.kind, p.country, p.lat, p.lon, p.source, "
                                              "p.geonameid, p.aliases"):
            _, rows = next(counts)
            per_article = {r["article"]: r["mentions"] for r in rows}
            row = [place["id"], place["name"], place["kind"], place["country"] or "", place["lat"], place["lon"],
                   place["source"], place["geonameid"] if place["geonameid"] is not None else "",
                   "; ".join(place["aliases"]), place["selected"],
                   *(per_article.get(a, 0) for a in article_ids), self.build_id]
            yield _csv_line([_cell(v) for v in row])

    def iter_long_csv(self, selection: Selection = ALL) -> Iterator[str]:
        """One row per (place, article) with the mentions of the place in the article."""
        yield _csv_line(list(LONG_COLUMNS))
        sql, params = self._with_selection(selection, """
            SELECT pa.place, pa.article, pa.mentions FROM place_articles pa JOIN sel ON pa.article = sel.id
            JOIN places p ON p.id = pa.place ORDER BY p.ord, sel.ord""")
        for row in _rows(self._con.cursor(), sql, params):
            yield _csv_line([_cell(row[c]) for c in LONG_COLUMNS])


def _grouped(rows: Iterator[dict], key: str) -> Iterator[tuple[str, list[dict]]]:
    """Consecutive rows with the same ``key`` value, as (value, rows without the key)."""
    current, group = None, []
    for row in rows:
        value = row.pop(key)
        if group and value != current:
            yield current, group
            group = []
        current = value
        group.append(row)
    if group:
        yield current, group


def _feature(place: dict, mentions: list[dict]) -> dict:
    articles = list(dict.fromkeys(m["article"] for m in mentions))
    return {
        "type": "Feature",
        "id": place["id"],
        "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
        "properties": {
            "id": place["id"], "name": place["name"], "gazetteer_name": place["gazetteer_name"],
            "kind": place["kind"], "country": place["country"], "admin1": place["admin1"],
            "geonameid": place["geonameid"], "source": place["source"], "aliases": list(place["aliases"]),
            "mention_count": len(mentions), "articles": articles, "mentions": mentions,
            "candidates": [dict(c) for c in place["candidates"]],
            **_evidence(place, set(articles)),
        },
    }


def _evidence(place: dict, articles: set[str]) -> dict:
    """The place's evidence groups of the articles exported (none written by builds without it)."""
    if place.get("evidence") is None:
        return {}
    return {"evidence": [group for group in json.loads(place["evidence"]) if group[0] in articles]}


def _cell(value):
    return safe_cell(safe_text(value)) if isinstance(value, str) else value


def _csv_line(cells: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def table_rows(out_dir: str | os.PathLike) -> dict[str, list[dict]]:
    """Every table of a store as rows (mention parts concatenated in order): to compare two stores whole
    (the run tokens in the files' metadata differ, the contents should not). Small stores only."""
    import pyarrow.parquet as pq

    with Store.open(out_dir) as store:
        manifest = store.manifest
    return {table: [row for path in manifest.paths(table) for row in pq.read_table(path).to_pylist()]
            for table in manifest.files}
