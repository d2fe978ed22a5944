"""`gateway`: any Anthropic-compatible endpoint (LiteLLM, a corporate proxy): base_url + token.

``auth = "bearer"`` (default) sends the secret as ``ANTHROPIC_AUTH_TOKEN`` (Authorization:
Bearer); ``auth = "x-api-key"`` as ``ANTHROPIC_API_KEY``; ``auth = "none"`` sends none.
``headers`` become ``ANTHROPIC_CUSTOM_HEADERS`` (not for secrets: they sit in the file).
"""

from __future__ import annotations

from claude_failover.routes.base import STR, Key, RouteType

AUTH_MODES = ("bearer", "x-api-key", "none")


class Gateway(RouteType):
    name = "gateway"
    title = "Anthropic-compatible gateway"
    keys = {
        "base_url": Key(STR, "the gateway's URL (ANTHROPIC_BASE_URL)", required=True),
        "auth": Key(STR, 'how the token is sent: "bearer" (default), "x-api-key" or "none"'),
        "headers": Key((dict,), "extra request headers (ANTHROPIC_CUSTOM_HEADERS), no secrets"),
        "probe_path": Key(STR, "path probed for health (default /v1/models?limit=1)"),
    }
    secret = "required"
    secret_var = "ANTHROPIC_AUTH_TOKEN"

    def check(self, options):
        problems = []
        auth = options.get("auth", "bearer")
        if auth not in AUTH_MODES:
            problems.append(("auth", f"auth must be one of {', '.join(AUTH_MODES)}, not {auth!r}"))
        for name, value in (options.get("headers") or {}).items():
            if not isinstance(value, str):
                problems.append(("headers", f"header {name!r} must be a string"))
        return problems

    def needs_secret(self, profile) -> bool:
        return profile.options.get("auth", "bearer") != "none"

    def child_env(self, profile, secret):
        env = {"ANTHROPIC_BASE_URL": profile.options["base_url"]}
        auth = profile.options.get("auth", "bearer")
        if secret and auth == "bearer":
            env["ANTHROPIC_AUTH_TOKEN"] = secret
        elif secret and auth == "x-api-key":
            env["ANTHROPIC_API_KEY"] = secret
        headers = profile.options.get("headers")
        if headers:
            env["ANTHROPIC_CUSTOM_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in headers.items())
        return env

    def summary(self, profile):
        return f"gateway {profile.options.get('base_url')}"


ROUTE = Gateway()
