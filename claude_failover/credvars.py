"""The one list of environment variables by which Claude Code picks a credential or a provider.

Measured on claude 2.1.332 against the fake server (docs/claude-code.md has each measurement).
Every one of them is removed from the child environment before the chosen route adds its own,
so nothing in the caller's shell can silently win. tests/test_claude_drift.py reads the pinned
claude and fails on a credential- or provider-looking name that is neither here nor in
``MEASURED_HARMLESS``.

What is scrubbed: every variable that carries a credential (a credential never reaches a route that
did not choose it), every provider switch and the settings of each provider (a settings file that
switches a provider on must not find the shell's values), and whatever was measured to pull claude
off the chosen route (e.g. ``CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST``, ``CLAUDE_SECURESTORAGE_CONFIG_DIR``
and ``CLAUDE_CODE_SIMPLE`` each make a subscription launch say "Not logged in").
"""

CREDENTIAL_VARS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_CUSTOM_HEADERS",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN_FILE_DESCRIPTOR",
    "CLAUDE_CODE_OAUTH_REFRESH_TOKEN",
    "CLAUDE_CODE_API_KEY_FILE_DESCRIPTOR",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_MANTLE",
    "CLAUDE_CODE_USE_VERTEX",
    "CLAUDE_CODE_USE_FOUNDRY",
    "CLAUDE_CODE_USE_ANTHROPIC_AWS",
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
    "CLAUDE_CODE_USE_GATEWAY",
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
    "CLAUDE_CODE_SKIP_MANTLE_AUTH",
    "CLAUDE_CODE_SKIP_VERTEX_AUTH",
    "CLAUDE_CODE_SKIP_FOUNDRY_AUTH",
    "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH",
    "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH",
    "AWS_BEARER_TOKEN_BEDROCK",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    "ANTHROPIC_VERTEX_BASE_URL",
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "ANTHROPIC_FOUNDRY_RESOURCE",
    "ANTHROPIC_AWS_API_KEY",
    "ANTHROPIC_AWS_BASE_URL",
    "ANTHROPIC_GOOGLE_CLOUD_BASE_URL",
    "ANTHROPIC_GOOGLE_CLOUD_LOCATION",
    "ANTHROPIC_GOOGLE_CLOUD_PROJECT",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_IDENTITY_TOKEN",
    "ANTHROPIC_IDENTITY_TOKEN_FILE",
    "ANTHROPIC_UNIX_SOCKET",
    # added for 2.1.332 (measured: docs/claude-code.md "Variables")
    "CLAUDE_CODE_GATEWAY_TOKEN",
    "CLAUDE_CODE_GATEWAY_TOKEN_FILE_DESCRIPTOR",
    "CLAUDE_CODE_SESSION_ACCESS_TOKEN",
    "ANTHROPIC_AWS_WORKSPACE_ID",
    "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID",
    "ANTHROPIC_ORGANIZATION_ID",
    "ANTHROPIC_WORKSPACE_ID",
    "ANTHROPIC_SERVICE_ACCOUNT_ID",
    "ANTHROPIC_FEDERATION_RULE_ID",
    "ANTHROPIC_SCOPE",
    "ANTHROPIC_CONFIG_DIR",
    "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST",
    "CLAUDE_SECURESTORAGE_CONFIG_DIR",
    "CLAUDE_CODE_SIMPLE",
)

