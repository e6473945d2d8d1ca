"""Read the pipeline's output files (places.geojson, articles.json) for the dashboard.

The dashboard never runs the pipeline in its own process: when the outputs are missing or older than the
articles it runs `python -m geodata build --articles A --out D` in a subprocess and reads the files it
wrote. It shares only light, dependency-free definitions with the pipeline: the article listing
(``geodata.articles.find_article_files``) and the output contract (``geodata.contract``).
Everything read here is untrusted text; rendering code escapes it.
"""
from __future__ import annotations

import dataclasses
import fcntl
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from dashboard import settings, warmbuild

from pydantic import ValidationError

from geodata.articles import find_article_files
from geodata.contract import (
    ARTICLES_FILE, MAX_EVIDENCE, PLACES_FILE, ArticlesEnvelope, PlacesEnvelope, first_error, mixed_set_message,
)

REPO = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT_S = 1800

class DataError(Exception):
    """The output files are missing or malformed (the message says which and why)."""


@dataclass(frozen=True)
class Config:
    articles_dir: Path
    data_dir: Path
    editing: bool = False
    overrides: Path | None = None
    uploads: bool = False  # "Add articles" (files saved into articles_dir): off unless ATLAS_UPLOADS


def config_from_env(env: dict | None = None) -> Config:
    articles = settings.read("ATLAS_ARTICLES_DIR", env)
    data = settings.read("ATLAS_DATA_DIR", env)
    editing = settings.read("ATLAS_EDITING", env)
    overrides = settings.read("ATLAS_OVERRIDES", env)
    uploads = settings.read("ATLAS_UPLOADS", env)
    return Config(articles.resolve(), data.resolve(), editing, overrides.resolve(), uploads)


def article_files(articles_dir: Path) -> list[Path]:
    """The article files the build reads (one definition: ``geodata.articles.find_article_files``)."""
    return find_article_files(articles_dir)


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


def _run_fresh(command: list[str], on_line: Callable[[str], bool], timeout: float
               ) -> tuple[int, list[str], str] | BuildResult:
    """The build in a fresh process: (exit status, its output lines, its stderr), or the BuildResult of a
    build that could not start."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        x for x in (str(REPO), os.environ.get("PYTHONPATH", "")) if x)}
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        try:
            proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=err, text=True,
                                    errors="replace", env=env)
        except OSError as exc:
            message = f"could not start the build: {exc}"
            return BuildResult(False, -1, message, 0.0, command, message)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            for line in proc.stdout:
                if not on_line(line):
                    lines.append(line.rstrip("\n"))
            proc.wait()
        finally:
            timer.cancel()
        err.seek(0)
        stderr = err.read().strip()
    return proc.returncode, lines, stderr


def run_build(articles_dir: Path, data_dir: Path, timeout: float = BUILD_TIMEOUT_S,
              overrides: Path | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Run the pipeline's build command in another process: the warm build worker
    (``dashboard/warmbuild.py``) unless ``ATLAS_WARM_BUILDS`` is off or it is busy, else a fresh one (the
    online geocoder, if any, comes from ``ATLAS_GEOCODER``); ``on_progress(done, total)`` is called as articles are parsed. Never raises
    for a failed build."""
    command = build_command(articles_dir, data_dir, overrides, progress_lines=on_progress is not None)
    started = time.monotonic()

    def on_line(line: str) -> bool:
        """True for a progress line (passed on), False for a line of the build's own output."""
        step = _progress(line)
        if step is not None and on_progress is not None:
            on_progress(*step)
        return step is not None

    warm = warmbuild.WORKER.run(command[4:], on_line, timeout) if warmbuild.enabled() else None
    if warm is not None:
        returncode, out_lines, err_lines = warm
        lines = [line for line in out_lines if _progress(line) is None]
        stderr = "\n".join(err_lines).strip()
    else:
        ran = _run_fresh(command, on_line, timeout)
        if isinstance(ran, BuildResult):
            return dataclasses.replace(ran, seconds=time.monotonic() - started)
        returncode, lines, stderr = ran
    seconds = time.monotonic() - started
    stdout = "\n".join(lines).strip()
    output = (stdout + (("\n" + stderr) if stderr else "")).strip()
    if seconds >= timeout and returncode != 0:
        return BuildResult(False, -1, output + f"\nbuild stopped after {timeout:.0f} s", seconds, command,
                           f"the build took longer than {timeout:.0f} s and was stopped")
    if returncode != 0:
        out = stderr or stdout
        message = "\n".join(out.splitlines()[-20:]) or f"exit status {returncode}"
        return BuildResult(False, returncode, output, seconds, command, message)
    return BuildResult(True, 0, output, seconds, command, "\n".join(stdout.splitlines()[-5:]))


