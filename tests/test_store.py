"""The columnar store: written by a real build, queried with DuckDB, exports equal to the JSON outputs,
and a mixed or tampered store refused with the reason."""
import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from geodata import pipeline
from geodata.store import Selection, Store, table_rows
from geodata.store_schema import STORE_LINK, StoreError, read_manifest

TEXTS = {
    "ferries": "Ferries to Dover\nFerries left Calais for Dover in Kent on Monday, police in France said.\n",
    "capital": "A day in Paris\nCrowds filled Paris on Sunday. Later the mayor of Paris spoke in Lyon.\n",
    "ports": "Ports\nTrade between Calais and Rotterdam grew, officials in Rotterdam said on Friday.\n",
}
META = {"ferries": ("2024-05-03", "Coast News"), "capital": ("2024-06-10", "City Paper"),
        "ports": ("2024-06-30T08:00:00+00:00", "Coast News")}


def build_corpus(tmp: Path, out: Path, **kwargs):
    """The three articles, each with its date and source in a front-matter header."""
    arts = tmp / "articles"
    arts.mkdir(exist_ok=True)
    for name, text in TEXTS.items():
        day, source = META[name]
        (arts / f"{name}.txt").write_text(f"---\ndate: {day}\nsource: {source}\n---\n{text}", encoding="utf-8")
    return pipeline.build(arts, out, **{"overrides_path": None, "progress": False, **kwargs})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("store")
    out = tmp / "out"
    build_corpus(tmp, out)
    return out


def _json(out: Path, name: str):
    return json.loads((out / name).read_text(encoding="utf-8"))


def test_exports_from_the_store_equal_the_json_outputs_of_the_same_build(built):
    places = _json(built, "places.geojson")
    with Store.open(built) as store:
        assert store.build_id == places["build_id"]
        assert json.loads("".join(store.iter_geojson())) == places
        assert "".join(store.iter_gazetteer_csv()) == (built / "gazetteer.csv").read_text(encoding="utf-8")
        long_rows = "".join(store.iter_long_csv()).splitlines()
    assert long_rows[0] == "place,article,mentions"
    expected = sorted(f"{f['id']},{a},{n}" for f in places["features"]
                      for a, n in Counter(m["article"] for m in f["properties"]["mentions"]).items())
    assert sorted(long_rows[1:]) == expected


def test_the_store_holds_every_mention_and_article_with_its_metadata(built):
    store = read_manifest(built / STORE_LINK)
    mentions = [r for p in store.paths("mentions") for r in pq.read_table(p).to_pylist()]
    arts = {r["id"]: r for r in pq.read_table(store.paths("articles")[0]).to_pylist()}
    texts = {a["id"]: a["text"] for a in _json(built, "articles.json")["articles"]}
    unresolved = _json(built, "articles.json")["unresolved"]
    assert len([m for m in mentions if m["place"] is None]) == len(unresolved)
    assert len([m for m in mentions if m["place"]]) == sum(f["properties"]["mention_count"]
                                                             for f in _json(built, "places.geojson")["features"])
    for m in mentions:
        assert texts[m["article"]][m["start"]:m["end"]] == m["text"] and m["role"] == "place"
    assert arts["ports"]["source"] == "Coast News" and arts["capital"]["date"] == "2024-06-10"
    assert arts["capital"]["text"] == TEXTS["capital"] and arts["capital"]["language"] == "en"


def _features(built):
    return _json(built, "places.geojson")["features"]


def test_passages_of_one_place_come_in_pages(built):
    busiest = max(_features(built), key=lambda f: f["properties"]["mention_count"])
    count = busiest["properties"]["mention_count"]
    assert count >= 2
    with Store.open(built) as store:
        pages = [store.passages(busiest["id"], offset=k, limit=1) for k in range(count + 1)]
        two = store.passages(busiest["id"], offset=1, limit=2)
    assert [p["total"] for p in pages] == [count] * (count + 1)
    assert [m for p in pages for m in p["mentions"]] == busiest["properties"]["mentions"]
    assert pages[-1]["mentions"] == [] and two["mentions"] == busiest["properties"]["mentions"][1:3]


def _inside(feature, west, south, east, north):
    lon, lat = feature["geometry"]["coordinates"]
    return west <= lon <= east and south <= lat <= north