# Names the pinned claude reads that look like a credential or provider setting but are kept: a
# stale value was measured (or, for claude's own internal channels, read in the binary) not to move
# a launch off its route. name -> why. tests/test_claude_drift.py needs every such name here or above.
MEASURED_HARMLESS = {
    "CLAUDE_CONFIG_DIR": "chooses the subscription's login; removed by a subscription route that sets its own "
                         "(routes/subscription.py), otherwise the user's choice of account",
    "CLAUDE_CODE_API_BASE_URL": "measured: -p still sends /v1/messages to ANTHROPIC_BASE_URL with the route's credential",
    "CLAUDE_CODE_API_KEY_HELPER_TTL_MS": "measured: no effect on the credential sent",
    "CLAUDE_CODE_CUSTOM_OAUTH_URL": "measured: a fresh and an expired subscription login both still send the stored "
                                    "token to the route; only `claude auth login` reads it (kept so a login through "
                                    "the launcher still reaches the organisation's endpoint)",
    "CLAUDE_CODE_OAUTH_CLIENT_ID": "measured like CLAUDE_CODE_CUSTOM_OAUTH_URL: no effect on a launch",
    "CLAUDE_CODE_OAUTH_SCOPES": "measured: no effect on the credential sent (scopes asked for at login)",
    "CLAUDE_CODE_OAUTH_401_WAIT_MS": "a wait time, selects nothing",
    "ANTHROPIC_BEDROCK_REGION_PREFIX": "measured: no effect outside Bedrock; on Bedrock a model-id prefix, not a route",
    "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION": "measured: no effect outside Bedrock; the small model's region",
    "CLAUDE_CODE_EXTRA_BODY": "measured: no effect on the route (extra request body fields)",
    "CLAUDE_CODE_EXTRA_METADATA": "request metadata, selects nothing",
    "CLAUDE_CODE_HOST_OWNED_CONFIG_DIR": "measured: no effect on either route",
    "CLAUDE_CODE_FEDERATION_CACHE_DIR": "measured: no effect (a cache for the federation token, itself scrubbed)",
    "CLAUDE_CODE_HOST_AUTH_ENV_VAR": "measured: no effect (names a variable for an SDK host's auth)",
    "CLAUDE_CODE_HOST_AUTH_ASK_AT_START": "SDK host auth channel; read in the binary, selects nothing for a CLI launch",
    "CLAUDE_CODE_HOST_AUTH_REFRESH_TIMEOUT_MS": "a timeout, selects nothing",
    "CLAUDE_CODE_SDK_HAS_HOST_AUTH_REFRESH": "set by an SDK host about itself; selects nothing for a CLI launch",
    "CLAUDE_CODE_SDK_HAS_OAUTH_REFRESH": "set by an SDK host about itself; selects nothing for a CLI launch",
    "CLAUDE_CODE_SDK_HAS_SESSIONS_OAUTH_REFRESH": "set by an SDK host about itself; selects nothing for a CLI launch",
    "CLAUDE_BRIDGE_OAUTH_TOKEN": "measured: no effect (remote-control bridge, not model requests)",
    "CLAUDE_BRIDGE_BASE_URL": "remote-control bridge, not model requests",
    "CLAUDE_BRIDGE_SESSION_INGRESS_URL": "remote-control bridge, not model requests",
    "CLAUDE_REMOTE_TOOLS_BRIDGE_URL": "remote tools bridge, not model requests",
    "CLAUDE_CODE_SESSIONS_OAUTH_TOKEN": "measured: no effect (cloud sessions API, not model requests)",
    "CLAUDE_CODE_HFI_BEARER_TOKEN": "measured: no effect on model requests",
    "CLAUDE_CODE_ARTIFACTS_API_TOKEN": "artifacts service, not model requests",
    "CLAUDE_CODE_ARTIFACTS_API_BASE_URL": "artifacts service, not model requests",
    "CLAUDE_CODE_ARTIFACT_ASSET_BASE_URL": "artifacts service, not model requests",
    "CLAUDE_CODE_ARTIFACT_LIVE_BASE_URL": "artifacts service, not model requests",
    "CLAUDE_CODE_ARTIFACT_SYNC_BASE_URL": "artifacts service, not model requests",
    "CLAUDE_CODE_ARTIFACT_VIEWER_BASE_URL": "artifacts service, not model requests",
    "CLAUDE_CODE_MEMORY_API_TOKEN": "memory service, not model requests",
    "CLAUDE_CODE_MEMORY_API_BASE_URL": "memory service, not model requests",
    "CLAUDE_CODE_MESSAGING_TOKEN": "messaging channel, not model requests",
    "CLAUDE_CODE_SLACK_TAG_TOKEN": "Slack integration, not model requests",
    "CLAUDE_CODE_MCP_SERVE_AUTH_TOKEN": "`claude mcp serve`, not model requests",
    "CLAUDE_CODE_GB_BASE_URL": "feature-flag service, not model requests",
    "CLAUDE_CODE_DESIGN_OAUTH_CLIENT_ID": "a design tool's OAuth client, not the login",
    "CLAUDE_LOCAL_OAUTH_API_BASE": "measured: no effect (Anthropic-internal local OAuth; only with USE_LOCAL_OAUTH)",
    "CLAUDE_LOCAL_OAUTH_APPS_BASE": "Anthropic-internal local OAuth; only with USE_LOCAL_OAUTH",
    "CLAUDE_LOCAL_OAUTH_CONSOLE_BASE": "Anthropic-internal local OAuth; only with USE_LOCAL_OAUTH",
    "CLAUDE_CODE_FORCE_WINDOWS_CREDMAN": "Windows credential store choice for the same login",
    # network and TLS: how requests travel, not which route or credential
    "CLAUDE_CODE_CERT_STORE": "TLS trust store, not a route",
    "CLAUDE_CODE_CLIENT_CERT": "mutual-TLS client certificate, not a route",
    "CLAUDE_CODE_CLIENT_KEY": "mutual-TLS client key, not a route",
    "CLAUDE_CODE_CLIENT_KEY_PASSPHRASE": "mutual-TLS client key passphrase, not a route",
    "CLAUDE_CODE_DISABLE_HTTPS_AGENT_KEEPING": "connection handling, not a route",
    "CLAUDE_CODE_DISABLE_LOOPED_CROSS_CERT_DROP": "TLS chain handling, not a route",
    "CLAUDE_CODE_DISABLE_PROXY_SCHEME_REPAIR": "proxy handling, not a route",
    "CLAUDE_CODE_DISABLE_SELF_NAMED_CERT_DROP": "TLS chain handling, not a route",
    "CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER": "proxy authentication, not a route",
    "CLAUDE_CODE_PROXY_AUTHENTICATE": "proxy authentication, not a route",
    "CLAUDE_CODE_PROXY_AUTH_HELPER_TTL_MS": "proxy authentication, not a route",
    "CLAUDE_CODE_PROXY_HOST": "proxy, not a route",
    "CLAUDE_CODE_PROXY_RESOLVES_HOSTS": "proxy, not a route",
    "CLAUDE_CODE_PROXY_URL": "proxy, not a route",
}

