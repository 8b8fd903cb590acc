"""The `personal` table: everything the platform holds about one citizen, and the subscribers of each topic.

Layout (every key a string; `<sub>` is the Cognito `sub` claim, never the e-mail):

    pk = USER#<sub>     sk = LAYOUT           tiles [{type, params}], updated_at (UTC ISO), etag (the strong ETag
                                              of the layout's JSON, compared by conditional writes)
    pk = USER#<sub>     sk = SUBSCRIPTIONS    topics [{kind, id?, mode}], quiet_hours {start, end}?, updated_at,
                                              revision (changes on every write: concurrent writers conflict)
    pk = USER#<sub>     sk = DEVICE#<id>      one registered device: device_id (32 hex, derived from the sub and
                                              the token: the same token twice is the same item), platform,
                                              endpoint_arn (SNS), token_sha256, created_at, owner_version (of the
                                              claim that wrote it). Never the token.
    pk = USER#<sub>     sk = NOTE#<occurred_at UTC, seconds>#<event_id>   one inbox item (written by the
                                              notifications sender), public id `<epoch seconds>-<event_id>`,
                                              read_at once read, `expires_at` TTL 90 days
    pk = USER#<sub>     sk = DUE#<YYYY-MM-DDTHH>#<due UTC>#<event_id>   pointer to a deferred push
                                              `pk = DUE#<YYYY-MM-DDTHH>`, `sk = <due UTC>#<sub>#<event_id>`
                                              (written by the sender), so that an erasure deletes it
    pk = TOPIC#<kind>#<id>  sk = USER#<sub>   the subscribers index: one item per (topic, subscriber) holding a
                                              copy of kind, topic_id, mode and quiet_hours, so that a topic's
                                              subscribers are read by Query on `pk`, page by page, never Scan.
                                              `TOPIC#emergency` (no id) for the département's emergencies.
    pk = TOKEN#<sha256(token)>  sk = OWNER    the one account a device token pushes to: sub, device_id, platform,
                                              endpoint_arn, version (`me_shared.devices`)
    pk = EVENT#<event id>  sk = FIRST         when an event was first delivered to the matcher (`occurred_at`),
                                              reused on a redelivery so that the inbox key is the same (written by
                                              the notifications matcher; TTL 14 days; no personal data)
    pk = GONE#<sha256(sub)>  sk = TOMBSTONE   an erased account: `state` "pending" from the request until the
                                              erasure completed, then "done" and `expires_at` (TTL) one day later,
                                              longer than a token lives (2 h): its remaining tokens get 401.

Every personal item of a user lives in the one partition `USER#<sub>`, so an export or an erasure is one
Query (plus the index items named by its subscriptions, and the owner items of its devices' tokens). Reads check
the tombstone in the same BatchGetItem; writes carry a ConditionCheck on it in the same transaction. The keys, the
tombstone and the erasure are shared with the erasure queue's worker (`me_shared`, layer `layers/me`).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from home_shared.store import BatchReader
from me_shared.personal import (
    DEVICE,
    DUE,
    GONE_DETAIL,
    LAYOUT,
    NOTE,
    SUBSCRIPTIONS,
    TOMBSTONE,
    Personal,
    due_key,
    gone_pk,
    topic_pk,
    user_pk,
)
from poche_common.clock import to_utc_iso
from poche_common.dynamo import batch_write, from_item, to_item
from poche_common.errors import ConflictError, UnauthorizedError

__all__ = [
    "DEVICE",
    "DUE",
    "GONE_DETAIL",
    "LAYOUT",
    "NOTE",
    "SUBSCRIPTIONS",
    "TOMBSTONE",
    "Expectation",
    "LostUpdateError",
    "PersonalStore",
    "Snapshot",
    "due_key",
    "gone_pk",
    "note_sk",
    "topic_pk",
    "user_pk",
]

ROUTE_PROFILE = "PROFILE"
MAX_TRANSACTION = 100  # DynamoDB's limit of actions in one TransactWriteItems
READ_ATTEMPTS = 4
NOTE_EVENT_ID = re.compile(r"^[0-9A-Za-z_-]{1,128}$")


def note_sk(note_id: str) -> str | None:
    """The sort key of an inbox item from its public id `<epoch seconds of occurred_at>-<event_id>` (None: not
    an id)."""
    seconds, _, event_id = note_id.partition("-")
    if not seconds.isdigit() or len(seconds) > 11 or not event_id or not NOTE_EVENT_ID.match(event_id):
        return None
    occurred = dt.datetime.fromtimestamp(int(seconds), dt.UTC)
    return f"{NOTE}{to_utc_iso(occurred)}#{event_id}"


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


@dataclass
class Snapshot:
    """What one BatchGetItem found: the user's items asked for (by sk) and the routes that exist."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: set[str] = field(default_factory=set)

    @property
    def layout(self) -> dict[str, Any] | None:
        return self.items.get(LAYOUT)

    @property
    def subscriptions(self) -> dict[str, Any] | None:
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