BUILD_LOCK_FILE = ".atlas-build.lock"


class BuildCoordinator:
    """Single-flight rebuilds: presses of "Rebuild" while a build of the same data folder runs (in this
    dashboard process: any session; or in another process: a lock file in the data folder) join that build
    instead of queueing another. Use one coordinator per process (``COORDINATOR``)::

        result, joined = COORDINATOR.request(cfg.articles_dir, cfg.data_dir, cfg.overrides)
    """

    def __init__(self, runner=None):
        self._runner = runner  # run_build(articles_dir, data_dir, overrides=...) unless given (tests)
        self._lock = threading.Lock()
        self._running: dict[Path, Future] = {}
        self._waiting: dict[Path, int] = {}

    def waiting(self, data_dir: Path) -> int:
        """How many requests are waiting for the build of ``data_dir`` now running."""
        with self._lock:
            return self._waiting.get(Path(data_dir).resolve(), 0)

    def request(self, articles_dir: Path, data_dir: Path, overrides: Path | None = None, *,
                wait_for_others: bool = True,
                on_progress: Callable[[int, int], None] | None = None) -> tuple[BuildResult, bool]:
        """Run a build, or join the one already running (``on_progress(done, total)`` as the build that
        this request runs parses articles). Returns (result, joined)."""
        key = Path(data_dir).resolve()
        with self._lock:
            future = self._running.get(key)
            owner = future is None
            if owner:
                future = self._running[key] = Future()
            else:
                self._waiting[key] = self._waiting.get(key, 0) + 1
        if not owner:
            try:
                return future.result(), True
            finally:
                with self._lock:
                    self._waiting[key] -= 1
        try:
            result, joined = self._run_locked(articles_dir, Path(data_dir), overrides, wait_for_others,
                                              on_progress)
            future.set_result(result)
            return result, joined
        except BaseException as error:
            future.set_exception(error)
            raise
        finally:
            with self._lock:
                del self._running[key]

    def _run_locked(self, articles_dir: Path, data_dir: Path, overrides: Path | None,
                    wait_for_others: bool, on_progress=None) -> tuple[BuildResult, bool]:
        data_dir.mkdir(parents=True, exist_ok=True)
        runner = self._runner or run_build
        with open(data_dir / BUILD_LOCK_FILE, "a") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                started = time.monotonic()
                if not wait_for_others:
                    message = "a build started by another dashboard process is running; try again when it ends"
                    return BuildResult(False, -1, message, 0.0, [], message), True
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # wait for it; its outputs are ours too
                message = "joined the build another dashboard process was running"
                return BuildResult(True, 0, message, time.monotonic() - started, [], message), True
            extra = {"on_progress": on_progress} if on_progress is not None else {}
            try:
                return runner(articles_dir, data_dir, overrides=overrides, **extra), False
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


COORDINATOR = BuildCoordinator()


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
    problems: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)          # (file, reason)
    unresolved: list[tuple[str, int, int]] = field(default_factory=list)  # (name, articles, mentions)
    build_id: str | None = None
    languages: dict[str, str] = field(default_factory=dict)         # article id -> detected language code
    language_notices: dict[str, str] = field(default_factory=dict)  # article id -> "parsed with the English one"

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


# What the dashboard reads of each article's metadata (None when unknown; older builds lack them).
# Untrusted text like the rest: the date is parsed by dashboard.timeline, the URL checked by dashboard.text.
ARTICLE_META = ("date", "source", "url")
MAX_META_LEN = 2000


def _text_or_none(v) -> str | None:
    if not isinstance(v, str) or not v.strip() or len(v) > MAX_META_LEN:
        return None
    return " ".join(v.split())


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


