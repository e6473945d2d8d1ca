"""One exception hierarchy for the whole pipeline (callers catch AtlasError)."""


class AtlasError(Exception):
    """Base class of every error the pipeline raises on purpose."""


class GazetteerError(AtlasError):
    """The offline gazetteer index is missing or unreadable."""


class OverrideError(AtlasError):
    """A row of the overrides file is invalid."""


class GeocoderError(AtlasError):
    """An online geocoder failed (unreachable, rate-limited, bad answer)."""
