"""Base class of our geocoders: ``lookup(name) -> Place | None`` or a ``GeocoderLookupError``."""
from __future__ import annotations

from geodata.model import Place

DEFAULT_TIMEOUT = 5.0  # seconds per request of an online geocoder


class Geocoder:
    """A geocoding service. Subclasses implement ``lookup``.

    ``name`` is the service name (``offline``, ``nominatim``, any geopy service); ``online`` says whether
    lookups make network requests; ``cache_namespace`` separates cached answers of different services or
    hosts; ``min_delay_seconds`` is the least time between two requests this service accepts.
    """

    name = "base"
    online = True
    min_delay_seconds = 1.0
    policy_min_delay_seconds = 0.0  # a floor imposed by the service's usage policy
    max_retries = 2  # retries per name (``--geocoder-retries``)
    cache_path = None  # set from ``--geocoder-cache``: wins over the cache path the caller passes

    @property
    def cache_namespace(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        """``Place.source`` of the places this geocoder returns."""
        return f"geocoder:{self.name}"

    def lookup(self, name: str) -> Place | None:
        """The best place for ``name``, ``None`` when the service has no answer.

        Raises a ``geodata.geocoders.exc.GeocoderLookupError`` subclass when the lookup fails.
        """
        raise NotImplementedError

    def lookup_all(self, name: str) -> list[Place]:
        """The service's ranked answers for ``name`` (best first; empty when it has none). The default
        asks ``lookup`` for the best one only; services that rank several answers override this."""
        place = self.lookup(name)
        return [] if place is None else [place]

    def describe(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"
