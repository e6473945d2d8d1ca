"""Escaping and highlighting of untrusted article text (dashboard/text.py)."""
import re

from dashboard.text import WORD_JOINER, article_html, article_spans, highlight, md_escape, passage_html

# What the autolink pass of GitHub-flavoured markdown (remark-gfm, in Streamlit's markdown) turns into links;
# it runs on a label's text once the backslash escapes are gone, so escaping alone does not stop it.
GFM_AUTOLINKS = (re.compile(r"(https?://|www(?=\.))[-.\w]+", re.I | re.A),
                 re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.A))


def test_highlight_escapes_text_and_marks_spans():
    text = 'Calais <script>alert("x")</script> & Calais'
    out = highlight(text, [(0, 6), (len(text) - 6, len(text))])
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; " in out
    assert out.count('<mark class="atlas-hl">Calais</mark>') == 2


def test_highlight_merges_overlaps_and_ignores_bad_spans():
    out = highlight("abcdef", [(1, 3), (2, 4), (5, 99), (4, 2), (-5, -1)])
    assert out == 'a<mark class="atlas-hl">bcd</mark>e<mark class="atlas-hl">f</mark>'


def test_markup_inside_a_mention_is_escaped_too():
    assert highlight("<b>x</b>", [(0, 8)]) == '<mark class="atlas-hl">&lt;b&gt;x&lt;/b&gt;</mark>'


def test_passage_uses_offsets_and_falls_back_to_the_word():
    m = {"passage": "In Calais today.", "passage_start": 100, "start": 103, "end": 109, "text": "Calais"}
    assert passage_html(m) == 'In <mark class="atlas-hl">Calais</mark> today.'
    wrong = dict(m, start=0, end=6)  # offsets that do not match the text
    assert passage_html(wrong) == 'In <mark class="atlas-hl">Calais</mark> today.'
    missing = dict(m, passage="No match here")
    assert "<mark" not in passage_html(missing)


def test_article_spans_check_offsets_against_text():
    text = "Calais. Then Calais again."
    good = [{"start": 0, "end": 6, "text": "Calais"}]
    assert article_spans(text, good) == [(0, 6)]
    stale = [{"start": 2, "end": 8, "text": "Calais"}]  # the file changed: search the word instead
    assert sorted(article_spans(text, stale)) == [(0, 6), (13, 19)]
    assert article_html("<i>Calais</i>", [{"start": 3, "end": 9, "text": "Calais"}]) == \
        '&lt;i&gt;<mark class="atlas-hl">Calais</mark>&lt;/i&gt;'


def test_md_escape_neutralises_markdown():
    s = md_escape("![img](http://x/y.png) [a](javascript:1) **b** :red[c]")
    for raw in ("![", "](", "**", ":red["):
        assert raw not in s
    assert s.replace("\\", "").replace(WORD_JOINER, "") == "![img](http://x/y.png) [a](javascript:1) **b** :red[c]"


def test_addresses_and_latex_in_labels_stay_plain_text():
    """Issue 13: www. addresses, URLs and e-mail addresses in headlines became links; $...$ is maths."""
    label = "Call www.example.org, WWW.EXAMPLE.NET, https://example.org/a or desk+news@example.org on $x^2$"
    escaped = md_escape(label)
    seen = re.sub(r"\\(.)", r"\1", escaped)  # the text markdown's autolink pass reads
    for pattern in GFM_AUTOLINKS:
        assert not pattern.search(seen), pattern.search(seen)
    assert seen.replace(WORD_JOINER, "") == label  # the visitor reads the same words
    assert "$" not in escaped.replace("\\$", "")  # every dollar escaped: no maths


def test_code_spans_show_paths_without_stray_backslashes():
    from dashboard.text import md_code

    assert md_code("/srv/my-articles/2024.v1") == "`/srv/my-articles/2024.v1`"  # md_escape would add \- and \.
    assert md_code("a`b") == "``a`b``" and md_code("``x") == "``` ``x ```"
    assert md_code("line\nbreak") == "`line break`"


def test_only_http_links_are_made():
    from dashboard.text import link_html, safe_url

    assert safe_url("https://news.example.org/a?b=1") == "https://news.example.org/a?b=1"
    assert safe_url("HTTP://example.org/") == "HTTP://example.org/"
    for bad in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "//example.org/x",
                "/local/path", "ftp://example.org/f", "https://", "https://exa mple.org/", 'https://e.org/"onclick=',
                "https://e.org/\nx", None, 42, "https://e.org/" + "a" * 3000):
        assert safe_url(bad) is None, bad
        assert link_html(bad, "Original <b>") == "Original &lt;b&gt;"
    out = link_html("https://example.org/a&b", "Read <it>")
    assert out == ('<a href="https://example.org/a&amp;b" target="_blank" rel="noopener noreferrer">'
                   "Read &lt;it&gt;</a>")
