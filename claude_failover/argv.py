"""Splitting the launcher's own ``--failover-*`` options from claude's arguments.

Everything else goes to claude untouched, in order. Our options are recognised anywhere before
a bare ``--`` (which is kept, with everything after it, for claude).
"""

from __future__ import annotations


from claude_failover.errors import UsageError
from claude_failover.valueclass import factory, record

# option -> takes a value?
OPTIONS = {
    "--failover-profile": True,
    "--failover-config": True,
    "--failover-dry-run": False,
    "--failover-strict": False,
    "--failover-supervise": False,
    "--failover-no-retry": False,
    "--failover-help": False,
    "--failover-version": False,
}


@record
class Split:
    claude_args: list[str]
    options: dict[str, str | bool] = factory(dict)

    def get(self, name: str, default=None):
        return self.options.get(name, default)


def split(argv: list[str]) -> Split:
    claude_args: list[str] = []
    options: dict[str, str | bool] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            claude_args.extend(argv[i:])
            break
        if not arg.startswith("--failover-"):
            claude_args.append(arg)
            i += 1
            continue
        name, eq, value = arg.partition("=")
        if name not in OPTIONS:
            import difflib

            close = difflib.get_close_matches(name, OPTIONS, n=1, cutoff=0.6)
            suggestion = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"unknown launcher option {name}{suggestion}",
                             hint="claude-failover --failover-help lists the launcher's options")
        if OPTIONS[name]:
            if not eq:
                if i + 1 >= len(argv) or argv[i + 1] == "--":
                    raise UsageError(f"{name} needs a value")
                value = argv[i + 1]
                i += 1
            if not value:
                raise UsageError(f"{name} needs a non-empty value")
            options[name[len("--failover-"):]] = value
        else:
            if eq:
                raise UsageError(f"{name} takes no value")
            options[name[len("--failover-"):]] = True
        i += 1
    return Split(claude_args, options)
