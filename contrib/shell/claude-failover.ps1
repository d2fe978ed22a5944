# claude-failover for PowerShell (Windows, or pwsh anywhere). Add to your $PROFILE:
#   . /path/to/claude-failover/contrib/shell/claude-failover.ps1
#   claude-failover-ctl completion powershell | Out-String | Invoke-Expression   # optional: completion
# `claude` then runs the failover launcher (functions win over applications of the same name),
# which picks a healthy route and runs the real Claude Code. Pipeline input is passed through.
# The launcher is a plain Python script: where it is not runnable by name (Windows), the function
# runs `python -m claude_failover` with the Python that claude-failover-ctl was installed with.
$launcher = Get-Command claude-failover -CommandType Application -ErrorAction SilentlyContinue |
    Where-Object { $_.Extension -ne '' -or -not $IsWindows } | Select-Object -First 1
$ctl = Get-Command claude-failover-ctl -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if ($launcher) {
    $global:ClaudeFailoverCommand = @($launcher.Source)
} elseif ($ctl) {
    $python = Join-Path (Split-Path $ctl.Source) 'python.exe'
    if (-not (Test-Path $python)) { $python = 'python' }
    $global:ClaudeFailoverCommand = @($python, '-m', 'claude_failover')
}
if ($global:ClaudeFailoverCommand) {
    function global:claude {
        $exe, $pre = $global:ClaudeFailoverCommand
        if ($MyInvocation.ExpectingInput) { $input | & $exe @pre @args } else { & $exe @pre @args }
    }
}
