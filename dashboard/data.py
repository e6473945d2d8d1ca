"""Read the pipeline's output files (places.geojson, articles.json) for the dashboard.

The dashboard never imports the pipeline: when the outputs are missing or older than the articles it
runs `python -m geodata build --articles A --out D` in a subprocess and reads the files it wrote.
Everything read here is untrusted text; rendering code escapes it.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from dashboard import settings

REPO = Path(__file__).resolve().parent.parent
PLACES_FILE = "places.geojson"
ARTICLES_FILE = "articles.json"
BUILD_TIMEOUT_S = 1800

# Colour-blind friendly palette (Okabe-Ito + Tableau extras); articles cycle through it.
PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
    "#56B4E9", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF",
]


class DataError(Exception):
    """The output files are missing or malformed (the message says which and why)."""


@dataclass(frozen=True)
class Config:
    articles_dir: Path
    data_dir: Path
    editing: bool = False
    overrides: Path | None = None


def config_from_env(env: dict | None = None) -> Config:
    articles = settings.read("ATLAS_ARTICLES_DIR", env)
    data = settings.read("ATLAS_DATA_DIR", env)
    editing = settings.read("ATLAS_EDITING", env)
    overrides = settings.read("ATLAS_OVERRIDES", env)
    return Config(articles.resolve(), data.resolve(), editing, overrides.resolve())


def article_files(articles_dir: Path) -> list[Path]:
    if not articles_dir.is_dir():
        return []
    return sorted(p for p in articles_dir.rglob("*.txt") if p.is_file())


def build_reason(articles_dir: Path, data_dir: Path, overrides: Path | None = None,
                 files: list[Path] | None = None) -> str | None:
    """Why the outputs must be (re)built, or None when they are up to date (articles and the
    overrides file are the inputs). ``files``: article_files(articles_dir) when the caller has it."""
    outputs = [data_dir / PLACES_FILE, data_dir / ARTICLES_FILE]
    missing = [p.name for p in outputs if not p.is_file()]
    if missing:
        return f"missing {', '.join(missing)}"
    oldest = min(p.stat().st_mtime for p in outputs)
    newest_input = articles_dir.stat().st_mtime if articles_dir.is_dir() else 0.0
    for p in article_files(articles_dir) if files is None else files:
        newest_input = max(newest_input, p.stat().st_mtime)
    if newest_input > oldest:
        return "articles changed since the last build"
    if overrides is not None and overrides.is_file() and overrides.stat().st_mtime > oldest:
        return "overrides changed since the last build"
    return None


@dataclass
class BuildResult:
    """What a build subprocess did. ``message`` is the short summary the app shows (the last lines of
    stdout on success, of stderr or stdout on failure); ``output`` is stdout and stderr in full."""
    ok: bool
    returncode: int
    output: str
    seconds: float
    command: list[str]
    message: str = ""


def build_command(articles_dir: Path, data_dir: Path, overrides: Path | None = None,
                  progress_lines: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "geodata", "build", "--articles", str(articles_dir), "--out", str(data_dir)]
    if overrides is not None:
        cmd += ["--overrides", str(overrides)]
    if progress_lines:
        cmd.append("--progress-lines")
    return cmd


def _progress(line: str) -> tuple[int, int] | None:
    """(done, total) from a build's `progress N M` line, else None."""
    parts = line.split()
    if len(parts) == 3 and parts[0] == "progress" and parts[1].isdigit() and parts[2].isdigit():
        return int(parts[1]), int(parts[2])
    return None


