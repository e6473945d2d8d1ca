"""The resolver's named evidence in plain words, for the "Wrong place?" section of the place panel.

Each place in places.geojson carries compact evidence per article and role (``geodata/reasons.py``):
items ``[group, feature, mentions, contribution, value]``, group "p" = why the words are a place, "c" =
why this place over the runner-up. ``summarise(groups, articles)`` pools them over the shown articles:
per reason, in how many mentions it counted and what it added in all, strongest first; ``phrase`` says a
feature in words a reporter reads ("population 126,000", "same country as the article's other places").
Everything returned is plain text: callers escape it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

TOP = 3  # reasons shown before "All reasons"
RULE_WEIGHT = 2.0  # a rule (a curated name, one sense per document) ranks as a strong cue in each mention

# what a feature says about the chosen reading (or the span), when it counted for it
_WORDS = {
    # is it a place (the recognizer)
    "label:GPE": "the language model reads it as a place name",
    "label:LOC": "the language model reads it as a place name",
    "label:FAC": "the language model reads it as a building or site",
    "label:STREET": "it has the form of a street name",
    "label:SUB_GPE": "a known place inside a longer name",
    "label:SUB_LOC": "a known place inside a longer name",
    "label:SUB_FAC": "a known place inside a longer name",
    "label:IN_GPE": "a place at the start of an institution's name",
    "label:IN_LOC": "a place at the start of an institution's name",
    "label:PERSON": "the language model reads it as a person's name",
    "label:ORG": "the language model reads it as an organisation",
    "label:NORP": "the language model reads it as a nationality",
    "label:IN_ORG": "it starts an organisation's name",
    "label:IN_NAME": "it starts another kind of name",
    "label:IN_FAC": "it starts a building's name",
    "label:other": "the language model gives it another kind of name",
    "gazetteer_prior": "the gazetteer knows it as a place",
    "doc_place_votes": "elsewhere in the article it is used as a place",
    "doc_person_votes": "elsewhere in the article it reads as a person",
    "cue_location_word": "a word such as \"in\", \"at\" or \"near\" before it",
    "cue_the_after_location_word": "\"in the\", \"across the\" before it",
    "cue_and_after_place": "listed with other places",
    "cue_comma_after_place": "named after another place and a comma",
    "cue_role_of": "\"the mayor of\", \"the port of\" before it",
    "cue_such_as_list": "\"ports such as\", \"cities like\" before it",
    "cue_comma_then_division": "named with its state or country (\"Dover, Kent\")",
    "cue_in_then_division": "\"in\" and a state or country after it",
    "cue_place_follower": "\"a ... man\", \"...-based\", \"... residents\"",
    "cue_title": "a title before it (Mr, Minister)",
    "cue_said": "\"said\" after it, as after a person",
    "cue_quote_said": "after a quotation, as a speaker",
    "cue_org_follower": "a word such as \"club\" or \"virus\" after it",
    "cue_storm_name": "a storm's name",
    "common_word": "it is also a common word",
    "common_word_initial": "it is also a common word, at the start of a sentence",
    "sentence_initial": "it starts a sentence",
    "sentence_initial_multiword": "it starts a sentence",
    "short_uppercase_unknown": "a short code the gazetteer does not know",
    "very_short": "a very short word",
    "multiword_name": "a name of several words",
    "unknown_ner_place": "the gazetteer does not know it",
    "mixed_case_abbreviation": "it looks like an organisation's short form (\"MoD\")",
    "curated_name": "fixed by hand in the overrides file",
    "one_sense_per_document": "the same name is a place elsewhere in the article",
    "demonym_reported": "a nationality word naming its country",
    # which place (the resolver)
    "capital": "a national capital",
    "kind:country": "a country",
    "kind:admin1": "a state or province",
    "kind:admin2": "a county or district",
    "kind:continent": "a continent",
    "kind:region": "a region",
    "kind:water": "a sea, river or lake",
    "kind:landmark": "a landmark",
    "kind:street": "a street",
    "kind:other": "a named area",
    "exact_name": "spelled exactly as the gazetteer spells it",
    "container": "named with its state or country",
    "country_share": "same country as the article's other places",
    "country_mentions": "the article names other places in this country",
    "admin1_share": "same state or province as the article's other places",
    "coherence": "near other places the article names",
    "proximity": "close to the places the article is surely about",
    "capital_in_world_story": "a capital, in a story about several countries",
    "fallback_gain": "the known part of a longer name, which the article supports",
    # which place: what counts against a reading (shown as "against" when it is the chosen one's)
    "name_alternate": "that name is only an alternate spelling of it",
    "abbreviation_unabbreviated": "that name is only its abbreviation",
    "code_lowercase": "that name is only its code",
    "code_uppercase": "that name is only its code",
    "demonym": "named through a nationality word",
    "initialism_mismatch": "initials read as a name",
}
# when a feature counted AGAINST the runner-up (the chosen reading lacks it)
_RIVAL_WORDS = {
    "name_alternate": "the other candidate has that name only as an alternate spelling",
    "abbreviation_unabbreviated": "the other candidate is only an abbreviation of that name",
    "code_lowercase": "the other candidate is only a code written that way",
    "code_uppercase": "the other candidate is only a code",
    "demonym": "the other candidate is only a nationality word",
    "initialism_mismatch": "the other candidate reads the initials as a name",
}
_POPULATION = {"log_population", "log_population_admin1", "log_population_admin2"}


def population(log_value: float) -> int:
    """The population behind ``log10(population + 10)``, to three significant figures."""
    n = max(0.0, 10 ** log_value - 10)
    if n < 1000:
        return int(round(n, -1)) if n >= 100 else int(round(n))
    digits = int(math.floor(math.log10(n))) - 2
    return int(round(n, -digits))


def phrase(name: str, value: float, for_chosen: bool = True) -> str:
    """One feature in plain words. ``for_chosen`` False: the runner-up had it and the chosen did not."""
    if name in _POPULATION:
        return f"population {population(value):,}" if for_chosen else "the other candidate is smaller"
    if not for_chosen:
        if name in _RIVAL_WORDS:
            return _RIVAL_WORDS[name]
        return f"the other candidate: {_WORDS.get(name, name.replace('_', ' '))}"
    if name in _WORDS:
        return _WORDS[name]
    return name.replace("_", " ").replace(":", ": ")


@dataclass
class Reason:
    feature: str
    text: str           # plain words (not escaped)
    mentions: int       # in how many of the pooled mentions it counted
    weight: float       # what it added in all, summed over the mentions (a rule: RULE_WEIGHT each)
    for_place: bool     # True: why a place; False: why this place

    @property
    def against(self) -> bool:
        return self.weight < 0


def summarise(groups: list, articles: set[str] | None = None) -> tuple[list[Reason], list[Reason], int]:
    """(why a place, why this place, mentions) pooled over a place's evidence groups (article, role,
    mentions, items) of ``articles`` (None: all), strongest first, what spoke against it last."""
    pooled: dict[tuple[str, str], Reason] = {}
    total = 0
    for article, _, mentions, items in groups:
        if articles is not None and article not in articles:
            continue
        total += mentions
        for group, name, count, contribution, value in items:
            text = phrase(name, value, group == "p" or value != 0)
            # "LOC" and "GPE" say the same thing: one reason (counted once per mention at most)
            reason = pooled.setdefault((group, text), Reason(name, text, 0, 0.0, group == "p"))
            reason.weight += RULE_WEIGHT * count if contribution is None else contribution
            reason.mentions = min(reason.mentions + count, total)
    place = [r for r in pooled.values() if r.for_place]
    choice = [r for r in pooled.values() if not r.for_place]
    place.sort(key=lambda r: (r.against, -abs(r.weight), r.feature))
    choice.sort(key=lambda r: (r.against, -abs(r.weight), r.feature))
    return place, choice, total
