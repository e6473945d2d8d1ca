"""spaCy's entities, cached on disk per text, for commands that parse the same corpora again and again.

``evaluate --held-out`` and ``fit`` parse every corpus once per rotation; spaCy is 90 % of that cost and
its output does not depend on anything they change. ``CachedNER(path).pipe(texts)`` yields light
documents with only what the recognizer reads (``text`` and ``ents``: start_char, end_char, label_,
text), running spaCy only on texts not in the cache; ``save()`` writes the cache atomically. The cache
key is the SHA-1 of the text and the file name carries the model's name and version, so a new model
never reads an old cache.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from geodata import atomic

DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[1] / ".eval-cache"


@dataclass(frozen=True)
class Ent:
    start_char: int
    end_char: int
    label_: str
    text: str


@dataclass(frozen=True)
class EntDoc:
    text: str
    ents: tuple[Ent, ...]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


class CachedNER:
    """A stand-in for the spaCy pipeline's ``pipe`` that remembers each text's entities."""

    def __init__(self, cache_dir: str | os.PathLike | None = None):
        from geodata.recognize import SPACY_MODEL

        self._nlp = None
        folder = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
        self.path = folder / f"ner-{SPACY_MODEL}-{_model_version()}.pkl"
        self._ents: dict[str, tuple] = {}
        self._dirty = False
        if self.path.is_file():
            try:
                with self.path.open("rb") as fh:
                    self._ents = pickle.load(fh)
            except (OSError, pickle.UnpicklingError, EOFError):
                self._ents = {}  # a damaged cache is rebuilt

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[EntDoc]:
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if _key(t) not in self._ents]
        if missing:
            from geodata.recognize import load_nlp

            nlp = self._nlp or load_nlp()
            self._nlp = nlp
            for text, doc in zip(missing, nlp.pipe(missing, batch_size=batch_size)):
                self._ents[_key(text)] = tuple((e.start_char, e.end_char, e.label_, e.text) for e in doc.ents)
            self._dirty = True
        for text in texts:
            yield EntDoc(text, tuple(Ent(*e) for e in self._ents[_key(text)]))

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.atomic_open(self.path, "wb") as fh:
            pickle.dump(self._ents, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._dirty = False


def _model_version() -> str:
    from importlib import metadata

    from geodata.recognize import SPACY_MODEL

    try:
        return metadata.version(SPACY_MODEL.replace("_", "-"))
    except metadata.PackageNotFoundError:  # pragma: no cover - environment problem
        return "unknown"