def run_build(articles_dir: Path, data_dir: Path, timeout: float = BUILD_TIMEOUT_S,
              overrides: Path | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Run the pipeline's build command in a subprocess (the online geocoder, if any, comes from
    ``ATLAS_GEOCODER``); ``on_progress(done, total)`` is called as articles are parsed. Never raises
    for a failed build."""
    command = build_command(articles_dir, data_dir, overrides, progress_lines=on_progress is not None)
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        x for x in (str(REPO), os.environ.get("PYTHONPATH", "")) if x)}
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        try:
            proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=err, text=True,
                                    errors="replace", env=env)
        except OSError as exc:
            message = f"could not start the build: {exc}"
            return BuildResult(False, -1, message, time.monotonic() - started, command, message)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            for line in proc.stdout:
                step = _progress(line)
                if step is None:
                    lines.append(line.rstrip("\n"))
                elif on_progress is not None:
                    on_progress(*step)
            proc.wait()
        finally:
            timer.cancel()
        err.seek(0)
        stderr = err.read().strip()
    seconds = time.monotonic() - started
    stdout = "\n".join(lines).strip()
    output = (stdout + (("\n" + stderr) if stderr else "")).strip()
    if seconds >= timeout and proc.returncode != 0:
        return BuildResult(False, -1, output + f"\nbuild stopped after {timeout:.0f} s", seconds, command,
                           f"the build took longer than {timeout:.0f} s and was stopped")
    if proc.returncode != 0:
        out = stderr or stdout
        message = "\n".join(out.splitlines()[-20:]) or f"exit status {proc.returncode}"
        return BuildResult(False, proc.returncode, output, seconds, command, message)
    return BuildResult(True, 0, output, seconds, command, "\n".join(stdout.splitlines()[-5:]))


def output_signature(data_dir: Path) -> tuple:
    """Changes whenever an output file is rewritten (used as the cache key)."""
    sig = []
    for name in (PLACES_FILE, ARTICLES_FILE):
        p = data_dir / name
        try:
            st = p.stat()
            sig.append((name, st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            sig.append((name, None, None))
    return tuple(sig)


@dataclass
class Atlas:
    places: list[dict]
    by_id: dict[str, dict]
    articles: list[dict]
    article_by_id: dict[str, dict]
    texts: dict[str, str]
    colours: dict[str, str]
    problems: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)          # (file, reason)
    unresolved: list[tuple[str, int, int]] = field(default_factory=list)  # (name, articles, mentions)

    @property
    def bounds(self) -> list[list[float]] | None:
        if not self.places:
            return None
        lats = [p["lat"] for p in self.places]
        lons = [p["lon"] for p in self.places]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    return None


def _int(v) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.isdigit():
        return int(v)
    return None


def _num(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _mention(m, problems: list[str]) -> dict | None:
    if not isinstance(m, dict):
        return None
    article = _str(m.get("article"))
    text = m.get("text") if isinstance(m.get("text"), str) else ""
    passage = m.get("passage") if isinstance(m.get("passage"), str) else text
    start, end, pstart = _int(m.get("start")), _int(m.get("end")), _int(m.get("passage_start"))
    if article is None:
        return None
    return {"article": article, "start": start, "end": end, "text": text,
            "passage": passage, "passage_start": pstart}


def _skipped(items) -> list[tuple[str, str]]:
    """The files the build skipped: (file, reason)."""
    out = []
    for s in items if isinstance(items, list) else []:
        if isinstance(s, dict) and isinstance(s.get("path"), str):
            out.append((Path(s["path"]).name, s.get("reason") if isinstance(s.get("reason"), str) else ""))
    return out


def _unresolved(items) -> list[tuple[str, int, int]]:
    """The names the build could not place: (name, articles, mentions), most mentioned first."""
    mentions: dict[str, int] = {}
    articles: dict[str, set] = {}
    for m in items if isinstance(items, list) else []:
        if isinstance(m, dict) and isinstance(m.get("text"), str) and m["text"].strip():
            name = " ".join(m["text"].split())
            mentions[name] = mentions.get(name, 0) + 1
            articles.setdefault(name, set()).add(_str(m.get("article")))
    return sorted(((n, len(articles[n]), c) for n, c in mentions.items()), key=lambda t: (-t[2], t[0]))


def _load_json(path: Path) -> object:
    try:
        with path.open("r", encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise DataError(f"{path.name} not found in {path.parent}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path.name} is not valid JSON: {exc}") from None
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc}") from None


def load_atlas(data_dir: Path) -> Atlas:
    """Read and validate the outputs. Broken features are skipped and listed in `problems`."""
    problems: list[str] = []
    doc = _load_json(data_dir / PLACES_FILE)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        raise DataError(f"{PLACES_FILE} is not a GeoJSON FeatureCollection")

    articles: list[dict] = []
    seen_articles: set[str] = set()
    for a in doc.get("articles") or []:
        aid = _str(a.get("id")) if isinstance(a, dict) else None
        if aid is None or aid in seen_articles:
            problems.append("an article entry without a usable id was skipped")
            continue
        seen_articles.add(aid)
        title = a.get("title") if isinstance(a.get("title"), str) else ""
        articles.append({
            "id": aid, "title": title.strip() or aid,
            "place_count": _int(a.get("place_count")),
            "mention_count": _int(a.get("mention_count")),
        })

    places: list[dict] = []
    by_id: dict[str, dict] = {}
    for i, f in enumerate(doc["features"]):
        try:
            geom = f["geometry"]
            if geom.get("type") != "Point":
                raise ValueError("geometry is not a Point")
            lon, lat = (_num(c) for c in geom["coordinates"][:2])
            if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("coordinates out of range")
            props = f.get("properties") or {}
            pid = _str(f.get("id")) or _str(props.get("id"))
            if not pid:
                raise ValueError("no id")
            if pid in by_id:
                raise ValueError(f"duplicate id {pid!r}")
            name = props.get("name") if isinstance(props.get("name"), str) else pid
            mentions = [m for m in (_mention(m, problems) for m in props.get("mentions") or []) if m]
            arts = [a for a in (_str(x) for x in props.get("articles") or []) if a]
            for m in mentions:
                if m["article"] not in arts:
                    arts.append(m["article"])
            count = _int(props.get("mention_count"))
            place = {
                "id": pid, "name": name,
                "kind": _str(props.get("kind")) or "",
                "country": _str(props.get("country")),
                "admin1": props.get("admin1") if isinstance(props.get("admin1"), str) else None,
                "gazetteer_name": props.get("gazetteer_name") if isinstance(props.get("gazetteer_name"), str) else None,
                "geonameid": _int(props.get("geonameid")),
                "source": _str(props.get("source")) or "",
                "aliases": [a for a in props.get("aliases") or [] if isinstance(a, str)],
                "lat": lat, "lon": lon,
                "mention_count": count if count is not None else len(mentions),
                "articles": arts,
                "mentions": mentions,
                "candidates": [c for c in props.get("candidates") or [] if isinstance(c, dict)],
            }
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"feature #{i} skipped: {exc}")
            continue
        by_id[pid] = place
        places.append(place)

    # Articles referenced by places but missing from the list still get an entry.
    for p in places:
        for aid in p["articles"]:
            if aid not in seen_articles:
                seen_articles.add(aid)
                articles.append({"id": aid, "title": aid, "place_count": None, "mention_count": None})
    counts: dict[str, set] = {a["id"]: set() for a in articles}
    for p in places:
        for aid in p["articles"]:
            counts[aid].add(p["id"])
    for a in articles:
        if a["place_count"] is None:
            a["place_count"] = len(counts[a["id"]])

    texts: dict[str, str] = {}
    skipped: list[tuple[str, str]] = []
    unresolved: list[tuple[str, int, int]] = []
    art_path = data_dir / ARTICLES_FILE
    if art_path.is_file():
        adoc = _load_json(art_path)
        items = adoc.get("articles") if isinstance(adoc, dict) else None
        if not isinstance(items, list):
            raise DataError(f"{ARTICLES_FILE} has no 'articles' list")
        for a in items:
            if isinstance(a, dict) and _str(a.get("id")) and isinstance(a.get("text"), str):
                texts[_str(a["id"])] = a["text"]
        skipped = _skipped(adoc.get("skipped"))
        unresolved = _unresolved(adoc.get("unresolved"))
    else:
        problems.append(f"{ARTICLES_FILE} is missing: full articles cannot be shown")

    colours = {a["id"]: PALETTE[i % len(PALETTE)] for i, a in enumerate(articles)}
    article_by_id = {a["id"]: a for a in articles}
    return Atlas(places, by_id, articles, article_by_id, texts, colours, problems, skipped, unresolved)
