"""Incremental builds: parse results are reused by text and fingerprint; only what changed is parsed."""
import dataclasses
import os
import sqlite3

import pytest

from geodata import parsecodec, parsefingerprint, pipeline
from geodata.geoparser import Geoparser
from geodata.model import ResolvedMention
from geodata.parsecache import default_path
from geodata.params import load_params

ARTICLES = {
    "ferries": "Ferries to Dover\nFerries left Calais for Dover in Kent on Monday, police in France said.\n",
    "storm": "Storm in Brittany\nA storm closed the port of Brest and roads near Rennes, officials in France said.\n",
    "talks": "Talks in Brussels\nMinisters from Belgium and the Netherlands met in Brussels before flying to Rotterdam.\n",
}
NEW = "Rail strike\nTrains between Lille and Paris were cancelled on Friday as workers in France walked out.\n"
OUTPUTS = (pipeline.PLACES_FILE, pipeline.GAZETTEER_FILE, pipeline.ARTICLES_FILE)


class CountingGeoparser(Geoparser):
    """The real Geoparser, counting how often it is built and which texts it parses."""

    built = 0
    texts: list[str] = []

    def __init__(self, *args, **kwargs):
        type(self).built += 1
        super().__init__(*args, **kwargs)

    def parse_many_with_language(self, texts):
        texts = list(texts)
        type(self).texts.extend(texts)
        yield from super().parse_many_with_language(texts)


@pytest.fixture
def counting(monkeypatch):
    monkeypatch.setattr(CountingGeoparser, "built", 0)
    monkeypatch.setattr(CountingGeoparser, "texts", [])
    monkeypatch.setattr(pipeline, "Geoparser", CountingGeoparser)
    return CountingGeoparser


def write_articles(folder, articles=ARTICLES):
    folder.mkdir(exist_ok=True)
    for name, text in articles.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def build(arts, out, overrides=None, **kwargs):
    return pipeline.build(arts, out, overrides_path=overrides, progress=False, **kwargs)


def outputs_of(out):
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_a_rebuild_after_adding_one_article_parses_only_that_one(tmp_path, counting):
    arts = write_articles(tmp_path / "articles")
    first = build(arts, tmp_path / "out")
    assert (first.parsed, first.reused) == (3, 0)
    assert sorted(counting.texts) == sorted(ARTICLES.values())
    counting.texts.clear()

    (arts / "strike.txt").write_text(NEW, encoding="utf-8")
    seen = []
    second = build(arts, tmp_path / "out", on_article=lambda done, total: seen.append((done, total)))
    assert counting.texts == [NEW]
    assert (second.parsed, second.reused) == (1, 3)
    assert "Parsed 1 article(s), reused 3 from the cache." in second.summary()
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]  # the progress counts cached articles too
    assert "strike" in {a.id for a in second.articles}


def test_a_rebuild_with_nothing_new_never_loads_the_parser(tmp_path, counting):
    arts = write_articles(tmp_path / "articles")
    build(arts, tmp_path / "out")
    counting.built = 0
    report = build(arts, tmp_path / "out")
    assert counting.built == 0
    assert (report.parsed, report.reused) == (0, 3)


def test_a_cached_rebuild_writes_exactly_what_a_fresh_build_writes(tmp_path):
    arts = write_articles(tmp_path / "articles")
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("action,surface,place_id,name,kind,country,lat,lon,article,start\n"
                         "pin,Dover,2651048,,,,,,,\n", encoding="utf-8")
    build(arts, tmp_path / "cached", overrides)
    again = build(arts, tmp_path / "cached", overrides)
    assert again.reused == 3
    fresh = build(arts, tmp_path / "fresh", overrides, use_cache=False)
    assert fresh.parsed == 3
    assert not default_path(tmp_path / "fresh").exists()  # --no-cache neither reads nor writes it
    assert outputs_of(tmp_path / "cached") == outputs_of(tmp_path / "fresh")  # build_id included


def test_the_codec_gives_back_every_field_of_a_real_parse():
    parser = Geoparser()
    language, mentions = next(parser.parse_many_with_language([ARTICLES["ferries"] + ARTICLES["talks"]]))
    assert mentions and any(m.ranked for m in mentions) and any(m.evidence for m in mentions)
    back_language, back = parsecodec.decode(parsecodec.encode(language, mentions))
    assert back_language == language
    assert [dataclasses.asdict(m) for m in back] == [dataclasses.asdict(m) for m in mentions]
    assert parsecodec.MENTION_FIELDS == tuple(f.name for f in dataclasses.fields(ResolvedMention))


def test_new_extra_places_in_the_overrides_invalidate_the_cache(tmp_path, counting):
    arts = write_articles(tmp_path / "articles")
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("action,surface,place_id,name,kind,country,lat,lon,article,start\n", encoding="utf-8")
    build(arts, tmp_path / "out", overrides)
    overrides.write_text("action,surface,place_id,name,kind,country,lat,lon,article,start\n"
                         "add,Ministers,x-ministers,Ministers,landmark,BE,50.85,4.35,,\n", encoding="utf-8")
    report = build(arts, tmp_path / "out", overrides)
    assert (report.parsed, report.reused) == (3, 0)
    places = (tmp_path / "out" / pipeline.PLACES_FILE).read_text(encoding="utf-8")
    assert "x-ministers" in places
    with sqlite3.connect(default_path(tmp_path / "out")) as con:  # the old fingerprint's rows are gone
        assert con.execute("SELECT COUNT(DISTINCT fingerprint), COUNT(*) FROM parses").fetchone() == (1, 3)