def test_places_in_view_are_grid_cells_by_zoom(built):
    features = _features(built)
    total = sum(f["properties"]["mention_count"] for f in features)
    box = (-2.0, 49.0, 6.0, 53.0)  # the Channel and the Low Countries
    with Store.open(built) as store:
        world = store.places_in_view(-180, -90, 180, 90, zoom=0)
        close = store.places_in_view(-180, -90, 180, 90, zoom=14)
        in_box = store.places_in_view(*box, zoom=14)
        across = store.places_in_view(170, -90, -170, 90, zoom=3)  # crosses the antimeridian: none of ours
    assert sum(c["mentions"] for c in world) == total and sum(c["places"] for c in world) == len(features)
    assert len(world) < len(features) == len(close)
    assert all(c["places"] == 1 for c in close)
    expected = {f["properties"]["name"] for f in features if _inside(f, *box)}
    assert 2 <= len(expected) < len(features) and {c["name"] for c in in_box} == expected
    assert across == []
    big = max(world, key=lambda c: c["places"])
    members = [f for f in features if abs(f["geometry"]["coordinates"][0] - big["lon"]) < 90]
    assert big["places"] > 1 and big["name"] in {f["properties"]["name"] for f in members}


def _counts(features, article_ids):
    return {f["id"]: sum(m["article"] in article_ids for m in f["properties"]["mentions"]) for f in features}


def test_selections_by_article_source_and_date(built):
    features = _features(built)
    coast = Selection(sources=("Coast News",))
    june = Selection(date_from="2024-06-01", date_to="2024-06")
    with Store.open(built) as store:
        assert [a["id"] for a in store.articles(coast)] == ["ferries", "ports"]
        assert [a["id"] for a in store.articles(june)] == ["capital", "ports"]
        assert [a["id"] for a in store.articles(Selection(articles=("ports", "nope")))] == ["ports"]
        for place_id, n in _counts(features, {"ferries", "ports"}).items():
            assert store.passages(place_id, coast)["total"] == n
        only_june = json.loads("".join(store.iter_geojson(june)))
        csv_june = "".join(store.iter_gazetteer_csv(june)).splitlines()
    expected = {k: n for k, n in _counts(features, {"capital", "ports"}).items() if n}
    assert {f["id"]: f["properties"]["mention_count"] for f in only_june["features"]} == expected
    assert {m["article"] for f in only_june["features"] for m in f["properties"]["mentions"]} == {"capital", "ports"}
    assert [a["id"] for a in only_june["articles"]] == ["capital", "ports"]
    assert csv_june[0].split(",")[10:] == ["mentions:capital", "mentions:ports", "build_id"]
    assert sorted(line.split(",")[0] for line in csv_june[1:]) == sorted(expected)


@pytest.fixture
def copy_of_store(built, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(built / STORE_LINK, folder)
    return folder


def test_a_part_from_another_build_is_refused(copy_of_store, tmp_path):
    other = tmp_path / "other"
    build_corpus(tmp_path, other)
    part = "mentions/part-00000.parquet"
    shutil.copy(other / STORE_LINK / part, copy_of_store / part)
    with pytest.raises(StoreError, match="written by another build.*mixed"):
        Store.open(copy_of_store)


def test_a_missing_or_extra_or_altered_file_is_refused(copy_of_store):
    read_manifest(copy_of_store)  # whole: accepted
    part = copy_of_store / "mentions" / "part-00000.parquet"
    shutil.copy(part, copy_of_store / "mentions" / "part-00009.parquet")
    with pytest.raises(StoreError, match="part-00009.parquet is not in the manifest"):
        read_manifest(copy_of_store)
    (copy_of_store / "mentions" / "part-00009.parquet").unlink()
    manifest = json.loads((copy_of_store / "manifest.json").read_text())
    manifest["tables"]["places"][0]["rows"] += 1
    (copy_of_store / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="places.parquet: .* rows, the manifest says"):
        read_manifest(copy_of_store)
    (copy_of_store / "places.parquet").unlink()
    with pytest.raises(StoreError, match="places.parquet: listed in the manifest but missing"):
        read_manifest(copy_of_store)
    (copy_of_store / "manifest.json").unlink()
    with pytest.raises(StoreError, match="no manifest.json"):
        Store.open(copy_of_store)


def test_a_rebuild_swaps_the_store_whole_and_removes_the_old_folder(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    old = (out / STORE_LINK).resolve()
    (out / "articles").mkdir()
    build_corpus(tmp_path, out)
    new = (out / STORE_LINK).resolve()
    assert new != old and not old.exists() and new.parent == old.parent
    with Store.open(out) as store:
        assert store.build_id == _json(out, "places.geojson")["build_id"]


def test_store_only_writes_the_same_store_and_no_json(built, tmp_path):
    out = tmp_path / "out"
    report = build_corpus(tmp_path, out, store_only=True)
    assert not any((out / name).exists() for name in ("places.geojson", "gazetteer.csv", "articles.json"))
    assert report.written == [out / STORE_LINK]
    with Store.open(out) as store:
        assert store.build_id == _json(built, "places.geojson")["build_id"]
    assert table_rows(out) == table_rows(built)