def _mention(m) -> dict | None:
    if not isinstance(m, dict):
        return None
    article = _str(m.get("article"))
    text = m.get("text") if isinstance(m.get("text"), str) else ""
    passage = m.get("passage") if isinstance(m.get("passage"), str) else text
    start, end, pstart = _int(m.get("start")), _int(m.get("end")), _int(m.get("passage_start"))
    if article is None:
        return None
    return {"article": article, "start": start, "end": end, "text": text,
            "passage": passage, "passage_start": pstart,
            "role": "adjective" if m.get("role") == "adjective" else "place"}


def _evidence_items(items) -> list[tuple[str, str, int, float | None, float]]:
    out = []
    for item in items[:MAX_EVIDENCE] if isinstance(items, list) else []:
        if not (isinstance(item, list) and len(item) == 5 and item[0] in ("p", "c") and isinstance(item[1], str)):
            continue
        count, contribution, value = _int(item[2]), _num(item[3]), _num(item[4])
        if count and value is not None:
            out.append((item[0], item[1][:60], count, contribution, value))
    return out


def _evidence(groups) -> list[tuple[str, str, int, list]]:
    """A place's compact evidence: (article, role, mentions, items), items (group, feature, mentions,
    contribution, value) (``geodata/reasons.py``); entries not of that shape skipped."""
    out = []
    for g in groups if isinstance(groups, list) else []:
        if isinstance(g, list) and len(g) == 4 and _str(g[0]) and _int(g[2]):
            role = "adjective" if g[1] == "adjective" else "place"
            out.append((_str(g[0]), role, _int(g[2]), _evidence_items(g[3])))
    return out


def with_roles(atlas: Atlas, adjectives: bool) -> Atlas:
    """The atlas as the map shows it: places named outright (mentions of role "place"), and with
    ``adjectives`` the nationality words too ("Russian officials": role "adjective"). Without them, a
    country known only through such words is left out and counts are of the places named outright."""
    if adjectives:
        return atlas
    places = []
    for p in atlas.places:
        kept = [m for m in p["mentions"] if m["role"] == "place"]
        if len(kept) == len(p["mentions"]):
            places.append(p)
        elif kept:
            arts = {m["article"] for m in kept}
            places.append({**p, "mentions": kept, "mention_count": len(kept),
                           "articles": [a for a in p["articles"] if a in arts],
                           "evidence": [g for g in p.get("evidence") or [] if g[1] == "place"]})
    return dataclasses.replace(atlas, places=places, by_id={p["id"]: p for p in places})


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


def _article_entries(items: list, problems: list[str]) -> list[dict]:
    articles: list[dict] = []
    seen: set[str] = set()
    for a in items:
        aid = _str(a.get("id")) if isinstance(a, dict) else None
        if aid is None or aid in seen:
            problems.append("an article entry without a usable id was skipped")
            continue
        seen.add(aid)
        title = a.get("title") if isinstance(a.get("title"), str) else ""
        articles.append({
            "id": aid, "title": title.strip() or aid,
            "place_count": _int(a.get("place_count")),
            "mention_count": _int(a.get("mention_count")),
            **{k: _text_or_none(a.get(k)) for k in ARTICLE_META},
        })
    return articles


def _place(f) -> dict:
    """One feature as the dashboard uses it; raises (KeyError, TypeError, ValueError, AttributeError)."""
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
    name = props.get("name") if isinstance(props.get("name"), str) else pid
    mentions = [m for m in (_mention(m) for m in props.get("mentions") or []) if m]
    arts = [a for a in (_str(x) for x in props.get("articles") or []) if a]
    for m in mentions:
        if m["article"] not in arts:
            arts.append(m["article"])
    count = _int(props.get("mention_count"))
    return {
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
        "evidence": _evidence(props.get("evidence")),
    }


def _places(features: list, problems: list[str]) -> tuple[list[dict], dict[str, dict]]:
    places: list[dict] = []
    by_id: dict[str, dict] = {}
    for i, f in enumerate(features):
        try:
            place = _place(f)
            if place["id"] in by_id:
                raise ValueError(f"duplicate id {place['id']!r}")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"feature #{i} skipped: {exc}")
            continue
        by_id[place["id"]] = place
        places.append(place)
    return places, by_id


