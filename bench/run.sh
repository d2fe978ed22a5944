#!/usr/bin/env bash
# The outage replay (bench/outage.py) in a loopback-only network namespace, with the pinned claude.
# Run `bash scripts/test.sh tests/test_classify.py -q` once first: it creates .venv and installs claude.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CLAUDE_FAILOVER_TEST_CLAUDE="${CLAUDE_FAILOVER_TEST_CLAUDE:-$REPO/.cache/claude-code/node_modules/.bin/claude}"
exec "$REPO/.venv/bin/python" "$REPO/bench/outage.py" --in-namespace "$@"
