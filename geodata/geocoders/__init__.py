"""Online geocoding through geopy, for the names offline resolution could not place.

Layout after geopy's own: one base class (``base.Geocoder``), one module per service (``offline``,
``nominatim``, ``geopy_service`` for any other geopy service), one exception hierarchy (``exc``, under
``geodata.errors.GeocoderError``), the on-disk cache (``cache``) and the batch runner (``batch``).

    geocoder = get_geocoder("nominatim", domain="localhost:8080", scheme="http")
    report = geocode_names(["Rue de Judee"], geocoder, "geodata/cache/geocoder.json")
    report.places, report.unresolved, report.summary_lines()

Settings: ``ATLAS_GEOCODER_USER_AGENT`` and ``ATLAS_GEOCODER_API_KEY`` from the environment, else from
``.streamlit/secrets.toml`` (same names, top level or under ``[geocoder]`` as ``user_agent`` / ``api_key``).
``ATLAS_GEOCODER``, ``ATLAS_GEOCODER_DOMAIN`` and ``ATLAS_GEOCODER_SCHEME`` set the defaults of the
``--geocoder*`` flags (so the dashboard's rebuilds use the same service as the first build).
"""
from __future__ import annotations

import argparse
import inspect
import logging
import os
import tomllib
from pathlib import Path

from geodata import __version__, settings
from geodata.geocoders.base import DEFAULT_TIMEOUT, Geocoder
from geodata.geocoders.batch import (
    STATUSES,
    GeocodeReport,
    NameResult,
    apply_geocoded,
    geocode_names,
    geocode_unresolved,
    unresolved_names,
)
from geodata.geocoders.cache import GeocodeCache
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
from geodata.geocoders.offline import OfflineGeocoder

__all__ = [
    "DEFAULT_TIMEOUT", "STATUSES", "Geocoder", "GeocodeCache", "GeocodeReport", "GeocoderConfigError",
    "GeocoderLookupError", "GeocoderMalformedAnswer", "GeocoderRateLimitedError", "GeocoderRejected",
    "GeocoderServerError", "GeocoderTimeout", "GeocoderUnreachable", "GeopyGeocoder", "NameResult",
    "NominatimGeocoder", "OfflineGeocoder", "add_geocoder_arguments", "apply_geocoded", "default_cache_path",
    "geocode_names", "geocode_options_from_args", "geocode_unresolved", "geocoder_from_args", "get_geocoder",
    "setting", "unresolved_names",
]

log = logging.getLogger(__name__)
_GEOPY_CLASSES = {"GeopyGeocoder": "geopy_service", "NominatimGeocoder": "nominatim"}


