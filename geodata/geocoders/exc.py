"""Geocoder exceptions: one hierarchy under ``geodata.errors.GeocoderError``.

Every failure of a lookup carries a short ``reason`` (used in reports) and whether retrying may help.
"""
from __future__ import annotations

from geodata.errors import GeocoderError


class GeocoderConfigError(GeocoderError):
    """The geocoder cannot be set up (unknown service, bad domain/scheme, missing key). Raised early."""

    reason = "configuration"


class GeocoderLookupError(GeocoderError):
    """One lookup failed. Subclasses say why; ``detail`` is the underlying message."""

    reason = "error"
    retryable = False

    def __init__(self, detail: str = "", *, retry_after: float | None = None):
        super().__init__(detail or self.reason)
        self.detail = detail
        self.retry_after = retry_after


class GeocoderUnreachable(GeocoderLookupError):
    """No connection (refused, DNS failure, network down)."""

    reason = "unreachable"
    retryable = True


class GeocoderTimeout(GeocoderLookupError):
    """The service did not answer within the timeout."""

    reason = "timeout"
    retryable = True


class GeocoderRateLimitedError(GeocoderLookupError):
    """HTTP 429 (or a quota answer): too many requests."""

    reason = "rate-limited"
    retryable = True


class GeocoderServerError(GeocoderLookupError):
    """HTTP 5xx or another failure on the service's side."""

    reason = "server-error"
    retryable = True


class GeocoderMalformedAnswer(GeocoderLookupError):
    """The answer is not what the service's format promises (bad JSON, missing or impossible fields)."""

    reason = "malformed-answer"
    retryable = False


class GeocoderRejected(GeocoderLookupError):
    """The service refused the request (bad key, forbidden, bad query): retrying will not help."""

    reason = "rejected"
    retryable = False
