"""Online geocoding through geopy against a local fake Nominatim: modes, retries, cache, reports."""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
from pathlib import Path

import pytest

from fake_nominatim import FakeNominatim  # noqa: E402

import geodata.geocoders.batch as batch  # noqa: E402
from geodata.errors import GeocoderError  # noqa: E402
from geodata.geocoders import (  # noqa: E402
    GeocoderConfigError,
    NominatimGeocoder,
    OfflineGeocoder,
    add_geocoder_arguments,
    apply_geocoded,
    geocode_names,
    geocode_options_from_args,
    geocode_unresolved,
    geocoder_from_args,
    get_geocoder,
    setting,
    unresolved_names,
)
from geodata.geocoders.base import Geocoder  # noqa: E402
from geodata.geocoders.nominatim import nominatim_kind  # noqa: E402
from geodata.model import Mention, Place, ResolvedMention  # noqa: E402

pytestmark = pytest.mark.timeout(60)

CALAIS = Place(id="3029162", name="Calais", kind="settlement", lat=50.952, lon=1.856, country="FR")
FAST = dict(min_delay_seconds=0, backoff_seconds=0)


@pytest.fixture
def server():
    with FakeNominatim(hang_seconds=5) as fake:
        yield fake


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    for name in ("ATLAS_GEOCODER_USER_AGENT", "ATLAS_GEOCODER_API_KEY", "ATLAS_GEOCODER_CACHE", "ATLAS_GEOCODER",
                 "ATLAS_GEOCODER_DOMAIN", "ATLAS_GEOCODER_SCHEME"):
        monkeypatch.delenv(name, raising=False)


