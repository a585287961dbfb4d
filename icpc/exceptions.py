"""Exception hierarchy of icpc.

Every error a user can fix (bad config, unreadable or unusable input) derives from
:class:`IcpcError`; the CLI prints its message as one line on stderr and exits 2.
Anything else is a bug and keeps its traceback (exit 1).
"""

from __future__ import annotations

__all__ = [
    "IcpcError",
    "ConfigError",
    "InputError",
    "ArgumentError",
    "AnalysisError",
    "RunError",
    "shorten",
]


def shorten(value: object, limit: int = 80) -> str:
    """A value as shown in an error message: its text, cut past ``limit`` characters.

    A message names what was found, but a damaged file can hold a 30-MB cell: the text
    is cut and says how long it was.

    Example
    -------
    >>> shorten("x" * 100, 10)
    'xxxxxxxxxx… (100 characters)'
    """
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return text[:limit] + f"… ({len(text)} characters)"


class IcpcError(Exception):
    """Base class of the errors a user can fix (exit code 2)."""


class ConfigError(IcpcError):
    """The client config (``client.yaml``) is missing, malformed or inconsistent."""


class InputError(IcpcError):
    """An input file cannot be used at all (missing, unreadable, empty, missing column)."""


class ArgumentError(IcpcError):
    """A command-line argument is wrong (e.g. ``--as-of 2024-02-30``); the message names it."""


class AnalysisError(IcpcError):
    """The data cannot answer the question asked (e.g. ``as_of`` before the first sale)."""


class RunError(Exception):
    """A diagnostic run failed after its inputs were accepted (notebook section failed).

    Not an :class:`IcpcError`: the CLI exits 1, but still prints one readable line.
    """
