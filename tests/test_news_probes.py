"""Short probe sentences (written for these tests) for the error classes of issue 10, end to end through
the real gazetteer index and spaCy model: countries and capitals in world stories, storms, people and
organisations that share a place's name, oceans and regions."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def parse():
    from geodata.geoparser import Geoparser

    try:
        gp = Geoparser()
    except Exception as exc:  # the index is built by `python -m geodata index`
        pytest.skip(f"gazetteer index unavailable: {exc}")

    def run(text):
        return {r.text: r.place for r in gp.parse(text)}

    return run


def test_a_trade_story_names_the_countries_and_the_capital(parse):
    out = parse("Trade talks between Washington and Beijing stalled as Peru and Mexico signed a deal.")
    assert (out["Washington"].kind, out["Washington"].admin1) == ("settlement", "US.DC")
    assert out["Peru"].kind == "country" and out["Mexico"].kind == "country"


def test_storms_are_not_places(parse):
    out = parse("Hurricane Irma hit Florida weeks before Hurricane Maria reached Puerto Rico.")
    assert not any("Irma" in name or "Maria" in name for name in out)
    assert "Puerto Rico" in out


def test_organisations_are_not_towns(parse):
    out = parse("Officials at the MoD and in the EU disagreed about the plan.")
    assert "MoD" not in out
    assert out.get("EU") is None or out["EU"].kind != "settlement"


def test_oceans_and_regions_are_not_small_towns(parse):
    out = parse("The tankers crossed the Atlantic on their way to the Middle East.")
    assert out["Atlantic"].kind == "water"
    assert out["Middle East"].kind == "region"
