"""The two parse engines give the same outputs and the same store; the default one needs no dask."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.store import table_rows
from geodata.store_schema import STORE_LINK, read_manifest
from tests.test_store import build_corpus

REPO = Path(__file__).resolve().parent.parent
OUTPUTS = ("places.geojson", "gazetteer.csv", "articles.json")


def test_the_in_process_engine_imports_no_dask():
    code = ("import sys; from geodata import cli, pipeline; from geodata.engines import open_engine; "
            "open_engine('in-process'); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.timeout(540)
def test_dask_on_a_local_cluster_gives_the_in_process_outputs_and_store(tmp_path):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("action,surface\nexclude,Lyon\n", encoding="utf-8")  # applied on the workers too
    reference = build_corpus(tmp_path, tmp_path / "in-process", overrides_path=overrides)
    report = build_corpus(tmp_path, tmp_path / "dask", overrides_path=overrides, engine="dask", workers=2)
    assert report.engine["name"] == "dask" and report.engine["workers"] == 2
    assert report.engine["parts"] == 3 and len(report.engine["peak_mb"]) == 2
    assert reference.engine["name"] == "in-process"
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "in-process" / name).read_bytes(), name
    features = json.loads((tmp_path / "dask" / "places.geojson").read_text(encoding="utf-8"))["features"]
    assert "Paris" in {f["properties"]["name"] for f in features}
    assert not {m["text"] for f in features for m in f["properties"]["mentions"]} & {"Lyon"}
    dask_store = read_manifest(tmp_path / "dask" / STORE_LINK)
    assert len(dask_store.files["mentions"]) == 3  # one part per article, each written by a worker
    assert len(read_manifest(tmp_path / "in-process" / STORE_LINK).files["mentions"]) == 1
    assert table_rows(tmp_path / "dask") == table_rows(tmp_path / "in-process")
