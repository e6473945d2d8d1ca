"""The build: articles -> mentions -> resolved places -> (overrides, online geocoder) -> output files."""
from __future__ import annotations

import dataclasses
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from .articles import Article, Skipped, display_path, read_folder
from .errors import AtlasError
from .geocoders import GeocodeReport, default_cache_path, geocode_unresolved, unresolved_names
from .geoparser import Geoparser
from .language import fallback_notice
from .gazetteer import Gazetteer
from .model import ResolvedMention
from .outputs import ARTICLES_FILE, GAZETTEER_FILE, PLACES_FILE, place_collection, write_outputs
from .overrides import load_overrides
from .engines import ParseJob, open_engine
from .gazetteer import DEFAULT_INDEX_PATH
from .parsecache import CachedParser, ParseCache
from .parsecache import default_path as default_parse_cache_path
from .parsefingerprint import fingerprint
from .store_write import StagedStore

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLES_DIR = REPO_ROOT / "seeds"
DEFAULT_OUT_DIR = REPO_ROOT / "geodata"
DEFAULT_OVERRIDES = REPO_ROOT / "geodata" / "overrides.csv"
PROGRESS_MIN_ARTICLES = 20
PARSER_OPTIONS = {"demonyms": True, "languages": True}  # what the build asks of the Geoparser (fingerprinted)


class BuildError(AtlasError):
    """The build could not produce outputs (nothing was written)."""


@dataclass
class BuildReport:
    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    mentions: int = 0
    places: int = 0
    unresolved: dict[str, str] = field(default_factory=dict)  # name -> why
    override_problems: list[str] = field(default_factory=list)
    language_notices: list[str] = field(default_factory=list)  # "article-id: language de: no German pipeline, ..."
    article_notices: list[str] = field(default_factory=list)  # metadata dropped: unreadable dates, non-http(s) URLs
    parsed: int = 0  # articles parsed in this build
    reused: int = 0  # articles whose parse came from the cache
    cache_notices: list[str] = field(default_factory=list)  # the parse cache could not be read or written
    geocoder: GeocodeReport | None = None
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)
    engine: dict = field(default_factory=dict)  # the engine's name and figures (workers, parts, peak memory)

    def summary(self) -> str:
        lines = [f"Read {len(self.articles)} article(s); skipped {len(self.skipped)}."]
        lines += [f"  skipped {s}" for s in self.skipped]
        lines += [f"  overrides: {p}" for p in self.override_problems]
        lines += [f"  {n}" for n in self.language_notices]
        lines += [f"  metadata: {n}" for n in self.article_notices]
        lines.append(f"Parsed {self.parsed} article(s), reused {self.reused} from the cache.")
        lines += [f"  {n}" for n in self.cache_notices]
        if self.geocoder is not None and self.geocoder.geocoder != "offline":
            lines.append(self.geocoder.summary_lines()[0])
            lines += [f"  {p}" for p in self.geocoder.problems]  # e.g. the cache could not be read or written
        if self.engine.get("name") == "dask":
            lines.append(engine_line(self.engine))
        lines.append(f"Found {self.mentions} mention(s) of {self.places} place(s).")
        if self.unresolved:
            lines.append(f"{len(self.unresolved)} name(s) unresolved:")
            lines += [f"  {name}: {why}" for name, why in sorted(self.unresolved.items())]
        if self.written:
            lines.append("Wrote " + ", ".join(display_path(p) for p in self.written) + f" in {self.seconds:.1f} s.")
        return "\n".join(lines)


def engine_line(stats: dict) -> str:
    peaks = ", ".join(f"{mb:.0f}" for mb in stats.get("peak_mb", []))
    return (f"Parsed on {stats.get('workers', '?')} dask worker(s) in {stats.get('parts', '?')} part(s); "
            f"peak memory per worker {peaks} MB.")


def _geocode_unresolved(resolved: dict[str, list[ResolvedMention]], geocoder, cache_path: Path,
                        report: BuildReport) -> dict[str, list[ResolvedMention]]:
    """Names the offline steps left without a place go to the chosen geocoder (if any)."""
    if geocoder is None:
        for name in unresolved_names(resolved):
            report.unresolved[name] = "not in the offline gazetteer (an online geocoder may place it)"
        return resolved
    resolved, result = geocode_unresolved(resolved, geocoder, cache_path)
    report.geocoder = result
    report.unresolved.update(result.unresolved)
    return resolved