def __getattr__(name: str):
    """The geopy-backed classes, imported when first asked for (an offline build never imports geopy)."""
    if name in _GEOPY_CLASSES:
        import importlib

        return getattr(importlib.import_module(f"geodata.geocoders.{_GEOPY_CLASSES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

USER_AGENT_ENV = "ATLAS_GEOCODER_USER_AGENT"
API_KEY_ENV = "ATLAS_GEOCODER_API_KEY"
DEFAULT_USER_AGENT = f"article-atlas/{__version__}"
_REPO = Path(__file__).resolve().parents[2]


def _secrets_files() -> list[Path]:
    return [Path.cwd() / ".streamlit" / "secrets.toml", _REPO / ".streamlit" / "secrets.toml"]


def setting(env_name: str) -> str | None:
    """An environment variable, else the same key in ``.streamlit/secrets.toml`` (top level or under
    ``[geocoder]`` without the ``ATLAS_GEOCODER_`` prefix, lower case)."""
    value = settings.read(env_name)
    if value:
        return value
    short = env_name.removeprefix("ATLAS_GEOCODER_").lower()
    for path in dict.fromkeys(_secrets_files()):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        section = data.get("geocoder") if isinstance(data.get("geocoder"), dict) else {}
        for candidate in (data.get(env_name), section.get(short)):
            if isinstance(candidate, str) and candidate:
                return candidate
    return None


def get_geocoder(
    name: str = "offline",
    domain: str | None = None,
    scheme: str | None = None,
    user_agent: str | None = None,
    api_key: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    min_delay_seconds: float | None = None,
) -> Geocoder:
    """Our geocoder for ``offline``, ``nominatim`` or any geopy service name.

    Raises ``GeocoderConfigError`` for an unknown service or bad settings (before any request).
    """
    service = (name or "offline").strip().lower()
    if service == "offline":
        if domain or scheme:
            raise GeocoderConfigError("--geocoder-domain/--geocoder-scheme need an online --geocoder (e.g. nominatim)")
        return OfflineGeocoder()
    user_agent = user_agent or setting(USER_AGENT_ENV) or DEFAULT_USER_AGENT
    explicit_key = api_key is not None
    api_key = api_key if explicit_key else setting(API_KEY_ENV)
    extra = {} if min_delay_seconds is None else {"min_delay_seconds": min_delay_seconds}
    from geodata.geocoders.geopy_service import GeopyGeocoder
    from geodata.geocoders.nominatim import NominatimGeocoder

    if service == "nominatim":
        geocoder = NominatimGeocoder(domain=domain, scheme=scheme, user_agent=user_agent, api_key=api_key,
                                     timeout=timeout, **extra)
        if geocoder.public and user_agent == DEFAULT_USER_AGENT:
            log.warning("public Nominatim: set %s to identify this installation (e.g. 'my-atlas/1 "
                        "(me@example.org)'), as its usage policy asks", USER_AGENT_ENV)
        return geocoder
    if api_key is not None and not explicit_key:
        # a key from the environment is only handed to services that take one
        try:
            from geopy.geocoders import get_geocoder_for_service
            params = inspect.signature(get_geocoder_for_service(service).__init__).parameters
            if "api_key" not in params:
                api_key = None
        except Exception:
            pass  # GeopyGeocoder reports the unknown service
    return GeopyGeocoder(service, domain=domain, scheme=scheme, user_agent=user_agent, api_key=api_key,
                         timeout=timeout, **extra)


def default_cache_path(out_dir: str | os.PathLike | None = None) -> Path:
    """``$ATLAS_GEOCODER_CACHE``, else ``<out_dir>/cache/geocoder.json`` (``geodata/cache/`` by default)."""
    env = settings.read("ATLAS_GEOCODER_CACHE")
    if env is not None:
        return env
    base = Path(out_dir) if out_dir is not None else _REPO / "geodata"
    return base / "cache" / "geocoder.json"


# -- CLI --------------------------------------------------------------------------------------------
def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def _retries(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def add_geocoder_arguments(parser: argparse.ArgumentParser) -> None:
    """``--geocoder``, ``--geocoder-domain``, ``--geocoder-scheme`` and tuning flags (for ``build``)."""
    group = parser.add_argument_group("online geocoding (only for names the offline gazetteer cannot place)")
    group.add_argument("--geocoder", default=settings.read("ATLAS_GEOCODER"), metavar="NAME",
                       help="offline (default), nominatim, or any geopy service name")
    group.add_argument("--geocoder-domain", metavar="HOST[:PORT]", default=settings.read("ATLAS_GEOCODER_DOMAIN"),
                       help="service host, e.g. a self-hosted Nominatim (default: $ATLAS_GEOCODER_DOMAIN, else "
                            "the service's public host)")
    group.add_argument("--geocoder-scheme", choices=("http", "https"),
                       default=settings.read("ATLAS_GEOCODER_SCHEME"),
                       help="http or https (default: $ATLAS_GEOCODER_SCHEME, else https)")
    group.add_argument("--geocoder-timeout", type=_positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help=f"per-request timeout (default {DEFAULT_TIMEOUT:g})")
    group.add_argument("--geocoder-min-delay", type=_positive_float, default=None, metavar="SECONDS",
                       help="least time between requests (default 1; never below 1 for the public Nominatim)")
    group.add_argument("--geocoder-retries", type=_retries, default=2, metavar="N",
                       help="retries per name on timeout / 429 / 5xx, with exponential backoff (default 2)")
    group.add_argument("--geocoder-cache", default=None, metavar="PATH",
                       help="answer cache (default <out>/cache/geocoder.json)")


def geocoder_from_args(args: argparse.Namespace) -> Geocoder:
    """The geocoder the parsed flags ask for (``OfflineGeocoder`` by default). Raises GeocoderConfigError.

    It carries the flags' ``max_retries`` and ``cache_path`` (when ``--geocoder-cache`` is given), so
    ``geocode_names(names, geocoder, default_cache)`` honours every flag."""
    geocoder = get_geocoder(
        getattr(args, "geocoder", "offline"),
        domain=getattr(args, "geocoder_domain", None),
        scheme=getattr(args, "geocoder_scheme", None),
        timeout=getattr(args, "geocoder_timeout", DEFAULT_TIMEOUT),
        min_delay_seconds=getattr(args, "geocoder_min_delay", None),
    )
    geocoder.max_retries = getattr(args, "geocoder_retries", 2)
    cache = getattr(args, "geocoder_cache", None)
    if cache:
        geocoder.cache_path = Path(cache)
    return geocoder


def geocode_options_from_args(args: argparse.Namespace, out_dir: str | os.PathLike | None = None) -> dict:
    """Keyword arguments for ``geocode_names`` / ``geocode_unresolved`` from the parsed flags."""
    cache = getattr(args, "geocoder_cache", None)
    return {
        "cache_path": Path(cache) if cache else default_cache_path(out_dir if out_dir is not None
                                                                   else getattr(args, "out", None)),
        "min_delay_seconds": getattr(args, "geocoder_min_delay", None),
        "max_retries": getattr(args, "geocoder_retries", 2),
    }
