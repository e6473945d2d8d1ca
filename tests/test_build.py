"""The `python -m geodata build` contract, run for real on the seeds and on bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geodata import outputs, pipeline

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
GOOD = "Ferries to Dover\nFerries left Calais for Dover in Kent on Monday, police in France said.\n"


def run_build(*args):
    return subprocess.run([sys.executable, "-m", "geodata", "build", *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds-out")
    proc = run_build("--articles", SEEDS, "--out", out, "--overrides", out / "none.csv")
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_seeds_build_writes_rfc7946_collection(seeds_build):
    out, stdout = seeds_build
    assert "Read 2 article(s); skipped 0." in stdout
    data = json.loads((out / "places.geojson").read_text())
    assert data["type"] == "FeatureCollection"
    assert {a["id"] for a in data["articles"]} == {"000_2bde1196e0d50633", "004_7c139b525ec878d2"}
    ids = [f["id"] for f in data["features"]]
    assert len(ids) == len(set(ids)) and len(ids) >= 10
    for feat in data["features"]:
        lon, lat = feat["geometry"]["coordinates"]
        assert feat["geometry"]["type"] == "Point" and -180 <= lon <= 180 and -90 <= lat <= 90
        props = feat["properties"]
        assert props["mention_count"] == len(props["mentions"]) > 0
        assert set(props["articles"]) == {m["article"] for m in props["mentions"]}


def test_every_calais_and_coquelles_mention_is_in_the_output(seeds_build):
    out, _ = seeds_build
    data = json.loads((out / "places.geojson").read_text())
    texts = {a["id"]: a["text"] for a in json.loads((out / "articles.json").read_text())["articles"]}
    by_name = {f["properties"]["name"]: f["properties"] for f in data["features"]}
    for name, expected in (("Calais", sum(t.count("Calais") for t in texts.values())),
                           ("Coquelles", sum(t.count("Coquelles") for t in texts.values()))):
        mentions = by_name[name]["mentions"]
        assert len(mentions) == expected
        for m in mentions:
            assert texts[m["article"]][m["start"]:m["end"]] == name
    assert set(by_name["Zeebrugge"]["articles"]) == {"004_7c139b525ec878d2"}


def test_rebuild_keeps_ids_stable(seeds_build, tmp_path):
    out, _ = seeds_build
    proc = run_build("--articles", SEEDS, "--out", tmp_path, "--overrides", tmp_path / "none.csv")
    assert proc.returncode == 0, proc.stderr
    first = json.loads((out / "places.geojson").read_text())
    second = json.loads((tmp_path / "places.geojson").read_text())
    assert [f["id"] for f in first["features"]] == [f["id"] for f in second["features"]]


def test_bad_files_are_named_and_the_rest_builds(tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "good.txt").write_text(GOOD)
    (arts / "empty.txt").write_bytes(b"")
    (arts / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (arts / "huge.txt").write_bytes(b"Big\n" + b"x" * (5 * 1024 * 1024 + 10))
    proc = run_build("--articles", arts, "--out", tmp_path / "out", "--overrides", tmp_path / "none.csv")
    assert proc.returncode == 0, proc.stderr
    assert "skipped 3" in proc.stdout
    for name, why in (("empty.txt", "empty"), ("binary.txt", "binary"), ("huge.txt", "too large")):
        assert any(name in line and why in line for line in proc.stdout.splitlines()), (name, proc.stdout)
    data = json.loads((tmp_path / "out" / "places.geojson").read_text())
    assert [a["id"] for a in data["articles"]] == ["good"]

    # --strict: a non-zero exit, a message naming the file, and the earlier outputs untouched
    before = (tmp_path / "out" / "places.geojson").read_bytes()
    strict = run_build("--articles", arts, "--out", tmp_path / "out", "--strict", "--overrides", tmp_path / "none.csv")
    assert strict.returncode == 1 and "binary.txt" in strict.stderr
    assert (tmp_path / "out" / "places.geojson").read_bytes() == before


def test_no_readable_article_is_an_error_and_writes_nothing(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"bad \xc3\x28 \xff")  # not UTF-8 (a UTF-16 mark would now be read)
    proc = run_build("--articles", tmp_path, "--out", tmp_path / "out")
    assert proc.returncode == 1 and "no readable article" in proc.stderr
    assert not (tmp_path / "out").exists()
    missing = run_build("--articles", tmp_path / "nope", "--out", tmp_path / "out")
    assert missing.returncode == 1 and "not found" in missing.stderr


def test_interrupted_build_leaves_previous_outputs_whole(tmp_path, monkeypatch):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "good.txt").write_text(GOOD)
    out = tmp_path / "out"
    pipeline.build(arts, out, overrides_path=None, progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}  # out/cache/: the parse cache
    stores_before = sorted(p.name for p in (out / ".stores").iterdir())
    store_before = (out / "store").resolve()

    real_write_json = outputs.atomic.StagedFiles.write_json

    def explode_on_places(self, path, obj, **kwargs):  # articles.json and gazetteer.csv already staged
        if Path(path).name == "places.geojson":
            raise KeyboardInterrupt("killed while writing")
        return real_write_json(self, path, obj, **kwargs)

    (arts / "good.txt").write_text(GOOD.replace("Dover", "Dunkirk"))
    monkeypatch.setattr(outputs.atomic.StagedFiles, "write_json", explode_on_places)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(arts, out, overrides_path=None, progress=False)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after.keys() == before.keys()  # no temp files left behind
    assert sorted(p.name for p in (out / ".stores").iterdir()) == stores_before  # nor a half store
    assert (out / "store").resolve() == store_before
    assert after["places.geojson"] == before["places.geojson"]
    assert after["articles.json"] == before["articles.json"]
    assert after["gazetteer.csv"] == before["gazetteer.csv"]


def test_hostile_html_is_kept_as_text_in_outputs(tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    hostile = "<script>alert(1)</script> Riots <b>in</b> Paris\n<img src=x onerror=alert(2)> Police in Paris said.\n"
    (arts / "evil.txt").write_text(hostile)
    pipeline.build(arts, tmp_path / "out", overrides_path=None, progress=False)
    data = json.loads((tmp_path / "out" / "articles.json").read_text())
    assert data["articles"][0]["text"] == hostile
    assert data["articles"][0]["title"] == "<script>alert(1)</script> Riots <b>in</b> Paris"


def test_unwritable_out_is_a_clear_error_not_a_traceback(tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "good.txt").write_text(GOOD)
    out = tmp_path / "out"
    out.write_text("a file, not a folder\n")
    with pytest.raises(pipeline.BuildError, match="cannot write the outputs"):
        pipeline.build(arts, out, overrides_path=None, progress=False)
    assert out.read_text() == "a file, not a folder\n"
    proc = run_build("--articles", arts, "--out", out, "--overrides", tmp_path / "none.csv")
    assert proc.returncode == 1 and "error: cannot write the outputs" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_summary_keeps_the_geocoders_problems():
    from geodata.geocoders import GeocodeReport

    geocoded = GeocodeReport(geocoder="nominatim", problems=["geocoder cache /x/cache.json not written: disk full"])
    summary = pipeline.BuildReport(geocoder=geocoded).summary()
    assert "geocoder nominatim:" in summary
    assert "geocoder cache /x/cache.json not written: disk full" in summary


def test_override_problems_are_reported_in_file_order(tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "good.txt").write_text(GOOD)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("action,surface,place_id,name\n"
                         "pin,Foo,,Nosuchplace Xyzzy\n"  # line 2: found when targets are resolved
                         "frobnicate,Bar\n")  # line 3: found while reading
    report = pipeline.build(arts, tmp_path / "out", overrides_path=overrides, progress=False)
    assert [p.split(": ")[0] for p in report.override_problems] == [f"{overrides}:2", f"{overrides}:3"]


# --- issue 13 ------------------------------------------------------------------------------------

class _NoGazetteer:
    def __getattr__(self, name):
        raise AssertionError("the build went on to parse although --out cannot be written")


def test_an_unwritable_out_is_found_before_any_parsing(tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "good.txt").write_text(GOOD)
    blocker = tmp_path / "file"
    blocker.write_text("a file\n")
    with pytest.raises(pipeline.BuildError, match="cannot write the outputs") as info:
        pipeline.build(arts, blocker / "out", overrides_path=None, progress=False, gazetteer=_NoGazetteer())
    assert "previous outputs" not in str(info.value)  # there were none
    assert not (blocker / "out").exists()


def test_a_failed_write_mentions_previous_outputs_only_when_there_were_some(tmp_path, monkeypatch):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "good.txt").write_text(GOOD)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "write_outputs", full_disk)
    with pytest.raises(pipeline.BuildError) as fresh:
        pipeline.build(arts, tmp_path / "new", overrides_path=None, progress=False)
    assert "No space left" in str(fresh.value) and "previous outputs" not in str(fresh.value)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "places.geojson").write_text("{}")
    with pytest.raises(pipeline.BuildError, match="previous outputs left as they were"):
        pipeline.build(arts, tmp_path / "old", overrides_path=None, progress=False)


def test_skipped_names_that_are_not_utf8_are_printed_safely(tmp_path):
    import os

    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "good.txt").write_text(GOOD)
    with open(os.fsencode(arts) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(b"")
    proc = run_build("--articles", arts, "--out", tmp_path / "out", "--overrides", tmp_path / "none.csv")
    assert proc.returncode == 0, proc.stderr
    assert "caf\ufffd.txt: empty" in proc.stdout
    from geodata import contract
    contract.validate_outputs(tmp_path / "out")
