"""Articles as reporters have them: one reader per format (geodata/readers/), a mixed folder built for
real, and each format's bad input. Every text here is written for these tests."""
import json
from pathlib import Path

import pytest

from geodata import articles as A
from geodata import pipeline
from geodata.readers import READERS, html as html_reader
from geodata.readers.dates import normalise_date
from geodata.readers.frontmatter import split_front_matter

TXT = """---
title: Ferries resume at Calais
date: 3 May 2024
source: "Channel Daily"
url: https://channel.example.org/ferries
author: Ann Smith
language: en
---
Ferries resume
Ferries left Calais in France for Dover in Kent on Monday morning, the port said.
"""
MD = """---
date: 2024-05-04
source: Harbour Notes
---
Some notes first.

# Queues at Dover

Lorries queued at **Dover** in Kent for hours on Tuesday.
"""
HTML = """<!DOCTYPE html><html lang="en"><head><title>Calais strike ends | Port News</title>
<link rel="canonical" href="https://port.example.org/strike">
<meta property="og:site_name" content="Port News"><meta property="og:title" content="Calais strike ends">
<meta name="author" content="Bob Jones"><meta property="article:published_time" content="2024-05-08T09:00:00+01:00">
</head><body><nav><a href="/">Home</a> <a href="/sport">Sport</a> Subscribe now</nav>
<article><h1>Calais strike ends</h1>
<p>Dock workers in Calais ended their strike on Wednesday, and the first ferries sailed to Dover again.</p>
<p>Traffic at the port returned to normal in the evening, officials in France said, after three days of queues.</p>
</article><footer>Port News, all rights reserved</footer></body></html>
"""
CSV = """id,Title,text,date,url,source,desk
wire-1,Boats at Dunkirk,Boats left Dunkirk for Dover overnight.,2024-05-05,https://wire.example.org/1,Wire,sea
wire-2,Calm in Calais,"Calais port was calm, police said.",sometime soon,ftp://wire.example.org/2,Wire,
wire-3,No text here,,2024-05-06,,,
"""
JSONL = (json.dumps({"id": "feed-j1", "title": "Calais again", "text": "Police in Calais said on Friday.",
                     "date": "2024-05-07T10:00:00+02:00", "source": "Coast Radio"}) + "\n"
         + "this line is not JSON\n"
         + json.dumps({"id": "feed-j2", "title": "Boulogne", "text": "Boats reached Dover from Boulogne.",
                       "url": "javascript:alert(1)"}) + "\n")
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Coast Wire</title><link>https://coast.example.org/</link>
<item><title>Dunkirk beaches</title><link>https://coast.example.org/dunkirk</link>
<pubDate>Mon, 06 May 2024 08:15:00 +0100</pubDate>
<description>&lt;p&gt;Crowds gathered at &lt;b&gt;Dunkirk&lt;/b&gt; in France.&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description></item>
</channel></rss>
"""


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    arts = tmp_path_factory.mktemp("mixed")
    for name, data in [("ferries.txt", TXT), ("notes/dover.md", MD), ("pages/strike.html", HTML),
                       ("export.csv", CSV), ("radio.jsonl", JSONL), ("coast.rss", RSS),
                       ("wire-1.txt", "Duplicate\nA second article that says wire-1 too, about Calais.\n")]:
        write(arts, name, data)
    out = tmp_path_factory.mktemp("mixed-out")
    report = pipeline.build(arts, out, overrides_path=None, progress=False)
    listed = json.loads((out / "articles.json").read_text())["articles"]
    places = json.loads((out / "places.geojson").read_text())["features"]
    return report, {a["id"]: a for a in listed}, places


def places_of(places, article_id):
    return {f["properties"]["name"] for f in places if article_id in f["properties"]["articles"]}


def test_the_suffix_tables_agree():
    assert A.ARTICLE_SUFFIXES == tuple(READERS)


@pytest.mark.parametrize("article_id, title, date, source, url, fmt, place", [
    ("ferries", "Ferries resume at Calais", "2024-05-03", "Channel Daily", "https://channel.example.org/ferries",
     "txt", "Calais"),
    ("dover", "Queues at Dover", "2024-05-04", "Harbour Notes", None, "md", "Dover"),
    ("strike", "Calais strike ends", "2024-05-08", "Port News", "https://port.example.org/strike", "html", "Calais"),
    ("wire-1", "Boats at Dunkirk", "2024-05-05", "Wire", "https://wire.example.org/1", "csv", "Dunkirk"),
    ("feed-j1", "Calais again", "2024-05-07T10:00:00+02:00", "Coast Radio", None, "jsonl", "Calais"),
    ("coast:1", "Dunkirk beaches", "2024-05-06T08:15:00+01:00", "Coast Wire", "https://coast.example.org/dunkirk",
     "feed", "Dunkirk"),
])
def test_a_mixed_folder_builds_with_each_formats_metadata_and_places(mixed, article_id, title, date, source, url,
                                                                       fmt, place):
    _, listed, places = mixed
    article = listed[article_id]
    assert (article["title"], article["date"], article["source"], article["url"], article["format"]) == \
        (title, date, source, url, fmt)
    assert place in places_of(places, article_id)
    for feature in places:  # offsets index the text that is shown
        for m in feature["properties"]["mentions"]:
            if m["article"] == article_id:
                assert article["text"][m["start"]:m["end"]] == m["text"]


def test_shown_texts_keep_what_is_written_and_drop_only_headers_and_markup(mixed):
    _, listed, _ = mixed
    assert listed["ferries"]["text"] == TXT.split("---\n", 2)[2]  # front matter not shown, the rest as written
    assert listed["dover"]["text"].startswith("Some notes first.\n\n# Queues at Dover\n")  # Markdown not rendered
    assert "**Dover**" in listed["dover"]["text"]
    strike = listed["strike"]["text"]
    assert strike.startswith("Calais strike ends\n\nDock workers in Calais")  # headline line, blank line, body
    assert "Subscribe" not in strike and "all rights reserved" not in strike  # boilerplate left out
    assert listed["coast:1"]["text"] == "Dunkirk beaches\n\nCrowds gathered at Dunkirk in France."
    assert listed["wire-1"]["text"] == "Boats at Dunkirk\n\nBoats left Dunkirk for Dover overnight."


def test_bad_parts_are_skipped_and_metadata_problems_reported_without_losing_articles(mixed):
    report, listed, _ = mixed
    reasons = [str(s) for s in report.skipped]
    assert any(r.endswith("export.csv: row 3: empty text") for r in reasons)
    assert any("radio.jsonl: line 2: not JSON" in r for r in reasons)
    assert any(r.endswith("wire-1.txt: duplicate id 'wire-1' (already read from "
                          f"{report.articles[0].path.parent / 'export.csv'}, row 1)") for r in reasons)
    # the unreadable date and the non-http(s) URLs: the articles are kept, the values unknown, and both said
    assert listed["wire-2"]["date"] is None and listed["wire-2"]["url"] is None
    assert listed["feed-j2"]["url"] is None
    summary = report.summary()
    assert "metadata: " in summary
    assert "export.csv: row 2: article 'wire-2': date 'sometime soon' cannot be read; kept as unknown" in summary
    assert "article 'wire-2': URL 'ftp://wire.example.org/2' is not an http(s) address; dropped" in summary
    assert "radio.jsonl: line 3: article 'feed-j2': URL 'javascript:alert(1)'" in summary
    assert len(report.articles) == 8


def test_front_matter_is_optional_and_only_a_closed_header_counts():
    assert split_front_matter("---\ntitle: A\nDate: 2024-01-02\nother: x\n---\nBody\n") == \
        ({"title": "A", "date": "2024-01-02"}, "Body\n")
    rule = "---\nNot a header: the first line of a story\nwith no closing line\n"
    assert split_front_matter(rule) == ({}, rule)
    assert split_front_matter("---\na line without a key\n---\nBody\n")[0] == {}


def test_front_matter_title_date_and_language_are_read_into_the_article(tmp_path):
    write(tmp_path, "a.txt", "---\ntitle: From the header\nlanguage: fr\ndate: 2024-05-03T08:15:00Z\n---\n"
                             "Headline in the text\nBody about Calais.\n")
    (article,), skipped = A.load_articles(tmp_path)
    assert skipped == []
    assert (article.title, article.language, article.date) == ("From the header", "fr", "2024-05-03T08:15:00+00:00")
    assert article.text == "Headline in the text\nBody about Calais.\n"
    write(tmp_path, "only.txt", "---\ntitle: Nothing below\n---\n\n")
    assert "only.txt: empty (nothing after the front-matter header)" in str(A.load_articles(tmp_path)[1][0])


def test_markdown_title_comes_from_the_first_heading(tmp_path):
    write(tmp_path, "n.markdown", "Intro line\n\n## Not this one\n\n# Ferries at Calais #\n\nText.\n")
    (article,), _ = A.load_articles(tmp_path)
    assert article.title == "Ferries at Calais" and article.format == "md"


@pytest.mark.parametrize("raw, expected", [
    ("2024-05-03", "2024-05-03"), ("3 May 2024", "2024-05-03"),
    ("Mon, 03 Jun 2024 08:15:00 +0200", "2024-06-03T08:15:00+02:00"), ("2024-05-03T08:15:00Z", "2024-05-03T08:15:00+00:00"),
    ("2024-05-03 10:00", "2024-05-03"),  # a time without a zone: only its day is certain
    ("May 2024", None), ("Monday", None), ("soon", None), ("2024-13-45", None), ("", None),
])
def test_dates_are_normalised_to_iso_8601_or_unknown(raw, expected):
    assert normalise_date(raw) == expected


def test_broken_deeply_nested_and_huge_html_are_skipped_with_reasons(tmp_path):
    write(tmp_path, "broken.html", "<html><body><div><</div></p><<<>>>\x01</")
    write(tmp_path, "deep.html", "<html><body>" + "<div>" * 5000 + "Ferries left Calais for Dover." + "</div>" * 5000)
    write(tmp_path, "huge.html", "<html><body>" + "<b>Calais</b>" * (html_reader.MAX_ELEMENTS + 1) + "</body></html>")
    write(tmp_path, "big.htm", b"<p>" + b"x" * (A.MAX_ARTICLE_BYTES + 1))
    write(tmp_path, "fine.html", HTML)
    write(tmp_path, "truncated.html", HTML[:HTML.index("three days")])  # cut off mid-page: read as far as it goes
    articles, skipped = A.load_articles(tmp_path)
    assert [a.id for a in articles] == ["fine", "truncated"]
    assert articles[1].text.endswith("officials in France said, after")
    reasons = {s.path.name: s.reason for s in skipped}
    assert reasons["broken.html"].startswith("no main text found in the HTML page")
    assert reasons["deep.html"].startswith("no main text found in the HTML page")
    assert reasons["huge.html"].startswith(f"HTML page too large to extract: {html_reader.MAX_ELEMENTS + 3:,} elements "
                                         f"(the limit is {html_reader.MAX_ELEMENTS:,})")
    assert reasons["big.htm"].startswith("too large: 5.0 MiB")


def test_feeds_without_items_or_not_feeds_are_skipped_and_atom_entries_read(tmp_path):
    write(tmp_path, "empty.atom", '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>')
    write(tmp_path, "notes.xml", "<?xml version='1.0'?><notes><note>Calais</note></notes>")
    write(tmp_path, "news.atom", """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>
