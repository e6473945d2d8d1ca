#!/usr/bin/env bash
# Sets everything up (test packages and Debian's chromium included), runs the code gates
# (scripts/gates.sh: ruff, deptry, vulture), then every test.
# Extra arguments go to pytest, e.g. scripts/test.sh -k seeds
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh --test
scripts/gates.sh
exec .venv/bin/python -m pytest "$@"
