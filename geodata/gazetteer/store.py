"""Read side of the gazetteer: a lazily opened, read-only SQLite index."""
from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from geodata.errors import GazetteerError
from geodata.model import Candidate, Place

from .build import DEFAULT_INDEX_PATH, NAME_TYPE_RANK, SCHEMA_VERSION
from .normalize import normalize

_PLACE_COLS = "p.pk, p.id, p.name, p.kind, p.lat, p.lon, p.country, p.geonameid, p.population, p.source, p.admin1, p.prior"
# A match on an alternate spelling ranks as if the place were 10x smaller (settlements only),
# so "Zeebrugge" prefers Zeebrugge to a town that lists it as a variant.
_ALTERNATE_PENALTY = 1.0
_CODE_PENALTY = 200.0
_HINT = "run `python -m geodata index` to build it"


def _place(row, admin1_names: dict[str, str] | None = None) -> Place:
    admin1_name = admin1_names.get(row[10]) if admin1_names and row[10] else None
    return Place(id=row[1], name=row[2], kind=row[3], lat=row[4], lon=row[5], country=row[6], geonameid=row[7],
                 population=row[8] or 0, source=row[9], admin1=row[10], admin1_name=admin1_name)


class Gazetteer:
    """Offline place-name index. Open with `Gazetteer.open()`; thread-safe for readers."""

    def __init__(self, con: sqlite3.Connection, path: Path, meta: dict[str, str]):
        self._con = con
        self.path = path
        self.meta = meta
        self._lock = threading.Lock()
        self._lookup_cached = lru_cache(maxsize=200_000)(self._lookup_key)
        self._admin1_names: dict[str, str] | None = None

    def _place(self, row) -> Place:
        """A row as a Place, with the name of its first-level division (from the index's admin1 rows)."""
        if self._admin1_names is None:
            names: dict[str, str] = {}
            for code, name in self._query("SELECT admin1, name FROM places WHERE kind = 'admin1' "
                                          "AND admin1 IS NOT NULL ORDER BY prior"):
                names[code] = name  # the highest prior last: it wins
            self._admin1_names = names
        return _place(row, self._admin1_names)

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> "Gazetteer":
        """Open the index at `path` (default DEFAULT_INDEX_PATH). Raises GazetteerError when it is
        missing, unreadable or from another schema version."""
        path = Path(path) if path is not None else DEFAULT_INDEX_PATH
        if not path.is_file():
            raise GazetteerError(f"gazetteer index not found at {path}; {_HINT}")
        try:
            con = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            con.execute("SELECT 1 FROM names LIMIT 1").fetchall()
            con.execute(f"SELECT {_PLACE_COLS} FROM places p LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise GazetteerError(f"gazetteer index at {path} is unreadable ({exc}); {_HINT} --force") from exc
        if meta.get("schema_version") != SCHEMA_VERSION:
            con.close()
            raise GazetteerError(
                f"gazetteer index at {path} has schema {meta.get('schema_version')!r}, expected {SCHEMA_VERSION!r}; "
                f"{_HINT} --force")
        return cls(con, path, meta)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> "Gazetteer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _query(self, sql: str, params=()) -> list:
        with self._lock:
            try:
                return self._con.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise GazetteerError(f"gazetteer index at {self.path} is unreadable ({exc}); {_HINT} --force") from exc

    # ---- lookups ---------------------------------------------------------------------------
    def _lookup_key(self, key: str) -> tuple[Candidate, ...]:
        rows = self._query(
            f"SELECT {_PLACE_COLS}, n.name_type FROM names n JOIN places p ON p.pk = n.pk WHERE n.key = ?", (key,))

        def score(row):
            prior = row[11]
            if row[12] in ("alternate", "code") and row[3] in ("settlement", "admin2"):
                prior -= _ALTERNATE_PENALTY
            elif row[12] == "code":
                # an ISO/postal code ("KY", "IN") ranks below every spelled-out or abbreviated name
                prior -= _CODE_PENALTY
            return (-prior, NAME_TYPE_RANK.get(row[12], 9), row[0])

        rows.sort(key=score)
        return tuple(Candidate(self._place(r), r[12]) for r in rows)

    def lookup(self, name: str) -> list[Candidate]:
        """Every place one of whose names equals `name` after normalisation, best prior first."""
        key = normalize(name)
        if not key:
            return []
        return list(self._lookup_cached(key))

    def contains(self, name: str) -> bool:
        """True when some place has this name (after normalisation)."""
        key = normalize(name)
        if not key:
            return False
        return bool(self._query("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,)))

    def get(self, place_id: str) -> Place | None:
        """The place with this id (GeoNames id as a string, or a slug), or None."""
        rows = self._query(f"SELECT {_PLACE_COLS} FROM places p WHERE p.id = ?", (str(place_id),))
        return self._place(rows[0]) if rows else None

    def by_geonameid(self, geonameid: int) -> Place | None:
        rows = self._query(f"SELECT {_PLACE_COLS} FROM places p WHERE p.geonameid = ? ORDER BY p.prior DESC LIMIT 1",
                           (int(geonameid),))
        return self._place(rows[0]) if rows else None

    def search(self, query: str, limit: int = 20) -> list[Place]:
        """Places whose name starts with `query` (then, if too few, contains it), best prior first."""
        key = normalize(query)
        if not key or limit <= 0:
            return []
        rows = self._query(
            f"SELECT {_PLACE_COLS}, MIN(CASE WHEN n.key = ? THEN 0 ELSE 1 END) AS exact, "
            f"MIN(CASE WHEN n.name_type = 'name' THEN 0 ELSE 1 END) AS alt FROM names n "
            f"JOIN places p ON p.pk = n.pk WHERE n.key >= ? AND n.key < ? "
            f"GROUP BY p.pk ORDER BY exact, alt, p.prior DESC LIMIT ?",
            (key, key, key + "\U0010ffff", limit))
        places = [self._place(r) for r in rows]
        if len(places) < limit and len(key) >= 3:
            seen = {p.id for p in places}
            like = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            more = self._query(
                f"SELECT {_PLACE_COLS} FROM places p WHERE p.pk IN "
                f"(SELECT n.pk FROM names n WHERE n.key LIKE ? ESCAPE '\\' LIMIT 2000) ORDER BY p.prior DESC LIMIT ?",
                (like, limit * 3))
            for r in more:
                if r[1] not in seen and len(places) < limit:
                    places.append(self._place(r))
                    seen.add(r[1])
        return places

    def names(self, min_population: int = 0, name_types: tuple[str, ...] | None = None) -> Iterator[str]:
        """Distinct surface names (original casing). Settlements and second-level divisions below
        `min_population` are left out; countries, first-level divisions, continents, water and
        regions are always included. `name_types` limits the kind of name (e.g. ("name", "alternate"))."""
        sql = ("SELECT DISTINCT n.surface FROM names n JOIN places p ON p.pk = n.pk "
               "WHERE (p.kind NOT IN ('settlement', 'admin2') OR p.population >= ?)")
        params: list = [int(min_population)]
        if name_types:
            sql += f" AND n.name_type IN ({','.join('?' * len(name_types))})"
            params.extend(name_types)
        with self._lock:
            cur = self._con.execute(sql, params)
            rows = cur.fetchall()
        for (surface,) in rows:
            yield surface

    # ---- helpers for resolvers and the UI --------------------------------------------------
    def country(self, code: str) -> Place | None:
        """The country with this ISO alpha-2 code."""
        rows = self._query(f"SELECT {_PLACE_COLS} FROM places p WHERE p.kind = 'country' AND p.country = ?",
                           (code.upper(),))
        return self._place(rows[0]) if rows else None

    def admin1(self, code: str) -> Place | None:
        """The first-level division with this GeoNames-style code ("US.OH", "GB.ENG")."""
        rows = self._query(f"SELECT {_PLACE_COLS} FROM places p WHERE p.kind = 'admin1' AND p.admin1 = ?", (code,))
        return self._place(rows[0]) if rows else None

    def children_admin1(self, country: str) -> list[Place]:
        """First-level divisions of a country (ISO alpha-2), by name."""
        rows = self._query(f"SELECT {_PLACE_COLS} FROM places p WHERE p.kind = 'admin1' AND p.country = ? "
                           f"ORDER BY p.name", (country.upper(),))
        return [self._place(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Number of places per kind."""
        return dict(self._query("SELECT kind, COUNT(*) FROM places GROUP BY kind"))
