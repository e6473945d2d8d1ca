"""One call for recognition + resolution: ``Geoparser.parse(text) -> [ResolvedMention]``.

Also the ``parse`` command: ``python -m geodata parse --jsonl IN --out OUT`` reads ``{"id", "text"}``
lines and writes ``{"id", "toponyms": [{"start", "end", "name", "lat", "lon", "geonameid", "role"}]}`` lines
(``role``: "place" for a place named outright, "adjective" for a nationality word: "Russian officials").
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Iterable, Iterator

from geodata import atomic, nerscope
from geodata.malloc import keep_freed_memory
from geodata.errors import AtlasError
from geodata.jsonl import read_jsonl
from geodata.language import ENGLISH, detect_language, pipeline_language
from geodata.model import Mention, Place, ResolvedMention
from geodata.params import Params, load_params
from geodata.recognize import CachedGazetteer, Recognizer, load_language_nlp, load_nlp
from geodata.resolve import Resolver

# Long texts are cut into pieces of this many characters for spaCy (its default limit is 1,000,000).
_NLP_CHUNK = 100_000
# Texts per spaCy batch: 16 is about 10 % cheaper per article than 64 (the NER's per-batch arrays stay
# in cache; measured on LGL, same entities).
NER_BATCH = 16


class Geoparser:
    """Finds place mentions in text and resolves them with the offline gazetteer.

    ``extra_places``: surface forms that are always recognised (whole word, case-sensitive) and resolved
    to the given Place. ``excluded``: surface forms that are never reported. ``demonyms``: report
    nationality words ("Russian officials", "British troops") as mentions of their country with role
    "adjective" (on by default; annotation conventions differ - LGL and TR-News count them, GeoVirus does
    not - so consumers filter on the role: the map shows them only as a layer). ``params``: the
    weights (default: the shipped ``geodata/model_params.json``). ``nlp``: anything with spaCy's
    ``pipe(texts, batch_size)`` (default: the small English model; ``geodata.nercache.CachedNER`` for
    commands that parse the same corpora many times). ``languages``: detect each text's language and
    parse French with the French pipeline (loaded at the first French text); other languages, and every
    text when False, go through the English one.
    """

    def __init__(self, gazetteer=None, extra_places: dict[str, Place] | None = None,
                 excluded: set[str] | None = None, batch_size: int = 64,
                 demonyms: bool = True, params: Params | None = None, nlp=None, languages: bool = True,
                 all_sentences: bool = False):
        if gazetteer is None:
            from geodata.gazetteer import Gazetteer

            gazetteer = Gazetteer.open()
        self.gazetteer = gazetteer
        keep_freed_memory()  # NER batches reuse freed memory instead of new pages (geodata/malloc.py)
        cached = CachedGazetteer(gazetteer)
        self.nlp = nlp if nlp is not None else load_nlp()
        self.params = params or load_params()
        self._options = {"extra_places": extra_places, "excluded": excluded, "demonyms": demonyms,
                         "params": self.params}
        self.recognizer = Recognizer(cached, **self._options)
        self.resolver = Resolver(cached, params=self.params)
        self.batch_size = batch_size
        self.languages = languages
        self.all_sentences = all_sentences
        self._pipelines = {ENGLISH: (self.nlp, self.recognizer)}

    def _pipeline(self, language: str):
        """(spaCy pipeline, recognizer) for a language that has one, built at its first text."""
        if language not in self._pipelines:
            from geodata.exonyms import ExonymGazetteer

            gaz = CachedGazetteer(ExonymGazetteer(self.gazetteer, language))
            self._pipelines[language] = (load_language_nlp(language),
                                         Recognizer(gaz, language=language, **self._options))
        return self._pipelines[language]

    def pipeline_for(self, text: str) -> tuple[str, object, Recognizer]:
        """(detected language, spaCy pipeline, recognizer) for one text."""
        language = self.language_of(text)
        nlp, recognizer = self._pipeline(pipeline_language(language))
        return language, nlp, recognizer

    def language_of(self, text: str) -> str:
        """The detected language of a text (ISO 639-1), or "en" when detection is off."""
        return detect_language(text) if self.languages else ENGLISH

    def _finish(self, text: str, docs, recognizer: Recognizer) -> list[ResolvedMention]:
        found = []
        for offset, doc in docs:
            piece = doc.text
            for f in recognizer.recognize(piece, doc):
                if offset:
                    f.mention = Mention(f.mention.start + offset, f.mention.end + offset, f.mention.text)
                found.append(f)
        resolved = self.resolver.resolve(text, found)
        resolved.sort(key=lambda r: (r.start, r.end))
        return resolved

    @staticmethod
    def _pieces(text: str) -> list[tuple[int, str]]:
        if len(text) <= _NLP_CHUNK:
            return [(0, text)]
        pieces = []
        pos = 0
        while pos < len(text):
            end = min(len(text), pos + _NLP_CHUNK)
            if end < len(text):
                cut = text.rfind("\n", pos + _NLP_CHUNK // 2, end)
                if cut == -1:
                    cut = text.rfind(" ", pos + _NLP_CHUNK // 2, end)
                end = cut + 1 if cut != -1 else end
            pieces.append((pos, text[pos:end]))
            pos = end
        return pieces

    def parse(self, text: str) -> list[ResolvedMention]:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        return next(self.parse_many([text]))

    def parse_many(self, texts: Iterable[str]) -> Iterator[list[ResolvedMention]]:
        """Parse many texts, batching them through spaCy; yields one list per text, in order."""
        for _, resolved in self.parse_many_with_language(texts):
            yield resolved

    def parse_many_with_language(self, texts: Iterable[str]) -> Iterator[tuple[str, list[ResolvedMention]]]:
        """Like parse_many, with each text's detected language: yields (language, mentions)."""
        pending: list[str] = []
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"text must be a str, not {type(text).__name__}")
            pending.append(text)
            if len(pending) >= self.batch_size:
                yield from self._run(pending)
                pending = []
        if pending:
            yield from self._run(pending)

    def _run(self, texts: list[str]) -> Iterator[tuple[str, list[ResolvedMention]]]:
        detected = [self.language_of(text) for text in texts]
        per_text: list[list] = [[] for _ in texts]
        for language in sorted({pipeline_language(d) for d in detected}):
            nlp, _ = self._pipeline(language)
            owners: list[tuple[int, int]] = []
            pieces: list[str] = []
            for k, text in enumerate(texts):
                if pipeline_language(detected[k]) == language:
                    for offset, piece in self._pieces(text):
                        owners.append((k, offset))
                        pieces.append(piece)
            for (k, offset), doc in zip(owners, self.ner_docs(language, nlp, pieces)):
                per_text[k].append((offset, doc))
        for text, docs, language in zip(texts, per_text, detected):
            yield language, self._finish(text, docs, self._pipeline(pipeline_language(language))[1])

    def ner_docs(self, language: str, nlp, pieces: list[str]):
        """The NER document of each piece: spaCy's over the whole piece, or (by default) a light one
        made from spaCy's over the piece's sentences that can hold a place (``geodata.nerscope``)."""
        if self.all_sentences:
            yield from nlp.pipe(pieces, batch_size=NER_BATCH)
            return
        pipeline = pipeline_language(language)
        known = nerscope.name_test(self._pipeline(pipeline)[1].gaz, pipeline)
        per_piece = [nerscope.segments(piece, known) for piece in pieces]
        docs = iter(nlp.pipe((seg for segs in per_piece for _, seg in segs), batch_size=NER_BATCH))
        for piece, segs in zip(pieces, per_piece):
            yield nerscope.merge(piece, [(offset, next(docs)) for offset, _ in segs])


