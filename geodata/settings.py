"""Every ``ATLAS_*`` environment setting, declared once: name, default, allowed values, meaning.

Code reads a setting only through ``read(name)`` (or ``Setting.read``), never ``os.environ`` directly;
``tests/test_settings.py`` scans the source for stray reads and for names that are not registered here.

Two tables, one registry: this module (standard library only, so the pipeline never imports the
dashboard) declares the ``Setting`` type and the pipeline's settings; ``dashboard/settings.py`` declares
the dashboard's and the test harness's with the same type and joins both (``dashboard.settings.ALL``),
which is what ``docs/dashboard.md``'s settings table is generated from.

An empty value means "unset". An invalid value (a word outside the allowed ones, a flag that is not
yes or no) is logged once with the setting's name and the fallback used, and the documented default
applies; ``problems()`` lists such messages for a caller that shows them (the dashboard does).
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
TEXT, PATH, FLAG, CHOICE = "text", "path", "flag", "choice"
MAX_LENGTH = 4096  # longer values are refused: no setting needs more
_warned: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Setting:
    """One environment setting. ``default`` is the value used when it is unset or invalid;
    ``default_text`` says it in words for the docs (for defaults computed elsewhere)."""

    name: str
    meaning: str
    kind: str = TEXT
    default: object = None
    default_text: str = ""
    choices: tuple[str, ...] = ()
    secret: bool = False

    def parse(self, raw: str) -> object:
        """The value of a non-empty ``raw`` string; ValueError (with a reason) when it is not allowed."""
        if len(raw) > MAX_LENGTH or "\x00" in raw:
            raise ValueError(f"longer than {MAX_LENGTH} characters or contains a NUL byte")
        value = raw.strip()
        if self.kind == FLAG:
            if value.lower() in TRUE_WORDS:
                return True
            if value.lower() in FALSE_WORDS:
                return False
            raise ValueError(f"expected one of {', '.join(TRUE_WORDS + FALSE_WORDS)}")
        if self.kind == CHOICE:
            if value.lower() not in self.choices:
                raise ValueError(f"expected one of {', '.join(self.choices)}")
            return value.lower()
        if self.kind == PATH:
            return Path(value).expanduser()
        return value

    def raw(self, env: Mapping[str, str] | None = None) -> str | None:
        value = (os.environ if env is None else env).get(self.name)
        return value if value is not None and value.strip() else None

    def check(self, env: Mapping[str, str] | None = None) -> str | None:
        """The message for an invalid value, or None when the value is fine or unset."""
        raw = self.raw(env)
        if raw is None:
            return None
        try:
            self.parse(raw)
        except ValueError as exc:
            shown = "(hidden)" if self.secret else repr(_quoted(raw))
            return f"{self.name}={shown} is not valid: {exc}; using the default ({self.fallback_words()})."
        return None

    def read(self, env: Mapping[str, str] | None = None) -> object:
        """The parsed value, else the default (an invalid value is logged once)."""
        raw = self.raw(env)
        if raw is None:
            return self.default
        try:
            return self.parse(raw)
        except ValueError:
            message = self.check(env)
            if (self.name, raw) not in _warned:
                _warned.add((self.name, raw))
                log.warning("%s", message)
            return self.default

    def fallback_words(self) -> str:
        if self.default_text:
            return self.default_text
        if self.kind == FLAG:
            return "on" if self.default else "off"
        return "unset" if self.default is None else str(self.default)

    def allowed_words(self) -> str:
        if self.kind == FLAG:
            return "`1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`"
        if self.kind == CHOICE:
            return " / ".join(f"`{c}`" for c in self.choices)
        return "a path" if self.kind == PATH else "text"


def _quoted(raw: str, limit: int = 60) -> str:
    clean = re.sub(r"[^\w.\-/:@ ]", "?", raw)
    return clean[:limit] + ("..." if len(clean) > limit else "")


_GEODATA = Path(__file__).resolve().parent

PIPELINE: tuple[Setting, ...] = (
    Setting("ATLAS_OVERRIDES", "the curation overrides file every build applies (and the dashboard's "
            "\"Wrong place?\" panel writes)", PATH, _GEODATA / "overrides.csv", "`geodata/overrides.csv`"),
    Setting("ATLAS_GEOCODER", "default of `--geocoder`: `offline` or an online geopy service (e.g. `nominatim`) "
            "for names the gazetteer cannot place; the dashboard's rebuilds use it too", TEXT, "offline"),
    Setting("ATLAS_GEOCODER_DOMAIN", "default of `--geocoder-domain`: the service host, e.g. a self-hosted "
            "Nominatim `localhost:8080`", TEXT, None, "the service's public host"),
    Setting("ATLAS_GEOCODER_SCHEME", "default of `--geocoder-scheme`", CHOICE, None, "`https`",
            choices=("http", "https")),
    Setting("ATLAS_GEOCODER_USER_AGENT", "the User-Agent sent to online geocoders (public Nominatim asks for one "
            "naming the installation); else `user_agent` under `[geocoder]` in `.streamlit/secrets.toml`",
            TEXT, None, "`article-atlas/<version>`"),
    Setting("ATLAS_GEOCODER_API_KEY", "API key for geocoders that need one; else `api_key` under `[geocoder]` in "
            "`.streamlit/secrets.toml`", TEXT, None, "none", secret=True),
    Setting("ATLAS_GEOCODER_CACHE", "the online geocoders' answer cache", PATH, None,
            "`<out>/cache/geocoder.json`"),
)

REGISTRY: dict[str, Setting] = {s.name: s for s in PIPELINE}


def read(name: str, env: Mapping[str, str] | None = None) -> object:
    """The value of the pipeline setting ``name`` (KeyError for a name that is not registered)."""
    return REGISTRY[name].read(env)


def problems(settings=PIPELINE, env: Mapping[str, str] | None = None) -> list[str]:
    """A message per setting whose value is invalid (the default is used for each)."""
    return [m for m in (s.check(env) for s in settings) if m]
