"""Recognition: NER + gazetteer evidence, on short texts with a small in-memory gazetteer."""
from __future__ import annotations

import pytest

from geodata.model import Candidate, Place


def P(pid, name, kind, lat, lon, country=None, pop=0, admin1=None):
    return Place(pid, name, kind, lat, lon, country, int(pid) if pid.isdigit() else None, pop, "geonames", admin1)


PLACES = {
    "Calais": [P("1", "Calais", "settlement", 50.95, 1.86, "FR", 74000, "FR.32")],
    "Jordan": [P("2", "Jordan", "country", 31.0, 36.0, "JO", 9_900_000)],
    "May": [P("3", "May", "settlement", 22.0, 77.0, "IN", 2500)],
    "Chelsea": [P("4", "Chelsea", "settlement", 51.49, -0.17, "GB", 60000, "GB.ENG")],
    "France": [P("5", "France", "country", 46.0, 2.0, "FR", 67_000_000)],
    "Kentucky": [P("6", "Kentucky", "admin1", 37.5, -85.0, "US", 4_000_000, "US.KY")],
    "Paris": [P("7", "Paris", "settlement", 48.85, 2.35, "FR", 2_100_000, "FR.11"),
              P("8", "Paris", "settlement", 33.66, -95.56, "US", 25000, "US.TX")],
    "Texas": [P("9", "Texas", "admin1", 31.0, -99.0, "US", 25_000_000, "US.TX")],
    "Springfield": [P("10", "Springfield", "settlement", 37.2, -93.3, "US", 160000, "US.MO"),
                    P("11", "Springfield", "settlement", 39.8, -89.64, "US", 116000, "US.IL")],
    "Missouri": [P("12", "Missouri", "admin1", 38.5, -92.5, "US", 6_000_000, "US.MO")],
}
ABBREVIATIONS = {"Ky.": "Kentucky", "Ill.": None}
ILLINOIS = P("13", "Illinois", "admin1", 40.0, -89.0, "US", 12_800_000, "US.IL")


class FakeGazetteer:
    """The Gazetteer lookup interface over a dict (case-insensitive, like the real one)."""

    def __init__(self):
        from geodata.gazetteer.normalize import normalize

        self.norm = normalize
        self.index = {}
        for name, places in PLACES.items():
            self.index[normalize(name)] = [Candidate(p, "name") for p in places]
        self.index[normalize("Ky.")] = [Candidate(PLACES["Kentucky"][0], "abbreviation")]
        self.index[normalize("Ill.")] = [Candidate(ILLINOIS, "abbreviation")]
        self.index[normalize("Illinois")] = [Candidate(ILLINOIS, "name")]

    def lookup(self, name):
        return list(self.index.get(self.norm(name), []))

    def contains(self, name):
        return self.norm(name) in self.index

    def get(self, place_id):
        for cands in self.index.values():
            for c in cands:
                if c.place.id == place_id:
                    return c.place
        return None


@pytest.fixture(scope="module")
def parser():
    from geodata.geoparser import Geoparser

    return Geoparser(FakeGazetteer())


def texts_of(mentions):
    return [m.text for m in mentions]


def test_place_after_preposition_is_found(parser):
    text = "The migrants waited in Calais for a week."
    out = parser.parse(text)
    assert texts_of(out) == ["Calais"]
    assert out[0].place.id == "1"
    assert text[out[0].start:out[0].end] == "Calais"


def test_sentence_final_dot_is_not_part_of_the_name(parser):
    out = parser.parse("Thousands of people are massing in Calais.")
    assert texts_of(out) == ["Calais"]


def test_first_name_of_a_person_is_not_a_place(parser):
    out = parser.parse("The party is led by Jordan Bardella, who wants to be prime minister.")
    assert "Jordan" not in texts_of(out)
    assert all(m.place is None or m.place.kind != "country" for m in out)


def test_title_and_surname_is_not_a_place(parser):
    out = parser.parse("Mrs May visited the port on Tuesday. Mrs May said it was safer now.")
    assert "May" not in texts_of(out)


def test_team_is_not_a_place(parser):
    out = parser.parse("He wants to play football for the Chelsea club one day.")
    assert "Chelsea" not in texts_of(out)