def toponym_record(r: ResolvedMention) -> dict:
    p = r.place
    return {
        "start": r.start, "end": r.end, "name": r.text,
        "lat": p.lat if p else None, "lon": p.lon if p else None,
        "geonameid": p.geonameid if p else None, "role": r.role,
    }


def _read_jsonl(path: str) -> list[tuple[str, str]]:
    docs = []
    seen: set[str] = set()
    for lineno, obj in read_jsonl(path):
        if not isinstance(obj.get("text"), str) or "id" not in obj:
            raise AtlasError(f"{path}:{lineno}: expected an object with \"id\" and \"text\" (a string)")
        doc_id = str(obj["id"])
        if doc_id in seen:
            raise AtlasError(f"{path}:{lineno}: duplicate id {doc_id!r}")
        seen.add(doc_id)
        docs.append((doc_id, obj["text"]))
    return docs


def parse_main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geodata parse",
                                 description="Geoparse JSONL documents {id, text} into toponyms.")
    ap.add_argument("--jsonl", required=True, help="input: one {\"id\", \"text\"} object per line")
    ap.add_argument("--out", required=True, help="output JSONL: {\"id\", \"toponyms\": [...]} per line")
    args = ap.parse_args(argv)
    try:
        docs = _read_jsonl(args.jsonl)
        out_dir = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(out_dir):  # checked before the slow model and gazetteer load
            raise AtlasError(f"{args.out}: folder {out_dir} does not exist")
        gp = Geoparser()
        try:
            with atomic.atomic_open(args.out) as fh:
                for (doc_id, _), resolved in zip(docs, gp.parse_many(t for _, t in docs)):
                    fh.write(json.dumps({"id": doc_id, "toponyms": [toponym_record(r) for r in resolved]},
                                        ensure_ascii=False))
                    fh.write("\n")
        except OSError as exc:
            raise AtlasError(f"{args.out}: cannot write ({exc.strerror or exc})") from exc
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"parsed {len(docs)} documents -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(parse_main(sys.argv[1:]))
