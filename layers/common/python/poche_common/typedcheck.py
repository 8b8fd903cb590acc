"""A value checked against a `TypedDict` at run time: what a consumer does with a message between functions that is
defined once as a TypedDict (bus events, `poche_common.eventtypes`; the matcher's delivery messages,
`notifications_shared.delivery`). A missing or mistyped field raises `MalformedEvent`: the consumer fails, the
message goes to its dead-letter queue, it is never read as a default.

Standard library only and small, apart from the definitions: a consumer that reads one message type does not compile
the whole event registry at its cold start.
"""

import types
import typing
from typing import Any, Literal, TypeVar, Union


class MalformedEvent(ValueError):
    """An event whose detail is not what its definition says: the consumer must fail (never read a default)."""


D = TypeVar("D")


def conform(value: Any, definition: type[D], path: str) -> D:
    """`value` checked against `definition` (a TypedDict); `MalformedEvent` names the first field missing or
    mistyped under `path`. Fields the definition does not name are allowed (a newer producer may add some)."""
    _check(value, definition, path)
    return typing.cast(D, value)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(typed: type) -> dict[str, Any]:
    if typed not in _HINTS:
        _HINTS[typed] = typing.get_type_hints(typed)
    return _HINTS[typed]


def _check(value: Any, expected: Any, path: str) -> None:
    origin = typing.get_origin(expected)
    if isinstance(expected, type) and hasattr(expected, "__required_keys__"):  # a TypedDict
        if not isinstance(value, dict):
            raise MalformedEvent(f"{path}: an object expected, not {type(value).__name__}")
        hints = _hints(expected)
        for key in expected.__required_keys__:
            if key not in value:
                raise MalformedEvent(f"{path}.{key}: missing")
        for key, hint in hints.items():
            if key in value:
                _check(value[key], hint, f"{path}.{key}")
    elif origin is list:
        if not isinstance(value, list):
            raise MalformedEvent(f"{path}: a list expected, not {type(value).__name__}")
        (item,) = typing.get_args(expected)
        for number, entry in enumerate(value):
            _check(entry, item, f"{path}[{number}]")
    elif origin is dict:
        if not isinstance(value, dict):
            raise MalformedEvent(f"{path}: an object expected, not {type(value).__name__}")
        _, item = typing.get_args(expected)
        for key, entry in value.items():
            _check(entry, item, f"{path}.{key}")
    elif origin is Literal:
        if value not in typing.get_args(expected):
            raise MalformedEvent(f"{path}: {value!r} is none of {list(typing.get_args(expected))}")
    elif origin is Union or origin is types.UnionType:
        for option in typing.get_args(expected):
            try:
                _check(value, option, path)
                return
            except MalformedEvent:
                continue
        raise MalformedEvent(f"{path}: {type(value).__name__} is not {expected}")
    elif expected is type(None):
        if value is not None:
            raise MalformedEvent(f"{path}: null expected")
    elif expected is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise MalformedEvent(f"{path}: an integer expected, not {type(value).__name__}")
    elif not isinstance(value, expected):
        raise MalformedEvent(f"{path}: {expected.__name__} expected, not {type(value).__name__}")
