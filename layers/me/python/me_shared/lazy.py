"""A boto3 client created on its first use: a dependency built at the first request must not pay for the clients
only some routes need (each costs tens of milliseconds to create)."""

from __future__ import annotations

import threading
from typing import Any


class LazyClient:
    """Stands for `boto3.client(service)`, created when one of its attributes is first read."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never create a client for a private look-up (copy, pickle, repr)
            raise AttributeError(name)
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3

                    self._client = boto3.client(self._service)
        return getattr(self._client, name)
