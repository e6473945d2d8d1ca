"""Turn resolved mentions into the pipeline's output files: places.geojson, gazetteer.csv, articles.json.

The files are described once in ``geodata/contract.py``. The three are staged complete before any is
renamed into place (places.geojson last), and all three carry the same ``build_id`` so a reader can tell
they belong together (the dashboard refuses a mixed set). An interrupted build leaves the previous
outputs as they were; its temporary files are removed by the next build. Every CSV cell goes through
``geodata.csvsafe`` and every file name through ``articles.safe_text`` (names that are not valid UTF-8).
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import atomic, csvsafe
from .articles import Article, display_path, safe_text
from .contract import ARTICLES_FILE, BUILD_ID_COLUMN, GAZETTEER_COLUMNS, GAZETTEER_FILE, OUTPUT_FILES, PLACES_FILE
from .language import fallback_notice
from .model import Place, ResolvedMention
from .params import Params, load_params
from .passages import passage
from .reasons import mention_reasons, pool

if TYPE_CHECKING:
    import pandas as pd

try:
    import fcntl
except ImportError:  # not POSIX: no lock, the stale temp files of other builds are left alone
    fcntl = None

LOCK_FILE = ".atlas-outputs.lock"
COORD_DECIMALS = 5
MAX_CANDIDATES = 5


@dataclass
class PlaceEntry:
    place: Place
    mentions: list[dict] = field(default_factory=list)
    aliases: Counter = field(default_factory=Counter)
    adjectives: Counter = field(default_factory=Counter)  # nationality words naming it ("British")
    reasons: dict[tuple[str, str], list] = field(default_factory=dict)  # (article, role) -> per-mention reasons
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


def provenance(article: Article) -> dict:
    """What every mention carries of its article, so an export row stands on its own."""
    return {"title": article.title, "date": article.date, "source": article.source, "url": article.url}


def collect_places(articles: list[Article], resolved: dict[str, list[ResolvedMention]],
                   params: Params | None = None) -> dict[str, PlaceEntry]:
    """Group resolved mentions (of every role) by place, in order of first appearance, with their
    evidence per article and role (``geodata/reasons.py``, under ``params``: default the shipped
    weights, which the build's parser uses)."""
    params = params or load_params()
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
                **provenance(article),
                **({"role": rm.role} if rm.role != "place" else {}),  # the contract's default: "place"
            })
            entry.reasons.setdefault((article.id, rm.role), []).append(mention_reasons(rm, params))
            (entry.aliases if rm.role == "place" else entry.adjectives)[" ".join(rm.text.split())] += 1
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
            # the spellings the articles name it by (its nationality words when it has no other)
            "aliases": [alias for alias, _ in (entry.aliases or entry.adjectives).most_common()],
            "mention_count": len(entry.mentions),
            "articles": article_ids,
            "mentions": entry.mentions,
            "candidates": [candidate_dict(c) for c in entry.candidates.values()],
            "evidence": [[aid, role, len(per), items] for (aid, role), per in entry.reasons.items()
                         if (items := pool(per))] or None,
        },
    }


def article_summaries(articles: list[Article], resolved: dict[str, list[ResolvedMention]],
                      articles_dir: Path | None) -> list[dict]:
    rows = []
    for article in articles:
        found = [rm for rm in resolved.get(article.id, []) if rm.place is not None and rm.role == "place"]
        try:
            path = display_path(article.path.relative_to(articles_dir)) if articles_dir else display_path(article.path.name)
        except ValueError:
            path = display_path(article.path.name)
        rows.append({
            "id": article.id,
            "title": article.title,
            "path": path,
            "place_count": len({rm.place.id for rm in found}),
            "mention_count": len(found),
            "date": article.date,
            "source": article.source,
            "url": article.url,
            "author": article.author,
            "format": article.format,
        })
    return rows


def _place_cells(feat: dict) -> dict:
    """The ``GAZETTEER_COLUMNS`` cells of one place, before they are made safe."""
    props = feat["properties"]
    lon, lat = feat["geometry"]["coordinates"]
    return {
        "id": props["id"], "name": props["name"], "kind": props["kind"],
        "country": props["country"] or "", "lat": float(lat), "lon": float(lon), "source": props["source"],
        "geonameid": props["geonameid"] if props["geonameid"] is not None else "",
        "aliases": "; ".join(props["aliases"]), "mention_count": props["mention_count"],
    }


def _article_counts(feat: dict, position: dict[str, int]) -> Counter:
    """Mentions of the place per article position."""
    return Counter(k for m in feat["properties"]["mentions"] if (k := position.get(m["article"])) is not None)


def gazetteer_table(features: list[dict], articles: list[Article], build_id: str = "") -> pd.DataFrame:
    """One row per place (columns: ``contract.GAZETTEER_COLUMNS``, a count per article, ``build_id``) as a
    DataFrame; text cells are already made spreadsheet-safe, and names that are not valid UTF-8 readable.
    ``write_gazetteer_csv`` writes the same table's CSV without pandas (a test holds them byte-equal)."""
    import numpy as np
    import pandas as pd

    position = {a.id: k for k, a in enumerate(articles)}
    counts = np.zeros((len(features), len(articles)), dtype=np.int64)
    for i, feat in enumerate(features):
        for k, n in _article_counts(feat, position).items():
            counts[i, k] = n
    frame = pd.DataFrame([_place_cells(f) for f in features], columns=list(GAZETTEER_COLUMNS))
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: safe_text(v) if isinstance(v, str) else v)
    per_article = pd.DataFrame(counts, columns=[f"mentions:{safe_text(a.id)}" for a in articles], index=frame.index)
    build = pd.DataFrame({BUILD_ID_COLUMN: [safe_text(build_id)] * len(frame)}, index=frame.index, dtype=object)
    return csvsafe.safe_frame(pd.concat([frame, per_article, build], axis=1))


