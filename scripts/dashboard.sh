#!/usr/bin/env bash
# Sets everything up, then starts the dashboard on the articles in seeds/ (or $ATLAS_ARTICLES_DIR).
# Extra arguments go to `streamlit run`, e.g. scripts/dashboard.sh --server.port 8600
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
.venv/bin/python -m geodata build --articles "${ATLAS_ARTICLES_DIR:-seeds}" --out "${ATLAS_DATA_DIR:-geodata}"
exec .venv/bin/python -m streamlit run dashboard/app.py --server.headless true "$@"
