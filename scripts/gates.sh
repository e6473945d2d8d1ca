#!/usr/bin/env bash
# The code gates scripts/test.sh runs before the tests (configured in pyproject.toml, where today's
# exceptions are listed): ruff (unused imports and names, complexity <= 24), deptry (declared versus
# imported dependencies), vulture (dead code).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "[gates] ruff";    .venv/bin/ruff check --quiet .
echo "[gates] deptry";  .venv/bin/deptry --no-ansi . 2>&1 | tail -n +2
echo "[gates] vulture"; .venv/bin/vulture
