"""`mantle`: Bedrock's endpoint serving the native Anthropic API (claude 2.1.94 or later)."""

from claude_failover.routes._aws import AwsRoute


class Mantle(AwsRoute):
    name = "mantle"
    title = "Bedrock Mantle"
    switch_var = "CLAUDE_CODE_USE_MANTLE"
    base_url_var = "ANTHROPIC_BEDROCK_MANTLE_BASE_URL"
    skip_var = "CLAUDE_CODE_SKIP_MANTLE_AUTH"
    min_claude = (2, 1, 94)


ROUTE = Mantle()
