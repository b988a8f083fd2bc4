#!/usr/bin/env bash
# The whole test suite (README's second command). Set CREDIT_ENGINE_TEST_DATABASE_URL to also run every ledger
# test on PostgreSQL; .ci/run sets it to the local server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
