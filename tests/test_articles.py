from pathlib import Path

import pytest

from geodata.articles import load_articles, read_article, Skipped

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_seeds_are_read_with_headline_and_id():
    articles, skipped = load_articles(SEEDS)
    assert skipped == []
    by_id = {a.id: a for a in articles}
    assert set(by_id) == {"000_2bde1196e0d50633", "004_7c139b525ec878d2"}
    assert by_id["004_7c139b525ec878d2"].title.startswith("Calais 'situation improved', says Theresa May")
    # offsets index the text as read from the file
    raw = (SEEDS / "000_2bde1196e0d50633.txt").read_bytes().decode("utf-8")
    assert by_id["000_2bde1196e0d50633"].text == raw


def write(dir_: Path, name: str, data: bytes) -> Path:
    path = dir_ / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_bad_files_are_skipped_with_reasons_and_the_rest_still_read(tmp_path):
    write(tmp_path, "good.txt", b"Headline in Paris\nBody mentions Lyon.\n")
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.txt", b"   \n\n\t ")
    write(tmp_path, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(tmp_path, "latin1.txt", "Caf\u00e9 in N\u00eemes\n".encode("latin-1"))
    write(tmp_path, "sub/good.txt", b"Another with the same id\n")
    write(tmp_path, "notes.md", b"ignored: not an article file")
    articles, skipped = load_articles(tmp_path)
    assert [a.id for a in articles] == ["good"]
    reasons = {s.path.relative_to(tmp_path).as_posix(): s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty"
    assert reasons["blank.txt"] == "empty"
    assert reasons["binary.txt"].startswith("binary")
    assert reasons["latin1.txt"].startswith("not UTF-8")
    assert reasons["sub/good.txt"].startswith("duplicate id 'good'")
    assert "notes.md" not in reasons


def test_oversized_file_is_skipped_without_reading_it(tmp_path):
    path = write(tmp_path, "huge.txt", b"Title\n" + b"word " * 300)
    result = read_article(path, max_bytes=1000)
    assert isinstance(result, Skipped)
    assert result.reason.startswith("too large")


def test_unreadable_file_is_skipped(tmp_path):
    path = tmp_path / "dangling.txt"
    path.symlink_to(tmp_path / "missing-target.txt")
    articles, skipped = load_articles(tmp_path)
    assert articles == []
    assert len(skipped) == 1 and skipped[0].reason.startswith("unreadable")


def test_byte_order_mark_is_dropped_and_title_is_first_nonblank_line(tmp_path):
    write(tmp_path, "bom.txt", "\ufeff\n  Dover  port   news \nText".encode("utf-8"))
    (article,), _ = load_articles(tmp_path)
    assert article.title == "Dover port news"
    assert not article.text.startswith("\ufeff")


def test_missing_folder_raises():
    with pytest.raises(FileNotFoundError):
        load_articles("/nonexistent/articles")


def test_an_unlistable_folder_is_reported_not_passed_over(tmp_path, monkeypatch):
    import os

    (tmp_path / "a.txt").write_text("A\nText in Calais.\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text("B\nText in Dover.\n")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # chmod 000 does not stop root
    articles, skipped = load_articles(tmp_path)
    assert [a.id for a in articles] == ["a"]
    assert [(s.path, "unreadable folder" in s.reason) for s in skipped] == [(locked, True)]
