"""Dependencies of a function built in one place, lazily, and replaceable by fakes in tests.

A service's `deps.py` declares what its routes use (stores over boto3 clients, settings, the clock) as one
`Provider`; the handler's routes call `dependencies.get()`. Nothing is built at import, so a unit test of a rule
needs no environment variable and no module purge, and a test swaps the whole set for fakes:

    with handler.dependencies.override(Deps(store=FakeStore(...), clock=lambda: NOW)):
        handler.handler(event, context)

Deployed, `get()` builds once per execution environment (the first invocation pays for the clients; the cold
start does not).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Provider(Generic[T]):
    """A dependency built on first use by `build`, then kept; `override` replaces it for a block (tests)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:  # a function's threads (batch writes) may ask at the same time
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value

    def reset(self) -> None:
        """Forget the built value: the next `get` builds anew (a test that changed the environment)."""
        with self._lock:
            self._value = None

    @contextlib.contextmanager
    def override(self, value: T) -> Iterator[T]:
        """`value` instead of the built dependency within the block; what was there before comes back after."""
        with self._lock:
            previous, self._value = self._value, value
        try:
            yield value
        finally:
            with self._lock:
                self._value = previous


R = TypeVar("R")


@dataclass
class ReaderDeps(Generic[R]):
    """What the routes of a service that only reads its domain's table use: the table's reader (the service's port,
    a fake in tests) and how old the data may be before answers say `stale`."""

    reader: R
    stale_after_s: int


def table_reader(make: Callable[[Any, str], R], stale_after_s: int) -> Provider[ReaderDeps[R]]:
    """The `dependencies` of such a service: `make(dynamodb client, TABLE_NAME)` and `STALE_AFTER_SECONDS`
    (default `stale_after_s`), built on first use. `make` imports its adapter inside, so that neither boto3 nor
    the adapter is imported with the handler."""

    def build() -> ReaderDeps[R]:
        import boto3

        from .settings import optional_int, required

        reader = make(boto3.client("dynamodb"), required("TABLE_NAME"))
        return ReaderDeps(reader, optional_int("STALE_AFTER_SECONDS", stale_after_s))

    return Provider(build)