def _complete_article_list(articles: list[dict], places: list[dict]) -> None:
    """Articles referenced by places but missing from the list still get an entry; counts filled in."""
    seen = {a["id"] for a in articles}
    for p in places:
        for aid in p["articles"]:
            if aid not in seen:
                seen.add(aid)
                articles.append({"id": aid, "title": aid, "place_count": None, "mention_count": None,
                                 **dict.fromkeys(ARTICLE_META)})
    counts: dict[str, set] = {a["id"]: set() for a in articles}
    for p in places:
        for aid in p["articles"]:
            counts[aid].add(p["id"])
    for a in articles:
        if a["place_count"] is None:
            a["place_count"] = len(counts[a["id"]])


def _read_places(data_dir: Path) -> PlacesEnvelope:
    doc = _load_json(data_dir / PLACES_FILE)
    try:
        return PlacesEnvelope.model_validate(doc)
    except ValidationError as exc:
        raise DataError(f"{PLACES_FILE} is not a GeoJSON FeatureCollection as the output contract describes"
                        f" ({first_error(exc)})") from None


def _read_texts(data_dir: Path, build_id: str | None, problems: list[str]) -> ArticlesEnvelope:
    """articles.json (full texts, names left unresolved, files skipped), after checking it belongs to the
    same build as places.geojson."""
    art_path = data_dir / ARTICLES_FILE
    if not art_path.is_file():
        problems.append(f"{ARTICLES_FILE} is missing: full articles cannot be shown")
        return ArticlesEnvelope(build_id=build_id, articles=[])
    try:
        adoc = ArticlesEnvelope.model_validate(_load_json(art_path))
    except ValidationError as exc:
        raise DataError(f"{ARTICLES_FILE} has no 'articles' list ({first_error(exc)})") from None
    if adoc.build_id != build_id:
        raise DataError(mixed_set_message(build_id, adoc.build_id))
    if build_id is None:
        problems.append("the outputs carry no build_id (an older build): rebuild to be sure they belong together")
    return adoc


def _languages(adoc: ArticlesEnvelope) -> tuple[dict[str, str], dict[str, str]]:
    """(article id -> language code, article id -> the build's fallback notice) from articles.json."""
    languages: dict[str, str] = {}
    notices: dict[str, str] = {}
    for a in adoc.articles:
        aid = _str(a.get("id")) if isinstance(a, dict) else None
        if aid is None:
            continue
        if isinstance(a.get("language"), str) and a["language"].strip():
            languages[aid] = a["language"].strip()[:12]
        if isinstance(a.get("language_notice"), str) and a["language_notice"].strip():
            notices[aid] = a["language_notice"].strip()[:300]
    return languages, notices


def _texts(adoc: ArticlesEnvelope) -> dict[str, str]:
    texts: dict[str, str] = {}
    for a in adoc.articles:
        if isinstance(a, dict) and _str(a.get("id")) and isinstance(a.get("text"), str):
            texts[_str(a["id"])] = a["text"]
    return texts


def _read_atlas(data_dir: Path) -> Atlas:
    problems: list[str] = []
    envelope = _read_places(data_dir)
    adoc = _read_texts(data_dir, envelope.build_id, problems)
    articles = _article_entries(envelope.articles, problems)
    places, by_id = _places(envelope.features, problems)
    _complete_article_list(articles, places)
    article_by_id = {a["id"]: a for a in articles}
    languages, notices = _languages(adoc)
    return Atlas(places, by_id, articles, article_by_id, _texts(adoc), problems,
                 _skipped(adoc.skipped), _unresolved(adoc.unresolved), envelope.build_id, languages, notices)


_LAST_GOOD: dict[Path, Atlas] = {}


def forget_last_good() -> None:
    """Drop the remembered sets (a fresh process; tests)."""
    _LAST_GOOD.clear()


def load_atlas(data_dir: Path) -> Atlas:
    """Read and validate the outputs (``geodata/contract.py``). Broken features are skipped and listed in
    ``problems``. A set that cannot be used (files of different builds, a broken file) raises DataError,
    unless this process read a good set from ``data_dir`` before: then that one is returned, with the
    reason in ``problems``, so the page keeps showing the last consistent map."""
    data_dir = Path(data_dir)
    key = data_dir.resolve()
    try:
        atlas = _read_atlas(data_dir)
    except DataError as exc:
        last = _LAST_GOOD.get(key)
        if last is None:
            raise
        return dataclasses.replace(last, problems=[
            *last.problems, f"{exc}; showing the last consistent set (build {last.build_id})"])
    _LAST_GOOD[key] = atlas
    return atlas
