"""Which town and country names the offline basemap shows from which zoom (dashboard/basemap_labels.py)."""
import itertools
import random

from dashboard import basemap_labels as bl


def town(name, lat, lon, pop):
    return bl.Label(name, lat, lon, "town", float(pop))


def test_bigger_towns_are_eligible_earlier():
    zooms = [bl.eligible_zoom(p) for p in (10_000_000, 1_000_000, 100_000, 10_000, 1_000)]
    assert zooms == sorted(zooms) and zooms[0] == bl.MIN_ZOOM and zooms[-1] <= bl.MAX_ZOOM
    assert 9 <= bl.eligible_zoom(10_000) <= 12  # towns from zoom 9-12
    assert bl.eligible_zoom(50) is None


def test_a_town_next_to_a_city_waits_until_they_no_longer_overlap():
    city, suburb = town("Bigcity", 50.0, 2.0, 3_000_000), town("Suburbia", 50.02, 2.03, 200_000)
    far = town("Farville", 20.0, 60.0, 200_000)
    chosen = {lb.name: lb.min_zoom for lb in bl.assign_min_zooms([suburb, far, city])}
    assert chosen["Bigcity"] == bl.eligible_zoom(3_000_000)
    assert chosen["Farville"] == bl.eligible_zoom(200_000)  # nothing in its way
    assert chosen["Suburbia"] > chosen["Farville"]  # blocked by the city's name until zoomed in


def test_countries_come_first_and_only_at_low_zoom():
    country = bl.Label("Bigland", 50.0, 2.0, "country", 500.0)
    city = town("Capital", 50.1, 2.1, 6_000_000)
    order = bl.assign_min_zooms([city, country])
    assert [lb.name for lb in order] == ["Bigland", "Capital"]
    assert order[0].min_zoom == bl.MIN_ZOOM and order[1].min_zoom > bl.MIN_ZOOM
    assert order[0].row()[5] == "c" and order[1].row()[5] == "t"


def test_placed_labels_never_overlap_at_any_zoom():
    rng = random.Random(3)
    labels = [town(f"Town{i}", 50 + rng.random(), 2 + rng.random() * 1.5, rng.choice([2e6, 3e5, 5e4, 8e3, 2e3]))
              for i in range(300)]
    chosen = bl.assign_min_zooms(labels)
    assert len(chosen) < len(labels)  # some names never fit before MAX_ZOOM
    for zoom in range(bl.MIN_ZOOM, bl.MAX_ZOOM + 1):
        shown = [bl._box(lb, zoom) for lb in chosen if lb.min_zoom <= zoom]
        for a, b in itertools.combinations(shown, 2):
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), zoom
    assert [lb.min_zoom for lb in chosen] == sorted(lb.min_zoom for lb in chosen)
