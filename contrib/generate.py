"""Regenerate the static integration files from the code that renders them.

    .venv/bin/python contrib/generate.py          # rewrite them
    .venv/bin/python contrib/generate.py --check  # exit 1 if any is stale (tests do this)

Completion scripts come from ``claude-failover-ctl completion``; the systemd units and the launchd
agent from ``claude-failover-ctl install-units`` (with a pipx-style ``~/.local/bin`` path).
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def expected() -> dict[str, str]:
    """repo-relative path -> content."""
    from claude_failover.ctl import cmd_completion as comp, cmd_install_units as units

    files = {}
    for command in comp.COMMANDS:
        files[f"contrib/completions/bash/{command}"] = comp.script("bash", command)
        files[f"contrib/completions/zsh/_{command}"] = comp.script("zsh", command)
        files[f"contrib/completions/fish/{command}.fish"] = comp.script("fish", command)
    files["contrib/completions/powershell/claude-failover.ps1"] = comp.script("powershell", None)
    argv = [units.DEFAULT_SYSTEMD_CTL, *units.PROBE_ARGS]
    files[f"systemd/{units.SERVICE}"] = units.render_service(" ".join(argv))
    files[f"systemd/{units.TIMER}"] = units.render_timer()
    files[f"contrib/launchd/{units.LAUNCHD_LABEL}.plist"] = units.render_plist(
        [units.DEFAULT_LAUNCHD_CTL, *units.PROBE_ARGS], log_path="/tmp/claude-failover-probe.log")
    return files


def stale() -> list[str]:
    out = []
    for rel, text in expected().items():
        try:
            with open(os.path.join(ROOT, rel), encoding="utf-8") as handle:
                if handle.read() == text:
                    continue
        except FileNotFoundError:
            pass
        out.append(rel)
    return out


def main(argv: list[str]) -> int:
    if "--check" in argv:
        bad = stale()
        for rel in bad:
            print(f"stale: {rel} (run: python contrib/generate.py)", file=sys.stderr)
        return 1 if bad else 0
    for rel, text in expected().items():
        path = os.path.join(ROOT, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    raise SystemExit(main(sys.argv[1:]))
