#!/usr/bin/env bash
# Static checks over claude_failover/: ruff (lint rules) and mypy (types), both configured in
# pyproject.toml. Exits non-zero on any finding. Uses the .venv that scripts/test.sh installs
# (the `test` extra brings ruff and mypy). Extra arguments go to ruff, e.g.
#   bash scripts/lint.sh --statistics
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO" || exit 1

log() { printf '[lint.sh] %s\n' "$*" >&2; }

for tool in ruff mypy; do
  if [ ! -x ".venv/bin/$tool" ]; then
    log "FAILED: .venv/bin/$tool is missing: run \`bash scripts/test.sh\` once (it installs the test extra)"
    exit 1
  fi
done

rc=0
log "ruff check claude_failover"
.venv/bin/ruff check claude_failover "$@" || rc=1
log "mypy (files and options from pyproject.toml)"
.venv/bin/mypy || rc=1
if [ "$rc" -eq 0 ]; then log "no findings"; else log "FAILED: findings above"; fi
exit $rc
