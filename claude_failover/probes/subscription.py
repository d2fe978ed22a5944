"""`subscription`: never sends the OAuth token. Local login state (the route's local_check) plus
the public status page; failures claude runs reported reach the cache through `ctl report`."""

from __future__ import annotations


def probe(profile, secret, ctx):
    return ctx.status_page(profile.status_url or ctx.cfg.status_url)
