"""Curation: a human-edited CSV of corrections applied to every article.

File format (``geodata/overrides.csv``; UTF-8, one action per line)
-------------------------------------------------------------------
Lines starting with ``#`` and blank lines are ignored. The first other line is the header::

    action,surface,place_id,name,kind,country,lat,lon,article,start,note

Columns may come in any order; only ``action`` is always required. Every row is one action:

``add``
    A place no offline gazetteer has (a street, a landmark). Needs ``name``, ``kind`` (one of
    ``geodata.model.KINDS``), ``lat`` and ``lon``; ``country`` (ISO 3166 alpha-2) is optional.
    ``place_id`` is optional (default ``override-<name>-<country>``). The place is recognised by its
    ``name`` and, when given, by ``surface`` too.
``pin``
    ``surface`` always means one place: ``place_id`` (a gazetteer id, or the id of an ``add`` row), or
    else the gazetteer's best match for ``name`` (narrowed by ``country`` / ``kind`` when given).
    With ``article`` (and optionally ``start``, the mention's character offset) the pin applies to that
    article (or that one mention) only.
``alias``
    ``surface`` is another name of a place (same target columns as ``pin``), e.g. ``Dunkerque`` for
    Dunkirk or ``the Channel`` for the English Channel. Always global.
``exclude``
    ``surface`` is never a place: everywhere, or with ``article`` only in that article, or with
    ``article`` and ``start`` only that one mention.

``note`` is free text for reviewers. Surface forms match as the gazetteer matches names
(``geodata.names.name_key``): ignoring case, accents, runs of spaces, dots and hyphens, a leading "the", and
Saint/St, Mount/Mt, Fort/Ft ("Rue de Judée" == "rue de  judee", "St. Louis" == "Saint Louis").
A header that names a column twice is an error: no row of that file is applied. Cells the dashboard writes
that a spreadsheet would run as a formula are prefixed with ``'`` (``geodata.csvsafe``); reading undoes it. A later row for the same surface and scope replaces an earlier
one (and the earlier one is reported).

Loading never raises for a bad row: ``load_overrides`` collects ``(line_number, message)`` in
``Overrides.problems`` and applies every other row. Writers (``append_override``) validate first and
rewrite the file atomically.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Protocol

try:
    import fcntl
except ImportError:  # not POSIX: writes are still atomic, just not serialised
    fcntl = None

from geodata import atomic, settings
from geodata.csvsafe import safe_cell, unsafe_cell
from geodata.errors import OverrideError
from geodata.model import KINDS, Mention, Place, ResolvedMention
from geodata.names import name_key, slugify

COLUMNS = ("action", "surface", "place_id", "name", "kind", "country", "lat", "lon", "article", "start", "note")
ACTIONS = ("add", "pin", "alias", "exclude")
SOURCE = "override"
MAX_ALTERNATIVES = 8

FILE_HEADER = """\
# Article Atlas curation overrides: one action per line; see geodata/overrides.py for the full format.
#   add     : a new place (name, kind, lat, lon, optional country/place_id); recognised by name and surface
#   pin     : surface -> place_id (gazetteer id or an add row's id) or the best gazetteer match for name;
#             optional article (and start offset) limits it to one article (or one mention)
#   alias   : surface is another name of place_id / name
#   exclude : surface is never a place; optional article (and start) limits it
# Lines starting with # are comments. Applied by every `python -m geodata build`.
"""


def default_overrides_path() -> Path:
    """``$ATLAS_OVERRIDES`` or ``<repo>/geodata/overrides.csv``."""
    return settings.read("ATLAS_OVERRIDES")


def surface_key(text: str) -> str:
    """Matching key of a surface form: the project's one name key (``geodata.names.name_key``), so the
    spellings the gazetteer equates ("St. Louis", "Saint Louis") match the same override."""
    return name_key(text)


class GazetteerLike(Protocol):
    def get(self, place_id: str) -> Place | None: ...

    def lookup(self, name: str) -> list: ...


@dataclass(frozen=True)
class OverrideRow:
    """One line of the overrides file, as text (empty string = not given)."""

    action: str
    surface: str = ""
    place_id: str = ""
    name: str = ""
    kind: str = ""
    country: str = ""
    lat: str = ""
    lon: str = ""
    article: str = ""
    start: str = ""
    note: str = ""
    line: int = 0

    @classmethod
    def from_mapping(cls, row: Mapping[str, object], line: int = 0) -> "OverrideRow":
        values = {}
        for col in COLUMNS:
            value = row.get(col, "")
            values[col] = "" if value is None else unsafe_cell(str(value).strip())
        values["action"] = values["action"].lower()
        return cls(line=line, **values)

    def as_dict(self) -> dict[str, str]:
        return {col: getattr(self, col) for col in COLUMNS}

    def to_csv_line(self) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([safe_cell(getattr(self, c)) for c in COLUMNS])
        return buf.getvalue()


def _float(value: str, low: float, high: float, what: str, errors: list[str]) -> float | None:
    try:
        number = float(value)
    except ValueError:
        errors.append(f"{what} {value!r} is not a number")
        return None
    if not math.isfinite(number) or not low <= number <= high:
        errors.append(f"{what} {value!r} is outside [{low:g}, {high:g}]")
        return None
    return number


def validate_row(row: OverrideRow) -> list[str]:
    """Every reason this row cannot be applied (empty list = valid). Gazetteer ids are checked later."""
    errors: list[str] = []
    if row.action not in ACTIONS:
        return [f"unknown action {row.action!r} (expected one of {', '.join(ACTIONS)})"]
    if row.kind and row.kind not in KINDS:
        errors.append(f"unknown kind {row.kind!r} (expected one of {', '.join(KINDS)})")
    if row.country and not re.fullmatch(r"[A-Za-z]{2}", row.country):
        errors.append(f"country {row.country!r} is not an ISO 3166 alpha-2 code")
    if row.start:
        if not row.start.isdigit():
            errors.append(f"start {row.start!r} is not a character offset (a whole number >= 0)")
        if not row.article:
            errors.append("start needs article")
    for col in ("surface", "name", "place_id", "article"):
        if any(ch in getattr(row, col) for ch in "\r\n"):
            errors.append(f"{col} contains a line break")
    if row.action == "add":
        if not row.name:
            errors.append("add needs name")
        if not row.kind:
            errors.append("add needs kind")
        if not row.lat or not row.lon:
            errors.append("add needs lat and lon")
        else:
            _float(row.lat, -90.0, 90.0, "lat", errors)
            _float(row.lon, -180.0, 180.0, "lon", errors)
        if row.article or row.start:
            errors.append("add is global: article/start are not allowed")
        if not slugify(row.place_id or row.name):
            errors.append("add needs a place_id or name with letters or digits")
    elif row.action in ("pin", "alias"):
        if not surface_key(row.surface):
            errors.append(f"{row.action} needs surface")
        if not row.place_id and not row.name:
            errors.append(f"{row.action} needs place_id or name (the target place)")
        if row.action == "alias" and (row.article or row.start):
            errors.append("alias is global: article/start are not allowed (use pin)")
        if row.lat or row.lon:
            errors.append(f"{row.action} takes no lat/lon (add the place first, then pin to its place_id)")
    elif row.action == "exclude":
        if not surface_key(row.surface):
            errors.append("exclude needs surface")
    return errors


def _added_place(row: OverrideRow) -> Place:
    country = row.country.upper() or None
    place_id = row.place_id or "override-" + slugify(row.name) + (f"-{country.lower()}" if country else "")
    return Place(
        id=place_id, name=row.name, kind=row.kind, lat=float(row.lat), lon=float(row.lon),
        country=country, source=SOURCE,
    )


def _same_target(a: OverrideRow, b: OverrideRow) -> bool:
    def target(row: OverrideRow) -> tuple:
        if row.action == "add":
            return ("id", _added_place(row).id)
        if row.place_id:
            return ("id", row.place_id)
        return ("name", surface_key(row.name), row.country.upper(), row.kind)
    return target(a) == target(b)


@dataclass
class Overrides:
    """Parsed overrides. ``problems`` lists ``(line_number, message)`` for every row not applied."""

    path: Path | None = None
    rows: list[OverrideRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # rows superseded by a later row
    added: dict[str, Place] = field(default_factory=dict)  # place id -> Place
    _recognised: dict[str, tuple[list[str], OverrideRow]] = field(default_factory=dict)  # key -> (spellings, row)
    _global_excludes: dict[str, OverrideRow] = field(default_factory=dict)  # key -> row
    _article_pins: dict[tuple[str, str, int | None], OverrideRow] = field(default_factory=dict)
    _article_excludes: dict[tuple[str, str, int | None], OverrideRow] = field(default_factory=dict)
    _resolved: dict[int, Place | None] = field(default_factory=dict)  # row line -> target place
    _resolved_with: object = None
    _alt_cache: dict[tuple[int, str], list[Place]] = field(default_factory=dict)

    # -- building -------------------------------------------------------------------------------
    def _problem(self, line: int, message: str) -> None:
        if (line, message) not in self.problems:
            self.problems.append((line, message))

    def _note(self, line: int, message: str) -> None:
        if (line, message) not in self.notes:
            self.notes.append((line, message))

    def add_row(self, row: OverrideRow) -> bool:
        """Validate and index one row; returns False (and records a problem) if it is not applied."""
        errors = validate_row(row)
        if errors:
            self._problem(row.line, "; ".join(errors))
            return False
        if row.action == "add":
            place = _added_place(row)
            if place.id in self.added:
                self._problem(row.line, f"place_id {place.id!r} is already added by an earlier row; row ignored")
                return False
            self.added[place.id] = place
            for surface in dict.fromkeys(x for x in (row.name, row.surface) if x):
                self._set_recognised(surface, row)
        elif row.action == "alias" or (row.action == "pin" and not row.article):
            self._set_recognised(row.surface, row)
        elif row.action == "pin":
            scope = (row.article, surface_key(row.surface), int(row.start) if row.start else None)
            self._replace(self._article_pins, scope, row, "pin")
        elif row.action == "exclude" and not row.article:
            key = surface_key(row.surface)
            if key in self._recognised:
                earlier = self._recognised.pop(key)[1]
                self._note(earlier.line, f"{row.surface!r} is excluded everywhere by line {row.line}")
            self._global_excludes[key] = row
        else:
            scope = (row.article, surface_key(row.surface), int(row.start) if row.start else None)
            self._replace(self._article_excludes, scope, row, "exclude")
        self.rows.append(row)
        self._resolved_with = None
        return True

    def _replace(self, table: dict, key, row: OverrideRow, what: str) -> None:
        if key in table:
            self._note(table[key].line, f"replaced by the {what} on line {row.line}")
        table[key] = row

    def _set_recognised(self, surface: str, row: OverrideRow) -> None:
        key = surface_key(surface)
        if key in self._global_excludes:
            earlier = self._global_excludes.pop(key)
            self._note(earlier.line, f"exclusion of {surface!r} replaced by the {row.action} on line {row.line}")
        if key in self._recognised:
            spellings, earlier = self._recognised[key]
            if earlier is row:
                if surface not in spellings:
                    spellings.append(surface)
                return
            if not _same_target(earlier, row):
                self._note(earlier.line, f"{surface!r} is redefined by the {row.action} on line {row.line}")
        self._recognised[key] = ([surface], row)

    # -- resolving targets ----------------------------------------------------------------------
    def _target(self, row: OverrideRow, gazetteer: GazetteerLike | None) -> Place | None:
        if self._resolved_with is not gazetteer:
            self._resolved = {}
            self._resolved_with = gazetteer
        cache_key = id(row)
        if cache_key in self._resolved:
            return self._resolved[cache_key]
        place = self._find_target(row, gazetteer)
        self._resolved[cache_key] = place
        return place

    def _find_target(self, row: OverrideRow, gazetteer: GazetteerLike | None) -> Place | None:
        if row.action == "add":
            return self.added[_added_place(row).id]
        if row.place_id:
            if row.place_id in self.added:
                return self.added[row.place_id]
            if gazetteer is None:
                self._problem(row.line, f"place_id {row.place_id!r} needs the gazetteer, which is not available")
                return None
            try:
                place = gazetteer.get(row.place_id)
            except Exception as exc:  # a broken gazetteer must not stop the build
                self._problem(row.line, f"gazetteer lookup of {row.place_id!r} failed: {exc}")
                return None
            if place is None:
                self._problem(row.line, f"unknown place_id {row.place_id!r} (not in the gazetteer nor added)")
                return None
            return dataclasses.replace(place, source=SOURCE)
        # by name
        if gazetteer is None:
            self._problem(row.line, f"name {row.name!r} needs the gazetteer, which is not available")
            return None
        try:
            answers = gazetteer.lookup(row.name)
        except Exception as exc:
            self._problem(row.line, f"gazetteer lookup of {row.name!r} failed: {exc}")
            return None
        for answer in answers:
            place = getattr(answer, "place", answer)
            if row.country and (place.country or "").upper() != row.country.upper():
                continue
            if row.kind and place.kind != row.kind:
                continue
            return dataclasses.replace(place, source=SOURCE)
        narrowed = " ".join(x for x in (row.country, row.kind) if x)
        self._problem(row.line, f"no gazetteer place named {row.name!r}" + (f" ({narrowed})" if narrowed else ""))
        return None

    # -- what the pipeline uses -----------------------------------------------------------------
    @property
    def excluded_everywhere(self) -> set[str]:
        """Surface forms (as written in the file) never reported as places."""
        return {row.surface for row in self._global_excludes.values()}

    def extra_places(self, gazetteer: GazetteerLike | None) -> dict[str, Place]:
        """Surface form -> Place for every added place, global pin and alias (for the Geoparser)."""
        places: dict[str, Place] = {}
        for spellings, row in self._recognised.values():
            place = self._target(row, gazetteer)
            if place is not None:
                for surface in spellings:
                    places[surface] = place
        return places

    def check(self, gazetteer: GazetteerLike | None) -> list[tuple[int, str]]:
        """Resolve every row's target now, so ``problems`` also lists unknown place ids / names."""
        for _, row in list(self._recognised.values()):
            self._target(row, gazetteer)
        for row in list(self._article_pins.values()):
            self._target(row, gazetteer)
        return self.problems

    def check_articles(self, article_ids: Iterable[str]) -> list[tuple[int, str]]:
        """Report rows scoped to an article the build did not read (a typo, or a removed article)."""
        known = set(article_ids)
        for row in [*self._article_pins.values(), *self._article_excludes.values()]:
            if row.article not in known:
                self._problem(row.line, f"article {row.article!r} is not among the articles read; row unused")
        return self.problems

    def is_excluded(self, article_id: str, mention: Mention) -> bool:
        return self._is_excluded(article_id, surface_key(mention.text), mention.start)

    def _is_excluded(self, article_id: str, key: str, start: int) -> bool:
        if key in self._global_excludes:
            return True
        return (article_id, key, None) in self._article_excludes or (
            (article_id, key, start) in self._article_excludes
        )

    def pinned_place(self, article_id: str, mention: Mention, gazetteer: GazetteerLike | None) -> Place | None:
        """The place an override assigns to this mention, most specific scope first (None = no override)."""
        return self._pinned_place(article_id, surface_key(mention.text), mention.start, gazetteer)

    def _pinned_place(self, article_id: str, key: str, start: int, gazetteer: GazetteerLike | None) -> Place | None:
        for scope in ((article_id, key, start), (article_id, key, None)):
            row = self._article_pins.get(scope)
            if row is not None:
                return self._target(row, gazetteer)
        entry = self._recognised.get(key)
        if entry is not None:
            return self._target(entry[1], gazetteer)
        return None

    def _alternatives(self, text: str, gazetteer: GazetteerLike | None, text_key: str | None = None) -> list[Place]:
        """Gazetteer places with this name, so a pinned mention still offers its alternatives."""
        if gazetteer is None:
            return []
        key = (id(gazetteer), surface_key(text) if text_key is None else text_key)
        if key not in self._alt_cache:
            try:
                answers = gazetteer.lookup(text)
            except Exception:
                answers = []
            self._alt_cache[key] = [getattr(a, "place", a) for a in answers[:MAX_ALTERNATIVES]]
        return self._alt_cache[key]

    def apply(
        self, article_id: str, resolved: Iterable[ResolvedMention], gazetteer: GazetteerLike | None
    ) -> list[ResolvedMention]:
        """Drop excluded mentions; give pinned/aliased/added surfaces their place (``source="override"``).

        The previous choice stays among ``candidates`` (after the override) so it can be chosen back.
        New ``ResolvedMention`` objects are returned; the inputs are not modified.
        """
        out: list[ResolvedMention] = []
        for item in resolved:
            key = surface_key(item.mention.text)  # once per mention: it is the hot path of every build
            if self._is_excluded(article_id, key, item.mention.start):
                continue
            place = self._pinned_place(article_id, key, item.mention.start, gazetteer)
            if place is None:
                out.append(item)
                continue
            candidates = [place]
            if item.place is not None:
                candidates.append(item.place)
            candidates += item.candidates + self._alternatives(item.mention.text, gazetteer, key)
            seen: set[str] = set()
            unique = [c for c in candidates if not (c.id in seen or seen.add(c.id))]  # first one wins
            out.append(dataclasses.replace(item, place=place, candidates=unique, score=max(item.score, 1.0)))
        return out

    def format_problems(self) -> list[str]:
        name = str(self.path) if self.path else "overrides"
        return [f"{name}:{line}: {message}" for line, message in sorted(self.problems)]