# Static AWS credentials beat AWS_PROFILE in the SDK chain; a Bedrock/Mantle
# route that names ``aws_profile`` removes them so the profile really wins.
AWS_STATIC_CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

# Variables holding secrets: masked wherever we display an environment.
SECRET_VARS = frozenset({
    "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_REFRESH_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_AUTH_TOKEN", "ANTHROPIC_AWS_API_KEY", "ANTHROPIC_IDENTITY_TOKEN",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ANTHROPIC_CUSTOM_HEADERS",
    "CLAUDE_CODE_GATEWAY_TOKEN", "CLAUDE_CODE_SESSION_ACCESS_TOKEN",
})

# Our own sentinels, set in the child.
ACTIVE_VAR = "CLAUDE_FAILOVER_ACTIVE"      # the profile claude runs on
# The pid that exec'd claude (same pid again = a loop), or ``parent:<pid>`` when claude runs as our
# child (supervised, Windows): then a launcher whose *parent* is that pid is the loop. Only the form
# that matches how claude was started is checked: an exec'd claude may well start `claude` itself
# (a hook run through `sh -c`, which execs it), and that child's parent is the exec'd pid.
PID_VAR = "CLAUDE_FAILOVER_PID"
PREFERRED_VAR = "CLAUDE_FAILOVER_PREFERRED"  # the first route in `order` (status line fallback marker)
# Set for an interactive API-key launch (settings_guard / key_helper): the key our apiKeyHelper prints
# and the launch's helper session. Removed from a caller's environment like the credential variables,
# so a claude started from inside claude never inherits the outer session's key or rotation state.
HELPER_VARS = ("CLAUDE_FAILOVER_KEY", "CLAUDE_FAILOVER_HELPER_SESSION")
# Set when the launcher stays as claude's thin parent (an interactive launch, `interactive =
# "continue"`): a random name for this run of claude. The StopFailure hook (`ctl report --from-hook`)
# writes a route failure under it; the parent reads it when claude exits and offers to continue the
# conversation on the next route; the status line shows it (continuation.py). Removed from a
# caller's environment like HELPER_VARS: a claude started inside claude is another launch.
LAUNCH_VAR = "CLAUDE_FAILOVER_LAUNCH"
