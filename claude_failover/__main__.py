"""`python -m claude_failover` runs the launcher, exactly like `claude-failover`."""

from claude_failover.launcher import main

raise SystemExit(main())
