"""Score geoparsers on annotated corpora: ours and the baseline, side by side.

Corpus format (one JSON object per line):
``{"id", "text", "toponyms": [{"start", "end", "name", "lat", "lon", "geonameid"}]}``.

Metrics (see the evaluation README):
- exact P/R/F1: a prediction matches a gold toponym with the same start and end;
- loose P/R/F1: same surface string (case-insensitive) and span midpoints under 10 characters apart;
- Acc@161 over matched: share of loosely matched gold toponyms (with gold coordinates) whose predicted
  point is within 161 km (a prediction without coordinates counts as 20,039 km);
- end-to-end Acc@161: the same count over ALL gold toponyms with coordinates;
- median km over matched toponyms.

Command: ``python -m geodata evaluate CORPUS.jsonl [CORPUS ...] [--limit N] [--json OUT]``.

Our parser is scored on the places named outright (role "place"); ``--with-adjectives`` also scores it
with the nationality words it reports (role "adjective": "Russian officials") counted as toponyms.

``--held-out`` (two or more corpora): leave one corpus out - for each corpus, fit the weights on the
others (``geodata.fit``) and score it with them, beside the in-sample figure of the shipped weights and
the best published figures. spaCy's entities are cached (``geodata.nercache``), so the rotations cost
only the recognizer, the resolver and the fits.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from geodata import atomic
from geodata.errors import AtlasError
from geodata.geo import haversine_km

MISSING_KM = 20039.0
ACC_KM = 161.0
LOOSE_MIDPOINT_CHARS = 10


@dataclass(frozen=True)
class Toponym:
    """A span with an optional point; used for both gold and predicted toponyms."""

    start: int
    end: int
    name: str
    lat: float | None = None
    lon: float | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def midpoint(self) -> float:
        return (self.start + self.end) / 2.0


@dataclass
class Document:
    id: str
    text: str
    gold: list[Toponym] = field(default_factory=list)



def _num(value) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def load_corpus(path: str, limit: int | None = None) -> list[Document]:
    """Read a JSONL corpus; a bad line raises AtlasError naming the file and line."""
    docs: list[Document] = []
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise AtlasError(f"{path}: cannot read corpus ({exc.strerror or exc})") from exc
    with handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                text = obj["text"]
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
                gold = [
                    Toponym(int(t["start"]), int(t["end"]), str(t["name"]), _num(t.get("lat")), _num(t.get("lon")))
                    for t in obj.get("toponyms") or []
                ]
            except (ValueError, KeyError, TypeError) as exc:
                raise AtlasError(f"{path}:{lineno}: not a corpus document ({exc})") from exc
            docs.append(Document(str(obj.get("id", lineno)), text, gold))
            if limit is not None and len(docs) >= limit:
                break
    return docs


def match_loose(gold: Sequence[Toponym], pred: Sequence[Toponym]) -> list[tuple[int, int]]:
    """One-to-one loose matching: same lowercase string, midpoints < 10 chars apart (closest first)."""
    pairs = []
    for gi, g in enumerate(gold):
        gname = g.name.lower()
        for pi, p in enumerate(pred):
            if p.name.lower() == gname:
                d = abs(g.midpoint - p.midpoint)
                if d < LOOSE_MIDPOINT_CHARS:
                    pairs.append((d, gi, pi))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f, "tp": tp, "pred": n_pred, "gold": n_gold}


def score(docs: Sequence[Document], predictions: Sequence[Sequence[Toponym]]) -> dict:
    """All metrics for one system over a corpus (predictions aligned with docs)."""
    if len(docs) != len(predictions):
        raise ValueError("one prediction list per document is needed")
    n_gold = n_pred = exact_tp = loose_tp = 0
    gold_with_point = 0
    distances: list[float] = []
    for doc, pred in zip(docs, predictions):
        gold = doc.gold
        n_gold += len(gold)
        n_pred += len(pred)
        gold_spans = {(g.start, g.end) for g in gold}
        exact_tp += len({(p.start, p.end) for p in pred} & gold_spans)
        gold_with_point += sum(1 for g in gold if g.has_point)
        for gi, pi in match_loose(gold, pred):
            loose_tp += 1
            g, p = gold[gi], pred[pi]
            if not g.has_point:
                continue
            if p.has_point:
                distances.append(haversine_km(g.lat, g.lon, p.lat, p.lon))
            else:
                distances.append(MISSING_KM)
    within = sum(1 for d in distances if d <= ACC_KM)
    return {
        "documents": len(docs),
        "exact": _prf(exact_tp, n_pred, n_gold),
        "loose": _prf(loose_tp, n_pred, n_gold),
        "acc161_matched": within / len(distances) if distances else 0.0,
        "acc161_end_to_end": within / gold_with_point if gold_with_point else 0.0,
        "median_km": statistics.median(distances) if distances else None,
        "matched_with_point": len(distances),
        "gold_with_point": gold_with_point,
    }


# A system maps a list of texts to a list of predicted toponym lists.
System = Callable[[Sequence[str]], list[list[Toponym]]]


def ours_system(adjectives: bool = False, **options) -> System:
    from geodata.geoparser import Geoparser

    gp = Geoparser(**options)
    return geoparser_system(gp, adjectives)


def predictions(gp, texts: Sequence[str]) -> tuple[list[list[Toponym]], list[list[Toponym]]]:
    """(places only, places and nationality words) per text, from one parse."""
    places, everything = [], []
    for resolved in gp.parse_many(texts):
        pairs = [(r.role, Toponym(r.start, r.end, r.text, r.place.lat if r.place else None,
                                  r.place.lon if r.place else None)) for r in resolved]
        places.append([t for role, t in pairs if role == "place"])
        everything.append([t for _, t in pairs])
    return places, everything


def geoparser_system(gp, adjectives: bool = False) -> System:
    """Our parser as a system: the places named outright, plus the nationality words (role
    "adjective") when ``adjectives``."""

    def run(texts: Sequence[str]) -> list[list[Toponym]]:
        return predictions(gp, texts)[1 if adjectives else 0]

    return run


def baseline_system() -> System:
    from geodata.baseline import Baseline

    bl = Baseline()

    def run(texts: Sequence[str]) -> list[list[Toponym]]:
        return [
            [Toponym(t.start, t.end, t.name, t.lat, t.lon) for t in found]
            for found in bl.parse_many(texts)
        ]

    return run


def _fmt(v: float | None) -> str:
    return "   -" if v is None else f"{v:.3f}"


def format_table(corpus: str, results: dict[str, dict]) -> str:
    lines = [f"== {corpus} ({next(iter(results.values()))['documents']} documents)"]
    head = f"{'system':<10} {'exact P':>7} {'R':>6} {'F1':>6} | {'loose P':>7} {'R':>6} {'F1':>6} | " \
           f"{'Acc161':>6} {'e2e':>6} {'med km':>8} {'sec':>6}"
    lines.append(head)
    for name, r in results.items():
        e, l = r["exact"], r["loose"]
        med = "-" if r["median_km"] is None else f"{r['median_km']:.1f}"
        lines.append(
            f"{name:<10} {e['p']:>7.3f} {e['r']:>6.3f} {e['f1']:>6.3f} | {l['p']:>7.3f} {l['r']:>6.3f} "
            f"{l['f1']:>6.3f} | {r['acc161_matched']:>6.3f} {r['acc161_end_to_end']:>6.3f} {med:>8} "
            f"{r.get('seconds', 0):>6.1f}"
        )
    return "\n".join(lines)


def evaluate(paths: Iterable[str], systems: dict[str, System], limit: int | None = None) -> dict:
    report: dict = {}
    for path in paths:
        docs = load_corpus(path, limit)
        texts = [d.text for d in docs]
        per: dict[str, dict] = {}
        for name, system in systems.items():
            t0 = time.perf_counter()
            preds = system(texts)
            seconds = time.perf_counter() - t0
            per[name] = score(docs, preds)
            per[name]["seconds"] = seconds
        report[os.path.basename(path)] = per
    return report


# Wang and Hu 2019 (EUPEG), best of all published systems per column: (F1, Acc@161)
BEST_PUBLISHED = {"lgl.jsonl": (0.713, 0.819), "trnews.jsonl": (0.803, 0.850), "geovirus.jsonl": (0.917, 0.807)}


def held_out(paths: Sequence[str], ner, limit: int | None = None, params=None, adjectives: bool = False) -> dict:
    """Per corpus: the in-sample figures of ``params`` (default: the shipped weights) and the figures
    of weights fitted on the other corpora, for the places named outright; with ``adjectives``, also
    with the nationality words counted as toponyms (``*_adjectives``; the fits are the same)."""
    from geodata.fit import fit_params
    from geodata.geoparser import Geoparser
    from geodata.params import load_params

    shipped = params or load_params()
    corpora = {os.path.basename(p): load_corpus(p, limit) for p in paths}
    report: dict = {}
    for name, docs in corpora.items():
        train = [d for other, ds in corpora.items() if other != name for d in ds]
        fitted = fit_params(train, shipped, ner)
        texts = [d.text for d in docs]
        in_places, in_all = predictions(Geoparser(params=shipped, nlp=ner), texts)
        out_places, out_all = predictions(Geoparser(params=fitted, nlp=ner), texts)
        report[name] = {
            "in_sample": score(docs, in_places),
            "held_out": score(docs, out_places),
            "fitted_on": [other for other in corpora if other != name],
        }
        if adjectives:
            report[name]["in_sample_adjectives"] = score(docs, in_all)
            report[name]["held_out_adjectives"] = score(docs, out_all)
    return report


def format_held_out(report: dict) -> str:
    def cell(r):
        e = r["exact"]
        return f"{e['f1']:.3f} ({e['p']:.3f}/{e['r']:.3f})  {r['acc161_matched']:.3f}"

    lines = [f"{'corpus':<16} {'in-sample F1 (P/R)  Acc161':<28} | {'held-out F1 (P/R)  Acc161':<28} | "
             f"best published F1 / Acc161"]
    for name, r in report.items():
        best = BEST_PUBLISHED.get(name)
        pub = f"{best[0]:.3f} / {best[1]:.3f}" if best else "-"
        lines.append(f"{name:<16} {cell(r['in_sample']):<28} | {cell(r['held_out']):<28} | {pub}")
        if "held_out_adjectives" in r:
            lines.append(f"{'  + adjectives':<16} {cell(r['in_sample_adjectives']):<28} | "
                         f"{cell(r['held_out_adjectives']):<28} |")
    lines.append("held-out: weights fitted on the other corpora; in-sample: the shipped weights; exact spans")
    if any("held_out_adjectives" in r for r in report.values()):
        lines.append("+ adjectives: nationality words (\"Russian officials\") counted as mentions of their country")
    return "\n".join(lines)


def _write_json_atomic(path: str, obj) -> None:
    atomic.write_json(path, obj, indent=2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geodata evaluate",
                                 description="Score our geoparser and the baseline on annotated corpora.")
    ap.add_argument("corpora", nargs="+", metavar="CORPUS.jsonl")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents of each corpus")
    ap.add_argument("--json", dest="json_out", default=None, help="also write all figures to this file")
    ap.add_argument("--no-baseline", action="store_true", help="score only our parser")
    ap.add_argument("--held-out", action="store_true",
                    help="leave one corpus out: fit on the others, score it (needs two or more corpora)")
    ap.add_argument("--with-adjectives", "--demonyms", dest="adjectives", action="store_true",
                    help="also score our parser with nationality words (role 'adjective': 'Russian officials') "
                         "counted as toponyms ('ours+adj'; with --held-out, a '+ adjectives' row per corpus)")
    args = ap.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return 2
    for path in args.corpora:
        if not os.path.isfile(path):
            print(f"error: {path}: no such corpus file", file=sys.stderr)
            return 2
    if args.held_out and len(args.corpora) < 2:
        print("error: --held-out needs two or more corpora (fit on the others, score each)", file=sys.stderr)
        return 2
    try:
        from geodata.nercache import CachedNER

        ner = CachedNER()
        if args.held_out:
            return _held_out_main(args, ner)
        systems: dict[str, System] = {"ours": ours_system(nlp=ner)}
        if args.adjectives:
            systems["ours+adj"] = ours_system(adjectives=True, nlp=ner)
        if not args.no_baseline:
            systems["baseline"] = baseline_system()
        report = evaluate(args.corpora, systems, args.limit)
        ner.save()
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for corpus, results in report.items():
        print(format_table(corpus, results))
        print()
    if args.json_out:
        _write_json_atomic(args.json_out, report)
        print(f"wrote {args.json_out}")
    return 0


def _held_out_main(args, ner) -> int:
    report = held_out(args.corpora, ner, args.limit, adjectives=args.adjectives)
    ner.save()
    print(format_held_out(report))
    if args.json_out:
        _write_json_atomic(args.json_out, report)
        print(f"wrote {args.json_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
