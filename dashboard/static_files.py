"""The dashboard's own browser files (dashboard/static/atlas/), served by Streamlit at /app/static/atlas/."""
from __future__ import annotations

import hashlib
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static" / "atlas"
STATIC_URL = "/app/static/atlas"


def static_url(name: str, folder: Path | None = None) -> str:
    """URL of one of our browser files, with a content hash so a changed file is never taken from cache."""
    digest = hashlib.sha1(((folder or STATIC_DIR) / name).read_bytes()).hexdigest()[:10]
    return f"{STATIC_URL}/{name}?v={digest}"
