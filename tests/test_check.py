"""`python -m geodata.check`: the matrix table names real tests, and its report is read and rendered right."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

from geodata import check
from geodata.check import MATRIX, Case, case_outcome, node_matches, read_junit, render

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = {"bad articles", "article formats", "output faults", "overrides abuse", "URL tampering",
              "geocoder faults", "concurrent sessions and rebuilds", "editing lock", "hostile markup", "long input"}


def test_every_node_id_in_the_table_is_collected():
    """A renamed or deleted test must not silently leave the matrix."""
    files = sorted({t.split("::", 1)[0] for case in MATRIX for t in case.tests})
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    collected = [line for line in proc.stdout.splitlines() if "::" in line]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    missing = [t for case in MATRIX for t in case.tests if not any(node_matches(n, t) for n in collected)]
    assert missing == []


def test_the_table_covers_every_category_once_per_case():
    assert {case.category for case in MATRIX} == CATEGORIES
    assert len({case.case for case in MATRIX}) == len(MATRIX) >= 84
    assert all(case.tests and case.case.strip() for case in MATRIX)


def test_a_bare_id_stands_for_all_its_parameter_sets():
    assert node_matches("tests/t.py::test_a[x-1]", "tests/t.py::test_a")
    assert node_matches("tests/t.py::test_a[x-1]", "tests/t.py::test_a[x-1]")
    assert not node_matches("tests/t.py::test_a[x-2]", "tests/t.py::test_a[x-1]")
    assert not node_matches("tests/t.py::test_ab", "tests/t.py::test_a")


def _junit(path: Path, results: dict[str, str]) -> None:
    """A pytest-style JUnit file: classname is the module path with dots, name the test (with parameters)."""
    body = {"passed": "", "failed": "<failure message='boom'/>", "skipped": "<skipped message='no chromium'/>",
            "error": "<error message='fixture'/>"}
    cases = []
    for nodeid, outcome in results.items():
        module, name = nodeid.split("::", 1)
        classname = module.removesuffix(".py").replace("/", ".")
        cases.append(f"<testcase classname={quoteattr(classname)} name={quoteattr(name)} time='0.1'>"
                     f"{body[outcome]}</testcase>")
    path.write_text("<?xml version='1.0' encoding='utf-8'?><testsuites><testsuite name='pytest'>"
                    + "".join(cases) + "</testsuite></testsuites>", encoding="utf-8")


def test_a_fake_junit_file_is_read_and_rendered(tmp_path):
    results = {"tests/test_a.py::test_ok": "passed", "tests/test_a.py::test_p[1]": "passed",
               "tests/test_a.py::test_p[2]": "failed", "tests/browser/test_b.py::test_page": "skipped",
               "tests/test_a.py::test_teardown": "error"}
    _junit(tmp_path / "junit.xml", results)
    outcomes = read_junit(tmp_path / "junit.xml", set(results))
    assert outcomes == {**results, "tests/test_a.py::test_teardown": "failed"}
    cases = [Case("bad articles", "an ok case", ("tests/test_a.py::test_ok",)),
             Case("bad articles", "one parameter set fails", ("tests/test_a.py::test_p",)),
             Case("hostile markup", "only the first set", ("tests/test_a.py::test_p[1]",)),
             Case("editing lock", "a page | in a browser", ("tests/browser/test_b.py::test_page",)),
             Case("long input", "a renamed test", ("tests/test_a.py::test_ok", "tests/test_a.py::test_gone"))]
    rows = [(case, case_outcome(case, outcomes, set(results))) for case in cases]
    assert [o for _, o in rows] == ["passed", "failed", "passed", "skipped", "missing"]
    text = render(rows)
    assert text.splitlines()[-1] == "2 of 5 cases held (1 failed, 1 skipped, 1 missing)"
    assert "test_a.py::test_gone" in text and "one parameter set fails" in text
    markdown = render(rows, markdown=True).splitlines()
    assert markdown[:2] == ["| category | case | test | result |", "|---|---|---|---|"]
    assert markdown[5] == "| editing lock | a page / in a browser | `browser/test_b.py::test_page` | skipped |"
    left_out = [(case, case_outcome(case, outcomes, set(results), browser=False)) for case in cases[3:4]]
    assert render(left_out).splitlines()[-1] == "0 of 0 cases held; 1 browser cases left out (--no-browser)"


def _fake_pytest(tmp_path, monkeypatch, drop: str = "", outcome: dict[str, str] | None = None):
    """``check.main`` with pytest replaced: every table test collected (but ``drop``) and passed."""
    ids = [t for case in MATRIX for t in case.tests if t != drop]

    def fake_run(junit: Path, report: Path, browser: bool, extra: list[str]) -> int:
        kept = [t for t in ids if browser or not t.startswith(check.BROWSER_TESTS)]
        report.write_text(json.dumps({"collected": kept, "kept": kept, "reliability": []}), encoding="utf-8")
        _junit(junit, {t: (outcome or {}).get(t, "passed") for t in kept})
        return 0

    monkeypatch.setattr(check, "_run_pytest", fake_run)


def test_the_command_fails_on_a_missing_or_skipped_case_and_passes_when_all_held(tmp_path, monkeypatch, capsys):
    _fake_pytest(tmp_path, monkeypatch)
    assert check.main([]) == 0
    assert capsys.readouterr().out.strip().endswith(f"{len(MATRIX)} of {len(MATRIX)} cases held")
    browser = sum(case.browser for case in MATRIX)
    assert check.main(["--no-browser", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert f"{browser} browser cases left out (--no-browser)" in out and "| category | case |" in out
    first = MATRIX[0].tests[0]
    _fake_pytest(tmp_path, monkeypatch, drop=first)
    assert check.main([]) == 1
    assert "missing" in capsys.readouterr().out
    _fake_pytest(tmp_path, monkeypatch, outcome={first: "skipped"})
    assert check.main([]) == 1
