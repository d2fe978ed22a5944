#!/usr/bin/env bash
# The one command that runs the whole claude-failover test suite on a fresh Debian machine
# (root; apt, PyPI and npm reachable). Extra arguments go to pytest, e.g.
#   bash scripts/test.sh -k keyring -x
# Steps: apt packages (only if missing) -> .venv with the package and its test extra -> static checks
# (scripts/lint.sh: ruff + mypy; any finding fails the run) -> the pinned
# real claude and the oldest supported one (versions in ./claude-code-versions), each in its own
# .cache/claude-code-<version> -> pytest inside a loopback-only user+network namespace with a private
# D-Bus session and a throwaway HOME.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
version_of() { sed -n "s/^$1[[:space:]]*=[[:space:]]*\([0-9][0-9.]*\)[[:space:]]*$/\1/p" claude-code-versions; }
CLAUDE_VERSION="$(version_of pinned)"
OLDEST_VERSION="$(version_of oldest)"

log() { printf '[test.sh] %s\n' "$*" >&2; }

# --- 1. system packages ----------------------------------------------------------------------------
APT_PKGS=(gnome-keyring dbus dbus-user-session libsecret-tools shellcheck fish zsh systemd iproute2 util-linux tmux)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  log "installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. python venv --------------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv
fi
PY="$REPO/.venv/bin/python"
HARNESS_DEPS=(pytest hypothesis httpx keyring secretstorage click tenacity platformdirs)
# reinstall only when pyproject.toml (or this script's install logic) changed; -e picks up code edits
stamp=".venv/.claude-failover-test-stamp"
want="$({ cat pyproject.toml 2>/dev/null || true; } | sha256sum | cut -c1-16)-v2"
# (scripts/setup.sh installs non-editable into the same .venv: then reinstall editable, or the tests
# would run the copy in site-packages instead of this checkout)
editable() { "$PY" -I -c 'import sys, claude_failover; sys.exit(not claude_failover.__file__.startswith(sys.argv[1]))' \
  "$REPO/" 2>/dev/null; }
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ] || ! editable; then
  "$PY" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  if [ -f pyproject.toml ] && grep -Eq '^[[:space:]]*test[[:space:]]*=' pyproject.toml; then
    log "pip install -e '.[test]'"
    "$PY" -m pip install -q --disable-pip-version-check -e '.[test]' 2>.venv/pip-install.log \
      || { cat .venv/pip-install.log >&2; log "FAILED: pip install -e '.[test]'"; exit 1; }
  elif [ -f pyproject.toml ]; then
    log "pyproject.toml has no 'test' extra yet: installing -e . plus the harness's own dependencies"
    "$PY" -m pip install -q --disable-pip-version-check -e . "${HARNESS_DEPS[@]}"
  else
    log "no pyproject.toml yet: installing only the harness's dependencies (package tests will fail to import)"
    "$PY" -m pip install -q --disable-pip-version-check "${HARNESS_DEPS[@]}"
  fi
  # the harness itself needs these whatever the extra says (keyring fixture, fake server clients)
  "$PY" -c 'import pytest, hypothesis, httpx, keyring, secretstorage, jeepney' 2>/dev/null \
    || "$PY" -m pip install -q --disable-pip-version-check "${HARNESS_DEPS[@]}"
  # the dependencies' wheels, for the packaging tests' offline pipx / uv installs (tests/test_packaging.py)
  rm -rf .venv/wheelhouse
  "$PY" -m pip download -q --disable-pip-version-check --only-binary=:all: -d .venv/wheelhouse \
      click httpx keyring tenacity platformdirs setuptools wheel 2>.venv/pip-download.log \
    || { cat .venv/pip-download.log >&2; log "FAILED: pip download into .venv/wheelhouse"; exit 1; }
  echo "$want" > "$stamp"
fi
export CLAUDE_FAILOVER_TEST_WHEELHOUSE="$REPO/.venv/wheelhouse"

# --- 2b. static checks (ruff + mypy over claude_failover/): findings fail the run before any test ---
# (the `test` extra installed above brings ruff and mypy; scripts/lint.sh says what it runs)
if [ ! -x .venv/bin/ruff ] || [ ! -x .venv/bin/mypy ]; then  # a venv made before the extra named them
  "$PY" -m pip install -q --disable-pip-version-check 'ruff>=0.8' 'mypy>=1.13'