def local(server, timeout=2.0):
    return get_geocoder("nominatim", domain=server.domain, scheme="http", timeout=timeout, min_delay_seconds=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rm(text, start, place=None):
    return ResolvedMention(Mention(start, start + len(text), text), place, [place] if place else [])


# -- answers, cache, request counts --------------------------------------------------------------
def test_found_and_no_result_are_cached_so_second_run_makes_zero_requests(server, tmp_path):
    cache = tmp_path / "cache" / "geocoder.json"
    names = ["Rue de Judee", "Rue de Judée", "Nowhere Street 99"]
    first = geocode_names(names, local(server), cache, **FAST)
    assert server.requests == 2  # the two spellings of one name are asked once
    assert first.requests == 2 and first.cache_hits == 0
    place = first.places["Rue de Judee"]
    assert place.kind == "street" and place.country == "FR" and place.source == "geocoder:nominatim"
    assert place.lat == pytest.approx(50.9361)
    assert first.places["Rue de Judée"] == place
    assert first.results["Nowhere Street 99"].status == "no-result"
    assert set(first.unresolved) == {"Nowhere Street 99"}
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert {e["status"] for e in stored["entries"].values()} == {"found", "no-result"}

    server.reset_counts()
    server.mode = "500"  # even a broken service does not matter now
    second = geocode_names(names, local(server), cache, **FAST)
    assert server.requests == 0
    assert second.requests == 0 and second.cache_hits == 2
    assert second.places == first.places
    assert second.results["Nowhere Street 99"].status == "no-result"
    assert all(r.cached for r in second.results.values())


def test_cache_is_per_service_host(server, tmp_path):
    cache = tmp_path / "g.json"
    geocode_names(["Rue de Judee"], local(server), cache, **FAST)
    with FakeNominatim() as other:
        report = geocode_names(["Rue de Judee"], local(other), cache, **FAST)
        assert other.requests == 1 and report.cache_hits == 0


@pytest.mark.reliability
@pytest.mark.parametrize("mode,status,retried", [
    ("429", "rate-limited", True),
    ("500", "server-error", True),
    ("503", "server-error", True),
    ("hang", "timeout", True),
    ("malformed", "malformed-answer", False),
    ("wrong-shape", "malformed-answer", False),
])
def test_each_failure_mode_is_reported_retried_when_useful_and_never_cached(server, tmp_path, mode, status, retried):
    cache = tmp_path / "g.json"
    server.mode = mode
    report = geocode_names(["Rue de Judee"], local(server, timeout=0.5), cache, max_retries=2, **FAST)
    result = report.results["Rue de Judee"]
    assert result.status == status and result.place is None
    assert report.unresolved["Rue de Judee"].startswith(status)
    assert server.requests == (3 if retried else 1) == report.requests == result.attempts
    assert not cache.exists() or json.loads(cache.read_text())["entries"] == {}
    # the next run asks again (failures are not cached) and succeeds once the service is back
    server.mode = "ok"
    server.reset_counts()
    again = geocode_names(["Rue de Judee"], local(server), cache, **FAST)
    assert server.requests == 1 and again.results["Rue de Judee"].status == "found"


@pytest.mark.parametrize("failure", ["500", "429", "hang"])
def test_retry_after_transient_failures_succeeds(server, tmp_path, failure):
    server.fail_first, server.mode_for_failures = 2, failure
    report = geocode_names(["Rue de Judee"], local(server, timeout=0.5), tmp_path / "g.json", max_retries=2, **FAST)
    assert report.results["Rue de Judee"].status == "found"
    assert report.results["Rue de Judee"].attempts == 3 == server.requests


def test_backoff_is_exponential_and_honours_retry_after(server, tmp_path):
    waits: list[float] = []
    server.mode = "500"
    geocode_names(["Rue de Judee"], local(server), tmp_path / "a.json", min_delay_seconds=0, max_retries=3,
                  backoff_seconds=0.5, max_backoff_seconds=1.5, sleep=waits.append)
    assert waits == [0.5, 1.0, 1.5]  # 0.5 * 2**n, capped
    waits.clear()
    server.mode, server.retry_after = "429", 7
    geocode_names(["Rue de Judee"], local(server), tmp_path / "b.json", min_delay_seconds=0, max_retries=1,
                  backoff_seconds=0.5, max_backoff_seconds=30, sleep=waits.append)
    assert waits == [7.0]


def test_unreachable_service_gives_up_after_consecutive_failures(tmp_path):
    geocoder = get_geocoder("nominatim", domain=f"127.0.0.1:{free_port()}", scheme="http", timeout=1,
                            min_delay_seconds=0)
    names = ["A place", "B place", "C place", "D place", "E place"]
    report = geocode_names(names, geocoder, tmp_path / "g.json", max_retries=1, give_up_after=2, **FAST)
    statuses = [report.results[n].status for n in names]
    assert statuses == ["unreachable", "unreachable", "not-tried", "not-tried", "not-tried"]
    assert report.requests == 4  # two names x (1 try + 1 retry), then nothing
    assert "unreachable" in report.unresolved["E place"]


def test_one_failing_name_does_not_stop_the_others(server, tmp_path):
    server.query_modes["english channel"] = "500"
    report = geocode_names(["English Channel", "Rue de Judee", "Hauts-de-France"], local(server),
                           tmp_path / "g.json", max_retries=0, **FAST)
    assert report.results["English Channel"].status == "server-error"
    assert report.places["Rue de Judee"].kind == "street"
    assert report.places["Hauts-de-France"].kind == "admin1"


def test_already_resolved_data_is_never_lost(server, tmp_path):
    articles = {
        "a1": [rm("Calais", 0, CALAIS), rm("Rue de Judee", 20), rm("Nowhere Street 99", 60)],
        "a2": [rm("Calais", 5, CALAIS), rm("Rue de Judée", 30)],
    }
    assert unresolved_names(articles) == ["Rue de Judee", "Nowhere Street 99"]
    server.mode = "500"
    failed, report = geocode_unresolved(articles, local(server), tmp_path / "g.json", max_retries=0, **FAST)
    assert [m.place for m in failed["a1"]] == [CALAIS, None, None]
    assert [m.place for m in failed["a2"]] == [CALAIS, None]
    assert "Calais" not in server.queries  # names already placed offline are never sent
    server.mode = "ok"
    filled, report = geocode_unresolved(articles, local(server), tmp_path / "g.json", **FAST)
    assert filled["a1"][0].place == CALAIS and filled["a2"][0].place == CALAIS
    assert filled["a1"][1].place.id == filled["a2"][1].place.id == "osm-way-200001"
    assert filled["a1"][2].place is None
    assert articles["a1"][1].place is None  # inputs untouched


def test_apply_geocoded_never_overwrites_a_place():
    other = Place(id="x", name="Calais", kind="settlement", lat=45.2, lon=-67.3, country="US")
    out = apply_geocoded([rm("Calais", 0, CALAIS), rm("calais", 9)], {"Calais": other})
    assert out[0].place == CALAIS and out[1].place == other


def test_offline_geocoder_makes_no_requests(tmp_path):
    geocoder = get_geocoder("offline")
    assert isinstance(geocoder, OfflineGeocoder)
    report = geocode_names(["Rue de Judee"], geocoder, tmp_path / "g.json")
    assert report.requests == 0 and report.results["Rue de Judee"].status == "offline"
    assert not (tmp_path / "g.json").exists()


def test_unreadable_cache_is_reported_and_set_aside(server, tmp_path):
    cache = tmp_path / "g.json"
    cache.write_text("{not json", encoding="utf-8")
    report = geocode_names(["Rue de Judee"], local(server), cache, **FAST)
    assert report.places["Rue de Judee"].kind == "street"
    assert report.problems and "unreadable" in report.problems[0]
    assert json.loads(cache.read_text())["entries"]
    assert [p.name for p in tmp_path.glob("g.json.unreadable-*")]


def test_a_folder_at_the_cache_path_is_reported_and_left_where_it_is(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    geocoder = RecordingGeocoder()
    report = geocode_names(["Rue de Judee"], geocoder, folder, **FAST)
    assert geocoder.calls == ["Rue de Judee"] and report.results["Rue de Judee"].status == "no-result"
    assert (folder / "keep.txt").read_text() == "mine"
    assert not list(tmp_path.glob("cache.unreadable-*"))
    assert len(report.problems) == 1 and "is not a file" in report.problems[0]


# -- rate limiting ------------------------------------------------------------------------------
class RecordingGeocoder(Geocoder):
    name = "recording"

    def __init__(self, policy=0.0):
        self.policy_min_delay_seconds = policy
        self.calls = []

    def lookup(self, name):
        self.calls.append(name)
        return None


def test_rate_limiter_gets_the_delay_and_the_policy_floor(monkeypatch, tmp_path):
    delays = []
    real = batch.RateLimiter

    def spy(func, **kwargs):
        delays.append(kwargs["min_delay_seconds"])
        return real(func, **{**kwargs, "min_delay_seconds": 0, "error_wait_seconds": 0})

    monkeypatch.setattr(batch, "RateLimiter", spy)
    geocode_names(["a"], RecordingGeocoder(), tmp_path / "1.json", min_delay_seconds=0)
    geocode_names(["a"], RecordingGeocoder(policy=1.0), tmp_path / "2.json", min_delay_seconds=0)
    geocode_names(["a"], RecordingGeocoder(), tmp_path / "3.json", min_delay_seconds=2.5)
    assert delays == [0, 1.0, 2.5]


def test_public_nominatim_is_held_to_one_request_per_second():
    public = get_geocoder("nominatim", min_delay_seconds=0)
    assert isinstance(public, NominatimGeocoder) and public.public
    assert public.min_delay_seconds >= 1.0 and public.policy_min_delay_seconds == 1.0
    self_hosted = get_geocoder("nominatim", domain="127.0.0.1:9", scheme="http", min_delay_seconds=0)
    assert not self_hosted.public and self_hosted.min_delay_seconds == 0


# -- configuration ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,message", [
    (dict(name="no-such-service"), "unknown geocoder"),
    (dict(name="nominatim", domain="http://example.test/x"), "HOST"),
    (dict(name="nominatim", scheme="ftp"), "http or https"),
    (dict(name="nominatim", timeout=0), "timeout"),
    (dict(name="offline", domain="localhost:1"), "online"),
])
def test_bad_configuration_raises_clear_error(kwargs, message):
    with pytest.raises(GeocoderConfigError, match=message) as info:
        get_geocoder(**kwargs)
    assert isinstance(info.value, GeocoderError)


