"""`vertex`: local checks only (project, region, a Google credential file). A live probe would
need google-auth to mint an access token: not done."""

from __future__ import annotations


def probe(profile, secret, ctx):
    return None
