"""The pytest plugin behind ``python -m geodata.check``: keeps only the matrix's tests.

Loaded with ``-p geodata.checkplugin --matrix-report FILE``: after collection it keeps the tests named
in ``geodata.check.MATRIX`` (a node id, or a test function's id for all its parameter sets) and those
marked ``reliability``, deselects the rest, and writes every collected node id and the kept ones to FILE
(JSON), so the command can tell a renamed test (in the table, never collected) from a failed one.
"""
from __future__ import annotations

import json
from pathlib import Path


def pytest_addoption(parser) -> None:
    parser.addoption("--matrix-report", default=None,
                     help="keep only the reliability matrix's tests; write the collected node ids here (JSON)")


def pytest_collection_modifyitems(config, items) -> None:
    report = config.getoption("--matrix-report")
    if not report:
        return
    from geodata.check import MATRIX, node_matches

    wanted = [test for case in MATRIX for test in case.tests]
    kept, dropped = [], []
    for item in items:
        chosen = item.get_closest_marker("reliability") is not None or any(
            node_matches(item.nodeid, test) for test in wanted)
        (kept if chosen else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
    Path(report).write_text(json.dumps({
        "collected": [item.nodeid for item in kept + dropped],
        "kept": [item.nodeid for item in kept],
        "reliability": [item.nodeid for item in kept if item.get_closest_marker("reliability")],
    }), encoding="utf-8")