def test_user_agent_and_key_from_environment(server, monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_GEOCODER_USER_AGENT", "atlas-tests/1 (ops@example.test)")
    monkeypatch.setenv("ATLAS_GEOCODER_API_KEY", "k123")  # Nominatim takes none: ignored, no error
    geocode_names(["Rue de Judee"], local(server), tmp_path / "g.json", **FAST)
    assert server.user_agents == ["atlas-tests/1 (ops@example.test)"]
    opencage = get_geocoder("opencage")  # a service that needs a key gets the one from the environment
    assert opencage._geopy.api_key == "k123"


def test_settings_fall_back_to_streamlit_secrets(monkeypatch, tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[geocoder]\nuser_agent = "from-secrets/2"\n')
    monkeypatch.chdir(tmp_path)
    assert setting("ATLAS_GEOCODER_USER_AGENT") == "from-secrets/2"
    monkeypatch.setenv("ATLAS_GEOCODER_USER_AGENT", "from-env/3")
    assert setting("ATLAS_GEOCODER_USER_AGENT") == "from-env/3"


def test_cli_flags(server, tmp_path):
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(tmp_path))
    add_geocoder_arguments(parser)
    args = parser.parse_args([])
    assert isinstance(geocoder_from_args(args), OfflineGeocoder)
    assert geocode_options_from_args(args)["cache_path"] == tmp_path / "cache" / "geocoder.json"
    args = parser.parse_args(["--geocoder", "nominatim", "--geocoder-domain", server.domain,
                              "--geocoder-scheme", "http", "--geocoder-min-delay", "0", "--geocoder-retries", "0",
                              "--geocoder-cache", str(tmp_path / "c.json")])
    geocoder = geocoder_from_args(args)
    options = geocode_options_from_args(args)
    assert options == {"cache_path": tmp_path / "c.json", "min_delay_seconds": 0.0, "max_retries": 0}
    report = geocode_names(["Rue de Judee"], geocoder, **options)
    assert report.places["Rue de Judee"].name == "Rue de Judée" and server.requests == 1
    # the flags travel with the geocoder: a caller passing only its own default cache still honours them
    assert geocoder.max_retries == 0 and geocoder.cache_path == tmp_path / "c.json"
    server.mode = "500"
    server.reset_counts()
    report = geocode_names(["Rue de Judee", "Hauts-de-France"], geocoder, tmp_path / "ignored.json", **FAST)
    assert report.cache_hits == 1 and server.requests == 1  # cached in c.json; one try, no retry
    assert not (tmp_path / "ignored.json").exists()
    with pytest.raises(SystemExit):
        parser.parse_args(["--geocoder-scheme", "ftp"])


def test_cli_defaults_from_environment(server, monkeypatch):
    monkeypatch.setenv("ATLAS_GEOCODER", "nominatim")
    monkeypatch.setenv("ATLAS_GEOCODER_DOMAIN", server.domain)
    monkeypatch.setenv("ATLAS_GEOCODER_SCHEME", "http")
    parser = argparse.ArgumentParser()
    add_geocoder_arguments(parser)
    geocoder = geocoder_from_args(parser.parse_args([]))
    assert isinstance(geocoder, NominatimGeocoder) and geocoder.domain == server.domain
    assert geocoder.lookup("Rue de Judee").kind == "street" and server.requests == 1


@pytest.mark.parametrize("raw,kind", [
    ({"class": "highway", "type": "residential"}, "street"),
    ({"class": "place", "type": "town", "addresstype": "town"}, "settlement"),
    ({"class": "boundary", "type": "administrative", "addresstype": "country"}, "country"),
    ({"class": "boundary", "type": "administrative", "addresstype": "state"}, "admin1"),
    ({"class": "natural", "type": "strait"}, "water"),
    ({"class": "tourism", "type": "attraction"}, "landmark"),
    ({"class": "unknown", "type": "thing"}, "other"),
])
def test_nominatim_kinds(raw, kind):
    assert nominatim_kind(raw) == kind


def test_report_summary_names_every_unresolved_name(server, tmp_path):
    server.query_modes["english channel"] = "malformed"
    report = geocode_names(["English Channel", "Nowhere Street 99", "Rue de Judee"], local(server),
                           tmp_path / "g.json", **FAST)
    text = "\n".join(report.summary_lines())
    assert "'English Channel': malformed-answer" in text
    assert "'Nowhere Street 99': no-result" in text
    assert "Rue de Judee" not in text.split("\n", 1)[1]
    assert json.dumps(report.as_dict())  # serialisable for a build report file


# -- the whole build (real pipeline, fake Nominatim) ----------------------------------------------
CLIFFS = {"white cliffs of dover": [{
    "place_id": 9, "osm_type": "way", "osm_id": 4242, "lat": "51.1330000", "lon": "1.3600000",
    "class": "natural", "type": "cliff", "addresstype": "natural", "name": "White Cliffs of Dover",
    "display_name": "White Cliffs of Dover, Dover, Kent, England, United Kingdom",
    "address": {"natural": "White Cliffs of Dover", "country": "United Kingdom", "country_code": "gb"}}]}
ARTICLE = ("Boats off the White Cliffs of Dover\n\nA small boat was seen below the White Cliffs of Dover "
           "on Tuesday after leaving Calais.\n")


class StubGeoparser:
    """Stands in for the geoparser (tested elsewhere) so these tests pin the geocoding contract only:
    "Calais" is resolved offline, "White Cliffs of Dover" is recognised but unresolved."""

    def __init__(self, gazetteer=None, extra_places=None, excluded=None, **options):
        pass

    def parse_many(self, texts):
        for text in texts:
            found = []
            for name, place in (("Calais", CALAIS), ("White Cliffs of Dover", None)):
                start = text.find(name)
                while start >= 0:
                    found.append(rm(name, start, place))
                    start = text.find(name, start + 1)
            yield sorted(found, key=lambda m: m.start)

    def parse_many_with_language(self, texts):
        for mentions in self.parse_many(texts):
            yield "en", mentions


def _build(tmp_path, out_name, geocoder, cache, monkeypatch):
    from geodata import pipeline
    monkeypatch.setattr(pipeline, "Geoparser", StubGeoparser)
    articles = tmp_path / "articles"
    if not articles.exists():
        articles.mkdir()
        (articles / "cliffs.txt").write_text(ARTICLE, encoding="utf-8")
    report = pipeline.build(articles, tmp_path / out_name, overrides_path=None, geocoder=geocoder,
                            geocode_cache=cache, gazetteer=object(), log=lambda *a: None)
    features = json.loads((tmp_path / out_name / "places.geojson").read_text(encoding="utf-8"))["features"]
    return report, {f["id"]: f["properties"] for f in features}


def test_build_geocodes_once_then_runs_from_cache_and_survives_a_broken_service(tmp_path, monkeypatch):
    cache = tmp_path / "cache.json"
    offline_report, offline = _build(tmp_path, "offline", get_geocoder("offline"), cache, monkeypatch)
    assert "White Cliffs of Dover" in offline_report.unresolved and set(offline) == {CALAIS.id}
    assert not cache.exists()
    with FakeNominatim(answers=CLIFFS) as fake:
        geocoder = local(fake)
        first_report, first = _build(tmp_path, "first", geocoder, cache, monkeypatch)
        assert fake.queries == ["White Cliffs of Dover"]  # asked once; Calais (placed offline) never sent
        assert first["osm-way-4242"]["source"] == "geocoder:nominatim"
        assert first["osm-way-4242"]["mention_count"] == 2
        assert first[CALAIS.id] == offline[CALAIS.id]  # nothing resolved offline changed
        fake.reset_counts()
        fake.mode = "500"
        _, second = _build(tmp_path, "second", geocoder, cache, monkeypatch)
        assert fake.requests == 0  # the second build makes zero requests
        assert second == first
        broken_report, broken = _build(tmp_path, "broken", geocoder, tmp_path / "fresh-cache.json", monkeypatch)
        assert fake.requests == 3  # one name, 1 try + 2 retries
    assert broken == offline  # the build finished from offline data, nothing lost
    assert broken_report.unresolved["White Cliffs of Dover"].startswith("server-error")


def test_cli_build_with_local_nominatim_then_zero_requests(tmp_path):
    """The real command: `python -m geodata build --geocoder nominatim --geocoder-domain 127.0.0.1:PORT
    --geocoder-scheme http`. The fake answers for every name the offline build left unresolved."""
    import os
    import subprocess
    from geodata.gazetteer import DEFAULT_INDEX_PATH
    if not Path(DEFAULT_INDEX_PATH).exists():
        pytest.skip("offline gazetteer index not built (python -m geodata index)")
    repo = Path(__file__).resolve().parents[1]
    articles = tmp_path / "articles"
    shutil.copytree(repo / "seeds", articles)
    (articles / "cliffs.txt").write_text(ARTICLE, encoding="utf-8")
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("action,surface\n", encoding="utf-8")  # no curation: more is left unresolved
    cache = tmp_path / "cache.json"

    def build(out, *flags):
        command = [sys.executable, "-m", "geodata", "build", "--articles", str(articles), "--out", str(out),
                   "--overrides", str(overrides), *flags]
        done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=240,
                              env={**os.environ, "ATLAS_GEOCODER_USER_AGENT": "atlas-cli-test/1"})
        assert done.returncode == 0, done.stderr
        features = json.loads((out / "places.geojson").read_text(encoding="utf-8"))["features"]
        return done.stdout, {f["id"] for f in features}

    # which names does the offline build leave unresolved? (the summary lists them)
    offline_out, offline_ids = build(tmp_path / "offline")
    _, _, tail = offline_out.partition("unresolved:")
    unresolved = [line.strip().split(":")[0] for line in tail.splitlines() if line.startswith("  ")]
    assert unresolved, offline_out  # with no curation the seeds and the cliffs leave names unresolved
    answers = {name: [{**CLIFFS["white cliffs of dover"][0], "osm_id": 5000 + i, "name": name}]
               for i, name in enumerate(unresolved)}
    with FakeNominatim(answers=answers) as fake:
        flags = ["--geocoder", "nominatim", "--geocoder-domain", fake.domain, "--geocoder-scheme", "http",
                 "--geocoder-min-delay", "0", "--geocoder-cache", str(cache)]
        _, first = build(tmp_path / "one", *flags)
        assert fake.requests == len(unresolved) and set(fake.user_agents) == {"atlas-cli-test/1"}
        fake.reset_counts()
        _, second = build(tmp_path / "two", *flags)
        assert fake.requests == 0
    assert offline_ids < first and second == first
    assert {f"osm-way-{5000 + i}" for i in range(len(unresolved))} <= first


