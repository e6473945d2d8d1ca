"""Parse engines: "parse these articles -> per article (language, mentions)", plus the store's mention parts.

Every engine runs the same unit of work, ``partition.parse_part`` (one group of articles: geoparse,
apply the overrides, write that group's mention part of the store); they differ only in where it runs.

- ``in-process`` (default, the reference): parts one after another in this process; imports no dask.
- ``dask``: parts spread over dask.distributed workers (a LocalCluster on this machine, or an existing
  scheduler), each worker loading the gazetteer and models once (``geodata/engines/dask_engine.py``).

``open_engine`` returns a context manager whose ``parse(articles, job)`` yields ``ParsedArticle``s in
article order.
"""
from __future__ import annotations

from .partition import ParsedArticle, ParseJob

ENGINES = ("in-process", "dask")

__all__ = ["ENGINES", "ParseJob", "ParsedArticle", "open_engine"]


def open_engine(name: str = "in-process", *, gazetteer=None, make_parser=None, workers: int | None = None,
                scheduler: str | None = None):
    """The engine called ``name``. ``gazetteer`` and ``make_parser`` (a Geoparser for this process) apply to
    ``in-process``, ``workers`` / ``scheduler`` to ``dask`` (its workers build their own)."""
    if name == "in-process":
        from .inprocess import InProcessEngine

        return InProcessEngine(gazetteer, make_parser)
    if name == "dask":
        from .dask_engine import DaskEngine

        return DaskEngine(workers=workers, scheduler=scheduler)
    raise ValueError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
