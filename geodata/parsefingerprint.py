"""The fingerprint of everything besides an article's text that can change what the geoparser finds in it.

A cached parse result is reused only under the same fingerprint. It is a hash of:
- the code: the package version and the bytes of every source file under ``geodata/`` except the ones
  listed in ``NOT_PARSING`` (steps that run after parsing or read files); a new module is included by
  default, so a change cannot be forgotten, only over-counted;
- the data the parser reads: ``geodata/model_params.json`` (as loaded) and the curated files in
  ``geodata/gazetteer/`` (exonyms and the like);
- the gazetteer index: its build key and build time, file size and modification time;
- the spaCy pipelines: spaCy's version, each language model's package and version, langdetect's version;
- what the overrides feed the parser: the added places / pins / aliases (``extra_places``) and the
  surfaces excluded everywhere. Per-article overrides are applied after parsing (``Overrides.apply``)
  and are not part of it, so curating one mention reuses the whole cache;
- the parser's options (``demonyms``, ``languages``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from fnmatch import fnmatch
from importlib import metadata
from pathlib import Path

from geodata import __version__
from geodata.model import Place

PACKAGE_DIR = Path(__file__).resolve().parent
# Source files (relative to geodata/) that cannot change a parse result: they run after parsing, read the
# articles (whose text is hashed anyway), or are other commands. Anything not listed here counts, the
# build's own code too (pipeline.py, engines/: they build the parser).
NOT_PARSING = (
    "articles.py", "atomic.py", "benchmark*.py", "buildworker.py", "check.py", "cli.py", "contract.py", "csvsafe.py",
    "evaluate.py", "explain.py", "fit.py", "outputs.py", "settings.py", "store*.py",
    "synthetic.py", "baseline.py", "__main__.py", "nercache.py",
    "geocoders/*", "readers/*", "gazetteer/cli.py", "gazetteer/coverage.py",
)
_DATA_SUFFIXES = (".csv", ".json")
_MODEL_PACKAGES = ("spacy", "langdetect")


def _counts(relative: str) -> bool:
    return not any(fnmatch(relative, pattern) for pattern in NOT_PARSING)


def code_version() -> str:
    """The package version and a hash of the source and data files parsing uses."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        relative = path.relative_to(PACKAGE_DIR).as_posix()
        if "__pycache__" in relative or relative.startswith("index/") or not path.is_file():
            continue
        if path.suffix == ".py" and _counts(relative) or (
                path.suffix in _DATA_SUFFIXES and relative.startswith("gazetteer/")):
            h.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return f"{__version__}+{h.hexdigest()[:16]}"


def _version(package: str) -> str:
    for name in (package, package.replace("_", "-")):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "missing"


def model_versions() -> dict[str, str]:
    from geodata.language import PIPELINES

    packages = sorted({package for package, _ in PIPELINES.values()} | set(_MODEL_PACKAGES))
    return {package: _version(package) for package in packages}


def gazetteer_identity(gazetteer) -> dict | None:
    """What identifies the index the parser looks names up in; None when the gazetteer has no file
    (a stand-in): then nothing can be cached safely."""
    path = getattr(gazetteer, "path", None)
    meta = getattr(gazetteer, "meta", None)
    if path is None or not isinstance(meta, dict):
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return {"build_key": meta.get("build_key"), "built_at": meta.get("built_at"),
            "schema": meta.get("schema_version"), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _place(place: Place) -> list:
    return [getattr(place, f.name) for f in dataclasses.fields(Place)]


def fingerprint(gazetteer, *, extra_places: dict[str, Place] | None = None, excluded: set[str] | None = None,
                options: dict | None = None, params=None) -> str | None:
    """The hash described above (``params``: the parser's weights, default the shipped file); None when
    the gazetteer cannot be identified."""
    from geodata.params import load_params

    index = gazetteer_identity(gazetteer)
    if index is None:
        return None
    parts = {
        "code": code_version(),
        "params": (params or load_params()).as_json(),
        "models": model_versions(),
        "gazetteer": index,
        "extra_places": sorted([surface, _place(p)] for surface, p in (extra_places or {}).items()),
        "excluded": sorted(excluded or ()),
        "options": options or {},
    }
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]
