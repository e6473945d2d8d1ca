"""Plain words for the pipeline's kinds of place and position sources."""
from __future__ import annotations

KINDS = {
    "settlement": "town or city", "country": "country", "continent": "continent",
    "admin1": "state, province or region", "admin2": "county or district", "region": "region",
    "water": "sea, river or lake", "street": "street", "landmark": "landmark",
}


def kind_label(kind: str | None) -> str:
    return KINDS.get(kind or "", kind or "unknown")


def source_label(source: str | None) -> str:
    s = source or ""
    if s == "geonames":
        return "GeoNames"
    if s == "override":
        return "a fix in the overrides file"
    if s.startswith("geocoder:"):
        return f"online geocoder ({s.split(':', 1)[1]})"
    if s.startswith("computed:"):
        return "computed from its towns"
    return s or "unknown"
