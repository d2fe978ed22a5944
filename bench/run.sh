#!/usr/bin/env bash
# The outage replay (bench/outage.py) in a loopback-only network namespace, with the pinned claude
# (claude-code-versions; $CLAUDE_FAILOVER_TEST_CLAUDE overrides it).
# Run `bash scripts/test.sh tests/test_classify.py -q` once first: it creates .venv and installs claude.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$REPO/.venv/bin/python" "$REPO/bench/outage.py" --in-namespace "$@"
