"""What a dependency built at the first request must not pay for when only some routes need it: a boto3 client
(each costs tens of milliseconds to create), or an adapter whose module only those routes import (devices, erasure,
identity: their code is compiled at the cold start of every request otherwise)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    """Stands for `build()`, called when one of its attributes is first read or set; reads and writes of attributes
    then go to what it built (tests set an adapter's attribute through it)."""

    def __init__(self, build: Callable[[], T]) -> None:
        object.__setattr__(self, "_build", build)
        object.__setattr__(self, "_built", None)
        object.__setattr__(self, "_lock", threading.Lock())

    def _target(self) -> T:
        built: T | None = self._built
        if built is None:
            with self._lock:
                built = self._built
                if built is None:
                    built = self._build()
                    object.__setattr__(self, "_built", built)
        return built

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never build for a private look-up (copy, pickle, repr)
            raise AttributeError(name)
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)


class LazyClient(Lazy[Any]):
    """Stands for `boto3.client(service)`, created when one of its attributes is first read."""

    def __init__(self, service: str) -> None:
        def build() -> Any:
            import boto3

            return boto3.client(service)

        super().__init__(build)
