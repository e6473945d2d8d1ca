"""Share-link parameters: validation against the loaded ids (dashboard/params.py)."""
from dashboard.params import parse_view, shown_value, view_to_params

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
    assert params == {"articles": ["a1", "a3"], "place": "p1", "lat": "50.12346", "lon": "1.50000", "zoom": "9"}
    v = parse(**params)
    assert v.articles == ["a1", "a3"] and v.place == "p1" and v.zoom == 9
    assert view_to_params(ARTICLES, ARTICLES, None) == {}  # all shown: nothing to say
    assert view_to_params([], ARTICLES, None) == {"articles": [""]}
