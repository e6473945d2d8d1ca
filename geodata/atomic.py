"""Atomic file writes: readers see the old file or the new one, never half a file."""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


def _permissions_for(path: Path) -> int:
    """mkstemp makes owner-only files: give the replacement the old file's mode, else 0666 less umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path`` in one rename.

    If the block raises (or the process dies), ``path`` is left untouched and the temporary file removed.
    The new file keeps the old one's permissions (a new file gets the usual umask-based ones).
    """
    binary = "b" in mode
    with atomic_path(path) as tmp:
        with open(tmp, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """For writers that need a file name rather than a handle (SQLite): yields a temporary path beside
    ``path`` that replaces ``path`` when the block succeeds and is removed when it fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp_name)
        os.chmod(tmp_name, _permissions_for(path))
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def _json_text(obj, indent: int | None) -> str:
    """The file's text in one piece: ``json.dumps`` runs the C encoder (without an indent), where
    ``json.dump`` to a file runs the pure-Python one (same text; 1.1 s against 0.16 s for the 9 MB
    places.geojson of 1,000 generated articles)."""
    return json.dumps(obj, ensure_ascii=False, indent=indent) + "\n"


def write_json(path: str | os.PathLike, obj, *, indent: int | None = None) -> None:
    with atomic_open(path, "w") as fh:
        fh.write(_json_text(obj, indent))


class StagedFiles:
    """Write several files as one unit: each is staged as a temporary file beside its target, and only
    when every one is complete are they renamed into place (in the order they were staged).
    An error or interruption before that leaves every target as it was."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []

    def _stage(self, path: str | os.PathLike) -> tuple[int, str, Path]:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, _permissions_for(path))
        self._staged.append((tmp, path))
        return fd, tmp, path

    @contextmanager
    def open(self, path: str | os.PathLike, mode: str = "w", encoding: str = "utf-8") -> Iterator[IO]:
        fd, _, _ = self._stage(path)
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())

    def write_json(self, path: str | os.PathLike, obj, *, indent: int | None = None) -> None:
        with self.open(path) as fh:
            fh.write(_json_text(obj, indent))

    def commit(self) -> None:
        for tmp, path in self._staged:
            os.replace(tmp, path)
        self._staged.clear()

    def discard(self) -> None:
        for tmp, _ in self._staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        self._staged.clear()

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, exc_type, _exc, _tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def create_new(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` only if no file is there (FileExistsError otherwise, even when another
    writer creates it at the same moment): written to a hidden temporary file beside it, then linked
    into place, so a reader sees the whole file or none."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _permissions_for(path))
        os.link(tmp_name, path)  # fails if path exists: never replaces a file
    finally:
        os.unlink(tmp_name)
