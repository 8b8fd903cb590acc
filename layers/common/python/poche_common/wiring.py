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
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

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
A = TypeVar("A")
P = ParamSpec("P")


class ReaderDeps(Generic[R]):
    """What the routes of a service that only reads its domain's table use: the table's reader (the service's port,
    a fake in tests) and how old the data may be before answers say `stale`. (A plain class, not a dataclass:
    `@dataclass` generates and compiles its methods at import, which every cold start would pay.)"""

    __slots__ = ("reader", "stale_after_s")

    def __init__(self, reader: R, stale_after_s: int) -> None:
        self.reader = reader
        self.stale_after_s = stale_after_s

    def ask(
        self,
        rule: Callable[Concatenate[R, int, dt.datetime, P], A],
        now: dt.datetime,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> A:
        """A route's one rule of `logic` over them: `rule(reader, stale_after_s, now, *args, **kwargs)`."""
        return rule(self.reader, self.stale_after_s, now, *args, **kwargs)


def client(service: str) -> Any:
    """boto3's low-level client of `service` (boto3 imported now, on first use, not with the handler)."""
    import boto3

    return boto3.client(service)


def on_table(build: Callable[[Any, str], T]) -> Provider[T]:
    """The `dependencies` of a function over its domain's table: `build(DynamoDB client, TABLE_NAME)` on first use.
    `build` imports its adapters inside, so that neither boto3 nor they are imported with the handler."""

    def make() -> T:
        from .settings import required

        return build(client("dynamodb"), required("TABLE_NAME"))

    return Provider(make)


def table_reader(make: Callable[[Any, str], R], stale_after_s: int) -> Provider[ReaderDeps[R]]:
    """The `dependencies` of a service that only reads its table: `ReaderDeps` of `make(DynamoDB client,
    TABLE_NAME)` (`on_table`) and `STALE_AFTER_SECONDS` (default `stale_after_s`). The service's `deps.py` is that
    `make` (its store imported inside) and `Deps = ReaderDeps`; a test passes fakes with
    `dependencies.override(Deps(reader=FakeReader(...), stale_after_s=...))`."""

    def build(dynamodb: Any, table: str) -> ReaderDeps[R]:
        from .settings import optional_int

        return ReaderDeps(make(dynamodb, table), optional_int("STALE_AFTER_SECONDS", stale_after_s))

    return on_table(build)
