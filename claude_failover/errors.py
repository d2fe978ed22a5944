"""One exception base, one clear error line, one documented exit code.

Every expected failure raises a subclass of :class:`FailoverError`; the two
entry points catch it and print ``claude-failover: error: <message>`` (plus an
optional ``hint:`` line naming the command that fixes it) and exit with the
class's code. Exit codes follow sysexits(3):

==== ======================= ==============================================
code name                    meaning
==== ======================= ==============================================
1    generic                 a management command failed (e.g. a keyring write)
64   EX_USAGE                bad ``--failover-*`` option or ctl usage
69   EX_UNAVAILABLE          no usable route
73   EX_CANTCREAT            a management command could not write the state dir (health cache);
                             a launch only warns and goes on
78   EX_CONFIG               the config file (or a secret source) is wrong
127  not found               the real ``claude`` binary was not found
==== ======================= ==============================================
"""

from __future__ import annotations

EX_USAGE = 64
EX_UNAVAILABLE = 69
EX_CANTCREAT = 73
EX_CONFIG = 78
EX_NOT_FOUND = 127


class FailoverError(Exception):
    exit_code = 1
    # a print-mode run's stdout already holds a failed result (the supervisor passed claude's own
    # through): the launcher does not add its own (print_args.failed_result)
    result_written = False

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        text = f"claude-failover: error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(FailoverError):
    exit_code = EX_USAGE


class ConfigError(FailoverError):
    """A problem in the config file, located where the parser allows."""

    exit_code = EX_CONFIG

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None, hint: str | None = None):
        where = path or "<config>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}", hint)
        self.path, self.line, self.column = path, line, column


class SecretError(FailoverError):
    """A secret could not be read from its source (keyring, env var, command)."""

    exit_code = EX_CONFIG


class NoRouteError(FailoverError):
    exit_code = EX_UNAVAILABLE


class ClaudeNotFoundError(FailoverError):
    exit_code = EX_NOT_FOUND


class StateWriteError(FailoverError):
    """The state dir (health cache) could not be written: a launch warns and goes on; a management
    command that exists to write it (pin, probe, report) fails with this."""

    exit_code = EX_CANTCREAT

    @classmethod
    def from_os(cls, path: str, exc: OSError) -> StateWriteError:
        import os

        directory = os.path.dirname(path)
        return cls(f"cannot write the health cache {path}: {exc.strerror or exc}",
                   hint=f"make {directory} a writable directory, or set CLAUDE_FAILOVER_STATE_DIR to one")
