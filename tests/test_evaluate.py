"""Metric functions of the evaluate command, on small synthetic documents."""
from __future__ import annotations

import json

import pytest

from geodata import evaluate as E
from geodata.errors import AtlasError

T = E.Toponym


def doc(text, *gold):
    return E.Document("d", text, list(gold))


def test_haversine_known_distances():
    assert E.haversine_km(0, 0, 0, 0) == 0
    # one degree of latitude is about 111.2 km
    assert E.haversine_km(10, 20, 11, 20) == pytest.approx(111.2, abs=0.3)
    # antipodes: half the circumference
    assert E.haversine_km(0, 0, 0, 180) == pytest.approx(20015, abs=10)


def test_exact_and_loose_precision_recall():
    text = "We drove from Springfield to Shelbyville and then to Ogdenville."
    gold = [T(14, 25, "Springfield", 1.0, 1.0), T(29, 40, "Shelbyville", 2.0, 2.0),
            T(53, 63, "Ogdenville", 3.0, 3.0)]
    pred = [
        T(14, 25, "Springfield", 1.0, 1.0),      # exact
        T(29, 41, "Shelbyville ", 2.0, 2.0),     # different span and string: neither exact nor loose
        T(0, 2, "We", None, None),               # false positive
    ]
    r = E.score([doc(text, *gold)], [pred])
    assert r["exact"]["tp"] == 1
    assert r["exact"]["p"] == pytest.approx(1 / 3)
    assert r["exact"]["r"] == pytest.approx(1 / 3)
    assert r["loose"]["tp"] == 1


def test_loose_match_needs_same_string_and_close_midpoints():
    gold = [T(100, 106, "Dublin", 0.0, 0.0)]
    # same string (case-insensitive), span shifted by 5 characters: loose but not exact
    assert E.match_loose(gold, [T(105, 111, "dublin")]) == [(0, 0)]
    # 10 or more characters apart: no match
    assert E.match_loose(gold, [T(110, 116, "Dublin")]) == []
    # different string
    assert E.match_loose(gold, [T(100, 106, "Dublim")]) == []


def test_loose_matching_is_one_to_one():
    gold = [T(0, 5, "Paris"), T(6, 11, "Paris")]
    pred = [T(0, 5, "Paris")]
    assert len(E.match_loose(gold, pred)) == 1


def test_accuracy_matched_and_end_to_end():
    gold = [
        T(0, 4, "Aaaa", 0.0, 0.0),
        T(10, 14, "Bbbb", 10.0, 10.0),
        T(20, 24, "Cccc", 20.0, 20.0),
        T(30, 34, "Dddd", 30.0, 30.0),     # not found by the system
        T(40, 44, "Eeee", None, None),     # gold without coordinates: not in Acc@161
    ]
    pred = [
        T(0, 4, "Aaaa", 0.5, 0.5),         # ~79 km: within 161
        T(10, 14, "Bbbb", 12.0, 10.0),     # ~222 km: outside
        T(20, 24, "Cccc", None, None),     # no point: counts as 20,039 km
        T(40, 44, "Eeee", 1.0, 1.0),
    ]
    r = E.score([doc("x" * 50, *gold)], [pred])
    assert r["matched_with_point"] == 3
    assert r["acc161_matched"] == pytest.approx(1 / 3)
    assert r["gold_with_point"] == 4
    assert r["acc161_end_to_end"] == pytest.approx(1 / 4)
    assert r["median_km"] == pytest.approx(E.haversine_km(10, 10, 12, 10))


def test_empty_predictions_give_zero_not_an_error():
    r = E.score([doc("Rome", T(0, 4, "Rome", 41.9, 12.5))], [[]])
    assert r["exact"]["f1"] == 0.0 and r["acc161_end_to_end"] == 0.0 and r["median_km"] is None


def test_score_requires_aligned_predictions():
    with pytest.raises(ValueError):
        E.score([doc("a")], [])


