"""Nominatim (OpenStreetMap), public or self-hosted: kinds and countries from its answer's fields."""
from __future__ import annotations

import re

from geopy.geocoders import nominatim as geopy_nominatim

from geodata.geocoders.exc import GeocoderMalformedAnswer
from geodata.geocoders.geopy_service import DEFAULT_TIMEOUT, GeopyGeocoder, check_coordinates, check_name
from geodata.model import Place

# The public instance's usage policy: at most one request per second.
PUBLIC_MIN_DELAY_SECONDS = 1.0

_SETTLEMENT_TYPES = {"city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood",
                     "municipality", "locality", "isolated_dwelling", "borough", "city_block"}
_WATER_CLASSES = {"waterway", "water"}
_WATER_TYPES = {"sea", "strait", "bay", "water", "river", "lake", "ocean", "canal", "coastline"}
_LANDMARK_CLASSES = {"tourism", "amenity", "historic", "building", "leisure", "man_made", "aeroway",
                     "railway", "shop", "office", "military", "bridge"}


def nominatim_kind(raw: dict) -> str:
    """Our ``Place.kind`` from Nominatim's ``class`` / ``type`` / ``addresstype``."""
    cls = str(raw.get("class") or raw.get("category") or "")
    typ = str(raw.get("type") or "")
    addresstype = str(raw.get("addresstype") or "")
    if cls == "highway":
        return "street"
    if addresstype == "country" or typ == "country":
        return "country"
    if addresstype in ("state", "province", "region") or typ in ("state", "province"):
        return "admin1"
    if addresstype in ("county", "state_district", "district"):
        return "admin2"
    if typ == "continent":
        return "continent"
    if cls in _WATER_CLASSES or typ in _WATER_TYPES or (cls == "natural" and typ in _WATER_TYPES):
        return "water"
    if cls == "place" and typ in _SETTLEMENT_TYPES or addresstype in _SETTLEMENT_TYPES:
        return "settlement"
    if cls == "boundary":
        return "region"
    if cls in _LANDMARK_CLASSES or typ in ("port", "harbour", "pier", "dock", "ferry_terminal"):
        return "landmark"
    return "other"


class NominatimGeocoder(GeopyGeocoder):
    """geopy's Nominatim with address details, English names, one best answer."""

    def __init__(
        self,
        *,
        domain: str | None = None,
        scheme: str | None = None,
        user_agent: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay_seconds: float = PUBLIC_MIN_DELAY_SECONDS,
        language: str = "en",
        options: dict | None = None,
    ):
        # Nominatim takes no API key: ``api_key`` is accepted and ignored so one setting serves every service.
        super().__init__(
            "nominatim", domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout,
            min_delay_seconds=min_delay_seconds, options=options,
        )
        self.language = language
        self.public = self._geopy.domain == geopy_nominatim._DEFAULT_NOMINATIM_DOMAIN
        if self.public:
            self.policy_min_delay_seconds = PUBLIC_MIN_DELAY_SECONDS
            self.min_delay_seconds = max(self.min_delay_seconds, PUBLIC_MIN_DELAY_SECONDS)

    def _geocode(self, name: str):
        return self._geopy.geocode(
            name, exactly_one=False, limit=self.max_results, timeout=self.timeout, addressdetails=True,
            language=self.language,
        )

    def _to_place(self, query: str, location) -> Place:
        raw = location.raw
        if not isinstance(raw, dict):
            raise GeocoderMalformedAnswer(f"answer is a {type(raw).__name__}, not an object")
        try:
            lat, lon = float(raw["lat"]), float(raw["lon"])
        except (KeyError, TypeError, ValueError) as error:
            raise GeocoderMalformedAnswer(f"answer without usable lat/lon: {error}") from None
        check_coordinates(lat, lon)
        address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
        display = str(raw.get("display_name") or "")
        name = check_name(str(raw.get("name") or "").strip() or display.split(",")[0].strip() or query)
        country = str(address.get("country_code") or "").upper() or None
        if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
            country = None
        osm_type, osm_id = raw.get("osm_type"), raw.get("osm_id")
        if osm_type and osm_id is not None:
            place_id = f"osm-{osm_type}-{osm_id}"
        elif raw.get("place_id") is not None:
            place_id = f"nominatim-{raw['place_id']}"
        else:
            place_id = f"nominatim-{lat:.5f}-{lon:.5f}"
        return Place(
            id=place_id, name=name, kind=nominatim_kind(raw), lat=lat, lon=lon, country=country,
            source=self.source,
        )
