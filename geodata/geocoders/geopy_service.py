"""Any geopy geocoding service, wrapped: geopy's exceptions become ours and answers become ``Place``s."""
from __future__ import annotations

import functools
import inspect
import math
import re
import threading

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, RequestsAdapter, URLLibAdapter
from geopy.geocoders import get_geocoder_for_service

from geodata.geocoders.base import DEFAULT_TIMEOUT, Geocoder
from geodata.geocoders.exc import (
    GeocoderConfigError,
    GeocoderLookupError,
    GeocoderMalformedAnswer,
    GeocoderRateLimitedError,
    GeocoderRejected,
    GeocoderServerError,
    GeocoderTimeout,
    GeocoderUnreachable,
)
from geodata.model import Place
from geodata.names import slugify

MAX_NAME_CHARS = 300  # a longer place name in an answer is refused (no real place name is that long)
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def check_name(name: str) -> str:
    """The answer's place name, or GeocoderMalformedAnswer when it is too long to be one."""
    if len(name) > MAX_NAME_CHARS:
        raise GeocoderMalformedAnswer(
            f"the answer's name has {len(name):,} characters (the limit is {MAX_NAME_CHARS}); answer refused")
    return name


def with_deadline(call, seconds: float):
    """``call()``, or GeocoderTimeout once ``seconds`` have passed in all. A socket timeout bounds each
    read only: a service that sends one byte a second never trips it, so the request runs in a worker
    thread and is abandoned at the deadline (the daemon thread ends with the connection)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="geocoder-request", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise GeocoderTimeout(f"no complete answer within the {seconds:g} s deadline (--geocoder-timeout)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _adapter_factory():
    """geopy's adapter with its own connection retries turned off: we retry (and count) ourselves."""
    if RequestsAdapter.is_available:
        return functools.partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter


def _http_status(error: BaseException) -> int | None:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, AdapterHTTPError):
            return error.status_code
        error = error.__cause__ or error.__context__
    return None


def translate_error(error: Exception) -> GeocoderLookupError:
    """Map a geopy (or parsing) exception to our hierarchy, using the HTTP status when there is one."""
    status = _http_status(error)
    detail = f"{type(error).__name__}: {error}"
    if status is not None:
        detail = f"HTTP {status}: {error}"
        if status == 429:
            return GeocoderRateLimitedError(detail, retry_after=getattr(error, "retry_after", None))
        if status >= 500:
            return GeocoderServerError(detail)
        if status == 408:
            return GeocoderTimeout(detail)
        return GeocoderRejected(detail)
    if isinstance(error, geopy_exc.GeocoderRateLimited):
        return GeocoderRateLimitedError(detail, retry_after=error.retry_after)
    if isinstance(error, geopy_exc.GeocoderTimedOut):
        return GeocoderTimeout(detail)
    if isinstance(error, geopy_exc.GeocoderUnavailable):
        return GeocoderUnreachable(detail)
    if isinstance(error, geopy_exc.GeocoderParseError):
        return GeocoderMalformedAnswer(detail)
    if isinstance(error, (geopy_exc.GeocoderAuthenticationFailure, geopy_exc.GeocoderInsufficientPrivileges,
                          geopy_exc.GeocoderQueryError, geopy_exc.GeocoderQuotaExceeded)):
        return GeocoderRejected(detail)
    if isinstance(error, geopy_exc.GeocoderServiceError):
        return GeocoderServerError(detail)
    if isinstance(error, (KeyError, IndexError, TypeError, ValueError, AttributeError)):
        return GeocoderMalformedAnswer(detail)
    if isinstance(error, (ConnectionError, OSError)):
        return GeocoderUnreachable(detail)
    return GeocoderServerError(detail)


