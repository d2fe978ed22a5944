"""claude-failover: keep Claude Code working when one of its auth routes breaks."""

__version__ = "0.2.0"
