"""The document context's proximity: the direct measure over the kept anchors (short documents) and
the nearest-first ring walk (long ones) give the same value."""
import random

from geodata import doccontext
from geodata.doccontext import DocContext
from geodata.geo import haversine_km
from geodata.model import Place


def _km(a: Place, b: Place) -> float:
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def _doc(n_anchors: int, seed: int) -> DocContext:
    rng = random.Random(seed)
    doc = DocContext({"country_vote": 1.0, "admin1_vote_division": 1.0, "admin1_vote_country": 1.0,
                      "point_vote": 1.0, "self_weight": 0.2})
    for k in range(n_anchors):
        p = Place(id=f"a{k}", name=f"A{k}", kind="settlement", lat=rng.uniform(30, 50),
                  lon=rng.uniform(-100, -70), country="US")
        doc.add(f"name{k % 7}", p, rng.random())
    return doc


def test_direct_and_ring_proximity_agree():
    rng = random.Random(3)
    for n_anchors, seed in ((3, 1), (40, 2), (200, 4)):
        doc = _doc(n_anchors, seed)
        for key in (None, "name0", "name3"):
            view = doc.view(key)
            for k in range(60):
                p = Place(id=f"a{k}" if k % 5 == 0 else f"q{k}", name="Q", kind="settlement",
                          lat=rng.uniform(25, 55), lon=rng.uniform(-110, -60), country="US")
                direct, rings = view._proximity_direct(p, _km), view._proximity_rings(p, _km)
                assert direct == rings
                assert direct > 0 or n_anchors < 10


def test_many_occupied_cells_take_the_ring_walk(monkeypatch):
    doc = _doc(200, 5)
    assert len(doc.grid) > doccontext.DIRECT_CELLS
    calls = []
    view = doc.view(None)
    monkeypatch.setattr(view, "_proximity_rings", lambda p, km: calls.append(p) or 0.5)
    p = Place(id="q", name="Q", kind="settlement", lat=40.0, lon=-90.0, country="US")
    assert view.proximity(p, _km) == 0.5 and calls == [p]
