"""The push port the notification rules use (the sender's and the deferred pushes'), and its result. The adapter
is `push.Pusher` (DynamoDB and SNS); tests pass in-memory fakes. No I/O, no boto3."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass
class PushResult:
    sent: int = 0
    failed: int = 0
    removed: int = 0  # disabled endpoints cleaned up
    devices: int = 0


class Push(Protocol):
    def devices(self, sub: str) -> list[dict[str, Any]]:
        """The user's devices that can be pushed to (`sk`, `endpoint_arn`, `token_sha256`)."""
        ...

    def push(self, sub: str, devices: list[dict[str, Any]], payload: str) -> PushResult:
        """Publishes `payload` (`push.message`) to each device; a device SNS reports gone is forgotten."""
        ...
