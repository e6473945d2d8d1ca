"""Fixtures of the real-browser tests (helpers in atlas_browser.py).

Under CI=true a missing chromium fails the run; elsewhere the browser tests are skipped with the reason.
A failed test leaves a screenshot of every page it opened in test-artifacts/ (named after the test).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas_browser import CHROMIUM, SEEDS, AtlasServer, in_ci, launch_browser, new_guarded_page, run_build


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        msg = f"chromium not found at {CHROMIUM} (install it with `apt-get install -y chromium`)"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_browser(p)
        yield b
        b.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def open_page(browser, request):
    """open_page() -> (page, guard); each call is a fresh browser context (a new visitor)."""
    opened = []

    def _open(viewport=(1400, 1000)):
        context, page, guard = new_guarded_page(browser, viewport)
        opened.append((context, page))
        return page, guard

    yield _open
    report = getattr(request.node, "report_call", None)
    for i, (context, page) in enumerate(opened):
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)[:120]
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}-{i}.png"), full_page=True)
                print(f"screenshot of the failed test's page: {ARTIFACTS / f'{name}-{i}.png'}")
            except Exception as exc:  # a crashed page has nothing to show; the failure itself says why
                print(f"no screenshot of page {i}: {exc}")
        context.close()


@pytest.fixture(scope="session")
def seeds_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds-data")
    run_build(SEEDS, out)
    return out


@pytest.fixture(scope="session")
def seeds_server(seeds_data, tmp_path_factory, browser):
    server = AtlasServer(SEEDS, seeds_data, tmp_path_factory.mktemp("logs") / "seeds-streamlit.log")
    yield server
    server.stop()


