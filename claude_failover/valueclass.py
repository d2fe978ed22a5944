"""``@record`` value classes: a light stand-in for ``@dataclass`` on the launcher's warm path.

The launcher runs before every ``claude`` start. ``dataclasses`` imports ``inspect`` (about
10 ms here) and compiles code for each class (about 1 ms each); the dozen value classes the warm
path needs would cost more than the whole launch is allowed. ``record`` gives what those
classes use — an ``__init__`` from the annotated fields (positional or keyword, with defaults;
``factory(list)`` for a fresh mutable default), ``__repr__``, ``__eq__``, and ``frozen=True``
(immutable and hashable) — and nothing else. Cold paths (probes, doctor, supervisor) use
real dataclasses.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Callable, TypeVar, dataclass_transform

    _T = TypeVar("_T")
else:
    def dataclass_transform(**_options):
        """At run time a no-op; for a type checker ``@record`` is a dataclass-like decorator."""
        return lambda decorator: decorator

_MISSING = object()


class _Factory:
    """A default made fresh for each instance: ``items: list = factory(list)``."""

    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


if TYPE_CHECKING:
    def factory(make: Callable[[], _T], /) -> _T:
        """For a type checker the field's default is what ``make`` returns."""
        ...
else:
    factory = _Factory


@dataclass_transform()
def record(cls=None, /, *, frozen: bool = False):
    def wrap(cls):
        names = tuple(n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("__"))
        defaults = {}
        for name in names:
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
                if isinstance(defaults[name], _Factory):
                    delattr(cls, name)

        def __init__(self, *args, **kwargs):
            if len(args) > len(names):
                raise TypeError(f"{cls.__name__}() takes {len(names)} arguments, got {len(args)}")
            values = dict(zip(names, args, strict=False))  # fewer args than fields: the rest by keyword or default
            for key, value in kwargs.items():
                if key not in names or key in values:
                    raise TypeError(f"{cls.__name__}() got an unexpected or repeated argument {key!r}")
                values[key] = value
            for name in names:
                if name not in values:
                    default = defaults.get(name, _MISSING)
                    if default is _MISSING:
                        raise TypeError(f"{cls.__name__}() missing argument {name!r}")
                    values[name] = default.make() if isinstance(default, _Factory) else default
                object.__setattr__(self, name, values[name])

        def __repr__(self):
            inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
            return f"{cls.__name__}({inner})"

        def __eq__(self, other):
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, n) == getattr(other, n) for n in names)

        cls.__init__, cls.__eq__ = __init__, __eq__
        if "__repr__" not in cls.__dict__:  # a class holding a secret writes its own, masked
            cls.__repr__ = __repr__
        cls._fields = names
        if frozen:
            def __setattr__(self, name, value):
                raise AttributeError(f"{cls.__name__} is immutable")

            cls.__setattr__ = __setattr__
            cls.__hash__ = lambda self: hash(tuple(getattr(self, n) for n in names))
        else:
            cls.__hash__ = None
        return cls

    return wrap if cls is None else wrap(cls)


def as_dict(obj) -> dict:
    """The fields of a record as a (shallow) dict."""
    return {name: getattr(obj, name) for name in obj._fields}