def test_state_abbreviation_after_city(parser):
    out = parser.parse("The fire broke out in Louisville, Ky., early on Monday.")
    names = texts_of(out)
    assert "Ky." in names
    ky = next(m for m in out if m.text == "Ky.")
    assert ky.place.kind == "admin1" and ky.place.admin1 == "US.KY"


def test_one_sense_per_document(parser):
    text = ("Calais is crowded. Officials in Calais say more arrive daily. "
            "Calais, the mayor says, cannot cope.")
    out = parser.parse(text)
    assert texts_of(out).count("Calais") == 3


def test_extra_places_are_whole_word_and_case_sensitive():
    from geodata.geoparser import Geoparser

    camp = Place("camp-x", "Camp X", "landmark", 50.9, 1.8, "FR", None, 0, "override")
    gp = Geoparser(FakeGazetteer(), extra_places={"Camp X": camp})
    out = gp.parse("They live in Camp X now. Nobody calls it camp x. Camp Xylophone is elsewhere.")
    forced = [m for m in out if m.place is not None and m.place.id == "camp-x"]
    assert [m.text for m in forced] == ["Camp X"]
    assert forced[0].start == out[0].start == 13


def test_excluded_surface_forms_are_never_reported():
    from geodata.geoparser import Geoparser

    gp = Geoparser(FakeGazetteer(), excluded={"France"})
    out = gp.parse("He lives in France and works in Calais.")
    assert texts_of(out) == ["Calais"]


def test_empty_text_and_bad_type(parser):
    assert parser.parse("") == []
    with pytest.raises(TypeError):
        parser.parse(None)


def test_parse_many_keeps_order_and_offsets(parser):
    texts = ["Nothing here.", "A trip to France.", "Back in Calais. Then Paris, Texas."]
    outs = list(parser.parse_many(texts))
    assert len(outs) == 3
    assert outs[0] == []
    assert texts_of(outs[1]) == ["France"]
    for text, out in zip(texts, outs):
        for m in out:
            assert text[m.start:m.end] == m.text


