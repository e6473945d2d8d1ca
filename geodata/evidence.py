"""Named evidence for "is this span a place?": one small function per cue, each returning named values.

A ``DocView`` holds what every cue reads (text, tokens, spaCy's entities, where known places end, the
words of people's names). ``local_cues`` gives the context cues around one span (``cue_*``: "in X",
"X, Kent", "the mayor of X", "X said", "the X club", ...); ``span_features`` adds the entity label, the
gazetteer prior, word frequency, the name's document-wide votes (one sense per document) and shape
cues. ``vetoes`` are the cues that rule a span out whatever else says (a facility named after a town, a
nationality adjective). The weights that combine the values live in ``geodata/model_params.json``.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from geodata.model import Candidate, Found

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
SUB_LABELS = frozenset({"SUB_GPE", "SUB_LOC", "SUB_FAC"})

_TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*\.?", re.UNICODE)

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
                           "southern", "eastern", "western", "central", "north", "south", "east", "west",
                           "downtown", "rural", "suburban", "based", "native", "born", "headquartered",
                           "located", "outskirts", "city", "town", "village", "port", "capital", "state",
                           "county", "province", "region"})
INSTITUTION_WORDS = frozenset({
    "police", "department", "dept", "county", "city", "council", "school", "schools", "high", "university",
    "college", "hospital", "airport", "fire", "sheriff", "sheriff’s", "court", "circuit", "district", "board",
    "commission", "office", "state", "public", "library", "museum", "chamber", "area", "regional", "metro",
    "municipal", "community", "national", "international", "port", "harbour", "harbor", "station",
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
# words that make the capitalised name after them a storm's: "Hurricane Irma", "Tropical Storm Maria"
STORM_WORDS = frozenset({"hurricane", "storm", "typhoon", "cyclone", "superstorm", "windstorm"})
DIVISION_KINDS = ("admin1", "country", "admin2")
PLACE_CUES = ("cue_and_after_place", "cue_the_after_location_word", "cue_location_word", "cue_comma_after_place",
              "cue_role_of", "cue_such_as_list", "cue_comma_then_division", "cue_in_then_division",
              "cue_place_follower")
PERSON_CUES = ("cue_title", "cue_said", "cue_quote_said", "cue_org_follower", "cue_storm_name")


@dataclass(frozen=True)
class LanguageCues:
    """The words the context cues look for, in one language (the cue functions are the same for all).

    ``articles``: "the" before a name; ``name_articles``: lowercase articles that may begin a name
    ("la Manche"); ``org_heads``: words
    before "of" that make the name a team, paper or disease's ("le club de Lens": French puts first what
    English puts after the name, so it feeds the same ``cue_org_follower``); ``of``: "the mayor of X"; ``and_or``: "X and Y"; ``such_as``: "ports
    such as X"; ``in_words``: "Springfield in Illinois"; ``labels``: the spaCy model's entity labels in the
    English model's names (the evidence weights are keyed by those); ``zipf``: wordfreq's language for
    how common a word is; ``token``: the word pattern (French splits "l'", "d'" off the name after them).
    """

    location: frozenset[str]
    person_titles: frozenset[str]
    person_verbs: frozenset[str]
    place_nouns: frozenset[str]
    of_place_heads: frozenset[str]
    place_followers: frozenset[str]
    org_followers: frozenset[str]
    storm_words: frozenset[str]
    articles: frozenset[str] = frozenset({"the"})
    of: frozenset[str] = frozenset({"of"})
    and_or: tuple[str, ...] = ("and", "or")
    such_as: tuple[str, ...] = ("like", "as", "including")
    in_words: frozenset[str] = frozenset({"in"})
    name_articles: tuple[str, ...] = ()
    org_heads: frozenset[str] = frozenset()
    labels: dict[str, str] = field(default_factory=dict)
    zipf: str = "en"
    token: re.Pattern = _TOKEN


ENGLISH_CUES = LanguageCues(LOCATION_CUES, PERSON_TITLES, PERSON_VERBS, PLACE_NOUNS, OF_PLACE_HEADS,
                            PLACE_FOLLOWERS, ORG_FOLLOWERS, STORM_WORDS)
# "l'Angleterre", "d'Angleterre", "qu'à Calais": the elided word is a token of its own
_FRENCH_TOKEN = re.compile(r"(?:[LlDdJjNnMmSsTtCc]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)['’](?=\w)"
                           r"|\w+(?:['’.\-]\w+)*\.?", re.UNICODE)
FRENCH_CUES = LanguageCues(
    location=frozenset({"à", "au", "aux", "en", "de", "d'", "d’", "du", "des", "près", "vers", "depuis",
                        "dans", "via", "entre", "jusqu'à", "autour", "sur", "quitter", "quitté",
                        "rejoindre", "rejoint", "atteindre", "traverser", "nord", "sud", "ouest",
                        "ville", "port", "village", "commune", "capitale", "région", "département",
                        "province", "originaire", "basé", "basée", "situé", "située", "large"}),
    person_titles=frozenset({"m", "mme", "mlle", "dr", "me", "monsieur", "madame", "président", "présidente",
                             "ministre", "maire", "préfet", "préfète", "sénateur", "député", "députée",
                             "général", "roi", "reine", "prince", "princesse", "pape", "saint", "sainte",
                             "père", "soeur", "frère", "juge", "capitaine", "commissaire", "procureur",
                             "appelé", "appelée", "surnommé", "surnommée"}),
    person_verbs=frozenset({"dit", "déclare", "déclaré", "affirme", "affirmé", "explique", "expliqué",
                            "estime", "ajoute", "ajouté", "souligne", "raconte", "confie", "assure", "indique",
                            "précise", "juge", "dénonce", "reconnaît"}),
    place_nouns=frozenset({"port", "ports", "ville", "villes", "commune", "communes", "village", "villages",
                           "pays", "région", "régions", "département", "départements", "province", "provinces",
                           "île", "îles", "capitale", "capitales", "localité", "agglomération", "quartier",
                           "banlieue", "côte", "côtes", "plages", "littoral", "faubourg", "centre", "rues",
                           "environs", "alentours"}),
    of_place_heads=frozenset({"maire", "maires", "préfet", "préfecture", "habitants", "habitant", "résidents",
                              "police", "mairie", "conseil", "cœur", "centre", "bord", "côte", "plages",
                              "nord", "sud", "est", "ouest", "rues", "banlieue", "environs", "port", "ville",
                              "village", "commune", "région", "sortie", "entrée", "large", "gare", "tribunal"}),
    place_followers=frozenset(),  # French puts these words before the name ("un habitant de Calais")
    org_followers=frozenset(),
    storm_words=frozenset({"ouragan", "tempête", "typhon", "cyclone"}),
    articles=frozenset({"la", "le", "les", "l'", "l’"}),
    of=frozenset({"de", "du", "des", "d'", "d’"}),
    and_or=("et", "ou"),
    such_as=("comme", "notamment", "dont"),
    in_words=frozenset({"en", "à", "au", "dans"}),
    name_articles=("la", "le"),
    org_heads=frozenset({"club", "équipe", "entraîneur", "joueurs", "joueur", "supporters", "attaquant",
                         "gardien", "défenseur", "milieu", "journal", "quotidien", "hebdomadaire", "société",
                         "virus", "épidémie"}),
    labels={"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "MISC"},
    zipf="fr",
    token=_FRENCH_TOKEN,
)
# language code -> its cue words; a language without an entry is read with the English ones
LANGUAGE_CUES = {"en": ENGLISH_CUES, "fr": FRENCH_CUES}


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str


def tokenize(text: str, pattern: re.Pattern = _TOKEN) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


@lru_cache(maxsize=200_000)
def word_zipf(word: str, language: str = "en") -> float:
    """Zipf frequency of the lowercase form as a word of the language (0 for unknown)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), language)


