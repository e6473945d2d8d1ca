"""Issue 10 in chromium: the "Nationality words" layer (off by default, in the share link) and the
resolver's evidence in the "Wrong place?" section. A story written for these tests, built for real."""
from __future__ import annotations

import pytest

from playwright.sync_api import expect

from atlas_browser import (
    AtlasServer, click_marker, find_place, load_places, marker_ids, panel_view, run_build, selected_place,
    wait_idle, wait_markers,
)

pytestmark = pytest.mark.timeout(300)

STORY = ("Talks at the port\n\nRussian officials said on Monday that British troops had left the port of "
         "Calais before the talks began. The ferry crossing to Dover reopened in the afternoon, and the "
         "harbour of Calais was calm again.\n")


@pytest.fixture(scope="module")
def story(tmp_path_factory, browser):
    articles = tmp_path_factory.mktemp("story-articles")
    (articles / "story.txt").write_text(STORY, encoding="utf-8")
    data = tmp_path_factory.mktemp("story-data")
    run_build(articles, data)
    server = AtlasServer(articles, data, tmp_path_factory.mktemp("logs") / "story.log")
    yield server, load_places(data)
    server.stop()


def world(frame) -> None:
    """The map's own "World" button, then wait for the layout of that zoom."""
    frame.locator(".atlas-fit-world").click()
    frame.wait_for_function("() => { const d = document.getElementById('map_div').dataset;"
                            " return d.layoutZoom === '2' && d.moving === '0'; }")


def test_nationality_words_layer_is_off_by_default_and_its_toggle_is_in_the_link(story, open_page):
    server, places = story
    russia, uk = find_place(places, "Russian"), find_place(places, "British")
    calais = find_place(places, "Calais")
    page, guard = open_page()
    page.goto(server.url)
    frame = wait_markers(page)
    wait_idle(page)
    world(frame)
    ids = marker_ids(frame)
    assert calais["id"] in ids and not ({russia["id"], uk["id"]} & ids)
    frame.evaluate("window.__still_same_map = true")
    panel_view(page, "Articles")
    toggle = page.locator('[data-testid="stCheckbox"]', has_text="Nationality words")
    expect(toggle.locator("input")).not_to_be_checked(timeout=20_000)
    toggle.locator("label").click()
    frame.wait_for_function(
        "([a, b]) => [...document.querySelectorAll('.atlas-pin, .atlas-cluster')].some(e =>"
        " (e.dataset.placeId || e.dataset.placeIds || '').split(' ').includes(a))"
        " && [...document.querySelectorAll('.atlas-pin, .atlas-cluster')].some(e =>"
        " (e.dataset.placeId || e.dataset.placeIds || '').split(' ').includes(b))",
        arg=[russia["id"], uk["id"]], timeout=20_000)
    assert frame.evaluate("window.__still_same_map === true")  # a layer, not a new map
    page.wait_for_function("() => location.search.includes('adjectives=1')", timeout=20_000)
    link = page.url
    guard.assert_clean()

    page2, guard2 = open_page()  # a new visitor with the link: the layer is on
    page2.goto(link)
    frame2 = wait_markers(page2)
    wait_idle(page2)
    world(frame2)
    assert {russia["id"], uk["id"], calais["id"]} <= marker_ids(frame2)
    guard2.assert_clean()


def test_wrong_place_section_shows_why_in_plain_words(story, open_page):
    server, places = story
    calais = find_place(places, "Calais")
    page, guard = open_page()
    page.goto(server.url)
    frame = wait_markers(page)
    wait_idle(page)
    click_marker(frame, calais["id"])
    selected_place(page, calais["id"])
    page.get_by_text("Wrong place?").click()
    evidence = page.locator(".atlas-evidence")
    expect(evidence).to_be_visible(timeout=20_000)
    expect(evidence).to_contain_text("Why a place")
    expect(evidence).to_contain_text("Why Calais")
    population = evidence.locator('ul[data-group="choice"] li[data-feature="log_population"]')
    assert population.count() and "population" in population.first.text_content()
    top = evidence.locator("ul.atlas-evidence-top li")
    assert 1 <= top.count() <= 6  # at most three reasons per question before "All reasons"
    details = evidence.locator("details.atlas-evidence-all")
    if details.count():
        everything = details.locator("li")
        expect(everything.first).to_be_hidden()
        details.locator("summary").click()
        expect(everything.first).to_be_visible(timeout=10_000)
        assert everything.count() > top.count()
    expect(page.get_by_role("button", name="Use this place")).to_have_count(0)  # editing is off
    guard.assert_clean()
