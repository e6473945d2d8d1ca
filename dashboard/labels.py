"""Plain words for the pipeline's codes: place kinds and where a position came from.

``kind_label("admin1")`` -> "state / province"; ``source_label("computed:cities-popweighted")`` ->
"centre of its towns, weighted by population". Every kind in ``geodata.model.KINDS`` and every
position source the pipeline writes has its own phrase (``tests/test_dashboard_labels.py`` derives that
list from the pipeline's code and index); a value from a newer pipeline still reads sensibly.
"""
from __future__ import annotations

import re

KIND_LABELS = {
    "settlement": "town / city",
    "country": "country",
    "admin1": "state / province",
    "admin2": "county / district",
    "region": "region",
    "continent": "continent",
    "water": "sea, lake or river",
    "street": "street",
    "landmark": "landmark / building",
    "other": "other place",
}

SOURCE_LABELS = {
    "geonames": "GeoNames gazetteer",
    "natural-earth": "centre of its Natural Earth outline (a country's main land, a sea's largest part)",
    "airportsdata": "the airport's own position (airportsdata list)",
    "countryinfo": "the country's usual centre point (country reference data)",
    "us-census": "centre of the US Census Bureau outline",
    "override": "set by hand in the overrides file",
}

# ``computed:<how>``: how an area's point was worked out from the places inside it
COMPUTED_LABELS = {
    "cities-mean": "average position of its towns",
    "cities-popweighted": "centre of its towns, weighted by population",
    "cities-sqrtpop": "centre of its towns, weighted by the square root of population",
    "cities-median": "median position of its towns",
    "largest-city": "its largest town",
    "cities-bbox": "middle of the area its towns cover",
    "cities-robust-bbox": "middle of the area its towns cover (outlying towns left out)",
    "cities-bbox90": "middle of the area most of its towns cover",
    "cities-bbox-mean-mid": "between the middle and the average of its towns",
    "capital": "its capital city",
    "mean-of-member-countries": "average position of its countries",
}

# ``curated:<file>``: lists kept in the project
CURATED_LABELS = {
    "water_and_regions.csv": "the project's own list of seas and regions",
}

# ``geocoder:<name>``: an online service reached through geopy
GEOCODER_NAMES = {
    "nominatim": "Nominatim (OpenStreetMap)",
    "offline": "the offline gazetteer",
}


def _words(code: str) -> str:
    """A code spelled as words: "cities-bbox90" -> "cities bbox90"."""
    return re.sub(r"[-_:]+", " ", code).strip()


def kind_label(kind: str | None) -> str:
    """Plain words for a place kind ("admin2" -> "county / district"); "unknown kind" when empty."""
    if not kind:
        return "unknown kind"
    return KIND_LABELS.get(kind, _words(kind) or "unknown kind")


def source_label(source: str | None) -> str:
    """Plain words for a position source; a value this module does not know is shown as words."""
    if not source:
        return "unknown"
    if source in SOURCE_LABELS:
        return SOURCE_LABELS[source]
    prefix, _, rest = source.partition(":")
    if prefix == "computed" and rest:
        return COMPUTED_LABELS.get(rest, f"worked out from the places inside it ({_words(rest)})")
    if prefix == "curated" and rest:
        return CURATED_LABELS.get(rest, f"a curated list ({rest})")
    if prefix == "geocoder" and rest:
        if rest.lower() == "offline":
            return GEOCODER_NAMES["offline"]
        return f"online geocoder: {GEOCODER_NAMES.get(rest.lower(), rest)}"
    return _words(source) or "unknown"


def is_known_source(source: str) -> bool:
    """True when ``source`` has a phrase of its own (not the readable fallback)."""
    prefix, _, rest = source.partition(":")
    return (source in SOURCE_LABELS or (prefix == "computed" and rest in COMPUTED_LABELS)
            or (prefix == "curated" and rest in CURATED_LABELS) or (prefix == "geocoder" and bool(rest)))
