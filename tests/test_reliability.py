"""The bad-input and fault matrix (issue 13), run against real builds: ``python -m geodata.check`` runs
exactly these (``pytest -m reliability``). Each case names the matrix category it reproduces."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.data import DataError, article_files, forget_last_good, load_atlas
from geodata import contract, outputs, pipeline
from geodata.articles import MAX_ARTICLE_BYTES, display_path
from geodata.overrides import parse_overrides

pytestmark = pytest.mark.reliability

REPO = Path(__file__).resolve().parent.parent
GOOD = "Ferries to Dover\nFerries left Calais for Dover in Kent on Monday, police in France said.\n"


def build_cli(*args):
    return subprocess.run([sys.executable, "-m", "geodata", "build", *map(str, args)], cwd=REPO,
                          capture_output=True, timeout=300)


def _bad_folder(root: Path) -> Path:
    arts = root / "articles"
    (arts / "sub").mkdir(parents=True)
    (arts / ".hidden-folder").mkdir()
    (arts / ".hidden-folder" / "x.txt").write_text(GOOD)
    files = {
        "good.txt": GOOD.encode(),
        "UPPER.TXT": GOOD.replace("Dover", "Dunkirk").encode(),
        "crlf.txt": GOOD.replace("\n", "\r\n").encode(),
        "bom.txt": b"\xef\xbb\xbf" + GOOD.encode(),
        "utf16.txt": ("\ufeff" + GOOD).encode("utf-16-le"),
        "utf16-nobom.txt": GOOD.encode("utf-16-le"),
        "empty.txt": b"",
        "blank.txt": b"  \n\t\n",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)),
        "latin1.txt": "Caf\u00e9 \u00e0 N\u00eemes\n".encode("latin-1"),
        "huge.txt": b"Big\n" + b"x" * (MAX_ARTICLE_BYTES + 1),
        "sub/good.txt": GOOD.encode(),
        ".draft.txt": GOOD.encode(),
        "=HYPERLINK(1).txt": b"=SUM(A1) Calais news\nBoats left Calais for Dover.\n",
        "hostile.txt": b"<script>alert(1)</script> in Calais\n<img src=x onerror=alert(2)> Police in Calais.\n",
    }
    for name, data in files.items():
        (arts / name).write_bytes(data)
    (root / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (arts / "passwd.txt").symlink_to(root / "passwd")
    (arts / "folder-link").symlink_to(root, target_is_directory=True)
    (arts / "dangling.txt").symlink_to(arts / "gone")
    with open(os.fsencode(arts) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(GOOD.encode())
    return arts


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    arts = _bad_folder(root)
    out = root / "out"
    proc = build_cli("--articles", arts, "--out", out, "--overrides", root / "none.csv")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    stdout = proc.stdout.decode("utf-8")  # the summary itself is valid UTF-8
    return root, arts, out, stdout


def _skipped(out: Path) -> dict[str, str]:
    data = json.loads((out / "articles.json").read_text(encoding="utf-8"))
    return {Path(s["path"]).name: s["reason"] for s in data["skipped"]}


def _ids(out: Path) -> set[str]:
    return {a["id"] for a in json.loads((out / "places.geojson").read_text(encoding="utf-8"))["articles"]}


# -- bad articles ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, reason", [
    ("empty.txt", "empty"), ("blank.txt", "empty"), ("binary.txt", "binary"), ("latin1.txt", "not UTF-8"),
    ("utf16-nobom.txt", "UTF-16 text without a byte-order mark"), ("huge.txt", "limit is 5 MiB"),
    ("good.txt", "duplicate id 'good'"), (".draft.txt", "hidden file"), (".hidden-folder", "hidden folder"),
    ("passwd.txt", "outside the articles folder"), ("folder-link", "not followed"), ("dangling.txt", "unreadable"),
])
def test_bad_article_is_skipped_with_its_reason(bad_build, name, reason):
    _, _, out, stdout = bad_build
    assert reason in _skipped(out)[name]
    assert any(name in line and reason in line for line in stdout.splitlines())


def test_readable_articles_are_all_built(bad_build):
    _, _, out, _ = bad_build
    assert _ids(out) == {"good", "UPPER", "crlf", "bom", "utf16", "=HYPERLINK(1)", "hostile", "caf\ufffd"}


def test_no_file_outside_the_folder_reaches_the_outputs(bad_build):
    _, _, out, _ = bad_build
    for name in contract.OUTPUT_FILES:
        assert "root:x:0:0" not in (out / name).read_text(encoding="utf-8")


def test_outputs_follow_the_contract_and_are_one_set(bad_build):
    _, _, out, _ = bad_build
    build_id = contract.validate_outputs(out)
    assert load_atlas(out).build_id == build_id


def test_every_csv_cell_is_formula_safe(bad_build):
    _, _, out, _ = bad_build
    with open(out / "gazetteer.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    numeric = {i for i, col in enumerate(rows[0]) if col in ("lat", "lon")}
    for row in rows:
        for i, cell in enumerate(row):
            if i not in numeric:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_dashboard_watches_exactly_the_files_the_build_reads(bad_build):
    _, arts, out, _ = bad_build
    data = json.loads((out / "articles.json").read_text(encoding="utf-8"))
    considered = {a["path"] for a in data["articles"]} | {
        str(Path(s["path"]).relative_to(display_path(arts))) for s in data["skipped"]
        if not s["reason"].startswith(("hidden", "symbolic link"))}
    watched = {display_path(p.relative_to(arts)) for p in article_files(arts)}
    assert watched == considered and "passwd.txt" not in watched and ".draft.txt" not in watched


# -- output faults --------------------------------------------------------------------------------
def test_out_that_is_a_file_fails_before_parsing_and_names_it(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "good.txt").write_text(GOOD)
    (tmp_path / "file").write_text("x")
    proc = build_cli("--articles", tmp_path / "a", "--out", tmp_path / "file" / "out")
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "is not a folder" in err and "nothing was parsed" in err
    assert "previous outputs" not in err and "Traceback" not in err


def test_a_killed_build_leaves_the_old_set_and_its_temp_files_are_cleaned(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "good.txt").write_text(GOOD)
    out = tmp_path / "out"
    pipeline.build(tmp_path / "a", out, overrides_path=None, progress=False)
    before = {n: (out / n).read_bytes() for n in contract.OUTPUT_FILES}
    (out / ".places.geojson.killed.tmp").write_bytes(b"x" * 2_000_000)  # what a SIGKILL leaves
    real = outputs.atomic.StagedFiles.commit

    def die_between_renames(self):
        os.replace(*self._staged[0])  # articles.json renamed, then the process "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.atomic.StagedFiles, "commit", die_between_renames)
    (tmp_path / "a" / "good.txt").write_text(GOOD.replace("Dover", "Dunkirk"))
    forget_last_good()
    old = load_atlas(out)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(tmp_path / "a", out, overrides_path=None, progress=False)
    assert (out / "places.geojson").read_bytes() == before["places.geojson"]
    shown = load_atlas(out)  # a mixed set: the dashboard keeps the last good one and says why
    assert shown.build_id == old.build_id and any("different builds" in p for p in shown.problems)
    forget_last_good()
    with pytest.raises(DataError, match="different builds"):
        load_atlas(out)
    monkeypatch.setattr(outputs.atomic.StagedFiles, "commit", real)
    pipeline.build(tmp_path / "a", out, overrides_path=None, progress=False)
    assert not list(out.glob(".*.tmp"))
    contract.validate_outputs(out)


# -- overrides abuse ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, message", [
    ("action,surface,surface\nexclude,Paris,Lyon\n", "appears twice"),
    ("action,surface,note\nexclude,Paris," + "x" * 200_000 + "\n", "longer than"),
    ('action,surface\npin,"unbalanced\n', "quotes must be balanced"),
    ("action,surface\nfrobnicate,X\n", "unknown action"),
    ("action,surface,name,kind,lat,lon\nadd,X,X,street,95,1\n", "outside"),
], ids=["duplicate-column", "oversized-cell", "unbalanced-quotes", "unknown-action", "coordinates-outside"])
def test_bad_overrides_are_named_and_nothing_else_is_lost(text, message):
    problems = parse_overrides(text).problems
    assert problems and message in problems[0][1]


def test_a_formula_from_overrides_is_written_safely(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "good.txt").write_text(GOOD + "They met on Evil Street.\n")
    overrides = tmp_path / "o.csv"
    overrides.write_text("action,surface,place_id,name,kind,country,lat,lon\n"
                         "add,Evil Street,=cmd,=HYPERLINK(\"x\"),street,FR,50.9,1.8\n", encoding="utf-8")
    pipeline.build(tmp_path / "a", tmp_path / "out", overrides_path=overrides, progress=False)
    text = (tmp_path / "out" / "gazetteer.csv").read_text(encoding="utf-8")
    assert "'=cmd" in text and "\n=" not in text and ",=" not in text
