"""Environment read once at cold start, with an error that names what is missing."""

from __future__ import annotations

import os


class ConfigurationError(RuntimeError):
    """The function was deployed without a setting it needs."""


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def optional_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"environment variable {name}={raw!r} is not an integer") from exc


def optional(name: str) -> str | None:
    """The variable's value, None when unset or blank."""
    return os.environ.get(name, "").strip() or None
