"""Claude's remembered answers to "Detected a custom API key … Do you want to use this API key?".

The terminal UI asks that for an ``ANTHROPIC_API_KEY`` in its environment and stores the answer in
``~/.claude.json`` (``customApiKeyResponses.approved`` / ``.rejected``: the key's last 20
characters). A rejected key is ignored from then on by every interactive claude started with it in
``ANTHROPIC_API_KEY``: claude silently sends the subscription login instead. claude-failover's
interactive launches carry the key through an apiKeyHelper, which claude never asks about, so the
launch still uses the key; a plain claude does not. Read only: this is claude's own file.
"""

from __future__ import annotations

import json

from claude_failover.doctor.finding import INFO, WARNING, Context, Finding

FIELD = "customApiKeyResponses"
TAIL = 20   # claude stores key.trim().slice(-20)


def _key_profiles(ctx: Context):
    """Profiles whose route puts its secret in ANTHROPIC_API_KEY (api-key, gateway x-api-key)."""
    for profile in ctx.profiles():
        if profile.secret_sources and "ANTHROPIC_API_KEY" in profile.route.child_env(profile, "x"):
            yield profile


def _answers(path: str) -> dict | None:
    try:
        with open(path, "rb") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    answers = data.get(FIELD) if isinstance(data, dict) else None
    return answers if isinstance(answers, dict) else None


def check_rejected_keys(ctx: Context) -> list[Finding]:
    from claude_failover import secret
    from claude_failover.claude_settings import global_config_path
    from claude_failover.errors import SecretError

    profiles = list(_key_profiles(ctx))
    if not profiles:
        return []
    path = global_config_path(ctx.environ)
    answers = _answers(path)
    rejected = [r for r in (answers or {}).get("rejected") or [] if isinstance(r, str)]
    findings = []
    for profile in profiles:
        try:
            found = secret.resolve(profile.name, profile.secret_sources, ctx.environ)
        except SecretError:
            continue   # check_profile_secrets reports it
        if found is None or found.value.strip()[-TAIL:] not in rejected:
            continue
        findings.append(Finding(
            "api-key-rejected", WARNING,
            f"profile {profile.name!r}: claude remembers a \"No\" to this API key ({secret.mask(found.value)}) "
            f"in {path} ({FIELD}.rejected)",
            why="claude-failover still launches this route with the key (through an apiKeyHelper, which claude "
                "does not ask about), but a plain `claude` with this key in ANTHROPIC_API_KEY silently uses your "
                "subscription login instead, and claude never asks again",
            fix=f"with no claude running, remove the entry ending in {found.value.strip()[-4:]!r} from "
                f"{FIELD}.rejected in {path}",
            path=path))
    if not findings and rejected:
        findings.append(Finding("api-key-rejected-other", INFO,
                                f"{path} remembers {len(rejected)} rejected API key(s), none of them a profile's",
                                path=path))
    return findings


CHECKS = (check_rejected_keys,)
