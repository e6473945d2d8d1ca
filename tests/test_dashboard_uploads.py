"""Checking and saving articles added from the browser (dashboard/uploads.py, geodata.atomic.create_new)."""
import pytest

from dashboard import uploads
from geodata import atomic
from geodata.articles import MAX_ARTICLE_BYTES

TEXT = b"Ferries at Calais\n\nThe ferry left Calais for Dover.\n"


def reason(name, data):
    out = uploads.check_file(name, data)
    assert isinstance(out, uploads.Outcome) and not out.ok, f"{name} was accepted"
    return out.reason


@pytest.mark.parametrize("name,data", [
    ("story.txt", TEXT), ("notes.MD", b"# Calais\n\nThe port of Calais.\n"),
    ("page.html", b"<!doctype html><html><body><p>Calais</p></body></html>"),
    ("page.htm", b"<html><head><title>Calais harbour</title></head><body><article><p>Ferries left the harbour of "
                 b"Calais for Dover on Monday morning, and the port said all crossings ran on time.</p>"
                 b"</article></body></html>"),
    ("export.csv", b"id,title,text\n1,Calais,The port of Calais\n"),
    ("export.jsonl", b'{"title": "Calais", "text": "The port"}\n\n{"title": "Dover", "text": "x"}\n'),
    ("feed.rss", b'<?xml version="1.0"?><rss version="2.0"><channel><title>Port news</title>'
                 b'<item><title>Calais</title><description>Boats at Calais.</description></item></channel></rss>'),
    ("feed.atom", b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Port news</title>'
                  b'<entry><title>Dover</title><summary>Ferries at Dover.</summary></entry></feed>'),
    ("feed.xml", b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- a feed -->\n<rss version="2.0"><channel><title>Ports</title>'
                 b'<item><title>Dunkirk</title><description>Boats at Dunkirk.</description></item></channel></rss>'),
    ("utf16.txt", "\ufeffCalais\n\nUTF-16 text".encode("utf-16-le")),
])
def test_supported_files_are_accepted(name, data):
    out = uploads.check_file(name, data)
    assert isinstance(out, uploads.Checked), getattr(out, "reason", "")
    assert out.data == data and out.suffix == "." + name.rsplit(".", 1)[1].lower()


def test_wrong_types_are_refused_with_the_reason():
    assert "not a supported type (.pdf files)" in reason("report.pdf", b"%PDF-1.4 text")
    assert "without a suffix" in reason("README", TEXT)
    assert "does not look like HTML" in reason("page.html", b"just words, no tags")
    assert "not an RSS or Atom feed" in reason("feed.xml", b"<?xml version='1.0'?><svg></svg>")
    assert "not an RSS or Atom feed" in reason("feed.rss", b"plain text <rss> later")
    assert "line 2 is not JSON" in reason("x.jsonl", b'{"a": 1}\nnot json\n')
    assert "line 1 is not a JSON object" in reason("x.jsonl", b"[1, 2]\n")
    assert "header row" in reason("x.csv", b"onlyonecolumn\nvalue\n")


def test_size_binary_and_decoding_are_checked():
    assert reason("big.txt", b"a" * (MAX_ARTICLE_BYTES + 1)).startswith("too large: 5.0 MiB (the limit is 5 MiB")
    assert isinstance(uploads.check_file("limit.txt", b"a" * MAX_ARTICLE_BYTES), uploads.Checked)
    assert reason("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00") == "binary data, not text"
    assert "not UTF-8" in reason("latin1.txt", "Café à Calais".encode("latin-1"))
    assert reason("empty.txt", b"  \n") == "empty"


@pytest.mark.parametrize("name", [".hidden.txt", "../.bashrc.txt", "dir/.x.md", "..", ".", "", "a/b/"])
def test_hidden_and_empty_names_are_refused(name):
    assert reason(name, TEXT)


@pytest.mark.parametrize("name,saved", [
    ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\win\\evil.txt", "evil.txt"),
    ("/abs/path/story.TXT", "story.txt"), ("spa ces & <tags>.txt", "spa-ces-tags.txt"),
    ("\u202eevil\x00.txt", "evil.txt"), ("---.txt", "article.txt"),
])
def test_folders_and_odd_characters_never_reach_the_disk(tmp_path, name, saved):
    folder = tmp_path / "articles"
    folder.mkdir()
    [out] = uploads.add(folder, [(name, TEXT)])
    assert out.ok and out.saved == saved
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [saved]
    assert (folder / saved).read_bytes() == TEXT


def test_existing_files_are_never_replaced(tmp_path):
    (tmp_path / "story.txt").write_bytes(b"Old story\n\nDover.\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "story-2.txt").write_bytes(b"Another\n\nDover.\n")  # an article id below the folder
    outs = uploads.add(tmp_path, [("story.txt", TEXT), ("story.txt", TEXT + b"more\n")])
    assert [o.saved for o in outs] == ["story-3.txt", "story-4.txt"]
    assert (tmp_path / "story.txt").read_bytes() == b"Old story\n\nDover.\n"
    # the very same file again: refused, not saved twice
    [again] = uploads.add(tmp_path, [("story-3.txt", TEXT)])
    assert not again.ok and "already in the articles folder" in again.reason


def test_one_outcome_per_file_and_the_good_ones_saved(tmp_path):
    outs = uploads.add(tmp_path, [("a.txt", TEXT), ("b.exe", b"MZ"), ("c.txt", b"\x00\x01")])
    assert [(o.name, o.ok) for o in outs] == [("a.txt", True), ("b.exe", False), ("c.txt", False)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert all(o.reason for o in outs if not o.ok)


def test_every_format_the_build_reads_is_accepted(tmp_path):
    [out] = uploads.add(tmp_path, [("notes.md", b"# Calais\n\nBoats left Calais.\n")])
    assert out.ok and (tmp_path / "notes.md").is_file()
    assert set(uploads.UPLOAD_SUFFIXES) == set(uploads.ARTICLE_SUFFIXES)


def test_a_file_the_builds_reader_finds_no_article_in_is_refused_with_its_reason(tmp_path):
    csv_without_text = b"id,title,date\n1,Boats at Calais,2024-05-03\n"
    empty_feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Port news</title></channel></rss>'
    outs = uploads.add(tmp_path, [("export.csv", csv_without_text), ("port.rss", empty_feed)])
    assert [o.ok for o in outs] == [False, False]
    assert "text" in outs[0].reason and "no items" in outs[1].reason, [o.reason for o in outs]
    assert list(tmp_path.iterdir()) == []


def test_pasted_text_becomes_an_article_with_its_title(tmp_path):
    [out] = uploads.add(tmp_path, [], pasted=("Boats at ../Dunkirk", "The boat left Dunkirk.\r\nIn rain."))
    assert out.ok and out.saved == "Boats-at-Dunkirk.txt"
    assert (tmp_path / out.saved).read_text() == "Boats at ../Dunkirk\n\nThe boat left Dunkirk.\nIn rain.\n"
    assert not uploads.add(tmp_path, [], pasted=("", "text"))[0].ok
    assert "empty" in uploads.add(tmp_path, [], pasted=("Title", "  "))[0].reason


def test_create_new_refuses_an_existing_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    atomic.create_new(target, b"one")
    with pytest.raises(FileExistsError):
        atomic.create_new(target, b"two")
    assert target.read_bytes() == b"one" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