class GeopyGeocoder(Geocoder):
    """A geopy service by name (``get_geocoder_for_service``), configured from our arguments."""

    def __init__(
        self,
        service: str,
        *,
        domain: str | None = None,
        scheme: str | None = None,
        user_agent: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay_seconds: float = 1.0,
        options: dict | None = None,
    ):
        self.name = service.strip().lower()
        if scheme is not None and scheme not in ("http", "https"):
            raise GeocoderConfigError(f"--geocoder-scheme must be http or https, not {scheme!r}")
        if domain is not None:
            domain = domain.strip()
            if "://" in domain or "/" in domain or not _DOMAIN_RE.match(domain):
                raise GeocoderConfigError(
                    f"--geocoder-domain must be HOST or HOST:PORT (no scheme, no path), not {domain!r}"
                )
        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
            raise GeocoderConfigError(f"timeout must be a positive number of seconds, not {timeout!r}")
        try:
            cls = get_geocoder_for_service(self.name)
        except geopy_exc.GeocoderNotFound as error:
            raise GeocoderConfigError(f"unknown geocoder {service!r}: {error}") from None
        self.domain = domain
        self.scheme = scheme
        self.timeout = float(timeout)
        self.min_delay_seconds = max(float(min_delay_seconds), 0.0)
        params = inspect.signature(cls.__init__).parameters
        kwargs: dict = {"timeout": self.timeout, "user_agent": user_agent}
        if "adapter_factory" in params:
            kwargs["adapter_factory"] = _adapter_factory()
        for key, value in (("domain", domain), ("scheme", scheme), ("api_key", api_key)):
            if value is None:
                continue
            if key not in params:
                raise GeocoderConfigError(f"geopy service {self.name!r} takes no {key.replace('_', ' ')}")
            kwargs[key] = value
        kwargs.update(options or {})
        kwargs = {k: v for k, v in kwargs.items() if k in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())}
        try:
            self._geopy = cls(**kwargs)
        except (geopy_exc.ConfigurationError, TypeError, ValueError) as error:
            hint = " (set ATLAS_GEOCODER_API_KEY?)" if "key" in str(error).lower() else ""
            raise GeocoderConfigError(f"cannot set up geocoder {self.name!r}: {error}{hint}") from None

    @property
    def cache_namespace(self) -> str:
        if self.domain:
            return f"{self.name}@{self.scheme or 'https'}://{self.domain}"
        return f"{self.name}@{self.scheme}" if self.scheme else self.name

    def describe(self) -> str:
        return self.cache_namespace

    # -- one request ----------------------------------------------------------------------------
    max_results = 5  # ranked answers kept (the first is the choice, the rest are alternatives)

    def _geocode(self, name: str):
        return self._geopy.geocode(name, exactly_one=False, timeout=self.timeout)

    def lookup_all(self, name: str) -> list[Place]:
        try:
            answer = with_deadline(lambda: self._geocode(name), self.timeout)
        except GeocoderLookupError:
            raise
        except Exception as error:  # geopy and parsing errors alike
            raise translate_error(error) from error
        if answer is None:
            return []
        locations = list(answer) if isinstance(answer, (list, tuple)) else [answer]
        places: list[Place] = []
        for rank, location in enumerate(locations[: self.max_results]):
            try:
                place = self._to_place(name, location)
            except Exception as error:
                if rank == 0:  # the best answer is unusable: the whole answer is
                    if isinstance(error, GeocoderLookupError):
                        raise
                    raise GeocoderMalformedAnswer(f"{type(error).__name__}: {error}") from error
                continue  # a bad alternative is dropped
            if all(p.id != place.id for p in places):
                places.append(place)
        return places

    def lookup(self, name: str) -> Place | None:
        places = self.lookup_all(name)
        return places[0] if places else None

    # -- answer -> Place ------------------------------------------------------------------------
    def _to_place(self, query: str, location) -> Place:
        lat, lon = float(location.latitude), float(location.longitude)
        check_coordinates(lat, lon)
        address = str(getattr(location, "address", "") or "")
        name = check_name(address.split(",")[0].strip() or query)
        return Place(
            id=f"{self.name}-{slugify(name)}-{lat:.4f}-{lon:.4f}".replace(".", "_"),
            name=name, kind="other", lat=lat, lon=lon, country=None, source=self.source,
        )


def check_coordinates(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeocoderMalformedAnswer(f"impossible coordinates ({lat}, {lon})")