def _split_line(text: str) -> list[str] | str:
    """The cells of one line, or why it cannot be read."""
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            return (f"unreadable CSV: a cell is longer than {csv.field_size_limit():,} characters"
                    f" (the line has {len(text):,}); row ignored")
        return f"unreadable CSV ({exc}): quotes must be balanced, one row per line; row ignored"
    return rows[0] if rows else []


def _header_problem(names: list[str]) -> str | None:
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        return ("; ".join(f"column {n!r} appears twice in the header" for n in twice)
                + ": which copy is meant is unclear, so no row of this file was applied")
    return None


def parse_overrides(text: str, path: Path | None = None) -> Overrides:
    """Parse the file's text (see the module docstring). Never raises for bad rows."""
    overrides = Overrides(path=path)
    header: list[str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = _split_line(raw)
        if isinstance(cells, str):
            overrides._problem(number, cells)
            continue
        if header is None:
            names = [c.strip().lower() for c in cells]
            if "action" in names:
                problem = _header_problem(names)
                if problem:
                    overrides._problem(number, problem)
                    return overrides
                header = names
                unknown = [n for n in names if n not in COLUMNS]
                if unknown:
                    overrides._problem(number, f"unknown column(s) {', '.join(unknown)} ignored")
                continue
            header = list(COLUMNS)
            overrides._problem(number, "no header line (action,surface,...); assuming the standard column order")
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            overrides._problem(number, f"{len(cells)} cells but {len(header)} columns; row ignored")
            continue
        row = OverrideRow.from_mapping(dict(zip(header, cells)), line=number)
        overrides.add_row(row)
    return overrides


def load_overrides(path: str | os.PathLike | None = None, gazetteer: GazetteerLike | None = None) -> Overrides:
    """Read an overrides file. A missing file gives empty overrides; an unreadable one gives a problem.

    With ``gazetteer`` every target is resolved at once, so ``problems`` is complete on return; without
    it, unknown place ids are added to ``problems`` when ``extra_places`` / ``apply`` first meet them.
    """
    overrides = _load(path)
    if gazetteer is not None:
        overrides.check(gazetteer)
    return overrides


def _load(path: str | os.PathLike | None) -> Overrides:
    path = Path(path) if path is not None else default_overrides_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Overrides(path=path)
    except OSError as exc:
        overrides = Overrides(path=path)
        overrides._problem(0, f"cannot read the file: {exc}")
        return overrides
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        overrides = Overrides(path=path)
        overrides._problem(0, f"not UTF-8 text ({exc}); nothing applied")
        return overrides
    return parse_overrides(text, path)


# -- writers (used by the dashboard) ------------------------------------------------------------
@contextlib.contextmanager
def _locked(path: Path):
    """Serialise writers of one overrides file (two dashboard sessions fixing places at once): an
    exclusive lock on its folder, which leaves no lock file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read_raw(path: Path) -> tuple[str, str, str]:
    """(BOM, text with its own line endings, the line ending new rows should use)."""
    data = path.read_bytes()
    bom = ""
    if data.startswith(b"\xef\xbb\xbf"):
        bom, data = "\ufeff", data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise OverrideError(f"{path} is not UTF-8 text ({error}); edit the file by hand") from None
    newline = "\r\n" if "\r\n" in text else "\n"
    return bom, text, newline


def _validated(rows: Iterable[OverrideRow | Mapping[str, object]]) -> list[OverrideRow]:
    parsed: list[OverrideRow] = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, OverrideRow):
            unknown = set(row) - set(COLUMNS)
            if unknown:
                raise OverrideError(f"row {index}: unknown column(s) {', '.join(sorted(unknown))}")
            row = OverrideRow.from_mapping(row)
        errors = validate_row(row)
        if errors:
            raise OverrideError(f"row {index} ({row.action} {row.surface or row.name!r}): " + "; ".join(errors))
        parsed.append(row)
    return parsed


def append_overrides(path: str | os.PathLike, rows: Iterable[OverrideRow | Mapping[str, object]]) -> list[OverrideRow]:
    """Validate every row, then append them all in one atomic rewrite (temp file + os.replace).

    Raises ``OverrideError`` (nothing written) if any row is invalid, would clash with the file (e.g. an
    ``add`` whose place_id is taken) or the file's header is not the standard one. Creates the file (with
    the format comment and header) when missing. Existing bytes (BOM, line endings) are kept as they are.
    """
    path = Path(path)
    parsed = _validated(rows)
    if not parsed:
        return []
    with _locked(path):
        try:
            bom, existing, newline = _read_raw(path)
        except FileNotFoundError:
            bom, existing, newline = "", FILE_HEADER + ",".join(COLUMNS) + "\n", "\n"
        header = next(
            (line for line in existing.splitlines() if line.strip() and not line.lstrip().startswith("#")), None
        )
        if existing and not existing.endswith("\n"):
            existing += newline
        if header is None:
            existing += ",".join(COLUMNS) + newline
        elif not isinstance(cells := _split_line(header), list) or [c.strip().lower() for c in cells] != list(COLUMNS):
            raise OverrideError(f"{path}: header is {header!r}, expected {','.join(COLUMNS)!r}; edit the file by hand")
        new_text = existing + "".join(row.to_csv_line().replace("\n", newline) for row in parsed)
        # the combined file must still take these rows (e.g. no add with a place_id used twice)
        before = set(parse_overrides(existing).problems)
        first_new = len(existing.splitlines()) + 1
        fresh = [(line, msg) for line, msg in parse_overrides(new_text).problems
                 if line >= first_new and (line, msg) not in before]
        if fresh:
            raise OverrideError("; ".join(f"new row {line - first_new + 1}: {msg}" for line, msg in fresh))
        atomic.write_text(path, bom + new_text)
    return parsed


def remove_overrides(path: str | os.PathLike, rows: Iterable[OverrideRow]) -> int:
    """Undo: remove the last line equal to each row (as ``append_overrides`` wrote it), atomically.

    Returns how many lines were removed; rows no longer in the file are skipped (someone edited it).
    """
    path = Path(path)
    wanted = [row.to_csv_line().rstrip("\n") for row in rows]
    if not wanted:
        return 0
    with _locked(path):
        try:
            bom, text, _ = _read_raw(path)
        except FileNotFoundError:
            return 0
        lines = text.splitlines(keepends=True)
        removed = 0
        for target in reversed(wanted):
            for index in range(len(lines) - 1, -1, -1):
                if lines[index].rstrip("\r\n") == target:
                    del lines[index]
                    removed += 1
                    break
        if removed:
            atomic.write_text(path, bom + "".join(lines))
    return removed


def append_override(path: str | os.PathLike, row: OverrideRow | Mapping[str, object]) -> OverrideRow:
    """Append one validated row atomically (see ``append_overrides``)."""
    return append_overrides(path, [row])[0]


def pin_rows(
    surfaces: Iterable[str], place: Place | Mapping[str, object], note: str = "", known_ids: Iterable[str] = (),
    in_gazetteer: bool | None = None,
) -> list[OverrideRow]:
    """Rows that make every surface form mean ``place``: pins to its id, preceded by an ``add`` row when the
    place is not an offline gazetteer place (an online-geocoded place must carry its coordinates) and its
    id is not already among ``known_ids`` (ids added by earlier rows). ``in_gazetteer`` says whether the
    gazetteer has the id; when unknown (None) the place's ``source`` decides (``geocoder:*`` and
    ``override`` places are taken to be outside the gazetteer)."""
    props = dataclasses.asdict(place) if isinstance(place, Place) else dict(place)
    place_id = str(props.get("id") or "").strip()
    source = str(props.get("source") or "geonames")
    rows: list[OverrideRow] = []
    if not place_id:
        raise OverrideError("the chosen place has no id")
    if in_gazetteer is None:
        in_gazetteer = not (source.startswith("geocoder") or source == SOURCE)
    if not in_gazetteer and place_id not in set(known_ids):
        if props.get("lat") is None or props.get("lon") is None:
            raise OverrideError(f"place {place_id!r} has no coordinates")
        rows.append(OverrideRow(
            action="add", place_id=place_id, name=str(props.get("name") or place_id),
            kind=str(props.get("kind") or "other"), country=str(props.get("country") or ""),
            lat=repr(float(props["lat"])), lon=repr(float(props["lon"])), note=note,
        ))
    seen: set[str] = set()
    for surface in surfaces:
        key = surface_key(surface)
        if not key or key in seen:
            continue
        seen.add(key)
        rows.append(OverrideRow(action="pin", surface=surface.strip(), place_id=place_id, note=note))
    return rows
