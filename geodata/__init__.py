"""Article Atlas pipeline: articles -> mentions -> resolved places -> GeoJSON."""

__version__ = "0.1.0"