def test_load_corpus_and_limit(tmp_path):
    path = tmp_path / "c.jsonl"
    lines = [
        {"id": "1", "text": "In Rome.", "toponyms": [{"start": 3, "end": 7, "name": "Rome", "lat": 41.9, "lon": 12.5}]},
        {"id": "2", "text": "Nowhere.", "toponyms": []},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    docs = E.load_corpus(str(path))
    assert [d.id for d in docs] == ["1", "2"]
    assert docs[0].gold[0] == T(3, 7, "Rome", 41.9, 12.5)
    assert len(E.load_corpus(str(path), limit=1)) == 1


def test_bad_corpus_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "1", "text": "ok"}\n{not json\n', encoding="utf-8")
    with pytest.raises(AtlasError, match=r"bad.jsonl:2"):
        E.load_corpus(str(path))


def test_main_rejects_missing_corpus(tmp_path, capsys):
    assert E.main([str(tmp_path / "nope.jsonl")]) == 2
    assert "no such corpus" in capsys.readouterr().err


def test_evaluate_runs_systems_side_by_side(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "From Rome to Oslo.", "toponyms": [
        {"start": 5, "end": 9, "name": "Rome", "lat": 41.9, "lon": 12.5},
        {"start": 13, "end": 17, "name": "Oslo", "lat": 59.9, "lon": 10.7}]}) + "\n", encoding="utf-8")

    def perfect(texts):
        return [[T(5, 9, "Rome", 41.9, 12.5), T(13, 17, "Oslo", 59.9, 10.7)] for _ in texts]

    def half(texts):
        return [[T(5, 9, "Rome", -41.9, 12.5)] for _ in texts]

    report = E.evaluate([str(path)], {"a": perfect, "b": half})
    res = report["c.jsonl"]
    assert res["a"]["exact"]["f1"] == 1.0 and res["a"]["acc161_end_to_end"] == 1.0
    assert res["b"]["exact"]["r"] == 0.5 and res["b"]["acc161_matched"] == 0.0
    table = E.format_table("c.jsonl", res)
    assert "a " in table and "b " in table


def test_json_figures_are_written_with_the_shared_atomic_writer(tmp_path):
    import json
    import os

    from geodata.evaluate import _write_json_atomic

    out = tmp_path / "figures.json"
    out.write_text("{}\n")
    os.chmod(out, 0o640)
    _write_json_atomic(str(out), {"corpus": {"f1": 0.9}})
    assert json.loads(out.read_text()) == {"corpus": {"f1": 0.9}}
    assert out.stat().st_mode & 0o777 == 0o640  # the replacement keeps the old file's permissions
    assert [p.name for p in tmp_path.iterdir()] == ["figures.json"]


class _Parser:
    """A geoparser stand-in: one place and one nationality word per text."""

    def parse_many(self, texts):
        from geodata.model import Mention, Place, ResolvedMention

        rome = Place("1", "Rome", "settlement", 41.9, 12.5, "IT")
        italy = Place("2", "Italy", "country", 42.8, 12.8, "IT")
        for _ in texts:
            yield [ResolvedMention(Mention(0, 7, "Italian"), italy, role="adjective"),
                   ResolvedMention(Mention(23, 27, "Rome"), rome)]


def test_our_figures_leave_nationality_words_out_unless_asked_for():
    text = "Italian officials met in Rome."
    docs = [doc(text, T(0, 7, "Italian", 42.8, 12.8), T(23, 27, "Rome", 41.9, 12.5))]
    places, everything = E.predictions(_Parser(), [text])
    assert [t.name for t in places[0]] == ["Rome"]
    assert [t.name for t in everything[0]] == ["Italian", "Rome"]
    plain = E.score(docs, E.geoparser_system(_Parser())([text]))
    with_adjectives = E.score(docs, E.geoparser_system(_Parser(), adjectives=True)([text]))
    assert plain["exact"]["r"] == 0.5 and with_adjectives["exact"]["r"] == 1.0


def test_held_out_table_has_an_adjectives_row_only_when_asked_for():
    cell = {"exact": {"f1": 0.8, "p": 0.9, "r": 0.7}, "acc161_matched": 0.85}
    plain = {"lgl.jsonl": {"in_sample": cell, "held_out": cell}}
    assert "+ adjectives" not in E.format_held_out(plain)
    both = {"lgl.jsonl": {**plain["lgl.jsonl"], "in_sample_adjectives": cell, "held_out_adjectives": cell}}
    assert "  + adjectives" in E.format_held_out(both)


def test_with_adjectives_option_is_parsed(monkeypatch):
    seen = {}
    monkeypatch.setattr(E, "_held_out_main", lambda args, ner: seen.setdefault("adjectives", args.adjectives) and 0)
    monkeypatch.setattr("geodata.nercache.CachedNER", lambda: None)
    import os

    here = os.path.abspath(__file__)
    E.main([here, here, "--held-out", "--with-adjectives"])
    assert seen == {"adjectives": True}