def open_parse_cache(out_dir: Path, gazetteer, extra_places, excluded) -> ParseCache | None:
    """The parse cache beside the outputs, for what this build feeds the parser (None: it cannot be told
    apart, e.g. a gazetteer without a file)."""
    key = fingerprint(gazetteer, extra_places=extra_places, excluded=excluded, options=PARSER_OPTIONS)
    return ParseCache(default_parse_cache_path(out_dir), key) if key is not None else None


def check_out_dir(out_dir: Path) -> None:
    """Raise BuildError now (before any parsing) when ``out_dir`` cannot take the outputs: it, or the
    nearest folder that exists above it, is not a writable folder. Nothing is created."""
    probe = out_dir
    while not probe.exists() and probe != probe.parent:
        if probe.is_symlink():  # a dangling link
            break
        probe = probe.parent
    problem = None
    if not probe.exists():
        problem = "the folder does not exist and cannot be created"
    elif not probe.is_dir():
        problem = f"{display_path(probe)} is not a folder"
    elif not os.access(probe, os.W_OK | os.X_OK):
        problem = f"{display_path(probe)} is not writable"
    if problem:
        raise BuildError(f"cannot write the outputs to {display_path(out_dir)}: {problem}; nothing was parsed")


def _had_outputs(out_dir: Path) -> bool:
    return any((out_dir / name).is_file() for name in (PLACES_FILE, GAZETTEER_FILE, ARTICLES_FILE))


def build(articles_dir: str | Path = DEFAULT_ARTICLES_DIR, out_dir: str | Path = DEFAULT_OUT_DIR, *,
          overrides_path: str | Path | None = DEFAULT_OVERRIDES, geocoder=None,
          geocode_cache: str | Path | None = None, strict: bool = False,
          progress: bool | None = None, gazetteer: Gazetteer | None = None,
          log: Callable[[str], None] = print,
          on_article: Callable[[int, int], None] | None = None, use_cache: bool = True, engine: str = "in-process",
          workers: int | None = None, scheduler: str | None = None, store_only: bool = False) -> BuildReport:
    """Run the whole pipeline and write the outputs and the store (``on_article(done, total)`` after each
    article, cached ones included). Parse results are reused from ``<out>/cache/parse.sqlite`` unless
    ``use_cache`` is False (``geodata/parsecache.py``; the in-process engine). ``engine``: "in-process"
    (default) or "dask" (``workers`` local processes, or the cluster of ``scheduler``; see
    ``geodata/engines/``). ``store_only``: write the store and not the three JSON/CSV files (whose size grows
    with articles x places; any previous ones are left as they were, with their own build_id). Raises
    BuildError (and writes nothing) when there
    is nothing to write or when ``strict`` and some article was skipped."""
    started = time.perf_counter()
    articles_dir, out_dir = Path(articles_dir), Path(out_dir)
    report = BuildReport()
    check_out_dir(out_dir)
    try:
        loaded = read_folder(articles_dir)
    except FileNotFoundError as exc:
        raise BuildError(str(exc)) from exc
    report.articles, report.skipped, report.article_notices = loaded.articles, loaded.skipped, loaded.notices
    if strict and report.skipped:
        raise BuildError("--strict: some articles were skipped, nothing written:\n"
                         + "\n".join(f"  {s}" for s in report.skipped))
    if not report.articles:
        why = "; ".join(str(s) for s in report.skipped) or "no article files"
        raise BuildError(f"no readable article in {articles_dir} ({why}); nothing written")

    gazetteer = gazetteer or Gazetteer.open()
    overrides = None
    if overrides_path and Path(overrides_path).exists():
        overrides = load_overrides(overrides_path, gazetteer)
        overrides.check_articles([a.id for a in report.articles])
        report.override_problems = overrides.format_problems()
    extra_places = overrides.extra_places(gazetteer) if overrides else None
    excluded = overrides.excluded_everywhere if overrides else None
    parse_cache = open_parse_cache(out_dir, gazetteer, extra_places, excluded) \
        if use_cache and engine == "in-process" else None
    job = ParseJob(extra_places=extra_places, excluded=excluded, overrides=overrides,
                   gazetteer_path=_gazetteer_path(gazetteer), key=secrets.token_hex(8))
    show = progress if progress is not None else len(report.articles) >= PROGRESS_MIN_ARTICLES
    with StagedStore(out_dir) as staged:
        job = dataclasses.replace(job, store_folder=str(staged.folder), run=staged.run)
        resolved = _parse_all(report, job, gazetteer, EngineChoice(engine, workers, scheduler), show, on_article,
                              parse_cache)
        _finish(report, resolved, staged, out_dir, articles_dir, geocoder, geocode_cache, store_only)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class EngineChoice:
    name: str = "in-process"
    workers: int | None = None
    scheduler: str | None = None


