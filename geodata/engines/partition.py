"""The unit of work every engine runs: parse one group of articles (``parse_part``).

``ParseJob`` is everything a process needs besides the articles (picklable, sent once to each dask
worker): the overrides' extra places and exclusions, the overrides themselves, and the store folder
and run token the mention parts go to. ``parse_part`` geoparses the group, applies the overrides to each
article's mentions and writes the group's mention part; it returns one ``ParsedArticle`` per article.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Place, ResolvedMention
from ..store_write import mention_rows, write_mention_part


@dataclass(frozen=True)
class ParseJob:
    extra_places: dict[str, Place] | None = None
    excluded: set[str] | None = None
    overrides: object | None = None      # geodata.overrides.Overrides: ``apply`` per article
    store_folder: str | None = None      # the staged store folder (None: no store written)
    run: str = ""                        # the staged store's run token (in every part's metadata)
    gazetteer_path: str | None = None    # None: the default index of the process running the part
    key: str = ""                        # identifies the job: a process keeps one parser per key


@dataclass
class ParsedArticle:
    id: str
    language: str
    mentions: list[ResolvedMention] = field(default_factory=list)


def build_parser(job: ParseJob, gazetteer):
    from ..geoparser import Geoparser

    return Geoparser(gazetteer, extra_places=job.extra_places, excluded=job.excluded)


def parse_part(parser, gazetteer, job: ParseJob, index: int, articles: list[tuple[str, str]]) -> list[ParsedArticle]:
    """Parse ``articles`` ((id, text) pairs, part number ``index``) with ``parser``."""
    parsed, rows = [], []
    texts = (text for _, text in articles)
    for (article_id, text), (language, mentions) in zip(articles, parser.parse_many_with_language(texts)):
        if job.overrides is not None:
            mentions = job.overrides.apply(article_id, mentions, gazetteer)
        parsed.append(ParsedArticle(article_id, language, mentions))
        if job.store_folder is not None:
            rows += mention_rows(article_id, text, mentions)
    if job.store_folder is not None:
        write_mention_part(job.store_folder, index, job.run, rows)
    return parsed
