"""Incremental builds against full builds: ``python -m geodata benchmark --incremental``.

Generates a corpus at run time (``geodata/synthetic.py``, default 1,000 articles naming ~3,000 places)
in a temporary folder, then times the real command, ``python -m geodata build``, in a fresh process each
time (start-up included, as a user sees it):
- full: ``--no-cache`` into an empty output folder;
- rebuild: one new article added to the corpus (a different one each run), then a build with the cache
  of the previous build; its summary must say it parsed exactly one article.
- warm rebuild: the same, through one ``python -m geodata build-worker`` process (as the dashboard's
  rebuilds run, ``dashboard/warmbuild.py``), started once; it fills its cache first (not counted).
Prints the median of each over ``--runs`` and the ratios (target: rebuild <= 10% of the full build), then
where one rebuild spends its time (the same rebuild in-process, each phase timed; the process ends after).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from geodata.synthetic import generate_corpus

REPO = Path(__file__).resolve().parents[1]
TARGET = 0.10
# (label, module, object, attribute) of the phases of one rebuild, timed by wrapping each function once
PHASES = (
    ("read the articles", "geodata.pipeline", None, "read_folder"),
    ("overrides read + fingerprint", "geodata.pipeline", None, "open_parse_cache"),
    ("cache lookup (decode the hits)", "geodata.parsecache", "ParseCache", "get_many"),
    ("load spaCy + build the Geoparser", "geodata.geoparser", "Geoparser", "__init__"),
    ("parse the misses (first-use loads incl.)", "geodata.geoparser", "Geoparser", "parse_many_with_language"),
    ("cache store", "geodata.parsecache", "ParseCache", "put_many"),
    ("apply the overrides", "geodata.overrides", "Overrides", "apply"),
    ("passages (store and outputs)", "geodata.store_write", None, "passage"),
    ("passages (store and outputs)", "geodata.outputs", None, "passage"),
    ("write the outputs", "geodata.pipeline", None, "write_outputs"),
    ("  of which gazetteer.csv", "geodata.outputs", None, "write_gazetteer_csv"),
    ("store: mention parts (rows + Parquet)", "geodata.engines.partition", None, "mention_rows"),
    ("store: mention parts (rows + Parquet)", "geodata.engines.partition", None, "write_mention_part"),
    ("store: articles, places, swap", "geodata.store_write", "StagedStore", "finish"),
)

def _build(articles: Path, out: Path, *extra: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(articles), "--out", str(out),
                           "--no-progress", *extra], cwd=REPO, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def _parsed(summary: str) -> tuple[int, int]:
    m = re.search(r"Parsed (\d+) article\(s\), reused (\d+)", summary)
    if not m:
        raise SystemExit(f"no parse count in the build's summary:\n{summary}")
    return int(m.group(1)), int(m.group(2))


def _add_article(articles: Path, k: int) -> Path:
    """A new article (text unseen by the cache) like the generated ones; the previous one is removed."""
    for old in articles.glob("new_*.txt"):
        old.unlink()
    template = (articles / "bench_0000.txt").read_text(encoding="utf-8")
    path = articles / f"new_{k:03d}.txt"
    path.write_text(f"Late report {k}\n\n{template}", encoding="utf-8")
    return path


def measure(articles: Path, work: Path, runs: int, overrides: str) -> dict:
    full, rebuild = [], []
    for k in range(runs):
        out = work / f"full-{k}"
        seconds, summary = _build(articles, out, "--no-cache", "--overrides", overrides)
        full.append(seconds)
        print(f"  full build {k + 1}/{runs}: {seconds:.1f} s", flush=True)
        shutil.rmtree(out)
    out = work / "incremental"
    _build(articles, out, "--overrides", overrides)  # fills the cache
    for k in range(runs):
        _add_article(articles, k)
        seconds, summary = _build(articles, out, "--overrides", overrides)
        if _parsed(summary)[0] != 1:
            raise SystemExit(f"the rebuild did not parse exactly one article:\n{summary}")
        rebuild.append(seconds)
        print(f"  rebuild {k + 1}/{runs}: {seconds:.2f} s ({summary.splitlines()[1]})", flush=True)
    return {"full_s": statistics.median(full), "rebuild_s": statistics.median(rebuild),
            "full_runs": full, "rebuild_runs": rebuild}


def _warm_request(proc: subprocess.Popen, articles: Path, out: Path, overrides: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    argv = ["--articles", str(articles), "--out", str(out), "--no-progress", "--overrides", overrides]
    proc.stdin.write(json.dumps({"argv": argv, "env": {}}) + "\n")
    proc.stdin.flush()
    lines = []
    for line in proc.stdout:
        if line.startswith("build-worker done"):
            if line.split()[-1] != "0":
                raise SystemExit("a warm build failed:\n" + "".join(lines)[-3000:])
            return time.perf_counter() - t0, "".join(line for line in lines if not line.startswith("stderr "))
        lines.append(line)
    raise SystemExit("the build worker ended:\n" + "".join(lines)[-3000:])


def measure_warm(articles: Path, work: Path, runs: int, overrides: str) -> list[float]:
    """Rebuilds (one new article each) through one warm build process, after it filled its own cache."""
    out = work / "warm"
    proc = subprocess.Popen([sys.executable, "-m", "geodata", "build-worker"], cwd=REPO, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        _warm_request(proc, articles, out, overrides)
        times = []
        for k in range(runs):
            _add_article(articles, 100 + k)
            seconds, summary = _warm_request(proc, articles, out, overrides)
            if _parsed(summary)[0] != 1:
                raise SystemExit(f"the warm rebuild did not parse exactly one article:\n{summary}")
            times.append(seconds)
            print(f"  warm rebuild {k + 1}/{runs}: {seconds:.2f} s", flush=True)
        return times
    finally:
        proc.stdin.close()
        proc.wait(timeout=120)


def _timed(function, label: str, seconds: dict[str, float]):
    if inspect.isgeneratorfunction(function):
        def wrapper(*args, **kwargs):  # only the time inside next(): a consumer may stop early (zip)
            items = function(*args, **kwargs)
            while True:
                t0 = time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    seconds[label] += time.perf_counter() - t0
                yield item
    else:
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - t0
    return wrapper


def profile_rebuild(articles: Path, out: Path, overrides: str) -> list[tuple[str, float]]:
    """Seconds per phase of one rebuild (one new article) in this process, imports included."""
    t0 = time.perf_counter()
    from geodata import pipeline

    rows = [("import geodata.pipeline (pandas, pydantic, ...)", time.perf_counter() - t0)]
    seconds = dict.fromkeys((label for label, *_ in PHASES), 0.0)
    for label, module, owner, name in PHASES:
        target = importlib.import_module(module)
        target = getattr(target, owner) if owner else target
        setattr(target, name, _timed(getattr(target, name), label, seconds))
    _add_article(articles, 999)
    t0 = time.perf_counter()
    pipeline.build(articles, out, overrides_path=overrides, progress=False, log=lambda _msg: None)
    rows.append(("pipeline.build in all", time.perf_counter() - t0))
    return rows + list(seconds.items())

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geodata benchmark --incremental",
                                 description="Full build against adding one article and rebuilding.")
    ap.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--articles", type=int, default=1000, help="generated articles (default 1000)")
    ap.add_argument("--places", type=int, default=3000, help="distinct places they name (default 3000)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each; medians are reported (default 3)")
    ap.add_argument("--overrides", default=str(REPO / "geodata" / "overrides.csv"),
                    help="overrides CSV for every build (default: the shipped one)")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.articles < 1:
        print("error: --runs and --articles must be at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="atlas-incremental-") as tmp:
        work = Path(tmp)
        articles = work / "articles"
        names = generate_corpus(articles, args.articles, args.places)
        print(f"{args.articles} generated articles naming {names} places; median of {args.runs} runs; "
              f"{os.cpu_count()} cores on this machine", flush=True)
        figures = measure(articles, work, args.runs, args.overrides)
        warm = statistics.median(measure_warm(articles, work, args.runs, args.overrides))
        ratio = figures["rebuild_s"] / figures["full_s"]
        print(f"full build (--no-cache): {figures['full_s']:.1f} s")
        print(f"add one article + rebuild: {figures['rebuild_s']:.2f} s")
        print(f"rebuild / full: {ratio:.1%} (target <= {TARGET:.0%}: {'met' if ratio <= TARGET else 'NOT met'})")
        print(f"add one article + rebuild in the warm build process (the dashboard's): {warm:.2f} s, "
              f"{warm / figures['full_s']:.1%} of the full build "
              f"(target <= {TARGET:.0%}: {'met' if warm <= TARGET * figures['full_s'] else 'NOT met'})")
        print("one rebuild, in-process (seconds):")
        for label, seconds in profile_rebuild(articles, work / "incremental", args.overrides):
            print(f"  {label:<48} {seconds:6.2f}")
    return 0
