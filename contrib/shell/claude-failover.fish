# claude-failover for fish. Copy to ~/.config/fish/conf.d/claude-failover.fish
# `claude` then runs the failover launcher, which picks a healthy route and execs the real
# Claude Code. Scripts, cron and editors that do not run fish: `claude-failover-ctl install-shim`.
# Completions: copy contrib/completions/fish/*.fish to ~/.config/fish/completions/.
if type -q claude-failover
    function claude --wraps claude-failover --description 'Claude Code through claude-failover'
        claude-failover $argv
    end
end
