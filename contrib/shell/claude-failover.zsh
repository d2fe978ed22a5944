# claude-failover for zsh. Source it from ~/.zshrc (after compinit if you enable completion):
#   . /path/to/claude-failover/contrib/shell/claude-failover.zsh
# In interactive shells `claude` then runs the failover launcher, which picks a healthy route and
# execs the real Claude Code. Scripts, cron and editors ignore aliases: for those run
# `claude-failover-ctl install-shim` once.
if command -v claude-failover >/dev/null 2>&1; then
    alias claude='claude-failover'
    # Tab completion for claude, claude-failover and claude-failover-ctl (costs ~0.1 s per shell);
    # or put contrib/completions/zsh/ on your fpath instead.
    # eval "$(claude-failover-ctl completion zsh)"
fi
