"""Reading the pipeline's outputs (dashboard/data.py): validation, staleness, build errors."""
import json
import os
import time

import pytest

from dashboard.data import DataError, build_reason, config_from_env, load_atlas, run_build


def feature(pid, name, lon, lat, mentions, **props):
    return {"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": name, "kind": "settlement", "country": "FR", "geonameid": 1,
                           "source": "geonames", "aliases": [], "mention_count": len(mentions),
                           "articles": sorted({m["article"] for m in mentions}), "mentions": mentions,
                           "candidates": [], **props}}


def write(tmp_path, features, articles=None, texts=None, build_id="b1", articles_build_id=None):
    doc = {"type": "FeatureCollection", "features": features, "build_id": build_id,
           "articles": articles if articles is not None else [{"id": "a1", "title": "T1"}]}
    (tmp_path / "places.geojson").write_text(json.dumps(doc))
    (tmp_path / "articles.json").write_text(json.dumps({"articles": texts or [{"id": "a1", "text": "T1\nx"}],
                                                        "build_id": articles_build_id or build_id}))


M = {"article": "a1", "start": 3, "end": 9, "text": "Calais", "passage": "In Calais.", "passage_start": 0}


def test_loads_valid_outputs(tmp_path):
    write(tmp_path, [feature("3029162", "Calais", 1.85, 50.95, [M])])
    atlas = load_atlas(tmp_path)
    assert [p["id"] for p in atlas.places] == ["3029162"]
    p = atlas.by_id["3029162"]
    assert (p["lat"], p["lon"], p["mention_count"], p["articles"]) == (50.95, 1.85, 1, ["a1"])
    assert atlas.articles[0]["place_count"] == 1  # computed when the list has none
    assert atlas.texts == {"a1": "T1\nx"} and atlas.problems == []


def test_broken_features_are_skipped_and_reported(tmp_path):
    good = feature("1", "Good", 1, 2, [M])
    bad_coords = feature("2", "Bad", 500, 2, [M])
    no_geom = {"type": "Feature", "id": "3", "properties": {"name": "x"}}
    dup = feature("1", "Dup", 1, 2, [M])
    not_point = dict(feature("4", "Line", 1, 2, [M]), geometry={"type": "LineString", "coordinates": []})
    write(tmp_path, [good, bad_coords, no_geom, dup, not_point, "junk"])
    atlas = load_atlas(tmp_path)
    assert [p["id"] for p in atlas.places] == ["1"]
    assert len(atlas.problems) == 5


def test_article_only_referenced_by_a_place_gets_an_entry(tmp_path):
    m2 = dict(M, article="ghost")
    write(tmp_path, [feature("1", "X", 1, 2, [M, m2])])
    atlas = load_atlas(tmp_path)
    assert "ghost" in atlas.article_by_id and atlas.article_by_id["ghost"]["place_count"] == 1


@pytest.mark.parametrize("content, message", [
    ("not json", "not valid JSON"),
    (json.dumps({"type": "Feature"}), "not a GeoJSON FeatureCollection"),
    (json.dumps([1, 2]), "not a GeoJSON FeatureCollection"),
])
def test_malformed_places_file_is_a_clear_error(tmp_path, content, message):
    (tmp_path / "places.geojson").write_text(content)
    with pytest.raises(DataError, match=message):
        load_atlas(tmp_path)


def test_missing_places_file(tmp_path):
    with pytest.raises(DataError, match="places.geojson not found"):
        load_atlas(tmp_path)


def test_build_reason_tracks_missing_and_stale_outputs(tmp_path):
    arts, out = tmp_path / "arts", tmp_path / "out"
    arts.mkdir()
    out.mkdir()
    (arts / "a1.txt").write_text("Title\nbody")
    assert "missing" in build_reason(arts, out)
    write(out, [])
    old = time.time() - 100
    os.utime(arts / "a1.txt", (old, old))
    os.utime(arts, (old, old))
    assert build_reason(arts, out) is None
    (arts / "a2.txt").write_text("New\nbody")  # a new article makes the outputs stale
    assert build_reason(arts, out) == "articles changed since the last build"


def test_build_reason_tracks_nested_articles_and_the_overrides_file(tmp_path):
    arts, out = tmp_path / "arts", tmp_path / "out"
    (arts / "2024").mkdir(parents=True)
    out.mkdir()
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("action,surface\n")
    (arts / "2024" / "a1.txt").write_text("Title\nbody")
    write(out, [])
    old = time.time() - 100
    for path in (arts / "2024" / "a1.txt", arts / "2024", arts, overrides):
        os.utime(path, (old, old))
    assert build_reason(arts, out, overrides) is None
    (arts / "2024" / "a1.txt").write_text("Title\nedited body")  # the pipeline reads sub-folders too
    assert build_reason(arts, out, overrides) == "articles changed since the last build"
    write(out, [])
    os.utime(arts / "2024" / "a1.txt", (old, old))
    overrides.write_text("action,surface\nexclude,Omer\n")  # a fix in the overrides file alone
    os.utime(overrides, (time.time() + 5, time.time() + 5))
    assert build_reason(arts, out, overrides) == "overrides changed since the last build"


