"""Offline gazetteer: a SQLite index of place names built from pinned packages.

    from geodata.gazetteer import Gazetteer, build_index, DEFAULT_INDEX_PATH, main
    build_index()                 # or: python -m geodata index
    g = Gazetteer.open()
    g.lookup("Ohio")              # [Candidate(Place(... kind='admin1', admin1='US.OH'), 'name'), ...]
"""
from .build import DEFAULT_INDEX_PATH, build_index, index_is_current
from .cli import main
from .normalize import normalize
from .store import Gazetteer

__all__ = ["DEFAULT_INDEX_PATH", "Gazetteer", "build_index", "index_is_current", "main", "normalize"]
