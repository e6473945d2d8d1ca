"""The dashboard's own browser files (dashboard/static/atlas/): valid JavaScript, declared as assets."""
import shutil
import subprocess
from pathlib import Path

import pytest

from dashboard import mapview, static_files

STATIC = Path(mapview.STATIC_DIR)
SCRIPTS = sorted(STATIC.glob("*.js"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_parses(script):
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "node (installed with npm at set-up) is needed to check the dashboard's JavaScript"
    proc = subprocess.run([node, "--check", str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_every_script_is_declared_by_an_element():
    """No orphan file: each script in static/atlas is loaded by some map element."""
    m = mapview.base_map([[50, 1], [52, 4]], "offline")
    declared = set()
    stack = [m]
    while stack:
        e = stack.pop()
        declared |= {u.split("?")[0].rsplit("/", 1)[1] for _, u in getattr(e, "default_js", [])}
        stack += list(getattr(e, "_children", {}).values())
    assert {p.name for p in SCRIPTS} <= declared, declared


def test_static_url_changes_with_the_content(tmp_path):
    (tmp_path / "x.js").write_text("var a = 1;")
    first = static_files.static_url("x.js", tmp_path)
    (tmp_path / "x.js").write_text("var a = 2;")
    assert first != static_files.static_url("x.js", tmp_path)
    assert first.startswith(static_files.STATIC_URL + "/x.js?v=")
