"""``python -m geodata explain "text"`` (or ``--file F``): why is this a place, why this one.

For every span the recognizer proposed (kept or not), prints its score against the threshold and its
named evidence with each value and weight; for every kept mention, the ranked readings with their
features, weighted. ``--all`` also lists spans below the threshold; ``--top N`` readings per mention.
"""
from __future__ import annotations

import argparse
import sys

from geodata.errors import AtlasError


def _terms(features: dict[str, float], weights: dict[str, float]) -> str:
    parts = []
    for name, value in sorted(features.items(), key=lambda kv: -abs(weights.get(kv[0], 0.0) * kv[1])):
        w = weights.get(name)
        parts.append(f"{name}={value:.2f}" + (f"×{w:+.2f}" if w is not None else " (rule)"))
    return ", ".join(parts)


def _place(p) -> str:
    where = ", ".join(x for x in (p.admin1, p.country) if x)
    return f"{p.name} [{p.kind}{', ' + where if where else ''}; pop {p.population:,}; id {p.id}]"


def explain(text: str, gp, show_all: bool = False, top: int = 3) -> str:
    """The explanation of ``text`` as lines of plain text."""
    language, nlp, rec = gp.pipeline_for(text)
    doc = next(iter(gp.ner_docs(language, nlp, [text])))
    spans = rec.score_all(text, doc)
    kept = [f for f in spans if f.score >= rec.threshold]
    resolved = {(r.start, r.end): r for r in gp.resolver.resolve(text, kept)}
    lines = [f"language {language} (cues: {rec.language}); threshold {rec.threshold:.2f}; "
             f"weights from {gp.params.meta.get('notes', 'the shipped file')}"]
    for f in spans:
        is_place = f.score >= rec.threshold
        if not is_place and not show_all:
            continue
        verdict = "PLACE" if is_place else "not a place"
        lines.append(f"\n{f.mention.text!r} at {f.mention.start}-{f.mention.end}: {verdict}, score {f.score:.2f} "
                     f"(label {f.label or '-'})")
        lines.append(f"  why: {_terms(f.evidence, rec.weights)}")
        r = resolved.get((f.mention.start, f.mention.end))
        if r is None or not is_place:
            continue
        if r.place is None:
            lines.append("  no reading (the gazetteer does not know the name)")
            continue
        if not r.ranked:
            lines.append(f"  -> {_place(r.place)} (curated)")
            continue
        lines.append(f"  -> {_place(r.place)}")
        for k, s in enumerate(r.ranked[:top], 1):
            lines.append(f"     {k}. {s.score:6.2f}  {_place(s.place)}")
            lines.append(f"        {_terms(s.features, gp.resolver.weights)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geodata explain",
                                 description="Why is this a place, why this one: evidence and ranked readings.")
    ap.add_argument("text", nargs="?", help="the text to explain")
    ap.add_argument("--file", help="read the text from this UTF-8 file instead")
    ap.add_argument("--all", action="store_true", help="also list proposed spans below the threshold")
    ap.add_argument("--top", type=int, default=3, help="readings shown per mention (default 3)")
    ap.add_argument("--params", default=None, help="parameter file (default: geodata/model_params.json)")
    args = ap.parse_args(argv)
    if (args.text is None) == (args.file is None):
        print("error: give either a text or --file", file=sys.stderr)
        return 2
    try:
        if args.file is not None:
            try:
                with open(args.file, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError) as exc:
                raise AtlasError(f"{args.file}: cannot read ({exc})") from exc
        else:
            text = args.text
        from geodata.geoparser import Geoparser
        from geodata.params import load_params

        gp = Geoparser(params=load_params(args.params))
        print(explain(text, gp, show_all=args.all, top=max(1, args.top)))
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
