"""Speed and memory of the geoparser, with the baseline measured in the same run.

``python -m geodata benchmark --long [--sizes 25,50,100,200]``: cost against length - one article of each
size (KB) made by repeating the seed articles, parsed once each; prints seconds (spaCy, recognizer,
resolver), mentions and seconds per 100 KB, which stays flat when the cost grows linearly.

``python -m geodata benchmark --incremental [--articles 1000] [--runs 3]``: a full build against adding one
article and rebuilding with the parse cache (``geodata/benchmark_incremental.py``).

``python -m geodata benchmark [--runs 5] [CORPUS ...]``: CORPUS is a JSONL file of ``{"id", "text"}``
objects (the evaluation corpora work) or a folder of ``.txt`` articles; default: ``seeds/``.
Prints first the start-up of a fresh process that parses one English text (interpreter, imports,
models, gazetteer: CPU and wall seconds, median of ``--startups`` processes), then, per corpus and
system, the median over the runs of articles/s and MB/s (UTF-8 bytes of text) by wall clock and per
CPU-second (one core: process time, robust on a loaded machine), the ratio to the baseline, load time
and peak RSS; last, the French pipeline on its own: its load time at the first French article and its
speed on a few French paragraphs written for this benchmark. Our parser is loaded and measured first,
so the peak RSS printed for it excludes the baseline's memory.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from geodata.errors import AtlasError
from geodata.jsonl import read_jsonl

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "seeds"


def load_texts(paths: list[str]) -> list[str]:
    """Texts from JSONL corpora and/or folders of .txt files."""
    texts: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(path.glob("*.txt"))
            if not files:
                raise AtlasError(f"{path}: no .txt articles")
            for f in files:
                try:
                    texts.append(f.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError) as exc:
                    raise AtlasError(f"{f}: cannot read ({exc})") from exc
        elif path.is_file():
            for lineno, obj in read_jsonl(path):
                if not isinstance(obj.get("text"), str):
                    raise AtlasError(f"{path}:{lineno}: expected an object with a \"text\" string")
                texts.append(obj["text"])
        else:
            raise AtlasError(f"{path}: no such file or folder")
    if not texts:
        raise AtlasError("nothing to parse")
    return texts


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(run: Callable[[list[str]], int], texts: list[str], runs: int) -> dict:
    """Median wall and CPU seconds of ``run(texts)`` over ``runs`` repetitions."""
    walls, cpus = [], []
    mentions = 0
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        mentions = run(texts)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    n = len(texts)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return {
        "articles": n, "mb": mb, "mentions": mentions, "runs": runs,
        "wall_s": wall, "cpu_s": cpu,
        "articles_per_s": n / wall, "mb_per_s": mb / wall,
        "articles_per_cpu_s": n / cpu if cpu else float("inf"),
        "mb_per_cpu_s": mb / cpu if cpu else float("inf"),
    }


def _ours(gp=None) -> tuple[Callable[[list[str]], int], float]:
    from geodata.geoparser import Geoparser

    t0 = time.perf_counter()
    gp = gp or Geoparser()
    return (lambda texts: sum(len(r) for r in gp.parse_many(texts))), time.perf_counter() - t0


def _baseline() -> tuple[Callable[[list[str]], int], float]:
    from geodata.baseline import Baseline

    t0 = time.perf_counter()
    bl = Baseline()
    return (lambda texts: sum(len(r) for r in bl.parse_many(texts))), time.perf_counter() - t0


# French paragraphs written for this benchmark (not from any corpus), parsed by the French pipeline
FRENCH_TEXTS = (
    "Les ferries ont repris la traversée entre Calais et Douvres après deux jours de grève. À Dunkerque, "
    "les camions attendaient sur l'autoroute depuis la veille, et la préfecture du Nord a ouvert un parking.",
    "Le tunnel sous la Manche a fermé une voie à Coquelles mardi soir. Les voyageurs venus de Londres ont "
    "été conduits à Lille en car, puis à Paris par le train.",
    "Le port de Boulogne-sur-Mer a reçu moins de poissons cette année. Les pêcheurs accusent les quotas "
    "fixés à Bruxelles et demandent l'aide de la région Hauts-de-France.",
    "Une tempête venue de l'Atlantique a touché la Bretagne et la Normandie. À Brest, le vent a soufflé à "
    "plus de cent kilomètres par heure, et le trafic a été coupé vers Rennes.",
    "La mairie de Lyon accueille un festival de cinéma venu de Montréal et de Genève. Les organisateurs "
    "attendent des visiteurs de toute la France, de Belgique et de Suisse.",
)
# an English paragraph written for this benchmark: the first article of an English-only input
STARTUP_TEXT = ("Ferries left Dover for Calais on Monday after the strike ended, and the port said that the "
                "queues of lorries on the motorway had cleared by the evening. The operators were told by the "
                "government that they would have to keep the timetable for the rest of the week, which was "
                "welcomed by the hauliers who had waited in Kent since Saturday.")
_STARTUP_CODE = f"from geodata.geoparser import Geoparser; Geoparser().parse({STARTUP_TEXT!r})"


def startup(runs: int) -> dict:
    """CPU and wall seconds of fresh processes that load the geoparser and parse one English text
    (medians): what a user waits for before the first article when the input is English only."""
    cpus, walls = [], []
    root = str(Path(__file__).resolve().parents[1])
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", _STARTUP_CODE], cwd=root, check=True)
        walls.append(time.perf_counter() - w0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"runs": runs, "cpu_s": statistics.median(cpus), "wall_s": statistics.median(walls)}


def french(gp, runs: int, copies: int = 20) -> dict:
    """The French pipeline's own cost: load at the first French article, then articles/s."""
    c0, w0 = time.process_time(), time.perf_counter()
    gp.parse(FRENCH_TEXTS[0])
    load = {"load_cpu_s": time.process_time() - c0, "load_s": time.perf_counter() - w0}
    texts = list(FRENCH_TEXTS) * copies
    return measure(lambda ts: sum(len(r) for r in gp.parse_many(ts)), texts, runs) | load