def test_failed_build_returns_the_error_message(tmp_path):
    result = run_build(tmp_path / "does-not-exist", tmp_path / "out", timeout=300)
    assert not result.ok and result.message.strip()


def test_config_from_env(tmp_path):
    cfg = config_from_env({"ATLAS_ARTICLES_DIR": str(tmp_path), "ATLAS_DATA_DIR": str(tmp_path / "d"),
                           "ATLAS_EDITING": "1"})
    assert cfg.articles_dir == tmp_path and cfg.data_dir == tmp_path / "d" and cfg.editing
    assert not config_from_env({}).editing


@pytest.mark.reliability
def test_a_mixed_set_is_refused_and_the_last_good_one_kept(tmp_path):
    import dashboard.data as data

    data.forget_last_good()
    write(tmp_path, [feature("3029162", "Calais", 1.85, 50.95, [M])], build_id="old")
    good = load_atlas(tmp_path)
    assert good.build_id == "old" and good.problems == []
    # a build killed between its renames: articles.json is new, places.geojson is not
    (tmp_path / "articles.json").write_text(json.dumps({"build_id": "new", "articles": [{"id": "a9", "text": "x"}]}))
    shown = load_atlas(tmp_path)
    assert [p["id"] for p in shown.places] == ["3029162"] and shown.texts == {"a1": "T1\nx"}
    assert any("different builds" in p and "last consistent" in p for p in shown.problems)
    data.forget_last_good()  # a fresh dashboard process has nothing to fall back on
    with pytest.raises(DataError, match=r"places.geojson \(build old\) and articles.json \(build new\)"):
        load_atlas(tmp_path)


def test_the_reader_checks_the_output_contract(tmp_path):
    (tmp_path / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": "nope"}))
    with pytest.raises(DataError, match="features"):
        load_atlas(tmp_path)


def test_a_real_build_is_read_as_one_set(tmp_path):
    from geodata.articles import Article
    from geodata.model import Mention, Place, ResolvedMention
    from geodata.outputs import write_outputs

    place = Place(id="1", name="Calais", kind="settlement", lat=50.95, lon=1.85, country="FR")
    art = Article("a1", "In Calais", "In Calais\nBoats.", tmp_path / "a1.txt")
    written = write_outputs(tmp_path / "out", [art], {"a1": [ResolvedMention(Mention(3, 9, "Calais"), place, [])]})
    atlas = load_atlas(tmp_path / "out")
    assert atlas.build_id == written["build_id"] and atlas.problems == []


@pytest.mark.reliability
def test_rebuild_requests_while_one_runs_join_it_instead_of_queueing(tmp_path):
    import threading

    from dashboard.data import BuildCoordinator, BuildResult

    started, release = threading.Event(), threading.Event()
    calls = []

    def runner(articles_dir, data_dir, overrides=None):
        calls.append(data_dir)
        started.set()
        assert release.wait(30)
        return BuildResult(True, 0, "built", 0.1, ["build"], "built")

    coordinator = BuildCoordinator(runner=runner)
    results = []
    presses = [threading.Thread(target=lambda: results.append(coordinator.request(tmp_path, tmp_path / "out")))
               for _ in range(9)]  # 3 visitors x 3 presses
    presses[0].start()
    assert started.wait(30)
    for press in presses[1:]:
        press.start()
    deadline = time.monotonic() + 30
    while coordinator.waiting(tmp_path / "out") < 8 and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a condition, not timing anything
    assert coordinator.waiting(tmp_path / "out") == 8
    release.set()
    for press in presses:
        press.join(30)
    assert len(calls) == 1  # one build for nine presses
    assert len(results) == 9 and all(r.ok for r, _ in results)
    assert sorted(joined for _, joined in results) == [False] + [True] * 8
    # once it has finished, the next press builds again
    coordinator.request(tmp_path, tmp_path / "out")
    assert len(calls) == 2


@pytest.mark.reliability
def test_a_build_running_in_another_process_is_joined_not_repeated(tmp_path):
    import fcntl

    from dashboard.data import BUILD_LOCK_FILE, BuildCoordinator

    out = tmp_path / "out"
    out.mkdir()
    calls = []
    coordinator = BuildCoordinator(runner=lambda *a, **k: calls.append(a))
    with open(out / BUILD_LOCK_FILE, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # "another dashboard process" is building
        result, joined = coordinator.request(tmp_path, out, wait_for_others=False)
    assert calls == [] and joined and not result.ok and "another" in result.message
    result, joined = coordinator.request(tmp_path, out)
    assert len(calls) == 1 and not joined