def initialism(s: str) -> bool:
    """ "U.S.", "UN", "DRC": letters standing for words."""
    s = s.strip()
    return ("." in s.rstrip(".") and len(s) <= 8) or (s.isupper() and 2 <= len(s) <= 4)


def sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'‘“(«[":
        j -= 1
    return j < 0 or text[j] in ".!?\n:;—–-•|"


@dataclass
class DocView:
    """What the cues read of one document."""

    text: str
    tokens: list[Token]
    ents: list[tuple[int, int, str, str]]
    gaz: object
    place_ends: set[int] = field(default_factory=set)
    person_words: set[str] = field(default_factory=set)
    cues: LanguageCues = ENGLISH_CUES

    def __post_init__(self):
        self._starts = [t.start for t in self.tokens]
        self._ent_ends = [e[1] for e in self.ents]  # spaCy's entities are sorted and do not overlap

    def entity_over(self, start: int, end: int) -> tuple[int, int, str, str] | None:
        """The first entity overlapping start:end, if any."""
        k = bisect_right(self._ent_ends, start)
        if k < len(self.ents) and self.ents[k][0] < end:
            return self.ents[k]
        return None

    def token_at(self, pos: int) -> int | None:
        k = bisect_right(self._starts, pos) - 1
        if k >= 0 and self.tokens[k].start <= pos < self.tokens[k].end:
            return k
        return None

    def word_before(self, i: int) -> str:
        """The lowercase word before token i, without a final dot."""
        return self.tokens[i - 1].text.lower().rstrip(".") if i > 0 else ""

    def is_division(self, name: str, kinds: tuple[str, ...] = DIVISION_KINDS) -> bool:
        return any(c.place.kind in kinds and c.name_type != "demonym" for c in self.gaz.lookup(name))


