"""The date filter and the histogram (dashboard/timeline.py), on a dated build made with the real geoparser."""
from datetime import date

import pytest

from dashboard import mapview, timeline
from dashboard.data import load_atlas
from dashboard.state import ViewState
from dashboard.timeline import DateRange, article_date, bin_start, bin_unit, histogram, in_range
from dated_corpus import STORIES, write_dated_corpus


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    root = tmp_path_factory.mktemp("dated")
    write_dated_corpus(root / "articles", root / "out")
    return load_atlas(root / "out")


def test_article_date_reads_iso_days_only():
    assert article_date("2024-05-03") == date(2024, 5, 3)
    assert article_date("2024-06-18T09:30:00+02:00") == date(2024, 6, 18)  # the day the source wrote
    assert article_date(" 2024-06-18 09:30 ") == date(2024, 6, 18)
    for bad in (None, "", "2024-02-30", "03/05/2024", "2024-5-3", "2024-05-031", 20240503, "May 2024"):
        assert article_date(bad) is None, bad


def test_range_admits_days_inclusively_and_undated_by_choice():
    rng = DateRange(date(2024, 5, 1), date(2024, 5, 31))
    assert rng.admits(date(2024, 5, 1)) and rng.admits(date(2024, 5, 31))
    assert not rng.admits(date(2024, 4, 30)) and not rng.admits(date(2024, 6, 1))
    assert rng.admits(None) and not DateRange(undated=False).admits(None)
    assert not DateRange().active and DateRange(undated=False).active
    assert ViewState().dates == DateRange()  # a new visitor has no date filter


def test_no_dated_article_means_the_filter_hides_nothing():
    dates = {"a": None, "b": None}
    assert in_range(["a", "b"], dates, DateRange(date(2024, 1, 1), date(2024, 1, 2), undated=False)) == ["a", "b"]
    assert histogram([{"id": "a"}, {"id": "b"}], ["a", "b"], dates, DateRange()) is None


def test_bins_follow_the_span():
    assert bin_unit(date(2024, 5, 1), date(2024, 6, 30)) == "day"
    assert bin_unit(date(2024, 5, 1), date(2025, 5, 1)) == "week"
    assert bin_unit(date(2020, 5, 1), date(2024, 5, 1)) == "month"
    assert bin_start(date(2024, 5, 3), "week") == date(2024, 4, 29)  # a Monday
    assert bin_start(date(2024, 5, 3), "month") == date(2024, 5, 1)


def test_dates_reach_the_dashboard(dated):
    by_id = dated.article_by_id
    for s in STORIES:
        assert (by_id[s.stem]["date"], by_id[s.stem]["source"], by_id[s.stem]["url"]) == (s.date, s.source, s.url)


def test_places_are_filtered_by_date(dated):
    dates = timeline.article_dates(dated.articles)
    ids = [a["id"] for a in dated.articles]
    names = {p["id"]: p["name"] for p in dated.places}

    def places(rng):
        shown = in_range(ids, dates, rng)
        return {names[r[0]] for r in mapview.place_rows(dated.places, shown, {}, None)}

    everything = places(DateRange())
    assert {"Calais", "Rotterdam", "Vienna", "Lyon"} <= everything
    may = places(DateRange(date(2024, 5, 1), date(2024, 5, 31)))
    assert "Calais" in may and not {"Rotterdam", "Vienna"} & may and "Lyon" in may  # undated included
    may_only = places(DateRange(date(2024, 5, 1), date(2024, 5, 31), undated=False))
    assert "Calais" in may_only and "Lyon" not in may_only
    assert "Vienna" in places(DateRange(start=date(2024, 7, 1))) and "Calais" not in places(DateRange(start=date(2024, 7, 1)))


def test_histogram_counts_the_shown_articles_mentions(dated):
    dates = timeline.article_dates(dated.articles)
    ids = [a["id"] for a in dated.articles]
    mentions = {a["id"]: a["mention_count"] for a in dated.articles}
    hist = histogram(dated.articles, ids, dates, DateRange(end=date(2024, 6, 30)))
    assert hist.unit == "week" and hist.bins[0] == date(2024, 4, 29) and hist.bins[-1] == date(2024, 7, 22)
    assert sum(hist.in_range) == mentions["ferries-may"] + mentions["cargo-june"]
    assert sum(hist.outside) == mentions["trains-july"]
    assert hist.undated == mentions["undated-lyon"]
    # a hidden article leaves the histogram
    shown = [a for a in ids if a != "ferries-may"]
    assert sum(histogram(dated.articles, shown, dates, DateRange()).in_range) == \
        mentions["cargo-june"] + mentions["trains-july"]
