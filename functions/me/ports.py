"""What the personal API's rules (`logic/`) need of the outside world, as small ports, and the values they
exchange. `store.PersonalStore` (DynamoDB), `me_shared.devices.Devices` (DynamoDB and SNS),
`me_shared.identity.CognitoIdentity`, `adapters.ErasureQueue` (SQS) and `home_shared.catalogue.Catalogue` (SSM)
implement them; `deps.py` builds them; unit tests pass in-memory fakes. Nothing here does I/O or imports boto3."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from me_shared.keys import LAYOUT, SUBSCRIPTIONS

if TYPE_CHECKING:
    from home_shared.catalogue import TileType

Item = dict[str, Any]


@dataclass
class Snapshot:
    """What one read found: the user's items asked for (by sk) and the routes that exist."""

    items: dict[str, Item] = field(default_factory=dict)
    routes: set[str] = field(default_factory=set)

    @property
    def layout(self) -> Item | None:
        return self.items.get(LAYOUT)

    @property
    def subscriptions(self) -> Item | None:
        return self.items.get(SUBSCRIPTIONS)


class LostUpdateError(Exception):
    """The conditional write of a personal item failed: the item is not the version the caller expected."""


@dataclass(frozen=True)
class Expectation:
    """What a conditional write expects of the current item: `absent` (no item), any of `etags`, or `anything`."""

    absent: bool = False
    etags: tuple[str, ...] = ()
    anything: bool = False

    def condition(self) -> tuple[str | None, dict[str, Any]]:
        """The ConditionExpression and its values (None: an unconditional write)."""
        if self.anything:
            return None, {}
        parts: list[str] = ["attribute_not_exists(pk)"] if self.absent else []
        values = {f":etag{i}": {"S": etag} for i, etag in enumerate(self.etags)}
        if values:
            parts.append(f"etag IN ({', '.join(values)})")
        if not parts:  # nothing can match: still a condition that fails
            return "attribute_not_exists(pk) AND attribute_exists(pk)", {}
        return " OR ".join(parts), values


class PersonalData(Protocol):
    """The caller's items of the personal table. Every read raises UnauthorizedError for an erased account; every
    write is refused for one."""

    def read(self, sub: str, sks: Iterable[str] = (), routes: Iterable[str] = ()) -> Snapshot:
        """The user's items `sks` and which of `routes` exist, in one round trip."""
        ...

    def devices(self, sub: str) -> list[Item]: ...

    def notes(self, sub: str, limit: int, start: dict[str, Any] | None) -> tuple[list[Item], Any]:
        """One page of the inbox, newest first, and the key to continue from."""
        ...

    def partition(self, sub: str) -> list[Item]: ...

    def index_items(self, sub: str, topics: list[Item]) -> list[Item]: ...

    def put_layout(self, sub: str, item: Item, expected: Expectation) -> None:
        """LostUpdateError when the current layout is not what `expected` says."""
        ...

    def put_subscriptions(
        self,
        sub: str,
        record: Item,
        previous_revision: str | None,
        index: dict[str, Item],
        previous_index: dict[str, Item],
    ) -> tuple[int, int]:
        """(index items put, index items deleted); ConflictError when another write came first."""
        ...

    def mark_read(self, sub: str, sk: str, now: dt.datetime) -> bool: ...

    def erasure_state(self, sub: str) -> str | None: ...

    def bury(self, sub: str, now: dt.datetime) -> bool: ...


class TileTypes(Protocol):
    """The tile catalogue (`home_shared.catalogue.Catalogue`)."""

    def types(self) -> dict[str, TileType]: ...


class QueueNotConfiguredError(RuntimeError):
    """The function has no queue to send to (ERASURE_QUEUE_URL unset)."""


class Queue(Protocol):
    """The erasure queue: `send` raises when the message could not be queued (QueueNotConfiguredError when there
    is no queue)."""

    def send(self, message: Mapping[str, Any]) -> None: ...
