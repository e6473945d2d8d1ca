"""Curation overrides: parsing, problems with line numbers, applying, atomic writers."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from geodata.errors import OverrideError
from geodata.model import Candidate, Mention, Place, ResolvedMention
from geodata.overrides import (
    COLUMNS,
    OverrideRow,
    append_override,
    append_overrides,
    default_overrides_path,
    load_overrides,
    parse_overrides,
    pin_rows,
    surface_key,
)

HEADER = ",".join(COLUMNS) + "\n"

DOVER_KENT = Place(id="2651048", name="Dover", kind="settlement", lat=51.126, lon=1.313, country="GB", geonameid=2651048)
DOVER_DE = Place(id="4142290", name="Dover", kind="settlement", lat=39.158, lon=-75.524, country="US", geonameid=4142290)
DUNKIRK = Place(id="3020686", name="Dunkirk", kind="settlement", lat=51.034, lon=2.377, country="FR", geonameid=3020686)
CALAIS = Place(id="3029162", name="Calais", kind="settlement", lat=50.952, lon=1.856, country="FR", geonameid=3029162)


class FakeGazetteer:
    """The slice of the Gazetteer interface overrides use: get(id) and lookup(name) -> [Candidate]."""

    def __init__(self, places):
        self.places = {p.id: p for p in places}
        self.get_calls = 0

    def get(self, place_id):
        self.get_calls += 1
        return self.places.get(place_id)

    def lookup(self, name):
        hits = [p for p in self.places.values() if p.name.casefold() == name.casefold()]
        hits.sort(key=lambda p: -p.lat)  # any fixed order; tests narrow by country
        return [Candidate(place=p) for p in hits]


GAZ = FakeGazetteer([DOVER_KENT, DOVER_DE, DUNKIRK, CALAIS])


def rm(text, start, place=None, candidates=()):
    return ResolvedMention(Mention(start, start + len(text), text), place, list(candidates))


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "overrides.csv"
    path.write_text("# comment line\n" + header + body, encoding="utf-8")
    return path


def test_repo_overrides_file_loads_without_problems():
    overrides = load_overrides(Path(__file__).resolve().parents[1] / "geodata" / "overrides.csv")
    assert overrides.problems == []
    extra = overrides.extra_places(None)  # added places resolve without a gazetteer
    assert extra["Rue de Judee"].kind == "street"
    assert extra["Rue de Judee"].source == "override"
    # rows pointing at gazetteer ids need the gazetteer (reported, not fatal, without one)
    assert {line for line, _ in overrides.problems} == {9, 11, 12, 13}


def test_every_action_parses_and_bad_rows_report_line_numbers(tmp_path):
    path = write(tmp_path, "\n".join([
        "pin,Dover,2651048,,,,,,,,Kent",                        # line 3
        "add,Rue de Judee,,Rue de Judée,street,FR,50.93,1.90,,,",  # line 4
        "alias,Dunkerque,3020686,,,,,,,,",                       # line 5
        "exclude,Chelsea,,,,,,,,,football club",                 # line 6
        "exclude,Jordan,,,,,,,a1,120,one mention",              # line 7
        "frobnicate,X,,,,,,,,,",                                 # line 8: unknown action
        "add,Nowhere,,Nowhere,street,FR,95,1,,,",                # line 9: lat out of range
        "pin,Dover,,,,,,,,,",                                    # line 10: no target
        'pin,"unbalanced,1,,,,,,,,',                             # line 11: bad CSV
        "add,Bad,,Bad,planet,FR,1,1,,,",                         # line 12: unknown kind
        "exclude,Paris,,,,,,,,12,",                              # line 13: start without article
    ]) + "\n")
    overrides = load_overrides(path)
    lines = sorted(line for line, _ in overrides.problems)
    assert lines == [8, 9, 10, 11, 12, 13]
    messages = dict(overrides.problems)
    assert "unknown action" in messages[8]
    assert "lat" in messages[9]
    assert "place_id or name" in messages[10]
    assert "planet" in messages[12]
    assert "start needs article" in messages[13]
    # the good rows still apply
    assert overrides.excluded_everywhere == {"Chelsea"}
    extra = overrides.extra_places(GAZ)
    assert extra["Dover"].id == DOVER_KENT.id and extra["Dover"].source == "override"
    assert extra["Dunkerque"].id == DUNKIRK.id
    assert extra["Rue de Judée"].name == "Rue de Judée"
    assert extra["Rue de Judee"].id == "override-rue-de-judee-fr"
    assert "Chelsea" not in extra


def test_unknown_place_id_is_a_problem_at_resolution_time(tmp_path):
    path = write(tmp_path, "pin,Springfield,999999999,,,,,,,,\nalias,Dunkerque,3020686,,,,,,,,\n")
    overrides = load_overrides(path)
    assert overrides.problems == []
    extra = overrides.extra_places(GAZ)
    assert set(extra) == {"Dunkerque"}
    assert [line for line, _ in overrides.problems] == [3]
    assert "999999999" in overrides.problems[0][1]
    overrides.extra_places(GAZ)  # asking again does not duplicate the problem
    assert len(overrides.problems) == 1


def test_pin_by_name_narrowed_by_country(tmp_path):
    path = write(tmp_path, "pin,Dover,,Dover,,US,,,,,\npin,Kent port,,Dover,,GB,,,,,\n")
    extra = load_overrides(path).extra_places(GAZ)
    assert extra["Dover"].id == DOVER_DE.id
    assert extra["Kent port"].id == DOVER_KENT.id


def test_apply_pins_excludes_and_keeps_previous_choice_as_candidate(tmp_path):
    path = write(tmp_path, "\n".join([
        "pin,Dover,2651048,,,,,,,,",
        "exclude,Chelsea,,,,,,,,,",
        "exclude,Calais,,,,,,,art1,50,one mention only",
        "pin,Dunkirk,,Dover,,US,,,art2,,only in art2",
    ]) + "\n")
    overrides = load_overrides(path)
    resolved = [
        rm("Dover", 10, DOVER_DE, [DOVER_DE, DOVER_KENT]),
        rm("Chelsea", 20, None),
        rm("Calais", 30, CALAIS, [CALAIS]),
        rm("Calais", 50, CALAIS, [CALAIS]),
        rm("Dunkirk", 70, DUNKIRK, [DUNKIRK]),
        rm("DOVER", 90, None),  # unresolved and differently cased: the pin still applies
    ]
    before = [(r.text, r.start, r.place) for r in resolved]
    out1 = overrides.apply("art1", resolved, GAZ)
    assert [(r.text, r.start) for r in out1] == [("Dover", 10), ("Calais", 30), ("Dunkirk", 70), ("DOVER", 90)]
    assert out1[0].place.id == DOVER_KENT.id and out1[0].place.source == "override"
    assert [c.id for c in out1[0].candidates] == [DOVER_KENT.id, DOVER_DE.id]  # previous choice kept
    assert out1[1].place == CALAIS  # untouched mentions are passed through as they were
    assert out1[2].place == DUNKIRK  # the art2-only pin does not leak into art1
    assert out1[3].place.id == DOVER_KENT.id
    out2 = overrides.apply("art2", resolved, GAZ)
    assert [r.start for r in out2] == [10, 30, 50, 70, 90]  # the art1 exclusion stays in art1
    assert out2[3].place.id == DOVER_DE.id
    assert DUNKIRK.id in [c.id for c in out2[3].candidates]
    # inputs are not modified
    assert [(r.text, r.start, r.place) for r in resolved] == before


def test_pinned_mention_offers_gazetteer_alternatives(tmp_path):
    overrides = load_overrides(write(tmp_path, "pin,Dover,2651048,,,,,,,,\n"))
    # the geoparser already resolved it through extra_places, so it brings no alternatives of its own
    out = overrides.apply("a", [rm("Dover", 0, overrides.extra_places(GAZ)["Dover"])], GAZ)
    assert out[0].place.id == DOVER_KENT.id
    assert [c.id for c in out[0].candidates] == [DOVER_KENT.id, DOVER_DE.id]


def test_article_exclusion_without_start_drops_every_mention_in_that_article(tmp_path):
    overrides = load_overrides(write(tmp_path, "exclude,Jordan,,,,,,,a1,,\n"))
    resolved = [rm("Jordan", 0, None), rm("Jordan", 40, None)]
    assert overrides.apply("a1", resolved, None) == []
    assert len(overrides.apply("a2", resolved, None)) == 2
    assert overrides.excluded_everywhere == set()


def test_later_row_wins_and_earlier_is_reported(tmp_path):
    overrides = load_overrides(write(tmp_path, "pin,Dover,4142290,,,,,,,,\npin,Dover,2651048,,,,,,,,\n"))
    assert overrides.extra_places(GAZ)["Dover"].id == DOVER_KENT.id
    assert overrides.problems == []
    assert [line for line, _ in overrides.notes] == [3]


def test_exclude_then_pin_same_surface(tmp_path):
    overrides = load_overrides(write(tmp_path, "exclude,Dover,,,,,,,,,\npin,Dover,2651048,,,,,,,,\n"))
    assert overrides.excluded_everywhere == set()
    assert "Dover" in overrides.extra_places(GAZ)


def test_surface_key_ignores_case_accents_and_spacing():
    assert surface_key("Rue de  Judée") == surface_key("rue de judee") == "rue de judee"
    assert surface_key("Côte d\u2019Azur") == surface_key("cote d'azur")
    assert surface_key("Paris") != surface_key("Parise")


def test_missing_file_is_empty_and_non_utf8_is_a_problem(tmp_path):
    assert load_overrides(tmp_path / "none.csv").rows == []
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"action,surface\nexclude,\xff\xfe\n")
    overrides = load_overrides(bad)
    assert overrides.rows == [] and "UTF-8" in overrides.problems[0][1]


def test_missing_header_assumes_standard_columns(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("exclude,Chelsea,,,,,,,,,\n", encoding="utf-8")
    overrides = load_overrides(path)
    assert overrides.excluded_everywhere == {"Chelsea"}
    assert overrides.problems and overrides.problems[0][0] == 1


def test_columns_in_any_order(tmp_path):
    overrides = parse_overrides("surface,action\nChelsea,exclude\n")
    assert overrides.excluded_everywhere == {"Chelsea"}


def test_default_path_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_OVERRIDES", str(tmp_path / "x.csv"))
    assert default_overrides_path() == tmp_path / "x.csv"
    monkeypatch.delenv("ATLAS_OVERRIDES")
    assert default_overrides_path().name == "overrides.csv"


# -- writers ------------------------------------------------------------------------------------
def test_append_creates_file_with_header_and_round_trips(tmp_path):
    path = tmp_path / "sub" / "overrides.csv"
    append_override(path, {"action": "pin", "surface": 'Dover, "the port"', "place_id": "2651048", "note": "a, b"})
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#")
    overrides = load_overrides(path)
    assert overrides.problems == []
    assert overrides.extra_places(GAZ)['Dover, "the port"'].id == DOVER_KENT.id


def test_append_preserves_existing_bytes_and_is_atomic(tmp_path, monkeypatch):
    path = write(tmp_path, "exclude,Chelsea,,,,,,,,,")  # no trailing newline
    original = path.read_bytes()
    append_override(path, OverrideRow(action="exclude", surface="Omer"))
    text = path.read_bytes()
    assert text.startswith(original)
    assert load_overrides(path).excluded_everywhere == {"Chelsea", "Omer"}
    # a failing replace leaves the old file intact and no temp file behind
    def boom(*_args):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        append_override(path, OverrideRow(action="exclude", surface="Marine"))
    assert path.read_bytes() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overrides.csv"]


def test_append_rejects_invalid_rows_and_writes_nothing(tmp_path):
    path = write(tmp_path, "")
    original = path.read_bytes()
    with pytest.raises(OverrideError, match="lat"):
        append_overrides(path, [
            {"action": "exclude", "surface": "Omer"},
            {"action": "add", "name": "X", "kind": "street", "lat": "200", "lon": "0"},
        ])
    with pytest.raises(OverrideError, match="unknown column"):
        append_override(path, {"action": "exclude", "surface": "Omer", "colour": "red"})
    with pytest.raises(OverrideError, match="line break"):
        append_override(path, {"action": "exclude", "surface": "Om\ner"})
    assert path.read_bytes() == original


def test_append_rejects_duplicate_added_id(tmp_path):
    path = write(tmp_path, "add,,p1,Place One,landmark,FR,1,1,,,\n")
    with pytest.raises(OverrideError, match="p1"):
        append_override(path, {"action": "add", "place_id": "p1", "name": "Other", "kind": "street", "lat": 2, "lon": 2})


def test_append_refuses_nonstandard_header(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("surface,action\nChelsea,exclude\n", encoding="utf-8")
    with pytest.raises(OverrideError, match="header"):
        append_override(path, {"action": "exclude", "surface": "Omer"})


def test_pin_rows_for_gazetteer_and_geocoded_places(tmp_path):
    rows = pin_rows(["Dover", "dover", "Port of Dover"], DOVER_KENT)
    assert [(r.action, r.surface, r.place_id) for r in rows] == [
        ("pin", "Dover", "2651048"), ("pin", "Port of Dover", "2651048")]
    geocoded = {"id": "osm-way-42", "name": "Rue de Judée", "kind": "street", "country": "FR",
                "lat": 50.93, "lon": 1.9, "source": "geocoder:nominatim"}
    rows = pin_rows(["Rue de Judee"], geocoded)
    assert [r.action for r in rows] == ["add", "pin"]
    path = tmp_path / "o.csv"
    append_overrides(path, rows)
    extra = load_overrides(path).extra_places(None)
    assert extra["Rue de Judee"].lat == pytest.approx(50.93)
    assert extra["Rue de Judee"].source == "override"
    # a second fix for the same geocoded place does not add it twice
    assert [r.action for r in pin_rows(["Judee"], geocoded, known_ids={"osm-way-42"})] == ["pin"]


def test_repo_overrides_file_resolves_against_the_real_gazetteer():
    from geodata.gazetteer import DEFAULT_INDEX_PATH, Gazetteer
    if not Path(DEFAULT_INDEX_PATH).exists():
        pytest.skip("offline gazetteer index not built (python -m geodata index)")
    overrides = load_overrides(Path(__file__).resolve().parents[1] / "geodata" / "overrides.csv")
    with Gazetteer.open() as gazetteer:
        extra = overrides.extra_places(gazetteer)
    assert overrides.problems == []
    assert extra["Dover"].country == "GB" and extra["Dover"].source == "override"
    assert extra["Hook of Holland"].name == "Hoek van Holland"
    assert extra["the Channel"].kind == "water"


def test_append_keeps_crlf_and_bom_and_remove_undoes(tmp_path):
    path = tmp_path / "overrides.csv"
    original = ("\ufeff" + HEADER + "exclude,Chelsea,,,,,,,,,\n").replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(original)
    rows = append_overrides(path, [{"action": "pin", "surface": "Dover", "place_id": "2651048"},
                                   {"action": "exclude", "surface": "Omer"}])
    data = path.read_bytes()
    assert data.startswith(original) and data.count(b"\r\n") == 4 and b"\n" not in data.replace(b"\r\n", b"")
    assert load_overrides(path).excluded_everywhere == {"Chelsea", "Omer"}
    from geodata.overrides import remove_overrides
    assert remove_overrides(path, rows) == 2
    assert path.read_bytes() == original
    assert remove_overrides(path, rows) == 0  # already gone: nothing else is touched
    assert path.read_bytes() == original


def test_load_with_gazetteer_reports_unknown_ids_at_once(tmp_path):
    path = write(tmp_path, "pin,Springfield,999999999,,,,,,,,\npin,Dover,,Dover,,ZZ,,,a1,,\nexclude,X,,,,,,,,,\n")
    assert load_overrides(path).problems == []  # targets are not resolved without a gazetteer
    overrides = load_overrides(path, GAZ)
    assert sorted(line for line, _ in overrides.problems) == [3, 4]
    assert "ZZ" in dict(overrides.problems)[4]


def test_rows_for_unknown_articles_are_reported(tmp_path):
    overrides = load_overrides(write(tmp_path, "exclude,Omer,,,,,,,a1,,\nexclude,Omer,,,,,,,typo,,\n"))
    overrides.check_articles(["a1", "a2"])
    assert [line for line, _ in overrides.problems] == [4]
    assert "typo" in overrides.problems[0][1]


def test_apply_normalises_each_mention_once(tmp_path, monkeypatch):
    import geodata.overrides as overrides_mod

    overrides = load_overrides(write(tmp_path, "pin,Dover,2651048,,,,,,,,\nexclude,Chelsea,,,,,,,,,\n"))
    calls = []
    real = overrides_mod.surface_key
    monkeypatch.setattr(overrides_mod, "surface_key", lambda text: calls.append(text) or real(text))
    resolved = [rm("Dover", 0, DOVER_DE, [DOVER_DE]), rm("Chelsea", 10, None), rm("Calais", 20, CALAIS, [CALAIS])]
    out = overrides.apply("a", resolved, GAZ)
    assert [(r.text, r.place.id) for r in out] == [("Dover", DOVER_KENT.id), ("Calais", CALAIS.id)]
    assert [c.id for c in out[0].candidates] == [DOVER_KENT.id, DOVER_DE.id]
    assert calls == ["Dover", "Chelsea", "Calais"]


# --- issue 13 ------------------------------------------------------------------------------------

def test_a_duplicated_column_name_is_a_clear_error_and_nothing_is_applied():
    overrides = parse_overrides("action,surface,surface\nexclude,Paris,Lyon\n")
    assert overrides.rows == [] and overrides.excluded_everywhere == set()
    (line, message), = overrides.problems
    assert line == 1 and "column 'surface' appears twice" in message


def test_an_oversized_cell_is_named_as_such_not_as_unbalanced_quotes():
    overrides = parse_overrides("action,surface,note\nexclude,Paris," + "x" * 200_000 + "\n")
    (line, message), = overrides.problems
    assert line == 2 and "longer than" in message and "unbalanced" not in message
    assert parse_overrides('action,surface\npin,"unbalanced\n').problems[0][1].startswith("unreadable CSV")


def test_an_override_matches_every_spelling_the_gazetteer_equates():
    overrides = parse_overrides("action,surface,place_id\nexclude,St. Louis,\n")
    assert overrides.is_excluded("a", Mention(0, 11, "Saint Louis"))
    assert overrides.is_excluded("a", Mention(0, 8, "St Louis"))
    assert surface_key("St. Louis") == surface_key("Saint Louis") == surface_key("saint-louis")
    assert surface_key("U.S.") == surface_key("US")


def test_overrides_written_by_the_dashboard_are_formula_safe_and_read_back_as_written(tmp_path):
    path = tmp_path / "o.csv"
    append_override(path, OverrideRow(action="add", name="=HYPERLINK(\"x\")", surface="@cmd", kind="street",
                                      country="FR", lat="-33.9", lon="1.5"))
    text = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@cmd" in text and ",-33.9," in text  # numbers stay numbers
    assert not any(cell.startswith(("=", "@")) for line in text.splitlines() for cell in line.split(","))
    (added,) = load_overrides(path).added.values()
    assert added.name == "=HYPERLINK(\"x\")" and added.lat == -33.9
    assert "@cmd" in load_overrides(path).extra_places(None)
