"""The places table and the selection downloads (dashboard/tables.py)."""
import io
import json

import pandas as pd

from dashboard.data import load_atlas
from dashboard.tables import TABLE_ARTICLE_COLUMNS, places_table, selection_geojson


def mention(article, start=0):
    return {"article": article, "start": start, "end": start + 1, "text": "x", "passage": "x",
            "passage_start": start}


def make_atlas(tmp_path, n_articles=2):
    arts = [{"id": f"a{i}", "title": f"Title {i}"} for i in range(n_articles)]
    feats = []
    for pid, name, ms in (("p1", "Calais", [mention("a0"), mention("a0", 5), mention("a1")]),
                          ("p2", "Dover", [mention("a1")])):
        feats.append({"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": [1.0, 50.0]},
                      "properties": {"name": name, "kind": "settlement", "country": "FR", "geonameid": None,
                                     "source": "geonames", "aliases": [], "mention_count": len(ms),
                                     "articles": sorted({m["article"] for m in ms}), "mentions": ms}})
    (tmp_path / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats,
                                                         "articles": arts}))
    (tmp_path / "articles.json").write_text(json.dumps({"articles": []}))
    return load_atlas(tmp_path)


def test_table_counts_mentions_per_shown_article(tmp_path):
    atlas = make_atlas(tmp_path)
    df = places_table(atlas, ["a0", "a1"])
    assert list(df["place"]) == ["Calais", "Dover"]  # most mentioned first
    row = df.set_index("id").loc["p1"]
    assert (row["mentions"], row["articles"], row["Title 0"], row["Title 1"]) == (3, 2, 2, 1)
    only = places_table(atlas, ["a0"])
    assert list(only["id"]) == ["p1"] and only.loc[0, "mentions"] == 2
    assert places_table(atlas, []).empty


def test_many_articles_drop_the_per_article_columns(tmp_path):
    atlas = make_atlas(tmp_path, TABLE_ARTICLE_COLUMNS + 3)
    df = places_table(atlas, [a["id"] for a in atlas.articles])
    assert not any(c.startswith("Title") for c in df.columns)


def test_geojson_download_holds_only_the_selection(tmp_path):
    atlas = make_atlas(tmp_path)
    doc = json.loads(selection_geojson(atlas, ["a0"]))
    assert doc["type"] == "FeatureCollection"
    assert [f["id"] for f in doc["features"]] == ["p1"]
    props = doc["features"][0]["properties"]
    assert props["mention_count"] == 2 and props["articles"] == ["a0"]
    assert all(m["article"] == "a0" for m in props["mentions"])
    assert doc["features"][0]["geometry"]["coordinates"] == [1.0, 50.0]


def test_csv_round_trips(tmp_path):
    atlas = make_atlas(tmp_path)
    df = places_table(atlas, ["a0", "a1"])
    back = pd.read_csv(io.StringIO(df.to_csv(index=False)))
    assert list(back["place"]) == ["Calais", "Dover"] and list(back["mentions"]) == [3, 1]


def test_csv_download_neutralises_formulas_and_keeps_numbers(tmp_path):
    from dashboard.tables import places_csv

    atlas = make_atlas(tmp_path)
    atlas.article_by_id["a0"]["title"] = "=HYPERLINK(\"http://evil\",\"click\")"
    atlas.places[0]["name"] = "@SUM(A1)"
    atlas.places[0]["lon"] = -1.5
    back = pd.read_csv(io.StringIO(places_csv(atlas, ["a0", "a1"])))
    assert "'=HYPERLINK(\"http://evil\",\"click\")" in back.columns
    assert "'@SUM(A1)" in list(back["place"])
    assert -1.5 in list(back["lon"])  # a number stays a number
