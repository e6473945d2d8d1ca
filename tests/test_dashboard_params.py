"""Share-link parameters: validation against the loaded ids (dashboard/params.py)."""
import base64
import random
import string
import urllib.parse
import zlib

import pytest

from dashboard.params import (
    LINK_LIMIT, SelectionError, corpus_hash, decode_selection, encode_selection, parse_view, query_length,
    shown_value, view_to_params,
)

ARTICLES = ["a1", "a2", "a3"]
PLACES = {"p1", "p2"}


def parse(**params):
    return parse_view({k: v if isinstance(v, list) else [v] for k, v in params.items()}, ARTICLES, PLACES)


def test_empty_url_is_the_default_view():
    v = parse()
    assert (v.articles, v.place, v.lat, v.lon, v.zoom, v.notices) == (None, None, None, None, None, [])


def test_valid_link_is_restored():
    v = parse(articles=["a1", "a3"], place="p2", lat="50.9", lon="1.85", zoom="12")
    assert v.articles == ["a1", "a3"] and v.place == "p2"
    assert (v.lat, v.lon, v.zoom) == (50.9, 1.85, 12)
    assert v.notices == []


def test_tampered_values_are_dropped_with_notices():
    v = parse(place="../../etc/passwd", articles="nope")
    assert v.place is None and v.articles is None
    text = " ".join(v.notices)
    assert "unknown place" in text and "unknown article" in text
    assert "`../../etc/passwd`" in text  # quoted in the notice, never used
    v = parse(articles=["a2", "zzz"])
    assert v.articles == ["a2"] and len(v.notices) == 1


def test_numbers_out_of_range_or_malformed():
    for lat, lon in (("91", "0"), ("nan", "0"), ("1e400", "0"), ("x", "1"), ("10", "-181")):
        v = parse(lat=lat, lon=lon)
        assert v.lat is None and v.lon is None and v.notices, (lat, lon)
    assert parse(lat="10").lat is None  # lat without lon
    for z in ("0", "19", "2.5", "inf", "-3"):
        v = parse(zoom=z)
        assert v.zoom is None and v.notices, z


def test_unknown_parameter_is_reported_streamlit_own_is_not():
    assert parse(foo="1").notices
    assert parse(embed="true").notices == []


def test_empty_articles_value_means_none_shown():
    assert parse(articles="").articles == []


def test_notice_quotes_only_safe_characters():
    assert shown_value("<img src=x onerror=alert(1)>") == "?img src?x onerror?alert?1??"
    assert shown_value("a" * 100).endswith("...")


def test_view_to_params_round_trip():
    params = view_to_params(["a3", "a1"], ARTICLES, "p1", 50.123456, 1.5, 9)
    # one hidden id is shorter than two shown ones
    assert params == {"hide": ["a2"], "place": "p1", "lat": "50.12346", "lon": "1.50000", "zoom": "9"}
    v = parse(**params)
    assert v.articles == ["a1", "a3"] and v.place == "p1" and v.zoom == 9
    assert view_to_params(["a2"], ARTICLES, None) == {"articles": ["a2"]}
    assert view_to_params(ARTICLES, ARTICLES, None) == {}  # all shown: nothing to say
    assert view_to_params([], ARTICLES, None) == {"articles": [""]}


# ---- short links for large corpora ---------------------------------------------------------------


def corpus(n=1000, seed=0):
    """Ids as the pipeline makes them (``000_2bde1196e0d50633``) mixed with arbitrary file stems."""
    rng = random.Random(seed)
    ids = []
    for i in range(n):
        if i % 3:
            ids.append(f"{i:03d}_{rng.getrandbits(64):016x}")
        else:
            stem = "".join(rng.choice(string.ascii_letters + " -_.éß東") for _ in range(rng.randint(1, 40)))
            ids.append(f"{stem} {i}")
    rng.shuffle(ids)
    return ids


