"""`bedrock`: Claude on Amazon Bedrock (CLAUDE_CODE_USE_BEDROCK=1)."""

from claude_failover.routes._aws import AwsRoute


class Bedrock(AwsRoute):
    name = "bedrock"
    title = "Amazon Bedrock"
    switch_var = "CLAUDE_CODE_USE_BEDROCK"
    base_url_var = "ANTHROPIC_BEDROCK_BASE_URL"
    skip_var = "CLAUDE_CODE_SKIP_BEDROCK_AUTH"


ROUTE = Bedrock()
