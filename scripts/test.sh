#!/usr/bin/env bash
# Sets everything up (test packages and Debian's chromium included), then runs every test.
# Extra arguments go to pytest, e.g. scripts/test.sh -k seeds
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