def test_an_exclusion_for_one_article_is_applied_without_parsing_again(tmp_path, counting):
    arts = write_articles(tmp_path / "articles")
    overrides = tmp_path / "overrides.csv"
    header = "action,surface,place_id,name,kind,country,lat,lon,article,start\n"
    overrides.write_text(header, encoding="utf-8")
    build(arts, tmp_path / "out", overrides)
    assert "Rennes" in (tmp_path / "out" / pipeline.PLACES_FILE).read_text(encoding="utf-8")
    overrides.write_text(header + "exclude,Rennes,,,,,,,storm,\n", encoding="utf-8")
    report = build(arts, tmp_path / "out", overrides)
    assert (report.parsed, report.reused) == (0, 3)  # applied after parsing: not in the fingerprint
    storm = [m for f in report_features(tmp_path / "out") for m in f["properties"]["mentions"]
             if m["article"] == "storm"]
    assert storm and "Rennes" not in {m["text"] for m in storm}


def report_features(out):
    import json

    return json.loads((out / pipeline.PLACES_FILE).read_text(encoding="utf-8"))["features"]


def test_other_model_params_invalidate_the_cache(tmp_path, counting, monkeypatch):
    arts = write_articles(tmp_path / "articles")
    build(arts, tmp_path / "out")
    shipped = load_params()
    changed = shipped.replace(resolver=dict(shipped.resolver, bias=shipped.resolver.get("bias", 0.0) + 0.25))
    monkeypatch.setattr("geodata.params.load_params", lambda path=None: changed)
    monkeypatch.setattr("geodata.geoparser.load_params", lambda path=None: changed)
    counting.texts.clear()
    report = build(arts, tmp_path / "out")
    assert (report.parsed, report.reused) == (3, 0)
    assert sorted(counting.texts) == sorted(ARTICLES.values())


def test_a_corrupt_cache_is_a_notice_and_a_correct_build(tmp_path):
    arts = write_articles(tmp_path / "articles")
    fresh = build(arts, tmp_path / "fresh", use_cache=False)
    assert not fresh.cache_notices
    cache = default_path(tmp_path / "out")
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"this is not a database\n" * 200)
    report = build(arts, tmp_path / "out")
    assert (report.parsed, report.reused) == (3, 0)
    assert any("cannot be read" in n for n in report.cache_notices)
    assert "parse cache" in report.summary()
    assert outputs_of(tmp_path / "out") == outputs_of(tmp_path / "fresh")
    again = build(arts, tmp_path / "out")  # the damaged file was replaced by a good one
    assert (again.parsed, again.reused, again.cache_notices) == (0, 3, [])


def test_a_damaged_entry_is_parsed_again(tmp_path):
    arts = write_articles(tmp_path / "articles")
    build(arts, tmp_path / "out")
    with sqlite3.connect(default_path(tmp_path / "out")) as con:
        con.execute("UPDATE parses SET value = '{not json' WHERE text_hash = (SELECT MIN(text_hash) FROM parses)")
    report = build(arts, tmp_path / "out")
    assert (report.parsed, report.reused) == (1, 2)
    assert any("1 damaged entry" in n for n in report.cache_notices)


def test_the_fingerprint_follows_the_gazetteer_file(tmp_path):
    index = tmp_path / "gazetteer.sqlite"
    index.write_bytes(b"x" * 10)

    class Gaz:
        path = index
        meta = {"build_key": "k", "built_at": "t", "schema_version": "s"}

    first = parsefingerprint.fingerprint(Gaz())
    assert first == parsefingerprint.fingerprint(Gaz())
    os.utime(index, ns=(1, 1))
    touched = parsefingerprint.fingerprint(Gaz())
    assert touched != first
    Gaz.meta = dict(Gaz.meta, build_key="other")
    assert parsefingerprint.fingerprint(Gaz()) not in (first, touched)
    assert parsefingerprint.fingerprint(object()) is None  # a stand-in without a file: nothing cached


def test_the_code_version_covers_the_parsing_modules_only():
    counted = parsefingerprint._counts
    assert counted("geoparser.py") and counted("recognize.py") and counted("a_new_module.py")
    assert not counted("outputs.py") and not counted("geocoders/batch.py")


def test_the_command_counts_cached_articles_in_its_progress_lines_and_can_skip_the_cache(tmp_path):
    import subprocess
    import sys

    arts = write_articles(tmp_path / "articles")

    def run(*extra):
        proc = subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(arts),
                               "--out", str(tmp_path / "out"), "--overrides", str(tmp_path / "none.csv"),
                               "--progress-lines", *extra],
                              cwd=pipeline.REPO_ROOT, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()

    run()
    cached = run()
    assert [line for line in cached if line.startswith("progress ")] == ["progress 1 3", "progress 2 3", "progress 3 3"]
    assert "Parsed 0 article(s), reused 3 from the cache." in cached
    assert "Parsed 3 article(s), reused 0 from the cache." in run("--no-cache")
