"""Each article's detected language in the article list, and the build's notice for a language without
its own pipeline, through a real build (texts written for this test)."""
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import load_atlas

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "dashboard" / "app.py")
GERMAN = ("Die Fähre fährt wieder\n\nDie Fähre zwischen Calais und Dover fährt seit Montag wieder nach dem "
          "Fahrplan. Die Behörden in beiden Häfen sagten, dass die Kontrollen schneller geworden sind und dass "
          "die Reisenden weniger lange warten müssen als im vergangenen Sommer.\n")
ENGLISH = "Ferries again\n\nThe ferry between Calais and Dover is running to its timetable again.\n"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    articles = tmp_path_factory.mktemp("articles")
    (articles / "de.txt").write_text(GERMAN, encoding="utf-8")
    (articles / "en.txt").write_text(ENGLISH, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run([sys.executable, "-m", "geodata", "build", "--articles", str(articles), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return articles, out


def test_the_language_and_its_notice_reach_the_dashboard(build):
    _, out = build
    atlas = load_atlas(out)
    assert atlas.languages == {"de": "de", "en": "en"}
    assert set(atlas.language_notices) == {"de"} and "English" in atlas.language_notices["de"]


def test_the_article_list_tags_the_language_and_warns_of_the_fallback(build, monkeypatch):
    articles, out = build
    monkeypatch.setenv("ATLAS_DATA_DIR", str(out))
    monkeypatch.setenv("ATLAS_ARTICLES_DIR", str(articles))
    monkeypatch.setenv("ATLAS_TILES", "offline")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert any("language without its own pipeline" in w.value and "DE" in w.value for w in at.warning)
    at.session_state["panel_view"] = "Articles"
    at.run()
    labels = {c.label: c for c in at.checkbox}
    german = next(c for label, c in labels.items() if label.startswith("Die Fähre"))
    english = next(c for label, c in labels.items() if label.startswith("Ferries"))
    assert german.label.endswith("`DE`") and "`" not in english.label
    assert "parsed with the English one" in german.help
