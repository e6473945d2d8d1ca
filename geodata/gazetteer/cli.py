"""`python -m geodata index [--force] [--path P]`: build the gazetteer index when missing or stale."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from geodata.errors import AtlasError

from .build import DEFAULT_INDEX_PATH, build_index, index_is_current


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "index":
        argv = argv[1:]
    parser = argparse.ArgumentParser(prog="python -m geodata index",
                                     description="Build the offline gazetteer index (SQLite) from the pinned packages.")
    parser.add_argument("--force", action="store_true", help="rebuild even when the index is up to date")
    parser.add_argument("--path", type=Path, default=DEFAULT_INDEX_PATH, help=f"index file (default {DEFAULT_INDEX_PATH})")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    if not args.force and index_is_current(args.path):
        print(f"gazetteer index is up to date: {args.path} ({os.path.getsize(args.path) / 1e6:.1f} MB); use --force to rebuild")
        return 0
    t0 = time.time()
    log = (lambda msg: None) if args.quiet else (lambda msg: print(f"  {msg}", flush=True))
    print(f"building gazetteer index {args.path} ...", flush=True)
    try:
        counts = build_index(args.path, log=log)
    except (AtlasError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    seconds = time.time() - t0
    size = os.path.getsize(args.path) / 1e6
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("names", "seconds"))
    print(f"built {args.path}: {kinds}; {counts.get('names', 0)} names; {size:.1f} MB in {seconds:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
