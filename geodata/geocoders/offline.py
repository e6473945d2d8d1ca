"""The default: no online service. Every lookup is declined without a request."""
from __future__ import annotations

from geodata.geocoders.base import Geocoder
from geodata.model import Place


class OfflineGeocoder(Geocoder):
    name = "offline"
    online = False
    min_delay_seconds = 0.0

    def lookup(self, name: str) -> Place | None:
        return None
