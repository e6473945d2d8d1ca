import pytest

from geodata import atomic


def test_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "places.geojson"
    atomic.write_json(target, {"a": 1})
    atomic.write_json(target, {"b": 2})
    assert target.read_text() == '{"b": 2}\n'
    assert [p.name for p in target.parent.iterdir()] == ["places.geojson"]


def test_failure_midway_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "gazetteer.csv"
    target.write_text("old,content\n")
    with pytest.raises(RuntimeError):
        with atomic.atomic_open(target) as fh:
            fh.write("half a new fi")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old,content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gazetteer.csv"]


def test_staged_files_are_all_or_nothing(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("old a")
    b.write_text("old b")
    with pytest.raises(KeyboardInterrupt):
        with atomic.StagedFiles() as staged:
            staged.write_json(a, {"new": "a"})
            raise KeyboardInterrupt
    assert a.read_text() == "old a" and b.read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]
    with atomic.StagedFiles() as staged:
        staged.write_json(a, {"new": "a"})
        staged.write_json(b, {"new": "b"})
    assert a.read_text() == '{"new": "a"}\n' and b.read_text() == '{"new": "b"}\n'


def test_replacement_keeps_permissions_and_new_files_are_readable(tmp_path):
    shared = tmp_path / "places.geojson"
    atomic.write_text(shared, "first")
    assert shared.stat().st_mode & 0o044  # not the owner-only mode of a raw temp file
    shared.chmod(0o640)
    atomic.write_text(shared, "second")
    assert shared.stat().st_mode & 0o777 == 0o640
    with atomic.StagedFiles() as staged:
        staged.write_json(shared, {})
    assert shared.stat().st_mode & 0o777 == 0o640


def test_atomic_path_replaces_on_success_and_cleans_up_on_failure(tmp_path):
    import sqlite3

    target = tmp_path / "index.sqlite"
    with atomic.atomic_path(target) as tmp:
        con = sqlite3.connect(tmp)
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()
    assert sqlite3.connect(target).execute("SELECT count(*) FROM t").fetchone() == (0,)
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as tmp:
            tmp.write_bytes(b"half an index")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["index.sqlite"]