<entry><title>Dover ferries</title><link href="https://atom.example.org/dover"/><updated>2024-05-09T07:00:00Z</updated>
<author><name>Cy Lee</name></author><content type="html">&lt;p&gt;Ferries from Dover.&lt;/p&gt;&lt;p&gt;More at Calais.&lt;/p&gt;</content></entry>
</feed>""")
    (article,), skipped = A.load_articles(tmp_path)
    assert (article.id, article.title, article.source, article.author, article.date, article.url) == \
        ("news:1", "Dover ferries", "Atom Desk", "Cy Lee", "2024-05-09T07:00:00+00:00", "https://atom.example.org/dover")
    assert article.text == "Dover ferries\n\nFerries from Dover.\n\nMore at Calais."
    reasons = {s.path.name: s.reason for s in skipped}
    assert reasons["empty.atom"] == "feed has no items"
    assert reasons["notes.xml"].startswith("not an RSS or Atom feed")


def test_a_feed_file_holding_a_file_name_is_not_taken_for_that_file(tmp_path):
    elsewhere = write(tmp_path, "outside/real-feed.txt.bak", RSS)
    write(tmp_path, "arts/pointer.rss", str(elsewhere))
    articles, skipped = A.load_articles(tmp_path / "arts")
    assert articles == [] and skipped[0].reason.startswith("not an RSS or Atom feed")


def test_csv_without_a_text_column_is_one_clear_message(tmp_path):
    write(tmp_path, "people.csv", "name,town\nAnn,Calais\n")
    articles, (skipped,) = A.load_articles(tmp_path)
    assert articles == []
    assert skipped.reason.startswith("CSV without a 'text' column (its columns: 'name', 'town')")
    assert "people.csv.json" in skipped.reason


def test_a_long_csv_cell_is_read_and_the_csv_limit_is_put_back(tmp_path):
    import csv

    before = csv.field_size_limit()
    write(tmp_path, "long.csv", "title,text\nLong,Ferries at Calais. " + "More words. " * 20_000 + "\n")
    (article,), _ = A.load_articles(tmp_path)
    assert len(article.text) > before and csv.field_size_limit() == before


def test_csv_column_mapping_sidecar_names_other_columns(tmp_path):
    write(tmp_path, "cms.csv", "headline,body,published,link,extra\n"
                               "Calais port,'=Ferries left Calais for Dover.,2024-05-03,https://cms.example.org/1,x\n"
                               "No id row,Boats at Dunkirk.,,,\n")
    sidecar = write(tmp_path, "cms.csv.json", json.dumps({"columns": {"text": "body", "title": "headline",
                                                                     "date": "published", "url": "link"}}))
    articles, skipped = A.load_articles(tmp_path)
    assert skipped == []
    first, second = articles
    assert (first.id, first.title, first.date, first.url) == ("cms:1", "Calais port", "2024-05-03", "https://cms.example.org/1")
    assert first.text == "Calais port\n\n=Ferries left Calais for Dover."  # a formula-safe cell read back as written
    assert (second.id, second.title, second.date) == ("cms:2", "No id row", None)
    assert A.find_article_files(tmp_path) == [tmp_path / "cms.csv", sidecar]  # the dashboard watches the mapping too
    sidecar.write_text(json.dumps({"columns": {"body_text": "body"}}))
    (bad,) = A.load_articles(tmp_path)[1]
    assert "cms.csv.json names unknown fields body_text" in bad.reason


def test_jsonl_keys_can_be_mapped_and_bad_lines_are_skipped_by_number(tmp_path):
    write(tmp_path, "dump.jsonl", '{"story": "Ferries at Calais.", "head": "Calais"}\n[1, 2]\n\n'
                                  '{"story": 5}\n{"story": "Boats at Dover."}\n')
    write(tmp_path, "dump.jsonl.json", json.dumps({"columns": {"text": "story", "title": "head"}}))
    articles, skipped = A.load_articles(tmp_path)
    assert [(a.id, a.title) for a in articles] == [("dump:1", "Calais"), ("dump:5", "Boats at Dover.")]
    assert [s.reason for s in skipped] == ["line 2: expected an object, found list", "line 4: its text is not a string"]


def test_duplicate_ids_across_formats_keep_the_first_and_name_it(tmp_path):
    write(tmp_path, "a-export.jsonl", json.dumps({"id": "story-7", "text": "Ferries at Calais."}) + "\n")
    write(tmp_path, "b-notes/story-7.md", "# Story seven\n\nAbout Dover.\n")
    (article,), (skipped,) = A.load_articles(tmp_path)
    assert article.format == "jsonl"
    assert str(skipped) == (f"{tmp_path / 'b-notes' / 'story-7.md'}: duplicate id 'story-7' "
                            f"(already read from {tmp_path / 'a-export.jsonl'}, line 1)")


def test_a_column_mapping_that_is_a_symbolic_link_is_not_followed(tmp_path):
    outside = write(tmp_path, "outside/map.json", json.dumps({"columns": {"text": "body"}}))
    write(tmp_path, "arts/cms.csv", "body\nFerries at Calais.\n")
    (tmp_path / "arts" / "cms.csv.json").symlink_to(outside)
    articles, (skipped,) = A.load_articles(tmp_path / "arts")
    assert articles == [] and skipped.reason == "its column mapping cms.csv.json is a symbolic link; not read"
