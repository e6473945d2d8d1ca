"""The columnar store's layout, described once: four tables of Parquet files and a manifest.

``<out>/store`` is a symbolic link to one complete store folder (``<out>/.stores/<run>``); a build
stages a new folder and swaps the link in one rename, so a reader sees the old store or the new one.
In the folder:

- ``articles.parquet``: ``ARTICLES`` (one row per article, in build order ``ord``, with its full text);
- ``mentions/part-NNNNN.parquet``: ``MENTIONS`` (one row per mention, resolved or not; written in parts,
  one per group of articles, possibly by several workers), concatenated in file-name order;
- ``places.parquet``: ``PLACES`` (one row per place in order of first appearance, ``ord``);
- ``place_articles.parquet``: ``PLACE_ARTICLES`` (mentions of each place per article: the long form of
  ``gazetteer.csv``'s per-article columns);
- ``manifest.json``: ``build_id`` (the same as the JSON outputs'), the ``run`` token every Parquet file of
  this store carries in its metadata, and each file with its row count.

``read_manifest`` validates a folder against all of this and refuses a mixed or tampered one. Needs only
pyarrow (no spaCy, no gazetteer).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

STORE_LINK = "store"
STORES_DIR = ".stores"
MANIFEST_FILE = "manifest.json"
MENTIONS_DIR = "mentions"
FORMAT_VERSION = 1
RUN_KEY = b"atlas.run"
TABLE_KEY = b"atlas.table"

ARTICLES = pa.schema([
    ("id", pa.string()), ("ord", pa.int64()), ("title", pa.string()), ("path", pa.string()),
    ("date", pa.string()), ("source", pa.string()), ("url", pa.string()), ("author", pa.string()),
    ("format", pa.string()), ("language", pa.string()), ("place_count", pa.int64()),
    ("mention_count", pa.int64()), ("text", pa.string()),
])

MENTIONS = pa.schema([
    ("article", pa.string()), ("seq", pa.int64()),  # seq: the mention's position in its article
    ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
    ("passage", pa.string()), ("passage_start", pa.int64()),
    ("place", pa.string()),  # null: left unresolved
    ("role", pa.string()), ("score", pa.float64()),
    ("evidence", pa.map_(pa.string(), pa.float64())),  # the recognizer's named evidence
    ("candidates", pa.list_(pa.string())),  # ranked alternative place ids
])

CANDIDATE = pa.struct([
    ("id", pa.string()), ("name", pa.string()), ("kind", pa.string()), ("country", pa.string()),
    ("geonameid", pa.int64()), ("lat", pa.float64()), ("lon", pa.float64()), ("source", pa.string()),
])

PLACES = pa.schema([
    ("id", pa.string()), ("ord", pa.int64()), ("name", pa.string()), ("gazetteer_name", pa.string()),
    ("kind", pa.string()), ("country", pa.string()), ("admin1", pa.string()), ("geonameid", pa.int64()),
    ("source", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()),
    ("aliases", pa.list_(pa.string())), ("mention_count", pa.int64()),
    ("candidates", pa.list_(CANDIDATE)),
    ("evidence", pa.string()),  # the place's compact evidence per article and role, as JSON (contract.py)
])

PLACE_ARTICLES = pa.schema([
    ("place", pa.string()), ("article", pa.string()), ("mentions", pa.int64()), ("date", pa.string()),
])

SCHEMAS = {"articles": ARTICLES, "mentions": MENTIONS, "places": PLACES, "place_articles": PLACE_ARTICLES}
SINGLE_FILE_TABLES = ("articles", "places", "place_articles")


class StoreError(ValueError):
    """The store is missing, mixed or tampered with; the message says which file and why."""


@dataclass(frozen=True)
class Manifest:
    folder: Path
    build_id: str
    run: str
    files: dict[str, list[str]]  # table -> its files (relative to the folder), in order

    def paths(self, table: str) -> list[Path]:
        return [self.folder / name for name in self.files[table]]


def with_metadata(schema: pa.Schema, table: str, run: str) -> pa.Schema:
    return schema.with_metadata({RUN_KEY: run.encode(), TABLE_KEY: table.encode()})


def mention_part_name(index: int) -> str:
    return f"{MENTIONS_DIR}/part-{index:05d}.parquet"


def _load_manifest_json(folder: Path) -> dict:
    path = folder / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{folder}: no {MANIFEST_FILE} (not a store, or a build was interrupted)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise StoreError(f"{path}: not a store manifest of format {FORMAT_VERSION}")
    for key in ("build_id", "run"):
        if not isinstance(data.get(key), str):
            raise StoreError(f"{path}: {key!r} missing")
    if not isinstance(data.get("tables"), dict) or set(data["tables"]) != set(SCHEMAS):
        raise StoreError(f"{path}: 'tables' must list exactly {sorted(SCHEMAS)}")
    return data


def _check_file(path: Path, table: str, run: str, rows: int) -> None:
    try:
        meta = pq.read_metadata(path)
    except FileNotFoundError:
        raise StoreError(f"{path}: listed in the manifest but missing") from None
    except (OSError, pa.ArrowException) as exc:
        raise StoreError(f"{path}: not a readable Parquet file ({exc})") from None
    schema = meta.schema.to_arrow_schema()
    found_run = (schema.metadata or {}).get(RUN_KEY, b"").decode(errors="replace")
    if found_run != run:
        raise StoreError(f"{path}: written by another build (run {found_run or 'unknown'}, the manifest's is "
                         f"{run}): the store is mixed; rebuild it")
    if not schema.remove_metadata().equals(SCHEMAS[table]):
        raise StoreError(f"{path}: its columns do not match the {table} table's schema")
    if meta.num_rows != rows:
        raise StoreError(f"{path}: {meta.num_rows} rows, the manifest says {rows}")


def read_manifest(folder: str | Path) -> Manifest:
    """Validate a store folder (``<out>/store`` or the folder it links to) and return its manifest.
    Raises StoreError naming the first problem: a missing or extra file, another build's file, a
    schema or row count that differs from the manifest."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StoreError(f"{folder}: no store here (build with python -m geodata build)")
    data = _load_manifest_json(folder)
    files: dict[str, list[str]] = {}
    for table, listed in data["tables"].items():
        if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
            raise StoreError(f"{folder / MANIFEST_FILE}: table {table!r} must list its files")
        if table in SINGLE_FILE_TABLES and len(listed) != 1:
            raise StoreError(f"{folder / MANIFEST_FILE}: table {table!r} must have exactly one file")
        for entry in listed:
            _check_file(folder / str(entry.get("file")), table, data["run"], entry.get("rows"))
        files[table] = [str(e["file"]) for e in listed]
    present = {p.relative_to(folder).as_posix() for p in (folder / MENTIONS_DIR).glob("*.parquet")}
    extra = sorted(present - set(files["mentions"]))
    if extra:
        raise StoreError(f"{folder}: {extra[0]} is not in the manifest (a file of another build): the store is "
                         "mixed; rebuild it")
    return Manifest(folder, data["build_id"], data["run"], files)
