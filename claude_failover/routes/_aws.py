"""What the AWS route types (Bedrock, Mantle, Claude Platform on AWS) share: region, AWS profile, an
optional API key (Bedrock's, or the platform's own), the local check for AWS credentials, the
variables a settings file must not change, the region check (config validation).

Our client does not sign requests (SigV4 would need botocore): only a route with an API key (or
``skip_auth``) can be probed live; each subclass owns its request.
"""

from __future__ import annotations

import os

from claude_failover.credvars import AWS_STATIC_CREDENTIAL_VARS
from claude_failover.routes.base import BOOL, STR, Key, RouteType, flag

AWS_REGION = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$"

AWS_KEYS = {
    "region": Key(STR, "AWS_REGION", required=True),
    "aws_profile": Key(STR, "AWS_PROFILE from ~/.aws/config (static AWS_* keys are removed)"),
    "base_url": Key(STR, "endpoint override (gateways and tests)"),
    "skip_auth": Key(BOOL, "skip AWS request signing (for gateways and tests)"),
}


class AwsRoute(RouteType):
    keys = AWS_KEYS
    secret = "optional"  # an API key, when the profile names a source
    secret_var = "AWS_BEARER_TOKEN_BEDROCK"
    key_words = "Bedrock API key"  # what the secret is, in summaries and fixes
    settings_vars = ("AWS_REGION", "AWS_PROFILE", *AWS_STATIC_CREDENTIAL_VARS)
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
            env[self.secret_var] = secret
        return env

    def also_remove(self, profile):
        return AWS_STATIC_CREDENTIAL_VARS if profile.options.get("aws_profile") else ()

    def settings_owned(self, name, child_env):
        """The region and AWS profile the launch has; static AWS keys when a profile is pinned."""
        if name in ("AWS_REGION", "AWS_PROFILE"):
            return bool(child_env.get(name))
        if name in AWS_STATIC_CREDENTIAL_VARS:
            return bool(child_env.get("AWS_PROFILE"))
        return False

    def can_probe(self, profile):
        """Only with an API key or skip_auth: plain AWS credentials need SigV4."""
        return bool(profile.secret_sources or profile.options.get("skip_auth"))

    def summary(self, profile):
        how = f"AWS profile {profile.options['aws_profile']}" if profile.options.get("aws_profile") else "AWS credential chain"
        if profile.secret_sources:
            how = self.key_words
        return f"{self.title} in {profile.options.get('region')} ({how})"

    def local_check(self, profile, environ):
        """Region set; the named AWS profile exists, or some AWS credential is visible."""
        from claude_failover.verdict import Verdict, unhealthy

        options = profile.options
        if not str(options.get("region") or "").strip():
            return unhealthy("misconfigured", "no AWS region", source="local")
        if profile.secret_sources or options.get("skip_auth"):
            return None  # an API key (resolved separately) or no AWS auth at all
        files = aws_files(environ)
        if options.get("aws_profile"):
            wanted = options["aws_profile"]
            if not any(wanted in sections for sections in map(_aws_sections, files)):
                return unhealthy("misconfigured", f"AWS profile {wanted!r} not found in "
                                 f"{' or '.join(files)}", source="local")
            return None
        if any(environ.get(v) for v in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")):
            return None
        if any(os.path.exists(f) for f in files):
            return None
        return Verdict("degraded", "misconfigured", "no AWS credentials found locally (instance role?)",
                       source="local")

    def check(self, options):
        """The region must be an AWS region name (config validation; the doctor reports the same error)."""
        import re

        region = str(options.get("region") or "")
        if region and not re.match(AWS_REGION, region):
            return [("region", f"{region!r} is not an AWS region name (like \"us-east-1\"): "
                               "claude would call a host that does not exist")]
        return []

    def local_fix(self, profile):
        if profile.options.get("aws_profile"):
            return f"aws configure --profile {profile.options['aws_profile']}   (or: aws configure sso)"
        return (f'set aws_profile = "..." in [profiles.{profile.name}], or store the {self.key_words}: '
                f"claude-failover-ctl keys set {profile.name}")


def aws_files(environ) -> list[str]:
    home = os.path.expanduser("~")
    return [os.path.expanduser(environ.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config")),
            os.path.expanduser(environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials"))]


def _aws_sections(path: str) -> set[str]:
    """Profile names in an AWS config/credentials file ("[profile x]" and "[x]")."""
    import re  # not at module level: every launch of an AWS route loads this module

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(1024 * 1024)
    except OSError:
        return set()
    names = set()
    for match in re.finditer(r"^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]", text, re.M):
        names.add(match.group(1))
    return names
