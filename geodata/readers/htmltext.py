"""The text of an HTML fragment (a feed entry's content): tags dropped, paragraphs on lines of their own.

Only text is kept, never markup: scripts and styles are dropped, entities decoded, block elements
(``p``, ``div``, ``li``, headings, ``br``...) end a paragraph, and whitespace inside a paragraph collapses.
"""
from __future__ import annotations

from html.parser import HTMLParser

BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                    "tr", "table", "section", "article", "header", "footer", "pre", "hr", "dd", "dt", "figure"})
DROPPED = frozenset({"script", "style", "template", "noscript"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.dropped = 0

    def _end_paragraph(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag, _attrs) -> None:
        if tag in DROPPED:
            self.dropped += 1
        elif tag in BLOCKS:
            self._end_paragraph()

    def handle_endtag(self, tag) -> None:
        if tag in DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif tag in BLOCKS:
            self._end_paragraph()

    def handle_data(self, data) -> None:
        if not self.dropped:
            self.current.append(data)


def html_to_text(fragment: str) -> str:
    """The fragment's text, paragraphs separated by blank lines."""
    parser = _TextParser()
    parser.feed(fragment)
    parser.close()
    parser._end_paragraph()
    return "\n\n".join(parser.paragraphs)