# --- context cues before the span -----------------------------------------------------------------

def cue_and_after_place(view: DocView, i: int) -> bool:
    """ "Zeebrugge in Belgium and the Hook of Holland": a list of places goes on."""
    k = i - 1 if view.word_before(i) not in view.cues.articles else i - 2
    return k >= 1 and view.word_before(k + 1) in view.cues.and_or and view.tokens[k - 1].end in view.place_ends


def cue_location_word(view: DocView, i: int) -> tuple[bool, bool]:
    """("in the X", "in X"): a preposition or place word before the name, with or without "the"."""
    prev = view.word_before(i)
    if prev in view.cues.articles:
        return i > 1 and view.word_before(i - 1) in view.cues.location, False
    return False, prev in view.cues.location


def cue_title(view: DocView, i: int) -> bool:
    """ "Mrs May", "Minister Smith": a person's title before the name."""
    return view.word_before(i) in view.cues.person_titles


def cue_comma_after_place(view: DocView, i: int, start: int) -> bool:
    """ "Dover, Kent": the larger place after a place."""
    return view.text[view.tokens[i - 1].end:start] == ", " and view.tokens[i - 1].end in view.place_ends


def cue_role_of(view: DocView, i: int) -> bool:
    """ "the island of Java", "the mayor of Calais"."""
    if view.word_before(i) not in view.cues.of or i <= 1:
        return False
    head = view.word_before(i - 1)
    return head in view.cues.place_nouns or head in view.cues.of_place_heads


def cue_such_as_list(view: DocView, i: int) -> bool:
    """ "ports such as Dunkirk", "cities like Lyon"."""
    if view.word_before(i) not in view.cues.such_as or i <= 1:
        return False
    return bool({view.word_before(k) for k in range(max(1, i - 3), i)} & view.cues.place_nouns)


def cue_org_of(view: DocView, i: int) -> bool:
    """ "le club de Lens", "l'entraîneur de Lens": a team, paper or disease named before "of" (French)."""
    return i > 1 and view.word_before(i) in view.cues.of and view.word_before(i - 1) in view.cues.org_heads


def cue_storm_name(view: DocView, i: int, start: int, end: int) -> bool:
    """ "Hurricane Irma", "Storm Maria": a storm's name, before it or as the span's first word."""
    words = view.text[start:end].split(" ")
    if len(words) > 1 and words[0].lower() in view.cues.storm_words:
        return True  # "Hurricane Maria" as one span (the town of Hurricane alone is a place)
    return i > 0 and view.word_before(i) in view.cues.storm_words and view.text[view.tokens[i - 1].end:start] == " "


