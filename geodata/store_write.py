"""Write the columnar store (layout: ``geodata/store_schema.py``): mention parts, then the rest and a swap.

A build opens a ``StagedStore`` in ``<out>/.stores/<run>``; the engines write mention parts into it
(``write_mention_part``, possibly on other machines sharing the folder); ``StagedStore.finish`` writes the
articles, places and per-article counts from the same data the JSON outputs were made of, then the
manifest, and points ``<out>/store`` at the new folder in one rename. A failed build removes its folder;
folders of killed builds are removed by the next build.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import atomic
from .articles import Article, safe_text
from .model import ResolvedMention
from .passages import passage
from .store_schema import (ARTICLES, FORMAT_VERSION, MANIFEST_FILE, MENTIONS, MENTIONS_DIR, PLACE_ARTICLES,
                           PLACES, STORE_LINK, STORES_DIR, mention_part_name, with_metadata)

ARTICLES_PER_PART = 100


def mention_rows(article_id: str, text: str, mentions: list[ResolvedMention]) -> list[dict]:
    rows = []
    article_id = safe_text(article_id)
    for seq, rm in enumerate(mentions):
        passage_text, passage_start = passage(text, rm.start, rm.end)
        rows.append({
            "article": article_id, "seq": seq, "start": rm.start, "end": rm.end, "text": text[rm.start:rm.end],
            "passage": passage_text, "passage_start": passage_start,
            "place": rm.place.id if rm.place is not None else None, "role": rm.role, "score": float(rm.score),
            "evidence": [(str(k), float(v)) for k, v in sorted(rm.evidence.items())],
            "candidates": [c.id for c in rm.candidates],
        })
    return rows


def _write_table(path: Path, rows: list[dict], schema: pa.Schema, table: str, run: str) -> int:
    """One Parquet file, renamed into place when complete (a retried worker task rewrites it whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic.atomic_path(path) as tmp:
        pq.write_table(pa.Table.from_pylist(rows, schema=with_metadata(schema, table, run)), tmp)
    return len(rows)


def write_mention_part(folder: str | os.PathLike, index: int, run: str, rows: list[dict]) -> int:
    """Write one part of the mentions table (parts are read in index order); returns its row count."""
    return _write_table(Path(folder) / mention_part_name(index), rows, MENTIONS, "mentions", run)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def article_rows(collection: dict, articles: list[Article]) -> list[dict]:
    by_id = {safe_text(a.id): a for a in articles}  # the summaries' ids are made readable (U+FFFD)
    return [dict(summary, ord=k, language=by_id[summary["id"]].language, text=by_id[summary["id"]].text)
            for k, summary in enumerate(collection["articles"])]


def place_rows(collection: dict) -> list[dict]:
    rows = []
    for k, feat in enumerate(collection["features"]):
        props = feat["properties"]
        lon, lat = feat["geometry"]["coordinates"]
        rows.append({
            "id": props["id"], "ord": k, "name": props["name"], "gazetteer_name": props["gazetteer_name"],
            "kind": props["kind"], "country": props["country"], "admin1": props["admin1"],
            "geonameid": props["geonameid"], "source": props["source"], "lat": lat, "lon": lon,
            "aliases": props["aliases"], "mention_count": props["mention_count"],
            "candidates": props["candidates"],
            "evidence": json.dumps(props["evidence"]) if props.get("evidence") is not None else None,
        })
    return rows


def place_article_rows(collection: dict) -> list[dict]:
    dates = {a["id"]: a.get("date") for a in collection["articles"]}
    rows = []
    for feat in collection["features"]:
        props = feat["properties"]
        counts = Counter(m["article"] for m in props["mentions"])
        rows += [{"place": props["id"], "article": a, "mentions": counts[a], "date": dates.get(a)}
                 for a in props["articles"]]
    return rows


class StagedStore:
    """A store folder being written; ``finish`` makes it ``<out>/store``, an error removes it."""

    def __init__(self, out_dir: str | os.PathLike):
        self.out_dir = Path(out_dir)
        self.run = f"{os.getpid()}-{secrets.token_hex(6)}"
        self.folder = self.out_dir / STORES_DIR / self.run

    def __enter__(self) -> "StagedStore":
        (self.folder / MENTIONS_DIR).mkdir(parents=True)
        return self

    def __exit__(self, exc_type, _exc, _tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def rewrite_mentions(self, articles: list[Article], resolved: dict[str, list[ResolvedMention]]) -> None:
        """Replace every mention part with the given mentions (after a step that changed them: the online
        geocoder), in parts of ``ARTICLES_PER_PART`` articles."""
        for old in (self.folder / MENTIONS_DIR).glob("*.parquet"):
            old.unlink()
        for index in range(0, len(articles), ARTICLES_PER_PART):
            rows = [row for a in articles[index:index + ARTICLES_PER_PART]
                    for row in mention_rows(a.id, a.text, resolved.get(a.id, []))]
            write_mention_part(self.folder, index // ARTICLES_PER_PART, self.run, rows)

    def _mention_parts(self) -> list[dict]:
        parts = sorted((self.folder / MENTIONS_DIR).glob("*.parquet"))
        return [{"file": p.relative_to(self.folder).as_posix(), "rows": pq.read_metadata(p).num_rows} for p in parts]

    def finish(self, collection: dict, articles: list[Article]) -> Path:
        """Write the other tables and the manifest (``build_id`` from ``collection``), then swap
        ``<out>/store`` to this folder; older store folders are removed. Returns the link."""
        tables = {}
        for name, rows, schema in (("articles", article_rows(collection, articles), ARTICLES),
                                   ("places", place_rows(collection), PLACES),
                                   ("place_articles", place_article_rows(collection), PLACE_ARTICLES)):
            count = _write_table(self.folder / f"{name}.parquet", rows, schema, name, self.run)
            tables[name] = [{"file": f"{name}.parquet", "rows": count}]
        tables["mentions"] = self._mention_parts()
        atomic.write_json(self.folder / MANIFEST_FILE, {
            "format": FORMAT_VERSION, "build_id": collection["build_id"], "run": self.run, "tables": tables,
        }, indent=1)
        return self._swap()

    def _swap(self) -> Path:
        link = self.out_dir / STORE_LINK
        if link.is_dir() and not link.is_symlink():  # a plain folder in the way: set it aside first
            link.rename(self.out_dir / STORES_DIR / f"replaced-{self.run}")
        tmp = self.out_dir / f".{STORE_LINK}.{self.run}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(Path(STORES_DIR) / self.run, tmp, target_is_directory=True)
        os.replace(tmp, link)
        self._remove_old()
        return link

    def _remove_old(self) -> None:
        """Store folders other than this one, except those of builds still running."""
        for folder in (self.out_dir / STORES_DIR).iterdir():
            if folder.name == self.run:
                continue
            pid = folder.name.split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid)):
                continue
            shutil.rmtree(folder, ignore_errors=True)
