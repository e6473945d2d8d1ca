"""`python -m geodata scale`: the dask engine against corpus size and worker count, in one run.

For each size (default 2,000 and 10,000 articles) a corpus is generated at run time into a temporary
folder (``dashboard.benchmark.generate_corpus``: gazetteer city names in news-like sentences; nothing is
kept) and built with ``--engine dask --workers N --store-only`` for each N (default 1 and 2), ``--repeats``
times; then once in-process, whose store must be identical (``--with-json``: the JSON/CSV outputs too, but
``gazetteer.csv`` has a column per article, so its cost grows with articles x places). Reported: wall-clock medians of the whole
build, the workers' start-up (gazetteer and models) and parse time, the speed-up of the most workers over
one, the peak memory of each worker, and the cost per article: parse seconds x workers / articles (a
worker's time, inflated on a shared machine) and the workers' CPU seconds / articles (the work itself).
Targets (issue 12, at 10,000 articles): speed-up >= 1.7 with 2 workers, peak memory per worker < 1.5 GB and
flat from 2,000 to 10,000 articles.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

SPEEDUP_TARGET = 1.7
MEMORY_TARGET_MB = 1536
PLACES_PER_ARTICLE = 3


def _build(articles: Path, out: Path, store_only: bool, **engine) -> dict:
    from . import pipeline

    report = pipeline.build(articles, out, overrides_path=None, progress=False, log=lambda *_: None,
                            store_only=store_only, **engine)
    store_bytes = sum(p.stat().st_size for p in (out / "store").resolve().rglob("*") if p.is_file())
    return {"wall_s": report.seconds, "store_mb": store_bytes / 1e6,
            **{k: v for k, v in report.engine.items() if k != "name"}}


def _same(out_a: Path, out_b: Path, store_only: bool) -> bool:
    from .store import table_rows

    files = () if store_only else ("places.geojson", "gazetteer.csv", "articles.json")
    return (all((out_a / f).read_bytes() == (out_b / f).read_bytes() for f in files)
            and table_rows(out_a) == table_rows(out_b))


def _medians(runs: list[dict]) -> dict:
    return {
        **{key: statistics.median(r[key] for r in runs) for key in ("wall_s", "load_s", "parse_s", "parse_cpu_s")},
        "peak_mb": max(max(r["peak_mb"]) for r in runs),
        "parts": runs[0]["parts"],
        "store_mb": runs[0]["store_mb"],
        "walls": [round(r["wall_s"], 1) for r in runs],
    }


def measure_size(n_articles: int, workers: list[int], repeats: int, reference: bool, log,
                 store_only: bool = True) -> dict:
    from dashboard.benchmark import generate_corpus

    result: dict = {"articles": n_articles}
    with tempfile.TemporaryDirectory(prefix="atlas-scale-") as tmp:
        corpus = Path(tmp) / "articles"
        generate_corpus(corpus, n_articles, n_articles * PLACES_PER_ARTICLE)
        result["corpus_mb"] = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
        runs: dict[int, list[dict]] = {n: [] for n in workers}
        for k in range(repeats):  # interleaved, so a change in the machine's load hits every worker count
            for n in workers:
                runs[n].append(_build(corpus, Path(tmp) / f"dask-{n}", store_only, engine="dask", workers=n))
                log(f"  {n_articles} articles, {n} worker(s), run {k + 1}: {runs[n][-1]['wall_s']:.1f} s, "
                    f"start-up {runs[n][-1]['load_s']:.1f} s, peak {max(runs[n][-1]['peak_mb']):.0f} MB")
        result["runs"] = {n: _medians(rs) for n, rs in runs.items()}
        if reference:
            ref = _build(corpus, Path(tmp) / "in-process", store_only)
            result["in_process_wall_s"] = ref["wall_s"]
            result["identical"] = all(_same(Path(tmp) / "in-process", Path(tmp) / f"dask-{n}", store_only)
                                      for n in workers)
            log(f"  {n_articles} articles in-process: {ref['wall_s']:.1f} s; identical: {result['identical']}")
    low, high = min(workers), max(workers)
    runs = result["runs"]
    result["speedup"] = runs[low]["wall_s"] / runs[high]["wall_s"]
    result["parse_speedup"] = runs[low]["parse_s"] / runs[high]["parse_s"]
    result["ms_per_article"] = 1000 * runs[low]["parse_s"] * low / n_articles  # wall x workers
    result["cpu_ms_per_article"] = 1000 * runs[low]["parse_cpu_s"] / n_articles  # the workers' CPU time
    return result


def report_lines(results: list[dict], workers: list[int]) -> list[str]:
    low, high = min(workers), max(workers)
    lines = ["| articles | workers | wall (median) | start-up | parse | peak memory per worker | parts | store |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for n in workers:
            run = r["runs"][n]
            lines.append(f"| {r['articles']:,} | {n} | {run['wall_s']:.1f} s | {run['load_s']:.1f} s | "
                         f"{run['parse_s']:.1f} s | {run['peak_mb']:.0f} MB | {run['parts']} | {run['store_mb']:.1f} MB |")
    for r in results:
        same = {True: "identical", False: "DIFFERENT", None: "not compared"}[r.get("identical")]
        ok = "meets" if r["speedup"] >= SPEEDUP_TARGET else "below"
        lines.append(f"{r['articles']:,} articles: {high} vs {low} worker(s) {r['speedup']:.2f}x wall ({ok} "
                     f"{SPEEDUP_TARGET}x), {r['parse_speedup']:.2f}x parse; per article {r['ms_per_article']:.1f} ms "
                     f"of a worker's time, {r['cpu_ms_per_article']:.1f} ms of CPU; in-process store {same}")
    peaks = [max(run["peak_mb"] for run in r["runs"].values()) for r in results]
    ok = "under" if max(peaks) < MEMORY_TARGET_MB else "OVER"
    lines.append("peak memory per worker by size: " + ", ".join(f"{r['articles']:,}: {p:.0f} MB"
                                                                 for r, p in zip(results, peaks))
                 + f" ({ok} {MEMORY_TARGET_MB} MB)")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geodata scale", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000], help="corpus sizes (articles)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    ap.add_argument("--repeats", type=int, default=1, help="builds per size and worker count (median)")
    ap.add_argument("--no-reference", action="store_true", help="skip the in-process build and comparison")
    ap.add_argument("--with-json", action="store_true",
                    help="also write (and compare) the JSON/CSV outputs; gazetteer.csv grows with articles x places, "
                         "so by default the builds are --store-only")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if min(args.workers) < 1 or min(args.sizes) < 1 or args.repeats < 1:
        ap.error("sizes, workers and repeats must be at least 1")
    results = []
    for size in args.sizes:
        results.append(measure_size(size, sorted(set(args.workers)), args.repeats, not args.no_reference,
                                    lambda line: print(line, file=sys.stderr, flush=True),
                                    store_only=not args.with_json))
    print("\n".join(report_lines(results, sorted(set(args.workers)))))
    if args.json:
        from . import atomic

        atomic.write_json(args.json, results, indent=1)
    return 0