def test_ranked_answers_become_alternatives_and_are_cached(server, tmp_path):
    cache = tmp_path / "g.json"
    report = geocode_names(["Port of Calais"], local(server), cache, **FAST)
    result = report.results["Port of Calais"]
    assert result.place.id == "osm-way-200005" and result.place.kind == "landmark"
    assert [p.id for p in result.alternatives] == ["osm-node-200006"]
    assert result.alternatives[0].country == "US" and result.alternatives[0].kind == "settlement"
    server.reset_counts()
    again = geocode_names(["Port of Calais"], local(server), cache, **FAST)
    assert server.requests == 0 and again.results["Port of Calais"].alternatives == result.alternatives
    filled, _ = geocode_unresolved({"a": [rm("Port of Calais", 0)]}, local(server), cache, **FAST)
    assert [c.id for c in filled["a"][0].candidates] == ["osm-way-200005", "osm-node-200006"]


def test_public_nominatim_without_own_user_agent_warns(monkeypatch, caplog):
    with caplog.at_level("WARNING", logger="geodata.geocoders"):
        get_geocoder("nominatim")
    assert "ATLAS_GEOCODER_USER_AGENT" in caplog.text
    caplog.clear()
    monkeypatch.setenv("ATLAS_GEOCODER_USER_AGENT", "my-atlas/1 (me@example.org)")
    with caplog.at_level("WARNING", logger="geodata.geocoders"):
        get_geocoder("nominatim")
        get_geocoder("nominatim", domain="127.0.0.1:9", scheme="http")
    assert caplog.text == ""