def cues_before(view: DocView, start: int, end: int) -> dict[str, float]:
    i = view.token_at(start)
    if i is None:
        return {}
    if i == 0:
        return {"cue_storm_name": 1.0} if cue_storm_name(view, i, start, end) else {}
    the_cue, plain_cue = cue_location_word(view, i)
    found = {
        "cue_and_after_place": cue_and_after_place(view, i),
        "cue_the_after_location_word": the_cue,
        "cue_location_word": plain_cue,
        "cue_title": cue_title(view, i),
        "cue_comma_after_place": cue_comma_after_place(view, i, start),
        "cue_role_of": cue_role_of(view, i),
        "cue_such_as_list": cue_such_as_list(view, i),
        "cue_storm_name": cue_storm_name(view, i, start, end),
        "cue_org_follower": cue_org_of(view, i),
    }
    return {name: 1.0 for name, on in found.items() if on}


# --- context cues after the span ------------------------------------------------------------------

def cue_comma_then_division(view: DocView, end: int, nxt: Token) -> bool:
    """ "Dover, Kent" / "Alexandria, La.": a place followed by a larger place."""
    return view.text[end:nxt.start].strip() == "," and nxt.text[0].isupper() and view.is_division(nxt.text)


def cue_in_then_division(view: DocView, end: int, j: int) -> bool:
    """ "Springfield in Illinois"."""
    tokens = view.tokens
    if tokens[j + 1].text.lower().rstrip(".") not in view.cues.in_words or view.text[end:tokens[j + 1].start] != " ":
        return False
    if j + 2 >= len(tokens) or not tokens[j + 2].text[0].isupper():
        return False
    return view.is_division(tokens[j + 2].text.rstrip("."), ("admin1", "country"))


def cue_said(view: DocView, end: int, nxt: Token, start: int) -> tuple[bool, bool]:
    """("X said", '..." X said'): a speaker. Only counted when no place cue says otherwise."""
    if view.text[end:nxt.start].strip() != "" or nxt.text.lower().rstrip(".") not in view.cues.person_verbs:
        return False, False
    return True, any(q in view.text[max(0, start - 3):start] for q in "”\"’'")


def cue_place_follower(view: DocView, end: int, nxt: Token) -> bool:
    """ "a Gainesville man", "Columbia-based", "Alexandria residents"."""
    low = nxt.text.lower().rstrip(".")
    return view.text[end:nxt.start] in (" ", "-") and low in view.cues.place_followers and nxt.text[:1].islower()


def cue_org_follower(view: DocView, end: int, nxt: Token) -> bool:
    """ "the Chelsea club", "Ebola virus": a team, company, publication or disease."""
    low = nxt.text.lower().rstrip(".")
    return view.text[end:nxt.start] in (" ", "-") and (low in view.cues.org_followers or low.endswith("virus"))


def cues_after(view: DocView, start: int, end: int, place_before: bool) -> dict[str, float]:
    j = view.token_at(end - 1)
    if j is None or j + 1 >= len(view.tokens):
        return {}
    nxt = view.tokens[j + 1]
    out: dict[str, float] = {}
    if cue_comma_then_division(view, end, nxt):
        out["cue_comma_then_division"] = 1.0
    if cue_in_then_division(view, end, j):
        out["cue_in_then_division"] = 1.0
    said, quoted = cue_said(view, end, nxt, start)
    if said and not place_before and not out:
        # "Omer said" is a person; "officials in Kent said", "the mayor of Calais said" are not
        out["cue_said"] = 1.0
        if quoted:
            out["cue_quote_said"] = 1.0
    if cue_place_follower(view, end, nxt):
        out["cue_place_follower"] = 1.0
    if cue_org_follower(view, end, nxt):
        out["cue_org_follower"] = 1.0
    return out


def local_cues(view: DocView, start: int, end: int) -> dict[str, float]:
    """Every context cue around the span start:end, by name (value 1 when present)."""
    before = cues_before(view, start, end)
    place_before = any(name in PLACE_CUES for name in before)
    return before | cues_after(view, start, end, place_before)


