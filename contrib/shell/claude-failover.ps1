# claude-failover for PowerShell. Add to your $PROFILE:
#   . /path/to/claude-failover/contrib/shell/claude-failover.ps1
# `claude` then runs the failover launcher (functions win over applications of the same name),
# which picks a healthy route and runs the real Claude Code. Pipeline input is passed through.
if (Get-Command claude-failover -CommandType Application -ErrorAction SilentlyContinue) {
    function global:claude {
        if ($MyInvocation.ExpectingInput) { $input | claude-failover @args } else { claude-failover @args }
    }
}
