"""Fit the weights that combine the named evidence, from annotated corpora (numpy only, at fit time).

- Recognizer: a logistic regression of "this proposed span is a gold toponym (same start and end)"
  on the span's named evidence, its L2 penalty pulling towards the hand-set weights (scaled to logits);
  the threshold is the one that maximises F1 on the training corpora. Vetoed spans keep their rule and
  nationality words (annotated by some corpora, not by others) are left out.
- Resolver: a conditional logit (softmax over each mention's readings) of "this reading is within
  161 km of the gold point" on the readings' named features, for recognised mentions that match a gold
  toponym, pulled towards the hand-set weights and rescaled to their scale. Pass 1 of the resolver uses the same weights on the prior features, so the fit is repeated
  once with the first fit's pass 1.

The runtime applies the fitted weights in plain Python (``geodata.params.linear``).
``python -m geodata fit --out geodata/model_params.json CORPUS.jsonl [CORPUS ...]`` writes them.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Sequence

from geodata.errors import AtlasError
from geodata.evaluate import ACC_KM, Document, Toponym, load_corpus, match_loose
from geodata.geo import haversine_km
from geodata.params import Params, load_params

# L2 penalty on standardised features (per row of training data), pulling towards the hand-set weights
RECOGNIZER_L2 = 1e-2
RESOLVER_L2 = 1e-2
NEWTON_STEPS = 25
ADAM_STEPS = 400
ADAM_RATE = 0.05
# thresholds whose training F1 is within this of the best are equally good; the median is taken
THRESHOLD_PLATEAU = 0.002
# span features that are rules, not weighted evidence
_RULE_FEATURES = ("one_sense_per_document", "curated_name", "demonym_reported")


@dataclass
class FitData:
    spans: list[tuple[dict[str, float], bool]]
    gold_spans: int
    groups: list[tuple[list[dict[str, float]], list[bool]]]


def _weighted(features: dict[str, float]) -> bool:
    return not any(n.startswith("veto:") for n in features)


def nationality_word(f) -> bool:
    """ "Canadian", "Somali": a people's name (NER's NORP, or a demonym in the gazetteer). Some corpora
    annotate these as toponyms and some do not; the project reports them only on request, so the fit
    learns nothing from them (their weights stay the hand-set ones)."""
    return f.label == "NORP" or any(c.name_type == "demonym" for c in f.candidates)


def _span_rows(gp, doc: Document, ent_doc) -> tuple[list[tuple[dict, bool]], list]:
    found = gp.recognizer.score_all(doc.text, ent_doc)
    gold = {(g.start, g.end) for g in doc.gold}
    rows = []
    for f in found:
        feats = {k: v for k, v in f.evidence.items() if k not in _RULE_FEATURES}
        if f.forced is None and _weighted(feats) and not nationality_word(f):
            rows.append((feats, (f.mention.start, f.mention.end) in gold))
    return rows, [f for f in found if f.score >= gp.recognizer.threshold]


def _resolution_groups(gp, doc: Document, accepted) -> list[tuple[list[dict], list[bool]]]:
    _, ranked = gp.resolver.rank_all(doc.text, accepted)
    preds = [Toponym(f.mention.start, f.mention.end, f.mention.text) for f in accepted]
    groups = []
    for gi, pi in match_loose(doc.gold, preds):
        g = doc.gold[gi]
        scored = ranked[pi]
        if not g.has_point or len(scored) < 2:
            continue
        ok = [haversine_km(g.lat, g.lon, c.place.lat, c.place.lon) <= ACC_KM for _, c, _ in scored]
        if any(ok) and not all(ok):
            groups.append(([feats for _, _, feats in scored], ok))
    return groups


def collect(docs: Sequence[Document], params: Params, ner) -> FitData:
    """Every proposed span's evidence and every matched mention's readings, under ``params``."""
    from geodata.geoparser import Geoparser

    gp = Geoparser(params=params, nlp=ner, demonyms=False)  # nationality words are no part of the fit
    data = FitData([], 0, [])
    for doc, ent_doc in zip(docs, ner.pipe([d.text for d in docs])):
        rows, accepted = _span_rows(gp, doc, ent_doc)
        data.spans.extend(rows)
        data.gold_spans += len(doc.gold)
        data.groups.extend(_resolution_groups(gp, doc, accepted))
    return data


# --- numpy fitting --------------------------------------------------------------------------------

def _matrix(rows: Sequence[dict[str, float]], names: list[str]):
    import numpy as np

    col = {n: k for k, n in enumerate(names)}
    X = np.zeros((len(rows), len(names)))
    for i, feats in enumerate(rows):
        for n, v in feats.items():
            if n in col:
                X[i, col[n]] = v
    return X


def _standardise(X):

    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    sd[sd < 1e-9] = 1.0
    return (X - mu) / sd, mu, sd


def _centre(names: list[str], centre: dict[str, float] | None, sd):
    """The weights the penalty pulls towards (the hand-set ones), on the standardised scale."""
    import numpy as np

    if not centre:
        return np.zeros(len(names))
    return np.asarray([centre.get(n, 0.0) for n in names]) * sd


def _scale(values, labels, groups=None) -> float:
    """The one factor that best turns hand-set scores into logits (1-D fit by bisection on the
    derivative of the log-likelihood, which is monotone in the factor)."""
    import numpy as np

    x = np.asarray(values, dtype=float)
    y = np.asarray(labels, dtype=float)

    def slope(a: float) -> float:
        if groups is None:
            p = 1.0 / (1.0 + np.exp(-a * x))
            return float(((y - p) * x).sum())
        starts, gid = groups
        s = a * x
        e = np.exp(s - np.maximum.reduceat(s, starts)[gid])
        p_all = e / np.add.reduceat(e, starts)[gid]
        e_pos = e * y
        p_pos = e_pos / np.add.reduceat(e_pos, starts)[gid]
        return float(((p_pos - p_all) * x).sum())

    lo, hi = 0.0, 20.0
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if slope(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def fit_logistic(rows: Sequence[dict[str, float]], labels: Sequence[bool], names: list[str],
                 l2: float = RECOGNIZER_L2, centre: dict[str, float] | None = None,
                 centre_bias: float = 0.0) -> tuple[dict[str, float], float]:
    """(weights, bias) of a logistic regression fitted by Newton's method on standardised features,
    the L2 penalty pulling the weights towards ``centre`` (default 0)."""
    import numpy as np

    X, mu, sd = _standardise(_matrix(rows, names))
    y = np.asarray(labels, dtype=float)
    n, d = X.shape
    Xb = np.hstack([X, np.ones((n, 1))])
    wc = _centre(names, centre, sd)
    w0 = np.concatenate([wc, [centre_bias + float((wc / sd * mu).sum())]])
    w = w0.copy()
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(Xb @ w)))
        grad = Xb.T @ (p - y) / n + reg * (w - w0)
        hess = (Xb * (p * (1 - p))[:, None]).T @ Xb / n + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    raw = w[:d] / sd
    bias = float(w[d] - (raw * mu).sum())
    return {n_: float(v) for n_, v in zip(names, raw)}, bias


def fit_ranker(groups: Sequence[tuple[list[dict[str, float]], list[bool]]], names: list[str],
               l2: float = RESOLVER_L2, centre: dict[str, float] | None = None) -> dict[str, float]:
    """Weights of a conditional logit: maximise each group's probability of its correct readings,
    the L2 penalty pulling towards ``centre`` (default 0)."""
    import numpy as np

    rows = [feats for g, _ in groups for feats in g]
    X, _, sd = _standardise(_matrix(rows, names))
    pos = np.asarray([ok for _, oks in groups for ok in oks], dtype=bool)
    sizes = np.asarray([len(g) for g, _ in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gid = np.repeat(np.arange(len(groups)), sizes)
    n_groups = len(groups)
    w0 = _centre(names, centre, sd)
    w = w0.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, ADAM_STEPS + 1):
        s = X @ w
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[gid])
        p_all = e / np.add.reduceat(e, starts)[gid]
        e_pos = np.where(pos, e, 0.0)
        p_pos = e_pos / np.add.reduceat(e_pos, starts)[gid]
        grad = X.T @ (p_all - p_pos) / n_groups + l2 * (w - w0)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= ADAM_RATE * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return {n_: float(x) for n_, x in zip(names, w / sd)}


def best_threshold(scores: Sequence[float], labels: Sequence[bool], gold_spans: int,
                   plateau: float = THRESHOLD_PLATEAU) -> float:
    """The score threshold with the best span F1 (gold spans never proposed count as missed): the
    median of the thresholds within ``plateau`` of the best F1, so a flat optimum does not land on
    one noisy edge of it."""
    ranked = sorted(zip(scores, labels), key=lambda t: -t[0])
    tp = 0
    curve = []
    for k, (sc, ok) in enumerate(ranked, 1):
        tp += ok
        if k == len(ranked) or ranked[k][0] < sc:
            curve.append((2 * tp / (k + gold_spans), sc))
    if not curve:
        return 0.0
    best = max(f for f, _ in curve)
    near = sorted(sc for f, sc in curve if f >= best - plateau)
    return near[len(near) // 2]


def _names(rows: Sequence[dict[str, float]], base: dict[str, float]) -> list[str]:
    seen = {n for feats in rows for n in feats}
    return sorted((seen | set(base)) - {"bias", "threshold"})


def _hand_score(weights: dict[str, float], feats: dict[str, float]) -> float:
    return sum(weights.get(k, 0.0) * x for k, x in feats.items())


def fit_recognizer(data: FitData, hand: dict[str, float]) -> dict[str, float]:
    """Recognizer weights: a logistic regression pulled towards the hand-set weights, scaled to logits."""
    rows = [f for f, _ in data.spans]
    labels = [ok for _, ok in data.spans]
    hand_scores = [_hand_score(hand, f) + hand.get("bias", 0.0) - hand["threshold"] for f in rows]
    a = _scale(hand_scores, labels)
    centre = {k: a * v for k, v in hand.items() if k not in ("bias", "threshold")}
    centre_bias = a * (hand.get("bias", 0.0) - hand["threshold"])
    weights, bias = fit_logistic(rows, labels, _names(rows, hand), RECOGNIZER_L2, centre, centre_bias)
    scores = [bias + _hand_score(weights, f) for f in rows]
    return weights | {"bias": bias, "threshold": best_threshold(scores, labels, data.gold_spans)}


def fit_resolver(data: FitData, hand: dict[str, float]) -> dict[str, float]:
    """Resolver weights: a conditional logit pulled towards the hand-set weights, scaled to logits."""
    import numpy as np

    rows = [f for g, _ in data.groups for f in g]
    sizes = np.asarray([len(g) for g, _ in data.groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gid = np.repeat(np.arange(len(data.groups)), sizes)
    ok = [o for _, oks in data.groups for o in oks]
    a = _scale([_hand_score(hand, f) for f in rows], ok, (starts, gid))
    weights = fit_ranker(data.groups, _names(rows, hand), RESOLVER_L2, {k: a * v for k, v in hand.items()})
    return {k: v / a for k, v in weights.items()} if a > 0 else weights


def fit_params(docs: Sequence[Document], base: Params, ner, rounds: int = 2) -> Params:
    """Parameters fitted on ``docs``, starting from ``base`` (its rule and context sections are kept).
    The resolver's weights are rescaled to the hand-set scale, which pass 1's confidence margin uses."""
    params = base
    for _ in range(rounds):
        data = collect(docs, params, ner)
        if not data.spans or not data.groups:
            raise AtlasError("not enough annotated toponyms to fit on")
        params = params.replace(recognizer=fit_recognizer(data, base.recognizer),
                                resolver=fit_resolver(data, base.resolver))
    return params


def main(argv: list[str] | None = None) -> int:
    from geodata import atomic
    from geodata.nercache import CachedNER

    ap = argparse.ArgumentParser(prog="python -m geodata fit",
                                 description="Fit the recognizer's and resolver's weights on annotated corpora.")
    ap.add_argument("corpora", nargs="+", metavar="CORPUS.jsonl")
    ap.add_argument("--out", required=True, help="parameter file to write (e.g. geodata/model_params.json)")
    ap.add_argument("--base", default=None, help="parameters to start from (default: the shipped file)")
    args = ap.parse_args(argv)
    try:
        base = load_params(args.base)
        docs = [d for path in args.corpora for d in load_corpus(path)]
        ner = CachedNER()
        params = fit_params(docs, base, ner)
        ner.save()
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    import os

    meta = dict(base.meta) | {"fitted_on": [os.path.basename(p) for p in args.corpora],
                              "notes": "recognizer and resolver fitted by 'python -m geodata fit'; "
                                       "recognizer_rules, cues and context are hand-set"}
    atomic.write_json(args.out, params.replace(meta=meta).as_json(), indent=2)
    print(f"fitted on {len(docs)} documents -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