def _parse_all(report: BuildReport, job: ParseJob, gazetteer, choice: EngineChoice, show: bool,
               on_article: Callable[[int, int], None] | None,
               parse_cache: ParseCache | None = None) -> dict[str, list[ResolvedMention]]:
    """Every article through the chosen engine: its language and mentions (overrides applied); the
    engine writes the store's mention parts. With ``parse_cache`` the parser answers from it and parses
    only the texts it lacks (spaCy is loaded only then)."""
    resolved: dict[str, list[ResolvedMention]] = {}
    total = len(report.articles)
    with_language = []

    def real_parser():
        return Geoparser(gazetteer, extra_places=job.extra_places, excluded=job.excluded, **PARSER_OPTIONS)

    cached = CachedParser(parse_cache, real_parser) if parse_cache is not None else None
    make_parser = (lambda: cached) if cached is not None else real_parser

    with open_engine(choice.name, gazetteer=gazetteer, make_parser=make_parser, workers=choice.workers,
                     scheduler=choice.scheduler) as runner:
        parsed = runner.parse(report.articles, job)
        for done, (article, result) in enumerate(tqdm(zip(report.articles, parsed), total=total,
                                                      desc="articles", unit="article", disable=not show), 1):
            with_language.append(dataclasses.replace(article, language=result.language))
            notice = fallback_notice(result.language)
            if notice:
                report.language_notices.append(f"{article.id}: {notice}")
            resolved[article.id] = result.mentions
            if on_article is not None:
                on_article(done, total)
        runner.stats["name"] = runner.name
        report.engine = runner.stats  # the engine adds its last figures (peak memory) as it closes
    report.articles = with_language
    if cached is not None:
        report.parsed, report.reused = cached.parsed, cached.reused
        report.cache_notices = parse_cache.notices
    else:
        report.parsed = total
    return resolved


def _gazetteer_path(gazetteer) -> str | None:
    """The index a worker should open: None (its own default) unless this build uses another one."""
    path = getattr(gazetteer, "path", None)
    if path is None or Path(path).resolve() == DEFAULT_INDEX_PATH.resolve():
        return None
    return str(path)


def _finish(report: BuildReport, resolved: dict[str, list[ResolvedMention]], staged: StagedStore, out_dir: Path,
            articles_dir: Path, geocoder, geocode_cache, store_only: bool) -> None:
    """After parsing: the online geocoder, the JSON outputs (unless ``store_only``), then the store (its
    mention parts are redone when the geocoder placed names)."""
    cache = Path(geocode_cache) if geocode_cache is not None else default_cache_path(out_dir)
    resolved = _geocode_unresolved(resolved, geocoder, cache, report)
    if geocoder is not None:
        staged.rewrite_mentions(report.articles, resolved)
    try:
        if store_only:
            collection = place_collection(report.articles, resolved, articles_dir=articles_dir)
        else:
            collection = write_outputs(out_dir, report.articles, resolved, articles_dir=articles_dir,
                                       skipped=report.skipped)
    except OSError as exc:  # out is a file, read-only, disk full...: the previous outputs are untouched
        kept = "; previous outputs left as they were" if _had_outputs(out_dir) else "; nothing written"
        raise BuildError(f"cannot write the outputs to {display_path(out_dir)}: {exc.strerror or exc}"
                         f" ({display_path(exc.filename or out_dir)}){kept}") from exc
    report.mentions = sum(f["properties"]["mention_count"] for f in collection["features"])
    report.places = len(collection["features"])
    try:
        link = staged.finish(collection, report.articles)
    except OSError as exc:
        raise BuildError(f"cannot write the store to {display_path(out_dir)}: {exc.strerror or exc}"
                         f" ({display_path(exc.filename or out_dir)}); the JSON outputs were written") from exc
    json_files = [] if store_only else [out_dir / name for name in (PLACES_FILE, GAZETTEER_FILE, ARTICLES_FILE)]
    report.written = [*json_files, link]