def benchmark(texts: list[str], runs: int, with_baseline: bool = True, ours=None) -> dict:
    results = {}
    run, load = ours or _ours()
    run(texts[:5])  # warm-up: first-call costs are load time, not throughput
    results["ours"] = measure(run, texts, runs) | {"load_s": load, "peak_rss_mb": peak_rss_mb()}
    if with_baseline:
        run, load = _baseline()
        run(texts[:5])
        results["baseline"] = measure(run, texts, runs) | {"load_s": load, "peak_rss_mb": peak_rss_mb()}
    return results


def long_text(kb: int, base: str) -> str:
    """About ``kb`` thousand characters made by repeating ``base`` (cut at a word boundary)."""
    n = kb * 1000
    text = (base + "\n\n") * (n // (len(base) + 2) + 1)
    cut = text.rfind(" ", 0, n)
    return text[:cut if cut > 0 else n]


def benchmark_long(sizes: list[int], base: str) -> list[dict]:
    """Seconds per stage for one article of each size."""
    from geodata.geoparser import Geoparser
    from geodata.model import Mention

    gp = Geoparser()
    gp.parse(base[:2000])  # warm-up
    rows = []
    for kb in sizes:
        text = long_text(kb, base)
        t0 = time.perf_counter()
        docs = [(offset, gp.nlp(piece)) for offset, piece in gp._pieces(text)]
        t1 = time.perf_counter()
        found = []
        for offset, doc in docs:
            for f in gp.recognizer.recognize(doc.text, doc):
                f.mention = Mention(f.mention.start + offset, f.mention.end + offset, f.mention.text)
                found.append(f)
        t2 = time.perf_counter()
        gp.resolver.resolve(text, found)
        t3 = time.perf_counter()
        rows.append({"kb": kb, "chars": len(text), "mentions": len(found), "spacy_s": t1 - t0,
                     "recognize_s": t2 - t1, "resolve_s": t3 - t2, "total_s": t3 - t0,
                     "peak_rss_mb": peak_rss_mb()})
    return rows


def format_long(rows: list[dict]) -> str:
    lines = [f"{'KB':>6} {'mentions':>8} {'spaCy s':>8} {'recog s':>8} {'resolve s':>9} {'total s':>8} "
             f"{'s/100KB':>8} {'res ms/100KB':>12} {'peak RSS MB':>11}"]
    for r in rows:
        per = 100.0 / r["kb"]
        lines.append(f"{r['kb']:>6} {r['mentions']:>8} {r['spacy_s']:>8.2f} {r['recognize_s']:>8.2f} "
                     f"{r['resolve_s']:>9.3f} {r['total_s']:>8.2f} {r['total_s'] * per:>8.2f} "
                     f"{r['resolve_s'] * per * 1000:>12.1f} {r['peak_rss_mb']:>11.0f}")
    return "\n".join(lines)


def format_results(results: dict) -> str:
    lines = [f"{'system':<9} {'articles':>8} {'MB':>6} {'art/s':>7} {'MB/s':>6} {'art/cpu-s':>9} "
             f"{'MB/cpu-s':>8} {'load s':>6} {'peak RSS MB':>11}"]
    for name, r in results.items():
        lines.append(f"{name:<9} {r['articles']:>8} {r['mb']:>6.2f} {r['articles_per_s']:>7.1f} "
                     f"{r['mb_per_s']:>6.3f} {r['articles_per_cpu_s']:>9.1f} {r['mb_per_cpu_s']:>8.3f} "
                     f"{r['load_s']:>6.2f} {r['peak_rss_mb']:>11.0f}")
    if "baseline" in results:
        ratio = results["ours"]["articles_per_s"] / results["baseline"]["articles_per_s"]
        lines.append(f"ours / baseline speed: {ratio:.2f}x  (peak RSS of 'baseline' includes ours: same process)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--incremental" in argv:  # its own options: --articles, --places, --runs, --overrides
        from geodata.benchmark_incremental import main as incremental_main

        return incremental_main(argv)
    ap = argparse.ArgumentParser(prog="python -m geodata benchmark",
                                 description="Parsing speed (articles/s, MB/s) and peak memory, ours vs baseline.")
    ap.add_argument("corpora", nargs="*", metavar="CORPUS",
                    help=f"JSONL corpora ({{id, text}} lines) or folders of .txt (default: {DEFAULT_CORPUS})")
    ap.add_argument("--runs", type=int, default=5, help="repetitions; the median is reported (default 5)")
    ap.add_argument("--no-baseline", action="store_true", help="measure only our parser")
    ap.add_argument("--json", dest="json_out", help="also write the figures to this file")
    ap.add_argument("--startups", type=int, default=5,
                    help="fresh processes timed for the start-up (median; default 5, 0 to skip)")
    ap.add_argument("--no-french", action="store_true", help="skip the French pipeline's measure")
    ap.add_argument("--long", action="store_true",
                    help="cost against length: one article per size, made by repeating the seed articles")
    ap.add_argument("--sizes", default="25,50,100,200", help="sizes in KB for --long (default 25,50,100,200)")
    ap.add_argument("--incremental", action="store_true",
                    help="full build against one new article + rebuild, on a generated corpus "
                         "(options: --incremental --help)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        print("error: --runs must be at least 1", file=sys.stderr)
        return 2
    if args.long:
        return _long_main(args)
    corpora = args.corpora or [str(DEFAULT_CORPUS)]
    try:
        per_corpus = {c: load_texts([c]) for c in corpora}
        report = _run_all(per_corpus, args)
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json_out:
        from geodata.evaluate import _write_json_atomic

        _write_json_atomic(args.json_out, report)
    return 0


def _run_all(per_corpus: dict[str, list[str]], args) -> dict:
    """Start-up, then each corpus, then the French pipeline; prints as it goes."""
    from geodata.geoparser import Geoparser

    report: dict = {}
    if args.startups:
        report["startup"] = startup(args.startups)
        r = report["startup"]
        print(f"start-up, English-only input (fresh process: interpreter, imports, models, gazetteer, first "
              f"parse; median of {r['runs']}): {r['cpu_s']:.2f} CPU s, {r['wall_s']:.2f} s wall")
    t0 = time.perf_counter()
    gp = Geoparser()
    load = time.perf_counter() - t0
    report["corpora"] = {}
    for corpus, texts in per_corpus.items():
        results = benchmark(texts, args.runs, with_baseline=not args.no_baseline, ours=_ours(gp)[:1] + (load,))
        report["corpora"][corpus] = results
        print(f"\n{corpus}: {len(texts)} articles; median of {args.runs} runs after start-up; "
              f"{os.cpu_count()} cores on this machine")
        print(format_results(results))
    if not args.no_french:
        report["french"] = french(gp, args.runs)
        r = report["french"]
        print(f"\nFrench pipeline (loaded at the first French article: {r['load_cpu_s']:.2f} CPU s, "
              f"{r['load_s']:.2f} s wall), {r['articles']} French paragraphs written for the benchmark: "
              f"{r['articles_per_cpu_s']:.1f} articles/CPU-s, {r['articles_per_s']:.1f} articles/s wall")
    return report


def _long_main(args) -> int:
    try:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        print("error: --sizes must be positive whole numbers of KB, e.g. 25,50,100", file=sys.stderr)
        return 2
    try:
        base = "\n\n".join(load_texts([str(DEFAULT_CORPUS)]))
        rows = benchmark_long(sizes, base)
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"one article per size, the seed articles repeated; {os.cpu_count()} cores on this machine")
    print(format_long(rows))
    if args.json_out:
        from geodata.evaluate import _write_json_atomic

        _write_json_atomic(args.json_out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
