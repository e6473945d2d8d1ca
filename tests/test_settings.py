"""The one registry of ATLAS_* settings (dashboard/settings.py + geodata/settings.py)."""
import logging
import re
from pathlib import Path

import pytest

from dashboard import settings
from dashboard.data import config_from_env
from geodata import settings as pipeline_settings

REPO = Path(__file__).resolve().parent.parent
PREFIX = "ATLAS" + "_"  # spelled so this file's own examples are not read as names
NAME = re.compile(r"\b" + PREFIX + r"[A-Z0-9_]*[A-Z0-9]\b")
# a direct read of the environment with an ATLAS_ name: os.environ.get(...), os.getenv(...), os.environ[...]
DIRECT_READ = re.compile(r"(environ\.get\(|getenv\(|environ\[)\s*[\"']" + PREFIX)
SOURCE_DIRS = ("dashboard", "geodata", "tests", "scripts")
SKIP_PARTS = {"index", "static", "node_modules", "__pycache__", "cache"}
SETTINGS_MODULES = {REPO / "dashboard" / "settings.py", REPO / "geodata" / "settings.py"}


def source_files():
    for top in SOURCE_DIRS:
        for path in sorted((REPO / top).rglob("*")):
            if path.suffix in {".py", ".sh", ".toml", ".js", ".cfg"} and path.is_file() \
                    and not SKIP_PARTS & set(path.relative_to(REPO).parts):
                yield path


def test_every_name_in_the_source_is_registered():
    seen = {}
    for path in source_files():
        for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
            seen.setdefault(name, path.relative_to(REPO))
    assert len(seen) >= 10, "the scan found too few names: it is not looking at the source"
    unknown = {n: str(p) for n, p in seen.items() if n not in settings.REGISTRY}
    assert unknown == {}, f"ATLAS_* names read but not registered in dashboard/settings.py or geodata/settings.py: {unknown}"


def test_no_code_reads_the_environment_around_the_registry():
    direct = [f"{p.relative_to(REPO)}:{i}" for p in source_files() if p not in SETTINGS_MODULES
              for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
              if DIRECT_READ.search(line)]
    assert direct == [], f"read these through dashboard.settings / geodata.settings instead: {direct}"


def test_the_scan_catches_an_unregistered_name_and_a_direct_read(tmp_path):
    line = f'x = os.environ.get("{PREFIX}NOT_A_SETTING")'
    assert NAME.findall(line) == [PREFIX + "NOT_A_SETTING"] and DIRECT_READ.search(line)
    assert PREFIX + "NOT_A_SETTING" not in settings.REGISTRY


def test_every_setting_is_documented_in_the_generated_table():
    docs = (REPO / "docs" / "dashboard.md").read_text(encoding="utf-8")
    section = settings.docs_section(docs)
    assert section is not None, "docs/dashboard.md lost its settings markers"
    assert section == settings.markdown_table(), "run `python -m dashboard.settings --update-docs`"
    for s in settings.ALL:
        assert f"| `{s.name}` |" in section and s.meaning in section


def test_update_docs_rewrites_only_the_section(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"intro\n{settings.DOCS_START}\n| stale |\n{settings.DOCS_END}\noutro\n", encoding="utf-8")
    assert settings.update_docs(page)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith("outro\n") and "stale" not in text
    assert settings.docs_section(text) == settings.markdown_table()
    assert not settings.update_docs(page)  # already up to date


def test_pipeline_settings_are_in_the_pipeline_registry_and_in_the_table():
    assert set(pipeline_settings.REGISTRY) <= set(settings.REGISTRY)
    assert "ATLAS_OVERRIDES" in pipeline_settings.REGISTRY  # the pipeline reads it without the dashboard
    assert "ATLAS_TILES" not in pipeline_settings.REGISTRY


def test_defaults_when_unset_or_empty():
    assert settings.read("ATLAS_TILES", {}) == "auto"
    assert settings.read("ATLAS_TILES", {"ATLAS_TILES": "  "}) == "auto"
    assert settings.read("ATLAS_EDITING", {}) is False
    assert settings.read("ATLAS_ARTICLES_DIR", {}) == REPO / "seeds"
    assert settings.read("ATLAS_GEOCODER_CACHE", {}) is None
    assert settings.problems({}) == []


def test_values_are_parsed():
    assert settings.read("ATLAS_TILES", {"ATLAS_TILES": " Offline "}) == "offline"
    for word, value in (("1", True), ("YES", True), ("on", True), ("0", False), ("off", False), ("no", False)):
        assert settings.read("ATLAS_EDITING", {"ATLAS_EDITING": word}) is value, word
    assert settings.read("ATLAS_DATA_DIR", {"ATLAS_DATA_DIR": "/tmp/x"}) == Path("/tmp/x")


def test_invalid_values_fall_back_with_a_clear_message(caplog):
    env = {"ATLAS_TILES": "satellite", "ATLAS_EDITING": "maybe", "ATLAS_GEOCODER_SCHEME": "ftp"}
    with caplog.at_level(logging.WARNING):
        assert settings.read("ATLAS_TILES", env) == "auto"
        assert settings.read("ATLAS_EDITING", env) is False
        assert settings.read("ATLAS_GEOCODER_SCHEME", env) is None
    assert "ATLAS_TILES='satellite' is not valid: expected one of auto, osm, offline; using the default (auto)" \
        in caplog.text
    messages = settings.problems(env)
    assert len(messages) == 3 and any("ATLAS_EDITING" in m and "off" in m for m in messages)


def test_a_secret_is_never_quoted_in_a_message():
    message = settings.REGISTRY["ATLAS_GEOCODER_API_KEY"].check({"ATLAS_GEOCODER_API_KEY": "k\x00" + "x" * 10})
    assert message and "(hidden)" in message and "xxxx" not in message


def test_an_unregistered_name_is_an_error():
    with pytest.raises(KeyError):
        settings.read(PREFIX + "NOT_A_SETTING")


def test_the_dashboard_config_reads_through_the_registry(tmp_path):
    cfg = config_from_env({"ATLAS_ARTICLES_DIR": str(tmp_path), "ATLAS_EDITING": "nonsense"})
    assert cfg.articles_dir == tmp_path and cfg.editing is False
    assert cfg.overrides == (REPO / "geodata" / "overrides.csv").resolve()
