import pytest

from geodata.passages import MAX_PASSAGE_CHARS, passage


def check(text, start, end):
    found, at = passage(text, start, end)
    assert text[at:at + len(found)] == found
    assert at <= start and end <= at + len(found)
    return found


def test_short_paragraph_is_the_passage():
    text = "Headline\n\nMigrants gathered in Calais on Tuesday. Police watched.\n\nNext paragraph."
    i = text.index("Calais")
    assert check(text, i, i + 6) == "Migrants gathered in Calais on Tuesday. Police watched."


def test_long_paragraph_gives_the_sentence():
    filler = "Nothing happens here at all today. " * 20
    text = filler + "Boats left Dunkirk at dawn. " + filler
    i = text.index("Dunkirk")
    assert check(text, i, i + 7) == "Boats left Dunkirk at dawn."


def test_endless_sentence_gives_a_bounded_window():
    text = "word " * 500 + "Zeebrugge " + "word " * 500
    i = text.index("Zeebrugge")
    found = check(text, i, i + 9)
    assert "Zeebrugge" in found and len(found) <= MAX_PASSAGE_CHARS


def test_windows_line_endings_and_bad_spans():
    text = "Title\r\nFerries sail from Dover.\r\nMore."
    i = text.index("Dover")
    assert check(text, i, i + 5) == "Ferries sail from Dover."
    with pytest.raises(ValueError):
        passage(text, 10, 1000)


@pytest.mark.reliability
def test_abbreviations_do_not_cut_a_sentence():
    filler = "Nothing happens here at all today. " * 20
    sentence = "Mr. Smith of the U.S. Coast Guard flew to Calais on Monday."
    text = filler + sentence + " " + filler
    i = text.index("Calais")
    assert check(text, i, i + 6) == sentence
    j = text.index("Coast")
    assert check(text, j, j + 11) == sentence
