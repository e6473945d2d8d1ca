import csv
import json

import pytest

from geodata.articles import Article
from geodata.model import Mention, Place, ResolvedMention
from geodata.outputs import write_outputs

DUNKIRK = Place(id="3020686", name="Dunkerque", kind="settlement", lat=51.03297, lon=2.377, country="FR",
                geonameid=3020686, population=87353)
DOVER_DE = Place(id="4142290", name="Dover", kind="settlement", lat=39.15817, lon=-75.52437, country="US",
                 geonameid=4142290)
FRANCE = Place(id="3017382", name="France", kind="country", lat=46.0, lon=2.0, country="FR", geonameid=3017382)


def mention(text, word, place, candidates=()):
    start = text.index(word)
    return ResolvedMention(Mention(start, start + len(word), word), place, list(candidates))


def test_outputs_group_mentions_by_place_with_passages(tmp_path):
    a = Article("a1", "Boats at Dunkirk", "Boats at Dunkirk\n\nMigrants left Dunkirk for France.", tmp_path / "a1.txt")
    b = Article("b2", "<script>x</script>", "<script>x</script>\nFrance said Dunkirk <b>was</b> calm.\nRue X.", tmp_path / "b2.txt")
    text_a, text_b = a.text, b.text
    second = text_a.index("Dunkirk", 10)
    resolved = {
        "a1": [
            mention(text_a, "Dunkirk", DUNKIRK, [DUNKIRK, DOVER_DE]),
            ResolvedMention(Mention(second, second + 7, "Dunkirk"), DUNKIRK, [DUNKIRK]),
            mention(text_a, "France", FRANCE),
        ],
        "b2": [mention(text_b, "France", FRANCE), mention(text_b, "Dunkirk", DUNKIRK),
               mention(text_b, "Rue X", None)],
    }
    collection = write_outputs(tmp_path / "out", [a, b], resolved, articles_dir=tmp_path)

    on_disk = json.loads((tmp_path / "out" / "places.geojson").read_text())
    assert on_disk == collection
    assert on_disk["type"] == "FeatureCollection"
    feats = {f["id"]: f for f in on_disk["features"]}
    assert set(feats) == {"3020686", "3017382"}
    dk = feats["3020686"]
    assert dk["geometry"] == {"type": "Point", "coordinates": [2.377, 51.03297]}
    props = dk["properties"]
    assert props["name"] == "Dunkirk"  # the English form the articles use, not GeoNames' Dunkerque
    assert props["mention_count"] == 3 and props["articles"] == ["a1", "b2"]
    assert [c["id"] for c in props["candidates"]] == ["4142290"]
    for m in props["mentions"]:
        source = a.text if m["article"] == "a1" else b.text
        assert source[m["start"]:m["end"]] == m["text"] == "Dunkirk"
        assert source[m["passage_start"]:m["passage_start"] + len(m["passage"])] == m["passage"]
    assert props["mentions"][1]["passage"] == "Migrants left Dunkirk for France."
    assert feats["3017382"]["properties"]["name"] == "France"
    assert on_disk["articles"] == [
        {"id": "a1", "title": "Boats at Dunkirk", "path": "a1.txt", "place_count": 2, "mention_count": 3,
         "date": None, "source": None, "url": None, "author": None, "format": "txt"},
        {"id": "b2", "title": "<script>x</script>", "path": "b2.txt", "place_count": 2, "mention_count": 2,
         "date": None, "source": None, "url": None, "author": None, "format": "txt"},
    ]

    articles_json = json.loads((tmp_path / "out" / "articles.json").read_text())
    assert articles_json["articles"][1]["text"] == b.text
    assert articles_json["unresolved"] == [{"article": "b2", "start": text_b.index("Rue X"),
                                            "end": text_b.index("Rue X") + 5, "text": "Rue X"}]

    with open(tmp_path / "out" / "gazetteer.csv", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert rows["3020686"]["mentions:a1"] == "2" and rows["3020686"]["mentions:b2"] == "1"
    assert rows["3017382"]["kind"] == "country" and rows["3017382"]["country"] == "FR"
    assert float(rows["3020686"]["lat"]) == 51.03297


def test_each_place_carries_its_first_level_division_name(tmp_path):
    """`admin1` in places.geojson: the division's name from the gazetteer (null when there is none)."""
    import dataclasses

    import pytest

    from geodata.gazetteer import DEFAULT_INDEX_PATH, Gazetteer
    if not DEFAULT_INDEX_PATH.is_file():
        pytest.skip("the gazetteer index is not built")
    with Gazetteer.open() as g:
        springfields = [c.place for c in g.lookup("Springfield") if c.place.country == "US"][:4]
        assert len({p.admin1 for p in springfields}) >= 2
        for p in springfields:
            assert p.admin1_name == g.admin1(p.admin1).name
    text = "Springfield and Springfield and France."
    first, second = text.index("Springfield"), text.index("Springfield", 5)
    a = Article("a1", "Springfields", text, tmp_path / "a1.txt")
    resolved = {"a1": [ResolvedMention(Mention(first, first + 11, "Springfield"), springfields[0]),
                       ResolvedMention(Mention(second, second + 11, "Springfield"), springfields[1]),
                       mention(text, "France", dataclasses.replace(FRANCE))]}
    doc = write_outputs(tmp_path / "out", [a], resolved)
    admin1 = {f["id"]: f["properties"]["admin1"] for f in doc["features"]}
    assert admin1 == {springfields[0].id: springfields[0].admin1_name, springfields[1].id: springfields[1].admin1_name,
                      FRANCE.id: None}


# --- issue 13 ------------------------------------------------------------------------------------
from geodata import contract  # noqa: E402
from geodata.outputs import gazetteer_table  # noqa: E402


def _one_article(tmp_path, article_id="a1", place=DUNKIRK, word="Dunkirk"):
    text = f"Boats at {word}\nMigrants left {word}."
    art = Article(article_id, f"Boats at {word}", text, tmp_path / f"{article_id}.txt")
    return art, {article_id: [mention(text, word, place)]}


@pytest.mark.reliability
def test_a_file_name_that_is_not_utf8_does_not_crash_any_output(tmp_path):
    art, resolved = _one_article(tmp_path, "caf\udce9")  # how Python reads the bytes b"caf\xe9"
    write_outputs(tmp_path / "out", [art], resolved, articles_dir=tmp_path)
    gazetteer_table([], [art]).to_csv(tmp_path / "t.csv")  # the table itself is safe to write too
    for name in contract.OUTPUT_FILES:
        text = (tmp_path / "out" / name).read_bytes().decode("utf-8")  # valid UTF-8
        assert "caf\ufffd" in text
    contract.validate_outputs(tmp_path / "out")


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    evil = Place(id="=HYPERLINK(\"http://x\")", name="@SUM(1+1)", kind="region", lat=-33.9, lon=-70.1,
                 country="CL", source="-2+3")
    art, resolved = _one_article(tmp_path, "+cmd", evil, "Evil")
    write_outputs(tmp_path / "out", [art], resolved, articles_dir=tmp_path)
    with open(tmp_path / "out" / "gazetteer.csv", newline="", encoding="utf-8") as fh:
        header, row = list(csv.reader(fh))
    cells = dict(zip(header, row))
    assert cells["id"] == "'=HYPERLINK(\"http://x\")" and cells["source"] == "'-2+3"
    assert cells["name"] == "'@SUM(1+1)" and cells["aliases"] == "Evil"
    assert cells["lat"] == "-33.9" and cells["lon"] == "-70.1"  # numbers stay numbers
    texts = [c for c in header + row if c not in (cells["lat"], cells["lon"])]
    assert texts and all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in texts)


