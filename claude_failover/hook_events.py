"""Claude Code's hook events, each classified by what it means for route health.

Read from claude 2.1.332's binary (docs/claude-code.md); tests/test_claude_drift.py fails when the
pinned claude names an event missing here. Only ``StopFailure`` says anything about a route: it
fires when a turn ends on an API error and carries claude's error name (run_failure.ERROR_NAMES),
which `claude-failover-ctl report --from-hook` records (contrib/stop-failure-hook.json).
"""

# event -> how claude-failover uses it
USED = {
    "StopFailure": "a turn ended on an API error: `ctl report --from-hook` records the route's failure",
}
# Events about tools, prompts, sessions, agents, files and configuration: none reports on the route
# (a turn that ends well fires Stop; an API failure fires StopFailure instead).
NOT_ROUTE_HEALTH = frozenset({
    "PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "Notification", "UserPromptSubmit",
    "UserPromptExpansion", "SessionStart", "SessionEnd", "Stop", "SubagentStart", "SubagentStop", "PreCompact",
    "PostCompact", "PreModelSwitch", "PostModelSwitch", "PermissionRequest", "PermissionDenied", "Setup",
    "TeammateIdle", "TaskCreated", "TaskCompleted", "Elicitation", "ElicitationResult", "ConfigChange",
    "WorktreeCreate", "WorktreeRemove", "InstructionsLoaded", "CwdChanged", "FileChanged", "DirectoryAdded",
    "MessageDisplay", "PreSkillShellCommand",
})
