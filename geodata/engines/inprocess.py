"""The in-process engine (default, the reference): every part in this process, one after another."""
from __future__ import annotations

from typing import Iterator

from ..store_write import ARTICLES_PER_PART
from .partition import ParsedArticle, ParseJob, build_parser, parse_part


class InProcessEngine:
    name = "in-process"

    def __init__(self, gazetteer=None, make_parser=None, part_size: int = ARTICLES_PER_PART):
        self.gazetteer = gazetteer
        self.make_parser = make_parser
        self.part_size = part_size
        self.stats: dict = {}

    def __enter__(self) -> "InProcessEngine":
        return self

    def __exit__(self, *_exc) -> None:
        return None

    def parse(self, articles, job: ParseJob) -> Iterator[ParsedArticle]:
        if self.gazetteer is None:
            from ..gazetteer import Gazetteer

            self.gazetteer = Gazetteer.open(job.gazetteer_path)
        parser = self.make_parser() if self.make_parser is not None else build_parser(job, self.gazetteer)
        for index in range(0, len(articles), self.part_size):
            group = [(a.id, a.text) for a in articles[index:index + self.part_size]]
            yield from parse_part(parser, self.gazetteer, job, index // self.part_size, group)
