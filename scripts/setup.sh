#!/usr/bin/env bash
# Install claude-failover into ./.venv and show which route a `claude` launch would take now.
# Usage: bash scripts/setup.sh   (then: alias claude="$PWD/.venv/bin/claude-failover")
# A regular (non-editable) install: an editable one adds setuptools' import finder to every start
# of the launcher (README "Speed"). After `git pull`, run this again to install the new code.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "[setup] python3-venv is missing: installing it" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
BIN="$REPO/.venv/bin"
# pip rebuilds and reinstalls a local directory every time, so a rerun installs the current code
"$BIN/python" -m pip install -q --disable-pip-version-check . 2>.venv/setup-pip.log \
  || { cat .venv/setup-pip.log >&2; exit 1; }
echo "[setup] installed: $BIN/claude-failover and $BIN/claude-failover-ctl" >&2
echo "[setup] $BIN/claude-failover-ctl which:" >&2
rc=0
"$BIN/claude-failover-ctl" which || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "[setup] installed fine; 'which' exited $rc (69 = no usable route yet: log in with 'claude auth login'," >&2
  echo "[setup] or store an API key with '$BIN/claude-failover-ctl keys set api-key')" >&2
fi
echo "[setup] next: alias claude=$BIN/claude-failover   (and, for the ctl by name, add $BIN to PATH" >&2
echo "[setup]       or run it by that path: $BIN/claude-failover-ctl status)" >&2
