"""Fitting the weights of the named evidence, the held-out report, the explain command, the NER cache."""
from __future__ import annotations

import json
import random

import pytest

from geodata import fit


def _separable_spans(n=400, seed=1):
    rng = random.Random(seed)
    rows, labels = [], []
    for _ in range(n):
        place = rng.random() < 0.5
        rows.append({"cue_location_word": float(place if rng.random() < 0.9 else not place),
                     "noise": rng.random()})
        labels.append(place)
    return rows, labels


def test_logistic_fit_finds_the_evidence_that_separates():
    rows, labels = _separable_spans()
    weights, bias = fit.fit_logistic(rows, labels, ["cue_location_word", "noise"])
    assert weights["cue_location_word"] > 2.0
    assert abs(weights["noise"]) < 1.0
    assert bias < 0


def test_ranker_fit_prefers_the_feature_of_the_correct_readings():
    rng = random.Random(2)
    groups = []
    for _ in range(200):
        right = rng.randrange(3)
        feats = [{"proximity": (1.0 if k == right else 0.0) + 0.1 * rng.random(), "log_population": rng.random() * 5}
                 for k in range(3)]
        groups.append((feats, [k == right for k in range(3)]))
    weights = fit.fit_ranker(groups, ["log_population", "proximity"])
    assert weights["proximity"] > 1.0 > abs(weights["log_population"])


def test_threshold_maximises_f1_counting_gold_never_proposed():
    scores = [3.0, 2.0, 1.0, 0.0]
    labels = [True, True, False, True]
    # gold spans: the 3 proposed and 1 never proposed
    assert fit.best_threshold(scores, labels, gold_spans=4) == 0.0  # 3 of 4 found at 4 predictions: F1 .75
    assert fit.best_threshold(scores, [True, True, False, False], gold_spans=4) == 2.0


def test_held_out_report_is_formatted_beside_the_best_published():
    from geodata.evaluate import format_held_out

    r = {"exact": {"p": 0.9, "r": 0.8, "f1": 0.847}, "acc161_matched": 0.86}
    table = format_held_out({"lgl.jsonl": {"in_sample": r, "held_out": r, "fitted_on": ["trnews.jsonl"]}})
    assert "0.847 (0.900/0.800)  0.860" in table and "0.713 / 0.819" in table


def test_held_out_needs_two_corpora(tmp_path, capsys):
    from geodata.evaluate import main

    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "x", "toponyms": []}) + "\n", encoding="utf-8")
    assert main(["--held-out", str(path)]) == 2
    assert "two or more corpora" in capsys.readouterr().err


class _FakeNlp:
    def __init__(self):
        self.calls = 0

    def pipe(self, texts, batch_size=64):
        from geodata.nercache import Ent, EntDoc

        for t in texts:
            self.calls += 1
            yield EntDoc(t, (Ent(0, 4, "GPE", t[:4]),))


def test_ner_cache_runs_the_model_once_per_text(tmp_path):
    from geodata.nercache import CachedNER

    nlp = _FakeNlp()
    ner = CachedNER(tmp_path)
    ner._nlp = nlp
    first = list(ner.pipe(["Rome is old.", "Oslo is cold."]))
    again = list(ner.pipe(["Rome is old."]))
    assert nlp.calls == 2 and again[0].ents == first[0].ents
    ner.save()
    reloaded = CachedNER(tmp_path)
    reloaded._nlp = _FakeNlp()
    assert [d.ents[0].text for d in reloaded.pipe(["Oslo is cold."])] == ["Oslo"]
    assert reloaded._nlp.calls == 0


def test_explain_prints_evidence_and_ranked_readings():
    from geodata.explain import explain
    from geodata.geoparser import Geoparser
    from tests.test_recognize import FakeGazetteer

    out = explain("She flew to Paris on Friday.", Geoparser(FakeGazetteer()), top=2)
    assert "'Paris' at 12-17: PLACE" in out
    assert "cue_location_word=1.00×+1.00" in out
    assert "1. " in out and "2. " in out and "log_population=" in out


def test_explain_command_needs_a_text(capsys):
    from geodata.explain import main

    assert main([]) == 2
    assert "either a text or --file" in capsys.readouterr().err


def test_shipped_parameters_have_every_section_and_a_threshold():
    from geodata.params import SECTIONS, load_params

    params = load_params()
    for name in SECTIONS:
        assert isinstance(getattr(params, name), dict) and getattr(params, name)
    assert "threshold" in params.recognizer


def test_unreadable_parameter_file_is_a_clear_error(tmp_path):
    from geodata.errors import AtlasError
    from geodata.params import load_params

    bad = tmp_path / "p.json"
    bad.write_text('{"recognizer": {}}', encoding="utf-8")
    with pytest.raises(AtlasError, match="lack section"):
        load_params(bad)


def test_nationality_words_are_left_out_of_the_recognizer_fit():
    from geodata.model import Candidate, Found, Mention, Place

    country = Place("ca", "Canada", "country", 60.0, -95.0, "CA", None, 37_000_000)
    town = Place("t", "Canadian", "settlement", 35.9, -100.4, "US", None, 2_600)
    adjective = Found(Mention(0, 8, "Canadian"), [Candidate(country, "demonym"), Candidate(town)], None,
                      lookup="Canadian")
    assert fit.nationality_word(adjective)
    assert fit.nationality_word(Found(Mention(0, 6, "Somali"), [], "NORP", lookup="Somali"))
    assert not fit.nationality_word(Found(Mention(0, 6, "Canada"), [Candidate(country)], "GPE", lookup="Canada"))
