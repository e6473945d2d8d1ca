"""The compact evidence the outputs carry: why the words are a place, why this place.

Per mention, ``mention_reasons(rm, params)`` turns a resolved mention's named evidence
(``geodata/evidence.py``, ``geodata/resolve.py``; the values ``python -m geodata explain`` prints) into
entries ``(group, feature, value, contribution)``:

- group ``"p"`` (is a place): the recognizer's features of the span, strongest first (contribution =
  weight x value, what it added to the span's score; None for a rule such as a curated name);
- group ``"c"`` (this reading): the resolver's features, ranked by what they gave the chosen reading
  over the runner-up (contribution = weight x (chosen value - runner-up value); ``value`` is the chosen
  reading's own, 0 when only the runner-up had the feature). With one reading: its own contributions.

The outputs pool them per place, article and role (``pool``): ``[group, feature, mentions, contribution
summed, value]``, at most ``MAX_PER_GROUP`` per group, rounded to 2 decimals - what the dashboard's
"Wrong place?" section shows (it pools again over the articles shown). Per mention they would add 35-43 %
to places.geojson; pooled, 12-16 % (docs/dashboard.md has the measurements).
"""
from __future__ import annotations

from geodata.contract import MAX_EVIDENCE
from geodata.model import ResolvedMention
from geodata.params import Params

MAX_PER_GROUP = MAX_EVIDENCE // 2
# features that decide by rule (no weight): shown first
RULE_FEATURES = ("curated_name", "one_sense_per_document", "demonym_reported")


def _entry(group: str, name: str, value: float, contribution: float | None) -> tuple:
    return group, name, float(value), contribution


def place_reasons(evidence: dict[str, float], weights: dict[str, float]) -> list[tuple]:
    """Why the span is a place: rules first, then the features by how much they moved its score."""
    rules = [_entry("p", n, v, None) for n, v in evidence.items() if n in RULE_FEATURES]
    weighted = [(weights[n] * v, n, v) for n, v in evidence.items() if n in weights and weights[n] * v]
    weighted.sort(key=lambda t: (-abs(t[0]), t[1]))
    return rules + [_entry("p", n, v, c) for c, n, v in weighted]


def choice_reasons(rm: ResolvedMention, weights: dict[str, float]) -> list[tuple]:
    """Why this reading and not the runner-up: the features by what they gave the chosen one."""
    if rm.place is None or not rm.ranked:
        return []
    chosen = next((s for s in rm.ranked if s.place.id == rm.place.id), None)
    if chosen is None:
        return []
    rival = next((s for s in rm.ranked if s.place.id != rm.place.id), None)
    theirs = rival.features if rival is not None else {}
    gains = []
    for name in set(chosen.features) | set(theirs):
        w = weights.get(name)
        if not w:
            continue
        mine = chosen.features.get(name, 0.0)
        gain = w * (mine - theirs.get(name, 0.0))
        if gain > 0 or (rival is None and gain):
            gains.append((gain, name, mine))
    gains.sort(key=lambda t: (-t[0], t[1]))
    return [_entry("c", n, v, g) for g, n, v in gains]


def mention_reasons(rm: ResolvedMention, params: Params) -> list[tuple]:
    """The compact evidence of one mention (both groups; empty for a place from an online geocoder)."""
    return place_reasons(rm.evidence, params.recognizer) + choice_reasons(rm, params.resolver)


def pool(per_mention: list[list[tuple]]) -> list[list]:
    """Several mentions' reasons as one list: per (group, feature) in how many mentions it counted,
    what it added in all (None for a rule) and its first value; strongest first, capped per group."""
    pooled: dict[tuple[str, str], list] = {}
    for reasons in per_mention:
        for group, name, value, contribution in reasons:
            entry = pooled.setdefault((group, name), [group, name, 0, None if contribution is None else 0.0, value])
            entry[2] += 1
            if contribution is not None and entry[3] is not None:
                entry[3] += contribution
    out: list[list] = []
    for group in ("p", "c"):
        items = [e for e in pooled.values() if e[0] == group]
        items.sort(key=lambda e: (e[3] is not None, -abs(e[3] or 0.0), e[1]))
        out += [[g, n, k, None if c is None else round(c, 2), round(float(v), 2)]
                for g, n, k, c, v in items[:MAX_PER_GROUP]]
    return out
