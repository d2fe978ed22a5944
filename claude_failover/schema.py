"""The shape of a config key: its TOML type(s), a one-line help, whether it is required.

A leaf module (it imports nothing from the package): the config's top-level settings and every
route type's keys are declared with it, so neither needs the other to describe its keys.
"""

from __future__ import annotations


class Key:
    """A config key: ``Key(STR, "help")``, ``Key(NUM + STR, "help", required=True)``. Immutable."""

    __slots__ = ("types", "help", "required")

    types: tuple[type, ...]
    help: str
    required: bool

    def __init__(self, types: tuple[type, ...], help: str, required: bool = False) -> None:
        object.__setattr__(self, "types", tuple(types))
        object.__setattr__(self, "help", help)
        object.__setattr__(self, "required", required)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Key is immutable (cannot set {name})")

    def __repr__(self) -> str:
        return f"Key(types={self.types!r}, help={self.help!r}, required={self.required!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Key):
            return NotImplemented
        return (self.types, self.help, self.required) == (other.types, other.help, other.required)

    def __hash__(self) -> int:
        return hash((self.types, self.help, self.required))

    def accepts(self, value: object) -> bool:
        """Whether a TOML value has this key's type (a bool is never a number)."""
        if bool in self.types:
            return isinstance(value, bool)
        return isinstance(value, self.types) and not isinstance(value, bool)

    def type_name(self) -> str:
        """The accepted type(s) in words: "a string or a number"."""
        names = {str: "a string", bool: "true or false", int: "a number", float: "a number",
                 list: "a list", dict: "a table"}
        return " or ".join(dict.fromkeys(names[t] for t in self.types))


STR = (str,)
BOOL = (bool,)
NUM = (int, float)
