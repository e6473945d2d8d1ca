"""`python -m geodata <command>`: one entry point, one module per command."""
from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module, function, one-line help); each function takes argv and returns an exit code.
COMMANDS = {
    "build": ("geodata.cli", "build_main", "read articles, write places.geojson, gazetteer.csv, articles.json and the store"),
    "build-worker": ("geodata.buildworker", "main", "run builds sent on stdin in one warm process (the dashboard's rebuilds)"),
    "index": ("geodata.gazetteer", "main", "build the offline gazetteer index (done once at set-up)"),
    "parse": ("geodata.geoparser", "parse_main", "geoparse JSONL documents {id, text} into toponyms"),
    "evaluate": ("geodata.evaluate", "main", "score the geoparser and the baseline on annotated corpora"),
    "benchmark": ("geodata.benchmark", "main", "measure parsing speed and memory against the baseline"),
    "scale": ("geodata.scale", "main", "measure the dask engine against corpus size and workers (speed-up, memory)"),
    "check": ("geodata.check", "main", "run the bad-input and fault matrix against real builds"),
    "fit": ("geodata.fit", "main", "fit the recognizer's and resolver's weights on annotated corpora"),
    "explain": ("geodata.explain", "main", "why is this a place, why this one: each mention's evidence"),
}


def build_main(argv: list[str]) -> int:
    from .geocoders import add_geocoder_arguments, geocoder_from_args
    from .errors import AtlasError
    from . import pipeline

    parser = argparse.ArgumentParser(prog="python -m geodata build", description=COMMANDS["build"][2])
    parser.add_argument("--articles", default=str(pipeline.DEFAULT_ARTICLES_DIR),
                        help="folder of articles: .txt, .md, .html, .csv, .jsonl, RSS/Atom feeds (see README, \"Adding articles\"; default: seeds/)")
    parser.add_argument("--out", default=str(pipeline.DEFAULT_OUT_DIR), help="output folder (default: geodata/)")
    parser.add_argument("--overrides", default=str(pipeline.DEFAULT_OVERRIDES),
                        help="curated overrides CSV (default: geodata/overrides.csv)")
    parser.add_argument("--strict", action="store_true", help="exit non-zero (writing nothing) if any article is skipped")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar (default: on for 20+ articles)")
    parser.add_argument("--progress-lines", action="store_true",
                        help="print 'progress N M' on its own line after each article (for the dashboard)")
    parser.add_argument("--no-cache", dest="use_cache", action="store_false",
                        help="parse every article again, neither reading nor writing the parse cache "
                             "(<out>/cache/parse.sqlite)")
    parser.add_argument("--engine", choices=("in-process", "dask"), default="in-process",
                        help="where articles are parsed: in this process (default) or on dask.distributed workers")
    parser.add_argument("--workers", type=int, default=None,
                        help="--engine dask without --scheduler: how many local worker processes (default 1)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="--engine dask: the scheduler of an existing cluster (tcp://host:8786) instead of a "
                             "local one; --out must be a folder every worker can write")
    parser.add_argument("--store-only", action="store_true",
                        help="write only the store, not places.geojson, gazetteer.csv, articles.json (for large "
                             "corpora: gazetteer.csv has a column per article; the dashboard still reads the JSON)")
    add_geocoder_arguments(parser)
    args = parser.parse_args(argv)
    if args.engine != "dask" and (args.workers is not None or args.scheduler is not None):
        parser.error("--workers and --scheduler apply to --engine dask only")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        geocoder = geocoder_from_args(args)
        report = pipeline.build(args.articles, args.out, overrides_path=args.overrides, geocoder=geocoder,
                                strict=args.strict, progress=args.progress, use_cache=args.use_cache,
                                engine=args.engine, workers=args.workers, scheduler=args.scheduler,
                                store_only=args.store_only,
                                on_article=_progress_line if args.progress_lines else None)
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _progress_line(done: int, total: int) -> None:
    print(f"progress {done} {total}", flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        width = max(map(len, COMMANDS))
        print("usage: python -m geodata <command> [options]\n\ncommands:")
        for name, (_, _, text) in COMMANDS.items():
            print(f"  {name:<{width}}  {text}")
        if argv and argv[0] not in ("-h", "--help"):
            print(f"\nerror: unknown command {argv[0]!r}", file=sys.stderr)
            return 2
        return 0
    module, function, _ = COMMANDS[argv[0]]
    return getattr(importlib.import_module(module), function)(argv[1:])