class PersonalStore:
    def __init__(self, client: Any, table: str, transit_table: str) -> None:
        self.client = client
        self.table = table
        self.transit_table = transit_table
        self.personal = Personal(client, table)  # the erasure's reads and writes (shared with `me_erasure`)

    # --- reads --------------------------------------------------------------------------------
    def read(self, sub: str, sks: Iterable[str] = (), routes: Iterable[str] = ()) -> Snapshot:
        """The user's items `sks`, the tombstone (UnauthorizedError if the account was erased) and the route
        profiles of `routes`, in one BatchGetItem (more only for keys DynamoDB leaves unprocessed)."""
        tombstone = (self.table, gone_pk(sub), TOMBSTONE)
        keys = [tombstone, *((self.table, user_pk(sub), sk) for sk in sks)]
        keys += [(self.transit_table, f"ROUTE#{route}", ROUTE_PROFILE) for route in routes]
        reader = BatchReader(self.client)
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        pending = keys
        for _ in range(READ_ATTEMPTS):
            got, pending = reader.read(pending)
            found.update(got)
            if not pending:
                break
        else:
            raise RuntimeError(f"{len(pending)} personal keys still unprocessed after {READ_ATTEMPTS} attempts")
        if tombstone in found:
            raise UnauthorizedError(GONE_DETAIL)
        snapshot = Snapshot()
        for (table, pk, sk), item in found.items():
            if table == self.table and pk == user_pk(sub):
                snapshot.items[sk] = item
            elif table == self.transit_table and pk.startswith("ROUTE#"):
                snapshot.routes.add(pk.removeprefix("ROUTE#"))
        return snapshot

    def partition(self, sub: str) -> list[dict[str, Any]]:
        """Every item of the user's partition (Query, every page)."""
        return self.personal.partition(sub)

    def devices(self, sub: str) -> list[dict[str, Any]]:
        """The user's devices (Query on `DEVICE#`; at most a few: every page)."""
        return self.personal.partition(sub, DEVICE)

    def notes(self, sub: str, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], Any]:
        """One page of the user's inbox, newest first: (items, last evaluated key)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": user_pk(sub)}, ":prefix": {"S": NOTE}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = self.client.query(**kwargs)
        return [from_item(item) for item in page.get("Items", [])], page.get("LastEvaluatedKey")

    def index_items(self, sub: str, topics: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The subscribers index items of the user's topics (BatchGetItem)."""
        keys = [(self.table, topic_pk(t["kind"], t.get("id")), user_pk(sub)) for t in topics]
        found, pending = BatchReader(self.client).read(keys)
        if pending:
            more, _ = BatchReader(self.client).read(pending)
            found.update(more)
        return [found[key] for key in keys if key in found]

    def subscribers(self, kind: str, topic_id: str | None, *, limit: int = 500, start: Any = None) -> Any:
        """One page of a topic's subscribers (Query on the index items): (items, last evaluated key)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": topic_pk(kind, topic_id)}},
            "Limit": limit,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = self.client.query(**kwargs)
        return [from_item(item) for item in page.get("Items", [])], page.get("LastEvaluatedKey")

    # --- writes -------------------------------------------------------------------------------
    def _guard(self, sub: str) -> dict[str, Any]:
        """The ConditionCheck refusing any write once the account is erased."""
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": _key(gone_pk(sub), TOMBSTONE),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        """One transaction whose first action is the conditional write and second the tombstone guard."""
        try:
            self.client.transact_write_items(TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise UnauthorizedError(GONE_DETAIL) from None
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise LostUpdateError() from None
            raise

    def put_layout(self, sub: str, item: dict[str, Any], expected: Expectation) -> None:
        """Writes the layout if the current one is what `expected` says (LostUpdateError otherwise)."""
        put: dict[str, Any] = {"TableName": self.table, "Item": to_item({**item, "pk": user_pk(sub), "sk": LAYOUT})}
        condition, values = expected.condition()
        if condition:
            put["ConditionExpression"] = condition
            if values:
                put["ExpressionAttributeValues"] = values
        self._transact([{"Put": put}, self._guard(sub)])

    def put_subscriptions(
        self,
        sub: str,
        record: dict[str, Any],
        previous_revision: str | None,
        index: dict[str, dict[str, Any]],
        previous_index: dict[str, dict[str, Any]],
    ) -> tuple[int, int]:
        """Writes the subscriptions and keeps the index in step: new or changed index items put, removed ones
        deleted. One transaction when it fits (up to 98 index changes: the usual case); otherwise the index is
        written first and the record last, so that a retry of the same request repairs an interrupted write.
        ConflictError if another write changed the subscriptions since they were read. Returns (put, deleted)."""
        if previous_revision is None:
            condition, values = "attribute_not_exists(pk)", {}
        else:
            condition, values = "revision = :revision", {":revision": {"S": previous_revision}}
        put_record: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_item({**record, "pk": user_pk(sub), "sk": SUBSCRIPTIONS}),
            "ConditionExpression": condition,
        }
        if values:
            put_record["ExpressionAttributeValues"] = values
        changed = [item for pk, item in index.items() if _comparable(previous_index.get(pk)) != _comparable(item)]
        removed = [pk for pk in previous_index if pk not in index]
        index_actions = [{"Put": {"TableName": self.table, "Item": to_item(item)}} for item in changed]
        index_actions += [{"Delete": {"TableName": self.table, "Key": _key(pk, user_pk(sub))}} for pk in removed]
        try:
            if len(index_actions) + 2 <= MAX_TRANSACTION:
                self._transact([{"Put": put_record}, self._guard(sub), *index_actions])
            else:
                self.read(sub)  # refuse an erased account before touching the index
                batch_write(self.client, self.table, [{"PutRequest": {"Item": to_item(item)}} for item in changed])
                batch_write(
                    self.client,
                    self.table,
                    [{"DeleteRequest": {"Key": _key(pk, user_pk(sub))}} for pk in removed],
                )
                self._transact([{"Put": put_record}, self._guard(sub)])
        except LostUpdateError:
            raise ConflictError(
                "Vos abonnements ont été modifiés en même temps par un autre appareil : relisez-les et réessayez."
            ) from None
        return len(changed), len(removed)

    def mark_read(self, sub: str, sk: str, now: dt.datetime) -> bool:
        """Sets `read_at` of an inbox item once (a second call keeps the first time); False: no such item."""
        update = {
            "TableName": self.table,
            "Key": _key(user_pk(sub), sk),
            "UpdateExpression": "SET read_at = if_not_exists(read_at, :now)",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":now": {"S": to_utc_iso(now)}},
        }
        try:
            self._transact([{"Update": update}, self._guard(sub)])
        except LostUpdateError:
            return False
        return True

    def erasure_state(self, sub: str) -> str | None:
        """None, "pending" (erasure requested, not finished) or "done" (consistent read)."""
        return self.personal.erasure_state(sub)

    def bury(self, sub: str, now: dt.datetime) -> bool:
        """The tombstone of an erasure requested now (False: there was one already)."""
        return self.personal.bury(sub, now)

    @staticmethod
    def new_revision() -> str:
        return uuid.uuid4().hex


def _comparable(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """An index item without its timestamp: rewritten only when what notifications read changes."""
    if item is None:
        return None
    return {k: v for k, v in item.items() if k != "updated_at"}
