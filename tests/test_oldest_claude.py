"""Smoke subset on the OLDEST supported claude (claude-code-versions `oldest`; README "Which claude").

The rest of the suite runs the pinned claude. Here the same launcher runs the oldest release the
project supports: a launch per route type (exactly that route's credential reaches the fake server,
with stale credentials of every other kind in the shell) and one supervised retry (route one's key
is refused, the run succeeds on route two and route one is marked). scripts/test.sh installs the
oldest claude next to the pinned one and exports CLAUDE_FAILOVER_TEST_OLDEST_CLAUDE.
"""

from __future__ import annotations

import pytest

from claude_failover import routes
from tests import test_launcher_e2e as launcher_e2e
from tests import test_supervise_e2e as supervise_e2e
from tests.conftest import OLDEST_CLAUDE_VERSION, run_claude
from tests.launch import failover

pytestmark = pytest.mark.e2e

ROUTES = [  # (profile in test_launcher_e2e.config_for, the credential the fake must see)
    ("max", launcher_e2e.SUB_ACCESS), ("key", launcher_e2e.API_KEY), ("gw", launcher_e2e.GW_TOKEN),
    # Mantle with skip_auth: 2.1.94 sends no credential at all (2.1.332 sends the Bedrock key as a bearer)
    ("tok", launcher_e2e.OAUTH_TOKEN), ("aws", None), ("mantle", None), ("vx", None),
    ("fo", launcher_e2e.FOUNDRY_KEY), ("pa", launcher_e2e.AWS_PLATFORM_KEY), ("gc", None),
]
TYPES = {"pa": "anthropic-aws", "gc": "anthropic-google-cloud"}  # the profiles whose type has a min_claude


def _too_new(profile: str) -> str | None:
    """Why the oldest claude cannot run this profile's route type (its min_claude), or None."""
    needed = routes.get(TYPES[profile]).min_claude if profile in TYPES else None
    oldest = tuple(int(p) for p in OLDEST_CLAUDE_VERSION.split("."))
    if needed and needed > oldest:
        return f"{TYPES[profile]} needs claude >= {'.'.join(map(str, needed))}; the oldest supported is {OLDEST_CLAUDE_VERSION}"
    return None


@pytest.fixture(scope="module")
def oldest(oldest_claude_bin):
    p = run_claude(oldest_claude_bin, ["--version"], cwd="/")
    assert p.stdout.startswith(f"{OLDEST_CLAUDE_VERSION} "), p.stdout
    return oldest_claude_bin


@pytest.mark.parametrize("profile,credential", ROUTES, ids=[r[0] for r in ROUTES])
def test_each_route_type_launches_on_the_oldest_claude(isolated_env, fake_server, oldest, profile, credential):
    if _too_new(profile):
        pytest.skip(_too_new(profile))
    launcher_e2e.prepare(isolated_env, fake_server, oldest)
    launcher_e2e.launch(profile)
    launcher_e2e.only_credential(fake_server, credential)


def test_supervised_retry_on_the_oldest_claude(isolated_env, fake_server, oldest):
    fake_server.behave(supervise_e2e.KEY2, supervise_e2e.ok(supervise_e2e.GOOD))
    supervise_e2e.write_config(isolated_env.config_file, supervise_e2e.config(fake_server.url, oldest))
    supervise_e2e.fail(fake_server, supervise_e2e.KEY1, "api_key_invalid")
    p = failover(["-p", "hi"], env=supervise_e2e.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == supervise_e2e.GOOD + "\n"
    assert "retrying on second" in p.stderr
    assert supervise_e2e.creds_used(fake_server)[-1] == supervise_e2e.KEY2
    supervise_e2e.assert_route1_marked(isolated_env, "auth-invalid")
