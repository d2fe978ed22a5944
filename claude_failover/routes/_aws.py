"""What Bedrock and Mantle share: region, AWS profile, an optional Bedrock API key."""

from __future__ import annotations

from claude_failover.credvars import AWS_STATIC_CREDENTIAL_VARS
from claude_failover.routes.base import BOOL, STR, Key, RouteType, flag

AWS_KEYS = {
    "region": Key(STR, "AWS_REGION", required=True),
    "aws_profile": Key(STR, "AWS_PROFILE from ~/.aws/config (static AWS_* keys are removed)"),
    "base_url": Key(STR, "endpoint override (gateways and tests)"),
    "skip_auth": Key(BOOL, "skip AWS request signing (for gateways and tests)"),
}


class AwsRoute(RouteType):
    keys = AWS_KEYS
    secret = "optional"  # a Bedrock API key, when the profile names a source
    secret_var = "AWS_BEARER_TOKEN_BEDROCK"
    switch_var = ""
    base_url_var = ""
    skip_var = ""

    def child_env(self, profile, secret):
        options = profile.options
        env = {self.switch_var: "1", "AWS_REGION": options["region"]}
        if options.get("aws_profile"):
            env["AWS_PROFILE"] = options["aws_profile"]
        if options.get("base_url"):
            env[self.base_url_var] = options["base_url"]
        env.update(flag(profile, "skip_auth", self.skip_var))
        if secret:
            env["AWS_BEARER_TOKEN_BEDROCK"] = secret
        return env

    def also_remove(self, profile):
        return AWS_STATIC_CREDENTIAL_VARS if profile.options.get("aws_profile") else ()

    def summary(self, profile):
        how = f"AWS profile {profile.options['aws_profile']}" if profile.options.get("aws_profile") else "AWS credential chain"
        if profile.secret_sources:
            how = "Bedrock API key"
        return f"{self.title} in {profile.options.get('region')} ({how})"
