"""`python -m claude_failover.ctl` runs `claude-failover-ctl` (the StopFailure hook an interactive launch
adds names our ctl this way: by the launcher's own interpreter, whatever PATH claude's hooks get)."""

from claude_failover.ctl import main

raise SystemExit(main())
