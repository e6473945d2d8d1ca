"""Fixtures of the real-browser tests (helpers in atlas_browser.py).

Under CI=true a missing chromium fails the run; elsewhere the browser tests are skipped with the reason.
"""
from __future__ import annotations

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


@pytest.fixture
def open_page(browser):
    """open_page() -> (page, guard); each call is a fresh browser context (a new visitor)."""
    contexts = []

    def _open(viewport=(1400, 1000)):
        context, page, guard = new_guarded_page(browser, viewport)
        contexts.append(context)
        return page, guard

    yield _open
    for c in contexts:
        c.close()


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


