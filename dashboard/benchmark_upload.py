"""Upload -> its places on the map, in a real browser: `python -m dashboard.benchmark_upload`.

Issue 11's measure "the browser shows its places within 5 s of the upload". Generates a corpus at run
time (``geodata/synthetic.py``, default 1,000 articles naming ~3,000 places), builds it with the real
``python -m geodata build``, starts the dashboard with uploads on (``ATLAS_UPLOADS=1``) and, in Debian's
chromium (Playwright, every non-loopback request blocked), for each run: drops one new article (naming
cities the corpus never names) on "Add articles", presses "Add 1 file to the map", and times until a
marker (or a cluster) holding one of its new places exists on the map. Two figures per run: from the
drop (the file handed to the page) and from the press of the button. The page is the same visitor
throughout (as a reporter adding stories one after another); the first run is measured too.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dashboard.benchmark import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, _context, _wait_idle, build
from dashboard.server import AtlasServer
from geodata.synthetic import TEMPLATES, city_names, generate_corpus

TARGET_S = 5.0
# every place on the map now: single markers and the members of clusters
MARKER_IDS = ("() => [...document.querySelectorAll('.atlas-pin')].map(e => e.dataset.placeId).concat("
              "[...document.querySelectorAll('.atlas-cluster')].flatMap(e => e.dataset.placeIds.split(' ')))")


def new_article(folder: Path, k: int, names: list[str]) -> Path:
    """An article naming ``names`` (cities the corpus lacks) in the corpus's own sentences."""
    a, b, c = names
    body = " ".join(t.format(a=a, b=b, c=c, d=a) for t in TEMPLATES)
    path = folder / f"upload-{k:02d}.txt"
    path.write_text(f"Upload {k}: news from {a} and {b}\n\n{body}\n", encoding="utf-8")
    return path


def _map_frame(page):
    return page.wait_for_selector(MAP_IFRAME, timeout=120_000).content_frame()


def _world(page) -> None:
    """Every place in view (markers exist only for places in view)."""
    frame = _map_frame(page)
    frame.locator(".atlas-fit-world").click()
    frame.wait_for_function("() => { const d = document.getElementById('map_div').dataset;"
                            " return d.layoutZoom === '2' && d.moving === '0'; }", timeout=60_000)


def upload_once(page, path: Path, before: set[str]) -> tuple[float, float]:
    """(seconds from the drop, seconds from the button) until a place not in ``before`` is on the map."""
    if not page.locator('[data-testid="stFileUploader"]').is_visible():
        page.get_by_text("Add articles").click()  # the expander (it may have stayed open)
        page.locator('[data-testid="stFileUploader"]').wait_for(timeout=60_000)
    t_drop = time.perf_counter()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    button = page.get_by_role("button", name="Add 1 file to the map")
    button.wait_for(timeout=60_000)  # the label counts the file once the server has it
    t_click = time.perf_counter()
    button.click()
    # polled in the page, looking the map's frame up each time (it may be drawn again for the new data)
    page.wait_for_function(
        "([sel, before]) => { const f = document.querySelector(sel); const d = f && f.contentDocument;"
        " if (!d) return false; const known = new Set(before);"
        " return [...d.querySelectorAll('.atlas-pin')].some(e => !known.has(e.dataset.placeId))"
        " || [...d.querySelectorAll('.atlas-cluster')].some(e => (e.dataset.placeIds || '').split(' ')"
        ".some(id => !known.has(id))); }",
        arg=[MAP_IFRAME, sorted(before)], timeout=180_000, polling=50)
    done = time.perf_counter()
    return done - t_drop, done - t_click


def measure(browser, url: str, uploads: list[Path]) -> list[tuple[float, float]]:
    ctx, blocked = _context(browser)
    page = ctx.new_page()
    page.goto(url)
    _map_frame(page).wait_for_selector(".atlas-pin, .atlas-cluster", timeout=120_000)
    _wait_idle(page)
    page.locator('[data-testid="stButtonGroup"] button', has_text="Articles").first.click()
    _wait_idle(page)
    times = []
    for k, path in enumerate(uploads, 1):
        _world(page)
        before = set(_map_frame(page).evaluate(MARKER_IDS))
        times.append(upload_once(page, path, before))
        print(f"  upload {k}/{len(uploads)}: places on the map {times[-1][0]:.2f} s after the drop, "
              f"{times[-1][1]:.2f} s after the button", flush=True)
        _wait_idle(page)
    ctx.close()
    if blocked:
        print(f"  warning: {len(blocked)} request(s) to other hosts were blocked")
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.benchmark_upload", description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="uploads, one after another (median reported)")
    ap.add_argument("--articles", type=int, default=1000, help="articles in the generated corpus")
    ap.add_argument("--places", type=int, default=3000, help="distinct place names in the generated corpus")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.articles < 1 or args.places < 1:
        ap.error("--runs, --articles and --places must be positive")
    if not Path(CHROMIUM).exists():
        print(f"chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="atlas-upload-bench-") as tmpname, sync_playwright() as pw:
        tmp = Path(tmpname)
        articles, data, drops = tmp / "articles", tmp / "data", tmp / "drops"
        names = generate_corpus(articles, args.articles, args.places)
        seconds = build(articles, data)
        print(f"{args.articles} generated articles naming {names} places, built in {seconds:.1f} s", flush=True)
        drops.mkdir()
        unused = city_names()[names:]
        uploads = [new_article(drops, k, unused[3 * k:3 * k + 3]) for k in range(args.runs)]
        server = AtlasServer(articles, data, tmp / "streamlit.log", env={"ATLAS_UPLOADS": "1"})
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            times = measure(browser, server.url, uploads)
            browser.close()
        finally:
            server.stop()
    from_drop = statistics.median(t for t, _ in times)
    from_click = statistics.median(t for _, t in times)
    print(f"upload -> its places on the map (median of {args.runs}): {from_drop:.2f} s from "
          f"the drop, {from_click:.2f} s from the button (target <= {TARGET_S:.0f} s: "
          f"{'met' if from_drop <= TARGET_S else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
