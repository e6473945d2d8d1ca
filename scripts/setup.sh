#!/usr/bin/env bash
# Sets up everything Article Atlas needs, from pinned files only. Safe to run again: a second run
# checks stamps and changes nothing.
#   scripts/setup.sh          runtime: .venv, Python packages, map assets, gazetteer index
#   scripts/setup.sh --test   the same plus test packages and Debian's chromium
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

WITH_TESTS=0
[ "${1:-}" = "--test" ] && WITH_TESTS=1
CHROMIUM_PIN="$(grep -E '^chromium=' scripts/debian-packages.txt | cut -d= -f2)"
STAMPS=.venv/.atlas-stamps
APT_UPDATED=0

log() { printf '[setup] %s\n' "$*"; }
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else log "root is needed to run: $*"; exit 1; fi
}
apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp_ok() { local name=$1; shift; [ -f "$STAMPS/$name" ] && [ "$(cat "$STAMPS/$name")" = "$(digest "$@")" ]; }
stamp_set() { local name=$1; shift; mkdir -p "$STAMPS"; digest "$@" > "$STAMPS/$name"; }

# 1. Python 3.11+ in a virtual environment
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    log "Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1 || echo none))"; exit 1
fi
if [ ! -x .venv/bin/python ]; then
    log "creating .venv"
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
        rm -rf .venv
        apt_install python3-venv
        "$PYTHON" -m venv .venv
    fi
fi

# 2. Pinned Python packages
REQS=requirements.txt
[ "$WITH_TESTS" = 1 ] && REQS=requirements-test.txt
if ! stamp_ok "pip-$REQS" requirements.txt "$REQS"; then
    log "installing Python packages from $REQS"
    # (this machine's pip configuration names local mirror folders that may be absent: hide that noise)
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQS" \
        2> >(grep -v "^WARNING: Location 'file:" >&2)
    stamp_set "pip-$REQS" requirements.txt "$REQS"
fi

# 2b. The project itself, installed in place (imports work from any folder; no sys.path edits)
EDITABLE_STAMP="editable-$(printf %s "$PWD" | sha256sum | cut -c1-12)"  # one per checkout: .venv may be shared
if ! stamp_ok "$EDITABLE_STAMP" pyproject.toml; then
    log "installing the project in place (pip install -e .)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e . \
        2> >(grep -v "^WARNING: Location 'file:" >&2)
    stamp_set "$EDITABLE_STAMP" pyproject.toml
fi

# 3. Map assets and outlines from the npm registry (package-lock.json pins them)
if [ ! -d node_modules ] || ! stamp_ok npm package-lock.json; then
    if ! command -v npm >/dev/null 2>&1; then
        log "installing npm (Debian) to fetch the pinned map assets"
        apt_install nodejs npm
    fi
    log "installing map assets (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    stamp_set npm package-lock.json
fi

# 4. Built assets: the offline gazetteer index, then local Leaflet files and the offline basemap
#    (its town labels come from the index)
.venv/bin/python -m geodata index
.venv/bin/python -m dashboard.assets

# 5. Debian's chromium for the browser tests
if [ "$WITH_TESTS" = 1 ] && [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's chromium $CHROMIUM_PIN"
    if ! apt_install "chromium=$CHROMIUM_PIN"; then
        log "WARNING: chromium $CHROMIUM_PIN is no longer in the archive; installing the current one"
        apt_install chromium
    fi
fi
log "ready"