def random_selection(ids, rng):
    style = rng.choice(["few shown", "few hidden", "half", "random", "runs"])
    if style == "few shown":
        return rng.sample(ids, rng.randint(1, 4))
    if style == "few hidden":
        hidden = set(rng.sample(ids, rng.randint(1, 4)))
        return [a for a in ids if a not in hidden]
    if style == "half":
        return ids[: len(ids) // 2]
    if style == "runs":
        start = rng.randrange(len(ids))
        return ids[start:start + rng.randint(1, 300)]
    return [a for a in ids if rng.random() < rng.random()]


def round_trip(params, ids, places=()):
    """What a browser sends back: the query string parsed as Streamlit does."""
    raw = urllib.parse.parse_qs(urllib.parse.urlencode(params, doseq=True), keep_blank_values=True)
    return parse_view(raw, ids, set(places))


def test_any_selection_of_1000_articles_round_trips_under_2000_characters():
    rng = random.Random(1234)
    ids = corpus()
    longest = 0
    for trial in range(150):
        shown = random_selection(ids, rng)
        params = view_to_params(shown, ids, "2988507", 50.95129, 1.85856, 12)
        longest = max(longest, query_length(params))
        view = round_trip(params, ids, {"2988507"})
        assert view.notices == [], (trial, params)
        assert set(view.articles) == set(shown) and view.articles == [a for a in ids if a in set(shown)]
    assert longest < LINK_LIMIT - 200  # room for the page's own address
    # the worst case is the random half: a bitmap of 1,000 bits, ~170 characters
    assert longest < 400


def test_a_few_ids_stay_ids_and_many_become_a_bitmap():
    ids = [f"{i:03d}_{i * 7919:016x}" for i in range(1000)]
    assert view_to_params(ids[:2], ids, None) == {"articles": ids[:2]}
    assert view_to_params(ids[1:], ids, None) == {"hide": ids[:1]}
    assert list(view_to_params(ids[::2], ids, None)) == ["sel"]
    assert list(view_to_params(ids[:20], ids, None)) == ["sel"]  # 20 ids: ~600 characters as a list


def test_old_links_with_repeated_ids_still_open():
    ids = corpus(935)
    shown = ids[:-1]
    old = {"articles": shown}  # as links were written before: 18,000+ characters
    assert query_length(old) > 18_000
    view = round_trip(old, ids)
    assert view.articles == shown and view.notices == []


def test_a_bitmap_for_another_corpus_is_reported_not_applied():
    ids = corpus(1000)
    value = encode_selection(ids[:300], ids)
    for changed in (ids[:-1], ids + ["new article"]):  # one removed, one added
        view = parse_view({"sel": [value]}, changed, set())
        assert view.articles is None
        assert len(view.notices) == 1 and "other articles" in view.notices[0]
    assert corpus_hash(ids) == corpus_hash(list(reversed(ids)))  # the order of the list does not matter


def tampered(value: str, rng) -> str:
    form, tag, payload = value.split(".")
    choice = rng.randrange(6)
    if choice == 0:
        return f"{form}.{tag[:-1]}{'0' if tag[-1] != '0' else '1'}.{payload}"  # hash changed
    if choice == 1:
        return f"{form}.{tag}.{payload[:-2]}"  # truncated
    if choice == 2:
        return f"{form}.{tag}.{payload}AAAA"  # lengthened
    if choice == 3:
        return f"x.{tag}.{payload}"  # unknown form
    if choice == 4:
        return f"{form}.{tag}.{payload[:3]}*{payload[4:]}"  # not base64url
    return f"{'z' if form == 'b' else 'b'}.{tag}.{payload}"  # the other form's reading


def test_a_tampered_bitmap_or_hash_gives_a_notice():
    rng = random.Random(99)
    ids = corpus(1000)
    for trial in range(200):
        value = encode_selection(random_selection(ids, rng), ids)
        bad = tampered(value, rng)
        view = parse_view({"sel": [bad]}, ids, set())
        assert view.articles is None, (trial, bad)
        assert len(view.notices) == 1 and "selection" in view.notices[0]


def test_bits_past_the_last_article_must_be_zero():
    ids = [f"a{i}" for i in range(10)]  # 10 bits in 2 bytes: 6 spare bits
    value = encode_selection(ids[:3], ids)
    assert value.startswith("b.")
    form, tag, payload = value.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[-1] |= 1
    forged = f"b.{tag}.{base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"
    with pytest.raises(SelectionError):
        decode_selection(forged, ids)
    assert decode_selection(value, ids) == sorted(ids[:3])


def test_a_deflated_bitmap_cannot_expand_beyond_the_corpus():
    ids = [f"a{i}" for i in range(16)]
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = packer.compress(b"\0" * 10_000_000) + packer.flush()
    value = f"z.{corpus_hash(ids)}.{base64.urlsafe_b64encode(bomb).decode().rstrip('=')}"
    with pytest.raises(SelectionError):
        decode_selection(value, ids)


def test_sorted_runs_are_deflated():
    ids = [f"{i:04d}" for i in range(1000)]
    value = encode_selection(ids[:500], ids)
    assert value.startswith("z.") and len(value) < 40
    assert decode_selection(value, ids) == ids[:500]


def test_many_unknown_parameters_give_one_notice():
    v = parse_view({f"junk{i}": ["1"] for i in range(999)}, ARTICLES, PLACES)
    assert len(v.notices) == 1
    assert "999 unknown link parameters" in v.notices[0] and "and 994 more" in v.notices[0]


def test_very_long_values_are_refused_with_a_notice():
    v = parse(place="x" * 100_000, articles=["a1", "y" * 50_000], sel="b." + "0" * 8 + "." + "A" * 100_000)
    assert v.place is None and "100,000 characters" in " ".join(v.notices)
    assert v.articles is None  # sel is tried first; far too long
    assert any("far longer" in n for n in v.notices)
    assert any("more than one article selection" in n for n in v.notices)
    v = parse(articles=["a1", "y" * 50_000])
    assert v.articles == ["a1"] and any("longer than 300" in n for n in v.notices)
    assert all(len(n) < 400 for n in v.notices)  # a notice never repeats the long value


def test_hidden_ids_are_validated():
    v = parse(hide=["a2", "nope"])
    assert v.articles == ["a1", "a3"] and "unknown article id(s) hidden" in v.notices[0]
    v = parse(hide=["nope"])
    assert v.articles is None and v.notices


# ---------------------------------------------------------------- the date range -----------------

def test_date_range_round_trip():
    from datetime import date

    out = view_to_params(ARTICLES, ARTICLES, None, date_from=date(2024, 5, 1), date_to=date(2024, 5, 31),
                         undated=False)
    assert out == {"from": "2024-05-01", "to": "2024-05-31", "undated": "0"}
    v = parse(**out)
    assert (v.date_from, v.date_to, v.undated, v.notices) == (date(2024, 5, 1), date(2024, 5, 31), False, [])
    # an open end and undated articles included (the default) write only what is set
    out = view_to_params(ARTICLES, ARTICLES, None, date_from=date(2024, 5, 1))
    assert out == {"from": "2024-05-01"}
    v = parse(**out)
    assert (v.date_from, v.date_to, v.undated) == (date(2024, 5, 1), None, True)


def test_no_date_filter_writes_no_date_parameter():
    assert view_to_params(ARTICLES, ARTICLES, None) == {}


@pytest.mark.parametrize("key,value", [
    ("from", "2024-02-30"), ("from", "2024-5-1"), ("to", "yesterday"), ("to", "2024-05-01T00:00"),
    ("from", "<script>alert(1)</script>"), ("to", "9" * 400), ("undated", "no"), ("undated", "2"),
])
def test_tampered_date_is_ignored_with_one_notice(key, value):
    v = parse(**{key: value}, place="p1")
    assert (v.date_from, v.date_to, v.undated) == (None, None, True)
    assert len(v.notices) == 1 and f"`{key}`" in v.notices[0]
    assert "<" not in v.notices[0] and len(v.notices[0]) < 200
    assert v.place == "p1"  # the rest of the link still applies


def test_reversed_date_range_is_ignored_with_a_notice():
    v = parse(**{"from": "2024-06-01", "to": "2024-05-01"})
    assert (v.date_from, v.date_to) == (None, None)
    assert len(v.notices) == 1 and "after" in v.notices[0]


def test_date_parameters_are_known():
    v = parse(**{"from": "2024-06-01", "undated": "1"})
    assert v.notices == [] and v.undated is True


def test_the_nationality_words_layer_is_in_the_link_only_when_on():
    from dashboard.params import parse_view, view_to_params

    ids = ["a", "b"]
    assert "adjectives" not in view_to_params(ids, ids, None)
    on = view_to_params(ids, ids, None, adjectives=True)
    assert on == {"adjectives": "1"}
    assert parse_view({k: [v] for k, v in on.items()}, ids, set()).adjectives is True
    assert parse_view({}, ids, set()).adjectives is False
    bad = parse_view({"adjectives": ["yes<script>"]}, ids, set())
    assert bad.adjectives is False and len(bad.notices) == 1 and "<" not in bad.notices[0]
