"""Dated test corpora: small .txt articles written here, given a date, source and URL, parsed by the real
geoparser and written by the real output writer (``geodata.outputs.write_outputs``).

A .txt file cannot carry a date until the formats readers (front matter) are merged; this is the one
place that gives test articles their metadata, so it can switch to writing front matter then (and to
``python -m geodata build``) without touching the tests that use it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from geodata.articles import load_articles
from geodata.gazetteer import Gazetteer
from geodata.geoparser import Geoparser
from geodata.outputs import write_outputs


@dataclass(frozen=True)
class Story:
    stem: str            # the file name without .txt (the article id)
    title: str
    body: str
    date: str | None = None
    source: str | None = None
    url: str | None = None


# Three months of made-up stories (written for these tests), one without a date.
STORIES = (
    Story("ferries-may", "Ferries at Calais", "The morning ferry from Calais reached Dover two hours late.",
          "2024-05-03", "Harbour Weekly", "https://news.example.org/ferries-may"),
    Story("cargo-june", "Cargo waits at Rotterdam", "Container ships queued outside Rotterdam all week.",
          "2024-06-18T09:30:00+02:00", "Port Gazette", "https://news.example.org/cargo-june"),
    Story("trains-july", "Night trains to Vienna", "The new night train from Brussels arrived in Vienna at dawn.",
          "2024-07-22", "Rail Notes", "javascript:alert(1)"),
    Story("undated-lyon", "Markets of Lyon", "Stalls in Lyon sold cheese from the Alps.", None, None, None),
)


def write_dated_corpus(articles_dir: Path, out_dir: Path, stories=STORIES) -> None:
    """Write ``stories`` as .txt files into ``articles_dir`` and their outputs into ``out_dir``."""
    articles_dir.mkdir(parents=True, exist_ok=True)
    for s in stories:
        (articles_dir / f"{s.stem}.txt").write_text(f"{s.title}\n\n{s.body}\n", encoding="utf-8")
    articles, skipped = load_articles(articles_dir)
    meta = {s.stem: s for s in stories}
    articles = [dataclasses.replace(a, date=meta[a.id].date, source=meta[a.id].source, url=meta[a.id].url)
                for a in articles]
    parser = Geoparser(Gazetteer.open())
    parsed = parser.parse_many_with_language(a.text for a in articles)
    resolved, with_language = {}, []
    for article, (language, mentions) in zip(articles, parsed):
        with_language.append(dataclasses.replace(article, language=language))
        resolved[article.id] = mentions
    write_outputs(out_dir, with_language, resolved, articles_dir=articles_dir, skipped=skipped)
