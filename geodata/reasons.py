"""The compact evidence each mention carries in the outputs: why it is a place, why this place.

``mention_reasons(rm, params)`` turns a resolved mention's named evidence (``geodata/evidence.py``,
``geodata/resolve.py``; the same values ``python -m geodata explain`` prints) into at most
``MAX_PER_GROUP`` entries per group, each ``[group, feature, value, weight]``:

- group ``"p"`` (is a place): the recognizer's features of the span, strongest first (``weight`` =
  weight x value, what the feature added to the span's score; None for a rule such as a curated name);
- group ``"c"`` (this reading): the resolver's features, ranked by what they gave the chosen reading
  over the runner-up (``weight`` = weight x (chosen value - runner-up value); ``value`` is the chosen
  reading's own, 0 when only the runner-up had the feature). With one reading: its own contributions.

Values and contributions are rounded to 2 decimals: a mention's evidence is about 200 bytes of JSON.
The dashboard turns the names into plain words (``dashboard/evidence_words.py``).
"""
from __future__ import annotations

from geodata.contract import MAX_EVIDENCE
from geodata.model import ResolvedMention
from geodata.params import Params

MAX_PER_GROUP = MAX_EVIDENCE // 2
# features that decide by rule (no weight): shown first
RULE_FEATURES = ("curated_name", "one_sense_per_document", "demonym_reported")


def _entry(group: str, name: str, value: float, contribution: float | None) -> list:
    return [group, name, round(float(value), 2), None if contribution is None else round(contribution, 2)]


def place_reasons(evidence: dict[str, float], weights: dict[str, float]) -> list[list]:
    """Why the span is a place: rules first, then the features by how much they moved its score."""
    rules = [_entry("p", n, v, None) for n, v in evidence.items() if n in RULE_FEATURES]
    weighted = [(weights[n] * v, n, v) for n, v in evidence.items() if n in weights and weights[n] * v]
    weighted.sort(key=lambda t: (-abs(t[0]), t[1]))
    return (rules + [_entry("p", n, v, c) for c, n, v in weighted])[:MAX_PER_GROUP]


def choice_reasons(rm: ResolvedMention, weights: dict[str, float]) -> list[list]:
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
    return [_entry("c", n, v, g) for g, n, v in gains[:MAX_PER_GROUP]]


def mention_reasons(rm: ResolvedMention, params: Params) -> list[list]:
    """The compact evidence of one mention (both groups; empty for a place from an online geocoder)."""
    return place_reasons(rm.evidence, params.recognizer) + choice_reasons(rm, params.resolver)
