"""Measures the gazetteer against evaluation corpora (read at run time, never stored in the repo).

    python -m geodata.gazetteer.coverage [CORPUS.jsonl ...] [--index PATH] [--timing]

Prints, per corpus:
- id coverage: share of gold toponyms with a GeoNames id whose id is in the index (by the index kind);
- name coverage: share of gold names that `lookup` finds at all, and share whose candidates include a
  place within 161 km of the gold point (candidate recall), and Acc@161 of the first candidate (the
  static prior alone);
- country and first-level division points: for gold toponyms that are countries / admin1 (by GeoNames
  id where the corpus has one, else by the first lookup candidate), the share within 161 km of the
  gold point for every way of placing them, so the build can keep the best.
With --timing: Gazetteer.open() + first lookup (median of 5 fresh processes), lookup latency and peak RSS.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from ..errors import AtlasError
from ..geo import haversine_km
from ..jsonl import read_jsonl
from .build import DEFAULT_INDEX_PATH, REPO_ROOT, Sources
from .normalize import normalize
from .store import Gazetteer

DEFAULT_CORPORA = [REPO_ROOT.parent / "shared" / "eval" / f"{n}.jsonl" for n in ("lgl", "trnews", "geovirus")]
KM = 161.0


def read_corpus(path: Path) -> list[dict]:
    try:
        return [t for _, doc in read_jsonl(path) for t in doc.get("toponyms") or []]
    except AtlasError as exc:
        raise SystemExit(str(exc)) from exc


def pct(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "n/a"


def measure_corpus(g: Gazetteer, name: str, toponyms: list[dict]) -> dict:
    with_id = [t for t in toponyms if t.get("geonameid")]
    kinds = Counter()
    for t in with_id:
        p = g.by_geonameid(int(t["geonameid"]))
        kinds[p.kind if p else "missing"] += 1
    found = recall = top1 = 0
    with_pt = [t for t in toponyms if t.get("lat") is not None and t.get("lon") is not None]
    missing_names = Counter()
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind of the gold id -> [found, total]
    for t in with_pt:
        cands = g.lookup(t["name"])
        if t.get("geonameid"):
            p = g.by_geonameid(int(t["geonameid"]))
            tally = by_kind[p.kind if p else "id not in index"]
            tally[1] += 1
            tally[0] += bool(cands)
        if cands:
            found += 1
        else:
            missing_names[t["name"]] += 1
        dists = [haversine_km(t["lat"], t["lon"], c.place.lat, c.place.lon) for c in cands]
        if any(d <= KM for d in dists):
            recall += 1
        if dists and dists[0] <= KM:
            top1 += 1
    print(f"\n== {name}: {len(toponyms)} gold toponyms, {len(with_id)} with a GeoNames id, {len(with_pt)} with a point")
    if with_id:
        inside = sum(v for k, v in kinds.items() if k != "missing")
        print(f"  ids in the index: {pct(inside, len(with_id))}; by kind: "
              + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print(f"  names lookup finds: {pct(found, len(with_pt))}")
    if by_kind:
        print("    by kind of the gold id: " + "; ".join(f"{k} {pct(v[0], v[1])}" for k, v in
                                                       sorted(by_kind.items(), key=lambda kv: -kv[1][1])))
    print(f"  a candidate within {KM:.0f} km (candidate recall): {pct(recall, len(with_pt))}")
    print(f"  first candidate within {KM:.0f} km (static prior alone): {pct(top1, len(with_pt))}")
    print("  most frequent names not found: " + ", ".join(f"{n} x{c}" for n, c in missing_names.most_common(15)))
    return {"ids": kinds, "found": found, "recall": recall, "top1": top1, "n": len(with_pt)}


def _gold_areas(g: Gazetteer, toponyms: list[dict], kind: str) -> list[tuple[str, float, float]]:
    """(key, lat, lon) for gold toponyms that are a country (key ISO code) or admin1 (key "CC.CODE")."""
    out = []
    for t in toponyms:
        if t.get("lat") is None:
            continue
        place = None
        if t.get("geonameid"):
            place = g.by_geonameid(int(t["geonameid"]))
        else:
            cands = g.lookup(t["name"])
            if cands and cands[0].name_type in ("name", "alternate", "abbreviation", "demonym"):
                place = cands[0].place
        if place is None or place.kind != kind:
            continue
        key = place.country if kind == "country" else place.admin1 if kind == "admin1" else place.id
        if key:
            out.append((key, t["lat"], t["lon"]))
    return out


def compare_points(title: str, gold: list[tuple[str, float, float]], options: dict[str, dict[str, tuple]]) -> None:
    methods = sorted({m for opts in options.values() for m in opts})
    print(f"  {title}: {len(gold)} gold toponyms")
    for m in methods:
        hit = n = 0
        dists = []
        for key, lat, lon in gold:
            pt = options.get(key, {}).get(m)
            if pt is None:
                continue
            n += 1
            d = haversine_km(lat, lon, pt[0], pt[1])
            dists.append(d)
            hit += d <= KM
        if n:
            print(f"    {m:24s} within {KM:.0f} km {pct(hit, n)}  median {statistics.median(dists):.0f} km")


def measure_points(g: Gazetteer, corpora: dict[str, list[dict]]) -> None:
    src = Sources()
    country_opts = src.country_point_options()
    for iso in list(country_opts):
        p = g.country(iso)
        if p:
            country_opts[iso]["index"] = (p.lat, p.lon)
    members1 = src.admin1_members()
    state_points = src.us_state_points()
    import us

    admin1_opts: dict[str, dict[str, tuple]] = {}
    for code, members in members1.items():
        admin1_opts[code] = Sources.point_options(members)
    for st in us.states.STATES_AND_TERRITORIES + [us.states.DC]:
        if st.fips in state_points:
            admin1_opts.setdefault(f"US.{st.abbr}", {})["us-census"] = state_points[st.fips]
    for code in list(admin1_opts):
        p = g.admin1(code)
        if p:
            admin1_opts[code]["index"] = (p.lat, p.lon)
    for name, tops in corpora.items():
        print(f"\n== {name}: point accuracy")
        compare_points("countries", _gold_areas(g, tops, "country"), country_opts)
        a1 = _gold_areas(g, tops, "admin1")
        compare_points("first-level divisions (all)", a1, admin1_opts)
        compare_points("first-level divisions outside the US", [x for x in a1 if not x[0].startswith("US.")], admin1_opts)
        a2 = _gold_areas(g, tops, "admin2")
        a2_opts = {}
        for key, _, _ in a2:
            p = g.get(key)
            a2_opts[key] = {"index": (p.lat, p.lon), p.source: (p.lat, p.lon)}
        compare_points("second-level divisions (by source)", a2, a2_opts)


def measure_timing(index: Path) -> None:
    code = ("import time; t=time.perf_counter(); from geodata.gazetteer import Gazetteer; "
            f"g=Gazetteer.open({str(index)!r}); g.lookup('Calais'); print(time.perf_counter()-t)")
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
        runs.append(float(out.stdout.strip()))
    print(f"\nGazetteer.open() + first lookup, fresh process (incl. import): median {statistics.median(runs) * 1000:.1f} ms "
          f"of {len(runs)} runs ({', '.join(f'{r * 1000:.0f}' for r in runs)} ms)")
    g = Gazetteer.open(index)
    names = [n for n, _ in zip(g.names(min_population=1000), range(20000))]
    keys = [normalize(n) for n in names]
    t = time.perf_counter()
    for key in keys:
        g._lookup_key(key)  # the uncached path
    dt = time.perf_counter() - t
    print(f"lookup latency (uncached, {len(names)} names): {dt / len(names) * 1e6:.0f} us per lookup")
    t = time.perf_counter()
    for n in names[:5000]:
        g.contains(n)
    print(f"contains latency: {(time.perf_counter() - t) / 5000 * 1e6:.0f} us")
    t = time.perf_counter()
    for q in ("Cal", "Dunk", "New Yo", "Ohi", "Lond"):
        g.search(q)
    print(f"search latency: {(time.perf_counter() - t) / 5 * 1000:.1f} ms per query")
    try:
        import resource

        print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    except ImportError:  # pragma: no cover
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata.gazetteer.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX_PATH)
    parser.add_argument("--no-points", action="store_true", help="skip the country/admin1 point comparison")
    parser.add_argument("--timing", action="store_true", help="also measure open/lookup time and memory")
    args = parser.parse_args(argv)
    g = Gazetteer.open(args.index)
    corpora = {}
    for path in args.corpora:
        if not path.exists():
            print(f"error: corpus not found: {path}", file=sys.stderr)
            return 2
        corpora[path.stem] = read_corpus(path)
    for name, tops in corpora.items():
        measure_corpus(g, name, tops)
    if not args.no_points:
        measure_points(g, corpora)
    if args.timing:
        measure_timing(args.index)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
