"""The real `claude`: found, its version, new enough for each route, no shim or alias loop."""

from __future__ import annotations

import os

from claude_failover.doctor.finding import ERROR, INFO, OK, WARNING, Context, Finding

UPDATE_FIX = "claude update   (or: npm install -g @anthropic-ai/claude-code@latest)"


def _version_text(version) -> str:
    return ".".join(str(x) for x in version)


def _find(ctx: Context):
    from claude_failover import binary
    from claude_failover.errors import ClaudeNotFoundError

    cfg = ctx.config()
    try:
        return binary.find_claude(cfg.claude if cfg else None, ctx.environ, cfg.path if cfg else None), None
    except ClaudeNotFoundError as exc:
        return None, exc


def check_claude_found(ctx: Context) -> list[Finding]:
    path, error = ctx.cached("claude", lambda: _find(ctx))
    if error is not None:
        return [Finding("claude-not-found", ERROR, error.message,
                        why="claude-failover has no claude to start (every launch exits 127)",
                        fix=error.hint or UPDATE_FIX)]
    return [Finding("claude-found", OK, f"the real claude: {path}", path=path)]


def check_claude_version(ctx: Context) -> list[Finding]:
    from claude_failover import binary

    path, _ = ctx.cached("claude", lambda: _find(ctx))
    if path is None:
        return []
    version = ctx.cached("claude_version", lambda: binary.claude_version(path))
    if version is None:
        return [Finding("claude-version-unknown", WARNING, f"`{path} --version` printed no version",
                        why="the binary may be broken or not Claude Code; route minimums cannot be checked",
                        fix=UPDATE_FIX, path=path)]
    findings = [Finding("claude-version", OK, f"claude {_version_text(version)}", path=path)]
    for profile in ctx.profiles():
        needed = profile.route.min_claude
        if needed and tuple(version) < tuple(needed):
            findings.append(Finding("claude-too-old", ERROR,
                                    f"profile {profile.name!r} ({profile.type}) needs claude {_version_text(needed)} "
                                    f"or later; found {_version_text(version)}",
                                    why=f"an older claude does not know the {profile.route.title} switch and would "
                                        "silently use another credential", fix=UPDATE_FIX, path=path))
    return findings


def path_claudes(environ: dict[str, str]) -> list[str]:
    names = ["claude"] + ([f"claude{ext}" for ext in (".exe", ".cmd")] if os.name == "nt" else [])
    found = []
    for directory in environ.get("PATH", os.defpath).split(os.pathsep):
        for name in names:
            candidate = os.path.join(directory or ".", name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and candidate not in found:
                found.append(candidate)
    return found


def check_shim_loop(ctx: Context) -> list[Finding]:
    from claude_failover import binary

    findings = []
    every = path_claudes(ctx.environ)
    ours = [p for p in every if binary.leads_to_us(p)]
    real = [p for p in every if p not in ours]
    cfg = ctx.config()
    if ours and not real and not (cfg and cfg.claude):
        findings.append(Finding("shim-loop", ERROR,
                                f"every `claude` on PATH leads back to claude-failover ({', '.join(ours)})",
                                why="the shim would start itself; the launcher refuses (exit 127) instead of looping",
                                fix='install Claude Code, or set `claude = "/path/to/real/claude"` in the config'))
    elif ours and every and every[0] in ours:
        what = ("your own script that runs claude-failover" if binary.is_wrapper(every[0])
                else "the claude-failover shim")
        findings.append(Finding("shim-first", OK, f"`claude` on PATH is {what} ({every[0]}); "
                                f"the real one follows ({real[0] if real else cfg.claude})"))
    elif real and every[0] in real and not ours:
        findings.append(Finding("shim-absent", INFO, f"`claude` on PATH is the real Claude Code ({every[0]})",
                                why="a plain `claude` bypasses claude-failover unless your shell aliases it",
                                fix="alias claude=claude-failover   (or: claude-failover-ctl install-shim)"))
    active = ctx.environ.get("CLAUDE_FAILOVER_ACTIVE")
    if active:
        findings.append(Finding("inside-claude", INFO, f"this shell was started by claude running on route {active!r}",
                                why="its environment holds that route's variables, not your shell's"))
    return findings


CHECKS = (check_claude_found, check_claude_version, check_shim_loop)