def test_every_output_carries_the_same_build_id_and_follows_the_contract(tmp_path):
    art, resolved = _one_article(tmp_path)
    collection = write_outputs(tmp_path / "out", [art], resolved, articles_dir=tmp_path)
    assert contract.validate_outputs(tmp_path / "out") == collection["build_id"]
    with open(tmp_path / "out" / "gazetteer.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["build_id"] for r in rows} == {collection["build_id"]}


@pytest.mark.reliability
def test_the_contract_catches_a_mixed_set(tmp_path):
    art, resolved = _one_article(tmp_path)
    write_outputs(tmp_path / "one", [art], resolved, articles_dir=tmp_path)
    art2, resolved2 = _one_article(tmp_path, "a2", FRANCE, "France")
    write_outputs(tmp_path / "two", [art2], resolved2, articles_dir=tmp_path)
    (tmp_path / "one" / "articles.json").write_bytes((tmp_path / "two" / "articles.json").read_bytes())
    with pytest.raises(contract.ContractError, match="different builds"):
        contract.validate_outputs(tmp_path / "one")


def test_a_killed_builds_temp_files_are_removed_by_the_next_build(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".places.geojson.abc123.tmp", out / ".articles.json.x.tmp", out / ".gazetteer.csv.y.tmp"]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    keep = out / ".notes.tmp"
    keep.write_text("not ours")
    art, resolved = _one_article(tmp_path)
    write_outputs(out, [art], resolved, articles_dir=tmp_path)
    assert not any(p.exists() for p in stale) and keep.exists()


def test_article_metadata_reaches_the_article_list_and_every_mention(tmp_path):
    text = "Boats at Dunkirk\n\nMigrants left Dunkirk for France."
    art = Article("a1", "Boats at Dunkirk", text, tmp_path / "a1.html", date="2024-05-03", source="Coast News",
                  url="https://news.example/boats", author="A. Writer", format="html")
    start = text.index("Dunkirk", 20)
    resolved = {"a1": [ResolvedMention(Mention(start, start + 7, "Dunkirk"), DUNKIRK, [])]}
    collection = write_outputs(tmp_path / "out", [art], resolved, articles_dir=tmp_path)
    summary = collection["articles"][0]
    assert (summary["date"], summary["source"], summary["url"], summary["author"], summary["format"]) == (
        "2024-05-03", "Coast News", "https://news.example/boats", "A. Writer", "html")
    [m] = collection["features"][0]["properties"]["mentions"]
    assert (m["title"], m["date"], m["source"], m["url"]) == (
        "Boats at Dunkirk", "2024-05-03", "Coast News", "https://news.example/boats")
    assert contract.validate_outputs(tmp_path / "out") == collection["build_id"]


def test_nationality_words_are_mentions_of_role_adjective_counted_apart(tmp_path):
    """ "French" names France as an adjective: a mention with role "adjective" (and France's aliases
    stay the names the article uses for it); the article list counts the places named outright."""
    from geodata.model import Scored

    text = "French boats left Dunkirk.\n\nDunkirk said France helped."
    a = Article("a1", "Boats", text, tmp_path / "a1.txt")
    french = ResolvedMention(Mention(0, 6, "French"), FRANCE, [FRANCE], 2.0,
                             {"demonym_reported": 1.0, "label:NORP": 1.0},
                             [Scored(FRANCE, 3.0, {"kind:country": 1.0})], role="adjective")
    dunkirk = ResolvedMention(Mention(18, 25, "Dunkirk"), DUNKIRK, [DUNKIRK, DOVER_DE], 3.0,
                              {"label:GPE": 1.0, "cue_location_word": 1.0},
                              [Scored(DUNKIRK, 5.0, {"log_population": 4.9, "country_share": 0.5}),
                               Scored(DOVER_DE, 1.0, {"log_population": 4.6})])
    resolved = {"a1": [french, dunkirk, mention(text, "France", FRANCE)]}
    collection = write_outputs(tmp_path / "out", [a], resolved, articles_dir=tmp_path)
    contract.validate_outputs(tmp_path / "out")
    by_name = {f["properties"]["name"]: f["properties"] for f in collection["features"]}
    france = by_name["France"]
    assert [m.get("role", "place") for m in france["mentions"]] == ["adjective", "place"]
    assert france["aliases"] == ["France"] and france["mention_count"] == 2
    assert collection["articles"][0]["place_count"] == 2 and collection["articles"][0]["mention_count"] == 2
    [(article, role, n, evidence)] = by_name["Dunkirk"]["evidence"]
    assert (article, role, n) == ("a1", "place", 1) and ["p", "label:GPE", 1, 2.5, 1.0] in evidence
    # why Dunkirk over Dover, Delaware: the article's country and population, by what they added
    choice = [e for e in evidence if e[0] == "c"]
    assert choice == [["c", "country_share", 1, 1.0, 0.5], ["c", "log_population", 1, 0.11, 4.9]]
    groups = {(g[0], g[1]): g for g in france["evidence"]}
    assert set(groups) == {("a1", "adjective")}  # the other mention of France carries no evidence
    assert groups[("a1", "adjective")][3][0] == ["p", "demonym_reported", 1, None, 1.0]


def test_evidence_is_pooled_per_article_and_capped():
    from geodata.reasons import MAX_PER_GROUP, pool

    per_mention = [[("p", "cue_location_word", 1.0, 1.0), ("p", "curated_name", 1.0, None)],
                   [("p", "cue_location_word", 1.0, 1.0)]] + [[("p", f"f{k}", 1.0, 0.1 * k)] for k in range(9)]
    pooled = pool(per_mention)
    assert pooled[0] == ["p", "curated_name", 1, None, 1.0]  # a rule first
    assert pooled[1] == ["p", "cue_location_word", 2, 2.0, 1.0]  # two mentions, what they added in all
    assert len(pooled) == MAX_PER_GROUP


def test_the_contract_knows_the_mention_roles_and_caps_the_evidence():
    base = {"article": "a", "start": 0, "end": 6, "text": "French", "passage": "French", "passage_start": 0}
    assert contract.MentionOut.model_validate(base).role == "place"
    assert contract.MentionOut.model_validate({**base, "role": "adjective"}).role == "adjective"
    with pytest.raises(contract.ValidationError):
        contract.MentionOut.model_validate({**base, "role": "noun"})
    props = {"id": "1", "name": "France", "gazetteer_name": "France", "kind": "country", "country": "FR",
             "geonameid": 1, "source": "geonames", "aliases": [], "mention_count": 1, "articles": ["a"],
             "mentions": [base], "candidates": []}
    assert contract.PlaceProperties.model_validate(props).evidence is None  # optional: older builds
    item = ["p", "label:GPE", 1, 2.5, 1.0]
    full = {**props, "evidence": [["a", "place", 1, [item] * contract.MAX_EVIDENCE]]}
    assert contract.PlaceProperties.model_validate(full).evidence
    for bad in (["a", "place", 1, [item] * (contract.MAX_EVIDENCE + 1)], ["a", "noun", 1, [item]],
                ["a", "place", 1, [["x", "label:GPE", 1, 2.5, 1.0]]]):
        with pytest.raises(contract.ValidationError):
            contract.PlaceProperties.model_validate({**props, "evidence": [bad]})


# --- gazetteer.csv without pandas (the one-article rebuild) ----------------------------------------
def test_gazetteer_csv_is_written_byte_for_byte_as_the_pandas_table(tmp_path):
    from geodata.outputs import place_collection, write_gazetteer_csv

    odd = Place(id="=odd", name='Quote "and", comma', kind="region", lat=0.00001, lon=-0.5, country=None,
                source="-2+3", geonameid=None)
    text = "Boats at Dunkirk\nMigrants left Dunkirk, then France and Oddplace.\n"
    arts = [Article("caf\udce9", "Boats", text, tmp_path / "a.txt"), Article("+b", "Two", text, tmp_path / "b.txt"),
            Article("c", "Three", "Nothing here.", tmp_path / "c.txt")]
    resolved = {a.id: [mention(text, "Dunkirk", DUNKIRK), mention(text, "France", FRANCE),
                       mention(text, "Oddplace", odd)] for a in arts[:2]}
    resolved["+b"].append(ResolvedMention(Mention(29, 36, "Dunkirk"), DUNKIRK, [DUNKIRK]))
    collection = place_collection(arts, resolved)
    safe_arts = [Article("caf\ufffd", "Boats", text, tmp_path / "a.txt"), *arts[1:]]
    with open(tmp_path / "fast.csv", "w", encoding="utf-8", newline="") as fh:
        write_gazetteer_csv(fh, collection["features"], safe_arts, collection["build_id"])
    with open(tmp_path / "pandas.csv", "w", encoding="utf-8", newline="") as fh:
        gazetteer_table(collection["features"], safe_arts, collection["build_id"]).to_csv(fh, index=False)
    fast = (tmp_path / "fast.csv").read_bytes()
    assert fast == (tmp_path / "pandas.csv").read_bytes()
    assert b"'=odd" in fast and b'"Quote ""and"", comma"' in fast and b"mentions:caf\xef\xbf\xbd" in fast