def cue_sums(cues: dict[str, float], weights: dict[str, float]) -> tuple[float, float]:
    """(place, person): the cues weighted as document-wide votes."""
    place = sum(weights[n] * v for n, v in cues.items() if n in PLACE_CUES)
    person = sum(weights[n] * v for n, v in cues.items() if n in PERSON_CUES)
    return place, person


# --- what the gazetteer and the word itself say --------------------------------------------------

def gazetteer_prior(cands: list[Candidate], surface: str, w: dict[str, float]) -> float:
    """How strongly the gazetteer alone suggests that a capitalised name is a place (best candidate)."""
    best = 0.0
    short = initialism(surface)
    for c in cands:
        p = c.place
        if c.name_type in ("demonym", "code"):
            continue
        if short and c.name_type in ("name", "alternate") and not initialism(p.name):
            continue  # "UN" is not the village "Un"
        v = w.get(f"prior:{p.kind}")
        if v is None:
            pop = max(p.population, 0)
            floor = w["prior_min_population_log10"]
            v = 0.0 if pop < 10 ** floor else min(w["prior_population_cap"],
                                                   (math.log10(pop) - floor) * w["prior_per_population_decade"])
        if c.name_type == "alternate":
            v += w["prior_alternate"]
        elif c.name_type == "abbreviation":
            v += w["prior_abbreviation"]
        best = max(best, v)
    return best


def word_shape(f: Found, text: str, prior: float, w: dict[str, float], language: str = "en") -> dict[str, float]:
    """For a span NER did not call a place: how common a word it is, whether it starts a sentence,
    whether it is too short or an unexplained initialism."""
    out: dict[str, float] = {}
    words = f.lookup.split()
    initial = sentence_initial(text, f.mention.start)
    if len(words) == 1 and not ("." in words[0].rstrip(".") or words[0].isupper()):
        z = word_zipf(words[0].rstrip("."), language)
        # a country or state name is frequent because it is a name, not a common word
        damp = w["zipf_known_name_damping"] if prior >= w["prior_known_name"] else 1.0
        if initial:
            out["common_word_initial"] = max(0.0, z - w["zipf_initial_floor"]) * damp
            out["sentence_initial"] = damp
        else:
            out["common_word"] = max(0.0, z - w["zipf_floor"]) * damp
    elif initial:
        out["sentence_initial_multiword"] = 1.0
    if f.lookup.isupper() and len(f.lookup) <= 3 and not any(
            c.name_type in ("code", "abbreviation") or c.place.kind == "country" for c in f.candidates):
        out["short_uppercase_unknown"] = 1.0
    if len(f.lookup.rstrip(".")) < 3 and not f.lookup.isupper():
        out["very_short"] = 1.0
    return out


def mixed_case_abbreviation(word: str) -> bool:
    """ "MoD", "DfT", "HoC": an organisation's short form (capitals with lowercase between, ending on a
    capital), not a name ("McKee" ends lowercase)."""
    w = word.rstrip(".")
    return 2 < len(w) <= 5 and w.isalpha() and w[0].isupper() and w[-1].isupper() and any(ch.islower() for ch in w)


def label_feature(label: str | None, weights: dict[str, float]) -> str:
    name = f"label:{label or 'none'}"
    return name if name in weights else "label:other"


# --- vetoes: cues that rule a span out ----------------------------------------------------------------

def veto_facility_named_after_town(f: Found) -> bool:
    """ "Worden Elementary", "Athens Regional Park": a facility, not the town inside its name."""
    return f.label == "FAC" and not f.candidates and bool(f.fallback)


def veto_nationality_adjective(f: Found, text: str) -> bool:
    """ "Balkan nations": an adjective, not the Balkan province of Turkmenistan."""
    after = text[f.mention.end:f.mention.end + 2]
    return f.label == "NORP" and after[:1] == " " and after[1:2].islower() and not any(
        c.place.kind in ("country", "continent", "region", "water") for c in f.candidates)


def only_demonym(f: Found) -> bool:
    """ "Ukrainian", "French": the gazetteer knows the word only as a people's or language's name."""
    return bool(f.candidates) and all(c.name_type == "demonym" for c in f.candidates)