fi
if ! bash scripts/lint.sh; then
  log "FAILED: ruff/mypy findings in claude_failover/ (listed above): fix them, then rerun bash scripts/lint.sh"
  exit 1
fi

# --- 3. the pinned real claude and the oldest supported one ---------------------------------------
# Each version gets its own directory, installed beside it and renamed into place: several checkouts
# may share one .cache and run tests at the same time, so an installed version is never touched again.
install_claude() {  # <version> -> prints the path of its claude
  local version="$1" dir="$REPO/.cache/claude-code-$1" tmp got
  local bin="$dir/node_modules/.bin/claude"
  if ! "$bin" --version >/dev/null 2>&1; then
    log "installing @anthropic-ai/claude-code@$version into .cache/claude-code-$version"
    mkdir -p "$REPO/.cache"
    tmp="$(mktemp -d "$REPO/.cache/.claude-code-$version.XXXXXX")"
    npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$version" >&2 \
      || { rm -rf "$tmp"; log "FAILED: npm install @anthropic-ai/claude-code@$version"; exit 1; }
    # another run may have won the race: keep its copy
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  fi
  got="$("$bin" --version 2>/dev/null || true)"
  case "$got" in
    "$version "*) ;;
    *) log "FAILED: $bin --version printed '$got', expected $version"; exit 1 ;;
  esac
  printf '%s\n' "$bin"
}
if [ -z "$CLAUDE_VERSION" ] || [ -z "$OLDEST_VERSION" ]; then
  log "FAILED: claude-code-versions names no pinned or no oldest version"; exit 1
fi
CLAUDE_FAILOVER_TEST_CLAUDE="$(install_claude "$CLAUDE_VERSION")"
CLAUDE_FAILOVER_TEST_OLDEST_CLAUDE="$(install_claude "$OLDEST_VERSION")"
export CLAUDE_FAILOVER_TEST_CLAUDE CLAUDE_FAILOVER_TEST_OLDEST_CLAUDE

# --- 4. pytest in a loopback-only namespace with a private D-Bus session ----------------------------
RUN_TMP="$(mktemp -d -t claude-failover-test.XXXXXX)"
trap 'rm -rf "$RUN_TMP"' EXIT
mkdir -p "$RUN_TMP/home" "$RUN_TMP/data" "$RUN_TMP/run"
chmod 700 "$RUN_TMP/run"
# a user namespace when the kernel allows one; as root a plain network namespace does as well
UNSHARE_ARGS=(--user --map-root-user --net)
if ! unshare "${UNSHARE_ARGS[@]}" true 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
    UNSHARE_ARGS=(--net)
  else
    log "FAILED: cannot create a network namespace (unshare --user --net); e2e tests need one"; exit 1
  fi
fi
log "running pytest (loopback-only namespace, private D-Bus) $*"
set +e
# HOME/XDG_* point at a throwaway dir for the whole run, so even a D-Bus-activated service or a test
# that escapes its fixtures never touches the real ~/.claude or the real keyring.
# shellcheck disable=SC2016  # the inner script expands its own $0 and $@
env HOME="$RUN_TMP/home" XDG_DATA_HOME="$RUN_TMP/data" XDG_RUNTIME_DIR="$RUN_TMP/run" \
    XDG_CONFIG_HOME="$RUN_TMP/home/.config" XDG_CACHE_HOME="$RUN_TMP/home/.cache" \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
  unshare "${UNSHARE_ARGS[@]}" -- sh -c '
    ip link set lo up || exit 97
    exec dbus-run-session -- "$0" -m pytest "$@"
  ' "$PY" "$@"
rc=$?
set -e
case $rc in
  0) log "all tests passed" ;;
  5) log "FAILED: pytest collected no tests (exit 5)"; exit 1 ;;
  97) log "FAILED: could not bring up lo inside the network namespace"; exit 1 ;;
  *) log "FAILED: pytest exit status $rc" ;;
esac
exit $rc
