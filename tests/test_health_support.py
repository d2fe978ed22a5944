"""Helpers shared by the health tests (no tests here): configs on the fake server, decisions."""

from __future__ import annotations

import os
import textwrap

from claude_failover import argv, cache, chooser, config

GOOD = "sk-ant-api03-FAKE-good-1"
BAD = "sk-ant-api03-FAKE-bad-1"
OTHER = "sk-ant-api03-FAKE-other-1"
PATIENT = 10.0  # seconds: the probe deadline of tests that expect every answer to arrive


def write_config(isolated_env, body: str, **settings) -> config.Config:
    head = "".join(f"{k} = {v!r}\n" if isinstance(v, str) else f"{k} = {str(v).lower() if isinstance(v, bool) else v}\n"
                   for k, v in settings.items())
    text = head + textwrap.dedent(body)
    isolated_env.config_file.parent.mkdir(parents=True, exist_ok=True)
    isolated_env.config_file.write_text(text)
    return config.load(str(isolated_env.config_file))


def api_profiles(url: str, *names_and_vars: tuple[str, str]) -> str:
    return "".join(f'\n[profiles.{name}]\ntype = "api-key"\nbase_url = "{url}"\nsecret_env = "{var}"\n'
                   for name, var in names_and_vars)


def three_keys(isolated_env, srv, monkeypatch, **settings) -> config.Config:
    """order a (BAD key), b (GOOD), c (OTHER) — all api-key routes on the fake server."""
    monkeypatch.setenv("KEY_A", BAD)
    monkeypatch.setenv("KEY_B", GOOD)
    monkeypatch.setenv("KEY_C", OTHER)
    # the fake server answers at once, but "at once" has taken over a second on a busy 2-CPU machine;
    # tests of the deadline itself pass a short one
    settings.setdefault("probe_timeout", PATIENT)
    return write_config(isolated_env, 'order = ["a", "b", "c"]\n' +
                        api_profiles(srv.url, ("a", "KEY_A"), ("b", "KEY_B"), ("c", "KEY_C")), **settings)


def decide(cfg, *args: str, passthrough=False, exclude=frozenset()):
    return chooser.choose(cfg, dict(os.environ), argv.split(list(args)), passthrough, exclude)


def route(name: str) -> dict:
    return cache.read()["routes"].get(name) or {}


def models_requests(srv) -> list[str]:
    return [r["credential"] for r in srv.requests if r["path"].startswith("/v1/models")]