def test_parse_command_writes_jsonl_atomically(tmp_path, monkeypatch):
    import json

    import geodata.gazetteer as gazetteer_pkg
    from geodata.geoparser import parse_main

    monkeypatch.setattr(gazetteer_pkg.Gazetteer, "open", classmethod(lambda cls, *a, **k: FakeGazetteer()))
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Migrants wait in Calais."}) + "\n"
                   + json.dumps({"id": 7, "text": "Nothing."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert parse_main(["--jsonl", str(src), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "7"]
    (t,) = rows[0]["toponyms"]
    assert (t["start"], t["end"], t["name"], t["geonameid"]) == (17, 23, "Calais", 1)
    assert t["lat"] == pytest.approx(50.95)
    assert rows[1]["toponyms"] == []
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_parse_command_replaces_its_output_with_the_shared_atomic_writer(tmp_path, monkeypatch, capsys):
    import json
    import os

    import geodata.gazetteer as gazetteer_pkg
    from geodata.geoparser import parse_main

    monkeypatch.setattr(gazetteer_pkg.Gazetteer, "open", classmethod(lambda cls, *a, **k: FakeGazetteer()))
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Migrants wait in Calais."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    assert parse_main(["--jsonl", str(src), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "a"
    assert out.stat().st_mode & 0o777 == 0o600  # the replacement keeps the old file's permissions
    # a write that fails is a clear error, not a traceback
    folder = tmp_path / "taken"
    folder.mkdir()
    assert parse_main(["--jsonl", str(src), "--out", str(folder)]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert folder.is_dir() and not any(folder.iterdir())


def test_parse_command_checks_its_out_folder_before_loading_the_model(tmp_path, monkeypatch, capsys):
    import geodata.geoparser as geoparser_mod

    def no_load(*args, **kwargs):
        raise AssertionError("the model was loaded although the output cannot be written")

    monkeypatch.setattr(geoparser_mod, "Geoparser", no_load)
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "ok"}\n', encoding="utf-8")
    out = tmp_path / "missing-folder" / "out.jsonl"
    assert geoparser_mod.parse_main(["--jsonl", str(src), "--out", str(out)]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_parse_command_rejects_bad_input(tmp_path, monkeypatch, capsys):
    import geodata.gazetteer as gazetteer_pkg
    from geodata.geoparser import parse_main

    monkeypatch.setattr(gazetteer_pkg.Gazetteer, "open", classmethod(lambda cls, *a, **k: FakeGazetteer()))
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "ok"}\n{"id": "a", "text": "again"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert parse_main(["--jsonl", str(src), "--out", str(out)]) == 1
    assert "duplicate id" in capsys.readouterr().err
    assert not out.exists()
    src.write_text('{"text": "no id"}\n', encoding="utf-8")
    assert parse_main(["--jsonl", str(src), "--out", str(out)]) == 1
    assert "in.jsonl:1: expected an object" in capsys.readouterr().err
    assert parse_main(["--jsonl", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 1


def test_place_after_a_role_and_of_is_found_even_before_said(parser):
    out = parser.parse("The mayor of Calais said the camp would close.")
    assert texts_of(out) == ["Calais"]


def test_said_after_a_located_subject_is_not_a_person_cue(parser):
    out = parser.parse("Officials in Calais said the roads were closed.")
    assert texts_of(out) == ["Calais"]


def test_a_name_then_said_is_still_a_person(parser):
    out = parser.parse("“We will stay,” Jordan said on Tuesday.")
    assert "Jordan" not in texts_of(out)


class _Ent:
    def __init__(self, text, surface, label):
        self.start_char = text.index(surface)
        self.end_char = self.start_char + len(surface)
        self.text = surface
        self.label_ = label


class _Doc:
    """What the recognizer reads of a spaCy Doc: its entities (so a test fixes the NER output)."""

    def __init__(self, text, *ents):
        self.text = text
        self.ents = [_Ent(text, surface, label) for surface, label in ents]


class _GazetteerWithNyanza(FakeGazetteer):
    def __init__(self):
        super().__init__()
        self.index[self.norm("Nyanza")] = [Candidate(P("20", "Nyanza", "admin1", -0.5, 34.7, "KE", 5_000_000,
                                                       "KE.07"), "name")]


def _recognized(text, *ents):
    from geodata.recognize import Recognizer

    found = Recognizer(_GazetteerWithNyanza()).recognize(text, _Doc(text, *ents))
    return [(text[f.mention.start:f.mention.end], f.lookup) for f in found]


def test_generic_word_after_a_known_name_is_left_out_of_the_span():
    text = "Cases rose in Nyanza province last week."
    assert _recognized(text, ("Nyanza province", "GPE")) == [("Nyanza", "Nyanza")]


def test_unknown_name_tagged_place_by_ner_alone_needs_more_evidence():
    text = "Pawlenty vetoed the plan."
    assert _recognized(text, ("Pawlenty", "GPE")) == []
    text = "Aid finally reached Mbomo on Monday."
    assert _recognized(text, ("Mbomo", "GPE")) == [("Mbomo", "Mbomo")]


def test_facility_named_after_a_town_is_not_the_town():
    text = "Pupils at Calais Elementary went home early."
    assert _recognized(text, ("Calais Elementary", "FAC")) == []
    text = "Pupils in Calais went home early."
    assert _recognized(text, ("Calais", "GPE")) == [("Calais", "Calais")]


class _GazetteerWithNamesakes(FakeGazetteer):
    """Adds a village that shares a storm's name and one whose alternate name looks like "MoD"."""

    def __init__(self):
        super().__init__()
        self.index[self.norm("Maria")] = [Candidate(P("30", "Maria", "settlement", 48.1, -66.1, "CA", 1100), "name")]
        self.index[self.norm("MoD")] = [Candidate(P("31", "Maud", "settlement", 34.8, -96.8, "US", 1100),
                                                  "alternate")]


def _spans(text, *ents):
    from geodata.recognize import Recognizer

    rec = Recognizer(_GazetteerWithNamesakes())
    return {f.mention.text: f for f in rec.score_all(text, _Doc(text, *ents))}, rec.threshold


def test_a_storm_name_is_not_a_place():
    spans, threshold = _spans("Storm Maria flooded Calais.", ("Maria", "GPE"), ("Calais", "GPE"))
    assert spans["Maria"].evidence.get("cue_storm_name") == 1.0
    assert spans["Maria"].score < threshold <= spans["Calais"].score
    spans, _ = _spans("Hurricane Maria flooded Calais.", ("Hurricane Maria", "LOC"), ("Calais", "GPE"))
    assert all(f.score < threshold for name, f in spans.items() if "Maria" in name)
    # the same name without the storm word is the village
    spans, _ = _spans("Aid reached Maria and Calais.", ("Maria", "GPE"), ("Calais", "GPE"))
    assert "cue_storm_name" not in spans["Maria"].evidence and spans["Maria"].score >= threshold


def test_an_organisation_short_form_is_not_a_place():
    spans, threshold = _spans("Officials at the MoD met in Calais.", ("MoD", "GPE"), ("Calais", "GPE"))
    assert spans["MoD"].evidence.get("mixed_case_abbreviation") == 1.0
    assert spans["MoD"].score < threshold


def test_every_span_carries_named_evidence_and_its_score_is_their_weighted_sum():
    from geodata.params import linear

    spans, _ = _spans("The migrants waited in Calais.", ("Calais", "GPE"))
    f = spans["Calais"]
    assert {"label:GPE", "cue_location_word", "gazetteer_prior", "doc_place_votes"} <= set(f.evidence)
    from geodata.recognize import Recognizer

    weights = Recognizer(FakeGazetteer()).weights
    assert f.score == pytest.approx(weights["bias"] + linear(weights, f.evidence))


def test_the_before_an_initialism_is_not_part_of_the_name():
    """ "The EU" at a sentence start: the gazetteer looks "The EU" up as "EU" (the town of Eu); the span
    proposed is the initialism alone, so the resolver sees an initialism."""
    from geodata.recognize import Recognizer

    gaz = FakeGazetteer()
    gaz.index[gaz.norm("EU")] = [Candidate(P("40", "Eu", "settlement", 50.05, 1.42, "FR", 8400), "name")]
    text = "The EU agreed to help Calais."
    found = Recognizer(gaz).score_all(text, _Doc(text, ("EU", "ORG"), ("Calais", "GPE")))
    assert [f.mention.text for f in found] == ["EU", "Calais"]


def _fixed_nlp(doc):
    class _Nlp:
        def pipe(self, texts, batch_size=64):
            return iter([doc for _ in texts])

    return _Nlp()


def test_nationality_words_are_adjectives_of_their_country_by_default():
    from geodata.geoparser import Geoparser

    gaz = FakeGazetteer()
    gaz.index[gaz.norm("French")] = [Candidate(PLACES["France"][0], "demonym")]
    text = "French officials met in Calais."
    doc = _Doc(text, ("French", "NORP"), ("Calais", "GPE"))
    found = Geoparser(gaz, nlp=_fixed_nlp(doc)).parse(text)
    assert [(r.text, r.role) for r in found] == [("French", "adjective"), ("Calais", "place")]
    assert found[0].place.kind == "country" and "demonym_reported" in found[0].evidence
    off = Geoparser(gaz, nlp=_fixed_nlp(doc), demonyms=False).parse(text)
    assert [(r.text, r.role) for r in off] == [("Calais", "place")]


def test_russian_officials_and_british_troops_name_their_countries_as_adjectives():
    from geodata.geoparser import Geoparser

    russia = P("20", "Russia", "country", 60.0, 100.0, "RU", 144_000_000)
    uk = P("21", "United Kingdom", "country", 54.0, -2.0, "GB", 66_000_000)
    gaz = FakeGazetteer()
    gaz.index[gaz.norm("Russian")] = [Candidate(russia, "demonym")]
    gaz.index[gaz.norm("British")] = [Candidate(uk, "demonym")]
    gaz.index[gaz.norm("The British")] = [Candidate(uk, "demonym")]
    text = "Russian officials said British troops had left Calais. The British denied it."
    doc = _Doc(text, ("Russian", "NORP"), ("British", "NORP"), ("Calais", "GPE"), ("The British", "NORP"))
    found = Geoparser(gaz, nlp=_fixed_nlp(doc)).parse(text)
    got = [(r.text, r.role, r.place.name) for r in found]
    assert got == [("Russian", "adjective", "Russia"), ("British", "adjective", "United Kingdom"),
                   ("Calais", "place", "Calais"), ("British", "adjective", "United Kingdom")]
    last = found[-1]
    assert text[last.start:last.end] == "British"  # the sentence's "The" is not part of the word
