"""The one home of every weight: ``geodata/model_params.json``, loaded once.

Sections:
- ``recognizer``: weight of each named span feature (``geodata/evidence.py``), ``bias`` and
  ``threshold`` (a span is a place when ``bias + sum(weight * value) >= threshold``);
- ``recognizer_rules``: the constants of the rules around that sum (one sense per document, vetoes);
- ``cues``: how much each context cue counts in a name's document-wide votes, and the name prior table;
- ``resolver``: weight of each named candidate feature (``geodata/resolve.py``);
- ``context``: how confident first-pass choices vote for countries and divisions.

``python -m geodata fit`` rewrites ``recognizer`` and ``resolver`` from annotated corpora; the other
sections are hand-set and documented in the file's ``notes``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from geodata.errors import AtlasError

DEFAULT_PARAMS_PATH = Path(__file__).with_name("model_params.json")
SECTIONS = ("recognizer", "recognizer_rules", "cues", "resolver", "context")


@dataclass(frozen=True)
class Params:
    recognizer: dict[str, float]
    recognizer_rules: dict[str, float]
    cues: dict[str, float]
    resolver: dict[str, float]
    context: dict[str, float]
    meta: dict = field(default_factory=dict)

    def replace(self, **sections) -> "Params":
        data = {name: getattr(self, name) for name in SECTIONS} | {"meta": self.meta}
        data.update(sections)
        return Params(**data)

    def as_json(self) -> dict:
        return {"meta": self.meta} | {name: getattr(self, name) for name in SECTIONS}


def linear(weights: dict[str, float], features: dict[str, float]) -> float:
    """``sum(weight * value)`` over the features that have a weight (others count 0)."""
    return sum(weights.get(name, 0.0) * value for name, value in features.items())


_cache: dict[str, Params] = {}


def load_params(path: str | os.PathLike | None = None) -> Params:
    """The parameters in ``path`` (default: the shipped file), read once per process."""
    path = Path(path) if path is not None else DEFAULT_PARAMS_PATH
    key = str(path.resolve())
    if key not in _cache:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AtlasError(f"{path}: cannot read model parameters ({exc})") from exc
        missing = [s for s in SECTIONS if not isinstance(data.get(s), dict)]
        if missing:
            raise AtlasError(f"{path}: model parameters lack section(s) {', '.join(missing)}")
        _cache[key] = Params(**{s: data[s] for s in SECTIONS}, meta=data.get("meta", {}))
    return _cache[key]
