"""What the sender's rules (`logic.py`) need of the outside world: the inbox (`store.Inbox`) and the push
(`notifications_shared.ports.Push`). No I/O, no boto3."""

from __future__ import annotations

from typing import Any, Protocol

WRITTEN, DUPLICATE, ERASED = "written", "duplicate", "erased"


class InboxWriter(Protocol):
    def write(self, sub: str, note: dict[str, Any], extra: list[dict[str, Any]]) -> str:
        """Writes the NOTE (and `extra`: the deferred push's DUE item and pointer) at once: WRITTEN, DUPLICATE (the
        NOTE exists: nothing written) or ERASED (the account's tombstone exists: nothing written)."""
        ...

    def mark_failed(self, sub: str, note: dict[str, Any]) -> None:
        """Records on the NOTE that its push failed."""
        ...
