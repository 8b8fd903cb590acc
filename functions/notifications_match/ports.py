"""What the matcher's rules (`logic.py`) need: the topics' subscribers and the event markers (`store.Subscribers`,
DynamoDB), and the delivery queue (`adapters.DeliveryQueue`, SQS). No I/O, no boto3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from notifications_shared.delivery import Recipient


class SubscriberReader(Protocol):
    def first_seen(self, event_id: str, occurred_at: str, expires_at: int) -> str:
        """The `occurred_at` the event id had at its first delivery (recorded now, kept until `expires_at` epoch
        seconds, if the id is new)."""
        ...

    def pages(self, kind: str, topic_id: str | None) -> Iterator[list[Recipient]]:
        """The topic's subscribers, as the delivery messages list them, one list per Query page (never a Scan)."""
        ...


class DeliveryQueue(Protocol):
    def send(self, bodies: list[str]) -> None:
        """Sends these messages (at most 10) to the delivery queue; raises when some could not be sent."""
        ...
