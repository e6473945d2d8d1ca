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
    write(tmp_path, "notes.rtf", b"ignored: not an article file")
    articles, skipped = load_articles(tmp_path)
    assert [a.id for a in articles] == ["good"]
    reasons = {s.path.relative_to(tmp_path).as_posix(): s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty"
    assert reasons["blank.txt"] == "empty"
    assert reasons["binary.txt"].startswith("binary")
    assert reasons["latin1.txt"].startswith("not UTF-8")
    assert reasons["sub/good.txt"].startswith("duplicate id 'good'")
    assert "notes.rtf" not in reasons


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


# --- issue 13: bad input the reliability matrix found ---------------------------------------------

def test_symlink_out_of_the_folder_is_skipped_with_a_reason(tmp_path):
    arts = tmp_path / "articles"
    write(arts, "good.txt", b"Ferries\nBoats left Calais.\n")
    outside = write(tmp_path, "secret.txt", b"root:x:0:0:root\n")
    (arts / "passwd.txt").symlink_to(outside)
    (arts / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    (arts / "inside.txt").symlink_to(arts / "good.txt")  # a link that stays inside is allowed...
    articles, skipped = load_articles(arts)
    assert "passwd" not in [a.id for a in articles]
    assert all("root:x" not in a.text for a in articles)
    reasons = {s.path.name: s.reason for s in skipped}
    assert "outside the articles folder" in reasons["passwd.txt"]
    assert "not followed" in reasons["linked-dir"]


def test_hidden_names_are_listed_as_skipped(tmp_path):
    write(tmp_path, "good.txt", b"Ferries\nBoats left Calais.\n")
    write(tmp_path, ".draft.txt", b"Draft\nBoats left Dover.\n")
    write(tmp_path, ".hidden/c.txt", b"C\nBoats left Dover.\n")
    articles, skipped = load_articles(tmp_path)
    assert [a.id for a in articles] == ["good"]
    reasons = {s.path.name: s.reason for s in skipped}
    assert reasons[".draft.txt"].startswith("hidden")
    assert reasons[".hidden"].startswith("hidden folder")


def test_upper_case_suffix_is_an_article_for_build_and_dashboard_alike(tmp_path):
    from dashboard.data import article_files
    from geodata.articles import find_article_files

    write(tmp_path, "A.TXT", b"A\nBoats left Calais.\n")
    write(tmp_path, "sub/b.txt", b"B\nBoats left Calais.\n")
    write(tmp_path, ".c.txt", b"C\nBoats left Calais.\n")
    articles, _ = load_articles(tmp_path)
    assert sorted(a.id for a in articles) == ["A", "b"]
    assert article_files(tmp_path) == find_article_files(tmp_path) == [tmp_path / "A.TXT", tmp_path / "sub" / "b.txt"]


@pytest.mark.reliability
def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    write(tmp_path, "le.txt", "\ufeffCalais news\nBoats left Calais.\n".encode("utf-16-le"))
    write(tmp_path, "be.txt", "\ufeffDover news\nBoats left Dover.\n".encode("utf-16-be"))
    articles, skipped = load_articles(tmp_path)
    assert skipped == []
    by_id = {a.id: a for a in articles}
    assert by_id["le"].title == "Calais news" and by_id["be"].text == "Dover news\nBoats left Dover.\n"


def test_utf16_without_a_mark_is_named_not_called_binary(tmp_path):
    write(tmp_path, "raw.txt", "Calais news\nBoats left Calais.\n".encode("utf-16-le"))
    result = read_article(tmp_path / "raw.txt")
    assert isinstance(result, Skipped)
    assert "UTF-16" in result.reason and "binary" not in result.reason


def test_size_limit_is_stated_in_mebibytes(tmp_path):
    path = write(tmp_path, "huge.txt", b"T\n" + b"x" * (5 * 1024 * 1024 + 10))
    result = read_article(path)
    assert isinstance(result, Skipped)
    assert "limit is 5 MiB" in result.reason and "5.0 MiB" in result.reason


@pytest.mark.reliability
def test_file_name_that_is_not_utf8_gets_a_safe_id_and_path(tmp_path):
    import os

    os.mkdir(os.fsencode(tmp_path / "d"))
    name = os.fsencode(tmp_path / "d") + b"/caf\xe9.txt"
    with open(name, "wb") as fh:
        fh.write(b"Cafe news\nBoats left Calais.\n")
    with open(os.fsencode(tmp_path / "d") + b"/bad\xff.txt", "wb") as fh:
        fh.write(b"")
    (article,), (skipped,) = load_articles(tmp_path / "d")
    article.id.encode("utf-8")  # no surrogates left
    str(skipped).encode("utf-8")
    assert article.id == "caf\ufffd" and "bad\ufffd.txt: empty" in str(skipped)


def test_a_one_line_article_gets_a_bounded_headline(tmp_path):
    """Issue 13: a 2 MB one-line file became a 2 MB headline (shown in every list and label)."""
    from geodata.articles import MAX_TITLE_CHARS

    line = "Calais " * 300_000  # 2.1 MB on one line, under the size limit
    write(tmp_path, "long.txt", line.encode())
    write(tmp_path, "heading.md", ("# " + line + "\n\nBoats left Calais.\n").encode())
    articles, skipped = load_articles(tmp_path)
    assert skipped == [] and len(articles) == 2
    for article in articles:
        assert len(article.title) <= MAX_TITLE_CHARS and article.title.endswith("\u2026")
        assert article.title.startswith("Calais Calais") and "Calais" + "\u2026" in article.title  # cut at a word
        assert len(article.text) > 2_000_000  # the text itself is all kept