def test_each_mention_is_normalised_once(monkeypatch):
    calls = []
    real = batch.surface_key

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(batch, "surface_key", counting)
    calais = Place(id="c", name="Calais", kind="settlement", lat=50.95, lon=1.85)
    items = [rm("Rue de Judée", 0), rm("rue de judee", 20), rm("Calais", 40, calais)]
    assert unresolved_names({"a": items}) == ["Rue de Judée"]
    assert len(calls) == 2  # the two unresolved mentions, once each
    calls.clear()
    judee = Place(id="j", name="Rue de Judée", kind="street", lat=50.95, lon=1.86)
    out = apply_geocoded(items, {"Rue de Judée": judee})
    assert [r.place for r in out] == [judee, judee, calais]
    assert len(calls) == 1 + 2  # the places given, then each unresolved mention once


# -- issue 13: a trickling service, huge fields, implausible answers ------------------------------
@pytest.mark.reliability
def test_a_trickling_service_is_bounded_by_the_timeout_as_a_total_deadline(server, tmp_path):
    import time

    server.mode, server.trickle_seconds = "trickle", 0.2  # ~600 bytes: two minutes for the whole answer
    started = time.monotonic()
    report = geocode_names(["Rue de Judee"], local(server, timeout=1.0), tmp_path / "g.json", max_retries=0, **FAST)
    elapsed = time.monotonic() - started
    result = report.results["Rue de Judee"]
    assert result.status == "timeout" and result.place is None
    assert "deadline" in report.unresolved["Rue de Judee"]
    assert elapsed < 10  # the deadline, not the trickle (which would take minutes), ended it


