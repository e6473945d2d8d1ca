"""The warm build worker (``python -m geodata build-worker``) and the dashboard's rebuilds through it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import warmbuild
from dashboard.data import run_build

REPO = Path(__file__).resolve().parent.parent
OUTPUTS = ("places.geojson", "articles.json", "gazetteer.csv")


def _articles(folder: Path) -> Path:
    folder.mkdir()
    (folder / "calais.txt").write_text("Ferries at Calais\n\nThe ferry from Calais to Dover was late.\n",
                                       encoding="utf-8")
    return folder


def _worker_lines(requests: list[str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "geodata", "build-worker"], input="".join(requests), cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    return proc.stdout.splitlines()


def test_the_worker_runs_builds_one_after_another_as_the_command_would(tmp_path):
    articles = _articles(tmp_path / "articles")
    (articles / "rotterdam.txt").write_text("Cargo\n\nShips waited outside Rotterdam.\n", encoding="utf-8")
    fresh, warm = tmp_path / "fresh", tmp_path / "warm"
    first = json.dumps({"argv": ["--articles", str(articles), "--out", str(warm), "--progress-lines"],
                        "env": {}}) + "\n"
    second = json.dumps({"argv": ["--articles", str(articles), "--out", str(warm)], "env": {}}) + "\n"
    lines = _worker_lines([first, second, "not json\n"])
    done = [line for line in lines if line.startswith(warmbuild.DONE)]
    assert done == [f"{warmbuild.DONE} 0", f"{warmbuild.DONE} 0", f"{warmbuild.DONE} 2"]
    assert "progress 2 2" in lines  # the first build's progress lines
    assert "Parsed 2 article(s), reused 0 from the cache." in lines
    assert "Parsed 0 article(s), reused 2 from the cache." in lines  # the second: nothing changed
    assert any(line.startswith("stderr error: not a build request") for line in lines)
    subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(articles), "--out", str(fresh)],
                   cwd=REPO, check=True, capture_output=True, timeout=600)
    for name in OUTPUTS:  # what a fresh `python -m geodata build` writes
        assert (warm / name).read_bytes() == (fresh / name).read_bytes(), name


def test_a_request_sets_the_builds_settings(tmp_path):
    articles = _articles(tmp_path / "articles")
    bad = json.dumps({"argv": ["--articles", str(articles), "--out", str(tmp_path / "o")],
                      "env": {"ATLAS_GEOCODER": "no-such-service"}}) + "\n"
    good = json.dumps({"argv": ["--articles", str(articles), "--out", str(tmp_path / "o")], "env": {}}) + "\n"
    lines = _worker_lines([bad, good])
    assert [line for line in lines if line.startswith(warmbuild.DONE)] == [f"{warmbuild.DONE} 1",
                                                                           f"{warmbuild.DONE} 0"]


@pytest.fixture
def worker(monkeypatch):
    fresh = warmbuild.WarmWorker()
    monkeypatch.setattr(warmbuild, "WORKER", fresh)
    monkeypatch.setenv("ATLAS_WARM_BUILDS", "1")
    yield fresh
    fresh._stop()


def test_dashboard_rebuilds_go_to_one_kept_process(tmp_path, worker):
    articles = _articles(tmp_path / "articles")
    steps = []
    first = run_build(articles, tmp_path / "out", on_progress=lambda done, total: steps.append((done, total)))
    assert first.ok, first.message
    pid = worker._proc.pid
    (articles / "rotterdam.txt").write_text("Cargo\n\nShips waited outside Rotterdam.\n", encoding="utf-8")
    second = run_build(articles, tmp_path / "out")
    assert second.ok and "Parsed 1 article(s), reused 1 from the cache." in second.output
    assert worker._proc.pid == pid and worker._proc.poll() is None  # the same warm process
    assert steps[-1] == (1, 1)
    places = json.loads((tmp_path / "out" / "places.geojson").read_text(encoding="utf-8"))
    assert {"Calais", "Rotterdam"} <= {f["properties"]["name"] for f in places["features"]}


def test_a_worker_that_dies_falls_back_to_a_fresh_build(tmp_path, monkeypatch):
    dead = warmbuild.WarmWorker(command=[sys.executable, "-c", "pass"])
    monkeypatch.setattr(warmbuild, "WORKER", dead)
    monkeypatch.setenv("ATLAS_WARM_BUILDS", "1")
    assert dead.run(["--help"], lambda _line: None, timeout=60) is None
    result = run_build(_articles(tmp_path / "articles"), tmp_path / "out")
    assert result.ok and (tmp_path / "out" / "places.geojson").is_file()


def test_warm_builds_can_be_turned_off(tmp_path, worker, monkeypatch):
    monkeypatch.setenv("ATLAS_WARM_BUILDS", "0")
    assert run_build(_articles(tmp_path / "articles"), tmp_path / "out").ok
    assert worker._proc is None  # never started
