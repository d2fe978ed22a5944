"""`gateway`: any Anthropic-compatible endpoint (LiteLLM, a corporate proxy): base_url + token.

``auth = "bearer"`` (default) sends the secret as ``ANTHROPIC_AUTH_TOKEN`` (Authorization:
Bearer); ``auth = "x-api-key"`` as ``ANTHROPIC_API_KEY``; ``auth = "none"`` sends none.
``headers`` become ``ANTHROPIC_CUSTOM_HEADERS`` (not for secrets: they sit in the file).
Probe: the models request with the same auth mode and headers, at ``probe_path``; its 2xx answer
must be a models list (``{"data": [...]}``) unless ``probe_path`` points elsewhere (a health endpoint).
"""

from __future__ import annotations

from claude_failover.routes.base import STR, Key, RouteType

# auth mode -> (claude's variable for the secret, the request header our probe sends, its value)
AUTH_MODES: dict[str, tuple[str, str, str] | None] = {
    "bearer": ("ANTHROPIC_AUTH_TOKEN", "authorization", "Bearer {}"),
    "x-api-key": ("ANTHROPIC_API_KEY", "x-api-key", "{}"),
    "none": None,
}


def _auth(profile):
    return AUTH_MODES.get(profile.options.get("auth", "bearer"))


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

    def needs_secret(self, options) -> bool:
        return options.get("auth", "bearer") != "none"

    def child_env(self, profile, secret):
        env = {"ANTHROPIC_BASE_URL": profile.options["base_url"]}
        auth = _auth(profile)
        if secret and auth:
            env[auth[0]] = secret
        headers = profile.options.get("headers")
        if headers:
            env["ANTHROPIC_CUSTOM_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in headers.items())
        return env

    def summary(self, profile):
        return f"gateway {profile.options.get('base_url')}"

    def can_probe(self, profile):
        return True

    def probe(self, profile, secret, ctx):
        from claude_failover.probes import http

        options = profile.options
        headers = http.anthropic_headers(**{k.lower(): v for k, v in (options.get("headers") or {}).items()})
        auth = _auth(profile)
        if secret and auth:
            headers[auth[1]] = auth[2].format(secret)
        path = options.get("probe_path") or "/v1/models?limit=1"
        # the models list must look like one; a probe_path elsewhere (a health endpoint) needs only a 2xx
        models = "check base_url / probe_path" if path.lstrip("/").startswith("v1/models") else None
        return http.get(http.api_url(options["base_url"], path), headers, ctx, models=models)


ROUTE = Gateway()