@pytest.mark.reliability
def test_a_huge_name_from_a_geocoder_is_refused_with_a_message(server, tmp_path):
    from fake_nominatim import ANSWERS

    huge = dict(ANSWERS["rue de judee"][0], name="X" * 5_000_000)
    server.answers["rue de judee"] = [huge]
    report = geocode_names(["Rue de Judee"], local(server, timeout=10), tmp_path / "g.json", **FAST)
    result = report.results["Rue de Judee"]
    assert result.status == "malformed-answer" and result.place is None
    assert "5,000,000 characters" in report.unresolved["Rue de Judee"]


def _rio(name, osm_id):
    from fake_nominatim import _answer

    return _answer(900000 + osm_id, "way", osm_id, -22.97, -43.18, "highway", "residential", "road", name,
                   f"{name}, Copacabana, Rio de Janeiro, Brazil", {"road": name, "country": "Brazil",
                                                                   "country_code": "br"})


@pytest.mark.reliability
def test_an_answer_far_from_the_articles_places_is_refused_and_reported(server, tmp_path):
    from fake_nominatim import ANSWERS

    dover = Place(id="2651048", name="Dover", kind="settlement", lat=51.126, lon=1.313, country="GB")
    server.answers["rue de judee"] = [_rio("Rua de Judeia", 1)]
    article = {"calais": [rm("Calais", 0, CALAIS), rm("Dover", 10, dover), rm("Rue de Judee", 20)]}
    filled, report = geocode_unresolved(article, local(server), tmp_path / "g.json", **FAST)
    assert filled["calais"][2].place is None  # not placed in Rio de Janeiro
    why = report.unresolved["Rue de Judee"]
    from geodata.geo import haversine_km

    km = haversine_km(dover.lat, dover.lon, -22.97, -43.18)  # Dover is a little nearer Rio than Calais
    assert "implausible" in why and "BR" in why and f"{km:,.0f} km from the article's nearest place (Dover)" in why
    # the service's next answer is taken when it fits the article
    server.answers["rue de judee"] = [_rio("Rua de Judeia", 2), *ANSWERS["rue de judee"]]
    filled, report = geocode_unresolved(article, local(server), tmp_path / "other.json", **FAST)
    assert filled["calais"][2].place.id == "osm-way-200001" and "Rue de Judee" not in report.unresolved
    # an article with no placed names gives no context: the answer stands
    alone, _ = geocode_unresolved({"x": [rm("Rue de Judee", 0)]}, local(server), tmp_path / "other.json", **FAST)
    assert alone["x"][0].place.country == "BR"
