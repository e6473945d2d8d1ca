"""The dask engine: parts of the corpus parsed on dask.distributed workers.

Without a scheduler address it starts ``distributed.LocalCluster(n_workers=N, threads_per_worker=1,
processes=True)`` on this machine and closes it at the end; with one (``tcp://host:8786``) it connects to
that cluster's scheduler and leaves the cluster running. Each worker process builds its Geoparser (the
gazetteer index, the spaCy models) once per job, before the first part (``load_worker``), and keeps it
for every part it is given; the workers write their mention parts into the staged store folder, so on a
cluster of several machines ``--out`` must be a folder every worker can write (a shared file system) and
every worker needs the project installed with its gazetteer index (``scripts/setup.sh``).
"""
from __future__ import annotations

import dataclasses
import logging
import math
import resource
import time
from typing import Iterator

from .partition import ParsedArticle, ParseJob, build_parser, parse_part

MAX_PART = 100          # articles per part at most
PARTS_PER_WORKER = 4    # at least this many parts per worker, so a slow part does not hold the others up
CONNECT_TIMEOUT = "60s"

_loaded: dict[str, tuple] = {}  # in each worker process: job key -> (gazetteer, parser); one job kept


def _worker_parser(job: ParseJob):
    if job.key not in _loaded:
        from ..gazetteer import Gazetteer

        _loaded.clear()
        gazetteer = Gazetteer.open(job.gazetteer_path)
        _loaded[job.key] = (gazetteer, build_parser(job, gazetteer))
    return _loaded[job.key]


def load_worker(job: ParseJob) -> float:
    """Run on every worker before the parts: load the gazetteer and models once; returns the peak MB."""
    parser = _worker_parser(job)[1]
    parser.parse("Warm-up in London.")  # the first text builds spaCy's lazy parts
    return peak_memory_mb()


def cpu_seconds() -> float:
    """CPU time this process has used (user + system): on a shared machine, the cost of the work itself."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_memory_mb() -> float:
    """This process's peak resident memory (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_part(job: ParseJob, index: int, articles: list[tuple[str, str]]) -> list[ParsedArticle]:
    gazetteer, parser = _worker_parser(job)
    parsed = parse_part(parser, gazetteer, job, index, articles)
    # of the readings' feature tables only what the outputs' evidence reads travels back (geodata/reasons.py:
    # the chosen reading and the runner-up); the rest stays on the worker
    return [dataclasses.replace(p, mentions=[_slim(m) for m in p.mentions]) for p in parsed]


def _slim(m):
    """``m`` with its ranked readings cut to the chosen one and the best other (in their order)."""
    if m.place is None or not m.ranked:
        return dataclasses.replace(m, ranked=[])
    chosen = next((s for s in m.ranked if s.place.id == m.place.id), None)
    rival = next((s for s in m.ranked if s.place.id != m.place.id), None)
    return dataclasses.replace(m, ranked=[s for s in m.ranked if s is chosen or s is rival])


def part_size(n_articles: int, n_workers: int) -> int:
    return max(1, min(MAX_PART, math.ceil(n_articles / (max(1, n_workers) * PARTS_PER_WORKER))))


class DaskEngine:
    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        if workers is not None and workers < 1:
            raise ValueError("--workers must be at least 1")
        self.workers = workers
        self.scheduler = scheduler
        self.cluster = None
        self.client = None
        self.stats: dict = {}

    def __enter__(self) -> "DaskEngine":
        from distributed import Client, LocalCluster

        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
            else:
                self.cluster = LocalCluster(n_workers=self.workers or 1, threads_per_worker=1, processes=True,
                                            dashboard_address=None, memory_limit=0)
                self.client = Client(self.cluster, timeout=CONNECT_TIMEOUT)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, _exc, _tb) -> None:
        try:
            if self.client is not None:
                if exc_type is None and self.stats:
                    self.stats["peak_mb"] = sorted(self.client.run(peak_memory_mb).values())
                self.client.close()
        finally:
            if self.cluster is not None:
                # workers busy freeing spaCy's models are stopped by their nannies: not worth a warning
                logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
                self.cluster.close()
            self.client = self.cluster = None

    def parse(self, articles, job: ParseJob) -> Iterator[ParsedArticle]:
        client = self.client
        n_workers = len(client.scheduler_info().get("workers", {})) or 1
        self.stats["workers"] = n_workers
        started = time.perf_counter()
        self.stats["load_peak_mb"] = sorted(client.run(load_worker, job).values())
        self.stats["load_s"] = time.perf_counter() - started
        cpu_at_start = client.run(cpu_seconds)
        size = part_size(len(articles), n_workers)
        shared = client.scatter(job, broadcast=True)
        futures = [client.submit(run_part, shared, k, [(a.id, a.text) for a in articles[i:i + size]], pure=False)
                   for k, i in enumerate(range(0, len(articles), size))]
        self.stats["parts"] = len(futures)
        for future in futures:  # in order, so the articles come back in the order they were given
            parsed = future.result()
            future.release()
            # set before yielding: the caller stops at its last article, never resuming this generator
            self.stats["parse_s"] = time.perf_counter() - started - self.stats["load_s"]
            if future is futures[-1]:
                cpu_now = client.run(cpu_seconds)
                self.stats["parse_cpu_s"] = sum(cpu_now[w] - cpu_at_start.get(w, 0.0) for w in cpu_now)
            yield from parsed