def _csv_cell(value) -> str:
    """A cell as ``DataFrame.to_csv`` writes it: missing values empty, numbers as ``str`` gives them
    (shortest round-trip floats, as numpy's), text made readable and spreadsheet-safe."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return csvsafe.safe_cell(safe_text(value))
    return str(value)


def write_gazetteer_csv(fh: IO[str], features: list[dict], articles: list[Article], build_id: str = "") -> None:
    """``gazetteer.csv`` (the ``gazetteer_table``) written with the csv module, row by row: pandas is not
    imported and the places x articles count cells are text joined once per row ("0" where none)."""
    writer = csv.writer(fh, lineterminator=os.linesep, quoting=csv.QUOTE_MINIMAL)
    header = [*GAZETTEER_COLUMNS, *(f"mentions:{safe_text(a.id)}" for a in articles), BUILD_ID_COLUMN]
    writer.writerow([csvsafe.safe_cell(name) for name in header])
    position = {a.id: k for k, a in enumerate(articles)}
    zeros = ["0"] * len(articles)
    build = _csv_cell(build_id)
    for feat in features:
        counts = zeros.copy()
        for k, n in _article_counts(feat, position).items():
            counts[k] = str(n)
        cells = _place_cells(feat)
        writer.writerow([*(_csv_cell(cells[c]) for c in GAZETTEER_COLUMNS), *counts, build])


def unresolved_list(articles: list[Article], resolved: dict[str, list[ResolvedMention]]) -> list[dict]:
    return [
        {"article": a.id, "start": rm.start, "end": rm.end, "text": rm.text}
        for a in articles for rm in resolved.get(a.id, []) if rm.place is None and rm.role == "place"
    ]


def _safe_ids(articles: list[Article], resolved: dict[str, list[ResolvedMention]]):
    """Articles whose ids (from file names) are not valid UTF-8 get readable ids (U+FFFD) before writing."""
    if all(safe_text(a.id) == a.id for a in articles):
        return articles, resolved
    safe_articles = [dataclasses.replace(a, id=safe_text(a.id)) for a in articles]
    safe_resolved = {safe_text(k): v for k, v in resolved.items()}
    return safe_articles, safe_resolved


@contextlib.contextmanager
def output_lock(out_dir: Path):
    """One writer of ``out_dir`` at a time (a lock file released by the kernel if the build dies)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    with open(out_dir / LOCK_FILE, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def remove_stale_temp_files(out_dir: Path) -> list[Path]:
    """Temporary files a killed build left beside the outputs (``.<output name>.*.tmp``); call it while
    holding ``output_lock`` so no running build's files are taken."""
    removed = []
    for name in OUTPUT_FILES:
        for path in out_dir.glob(f".{name}.*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def place_collection(articles: list[Article], resolved: dict[str, list[ResolvedMention]], *,
                     articles_dir: Path | None = None) -> dict:
    """The FeatureCollection of ``places.geojson`` with its ``build_id`` (a hash of its contents): what the
    outputs and the store are made of. Computed without writing anything."""
    articles, resolved = _safe_ids(articles, resolved)
    order = {a.id: i for i, a in enumerate(articles)}
    entries = collect_places(articles, resolved)
    features = [feature(e, order) for e in entries.values()]
    summaries = article_summaries(articles, resolved, articles_dir)
    collection = {"type": "FeatureCollection", "articles": summaries, "features": features}
    collection["build_id"] = hashlib.sha256(json.dumps(collection, sort_keys=True).encode()).hexdigest()[:16]
    return collection


def write_outputs(out_dir: str | os.PathLike, articles: list[Article],
                  resolved: dict[str, list[ResolvedMention]], *, articles_dir: Path | None = None,
                  skipped: list | None = None) -> dict:
    """Write the three output files into ``out_dir``; returns the FeatureCollection written."""
    out_dir = Path(out_dir)
    collection = place_collection(articles, resolved, articles_dir=articles_dir)
    articles, resolved = _safe_ids(articles, resolved)
    summaries, features, build_id = collection["articles"], collection["features"], collection["build_id"]
    texts = {a.id: a.text for a in articles}
    languages = {a.id: a.language for a in articles}
    with output_lock(out_dir), atomic.StagedFiles() as staged:
        remove_stale_temp_files(out_dir)
        staged.write_json(out_dir / ARTICLES_FILE, {
            "build_id": build_id,
            "articles": [dict(s, text=texts[s["id"]], language=languages[s["id"]],
                              language_notice=fallback_notice(languages[s["id"]] or "und"))
                         for s in summaries],
            "unresolved": unresolved_list(articles, resolved),
            "skipped": [{"path": display_path(s.path), "reason": s.reason} for s in (skipped or [])],
        })
        with staged.open(out_dir / GAZETTEER_FILE) as fh:
            write_gazetteer_csv(fh, features, articles, build_id)
        staged.write_json(out_dir / PLACES_FILE, collection)
    return collection
