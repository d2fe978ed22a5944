"""`oauth-token` (claude setup-token): never sends the token. Its shape, then the status page."""

from __future__ import annotations

from claude_failover.probes import worst
from claude_failover.verdict import Verdict, unhealthy


def probe(profile, secret, ctx):
    if not secret or not secret.isprintable() or any(c.isspace() for c in secret):
        return unhealthy("misconfigured", "the token is empty or contains spaces/control characters", source="local")
    shape = None
    if not secret.startswith("sk-ant-oat"):
        shape = Verdict("degraded", "misconfigured", "the token does not look like a `claude setup-token` token",
                        source="local")
    return worst(shape, ctx.status_page(profile.status_url or ctx.cfg.status_url))
