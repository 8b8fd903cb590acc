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
from collections.abc import Iterable
from typing import Any

from me_shared.keys import DEVICE, GONE_DETAIL, LAYOUT, NOTE, SUBSCRIPTIONS, TOMBSTONE, gone_pk, topic_pk, user_pk
from me_shared.personal import Personal, key
from poche_common.clock import to_utc_iso
from poche_common.dynamo import batch_get, batch_write, from_item, query_page, to_item
from poche_common.errors import ConflictError, UnauthorizedError

from .ports import Expectation, Item, LostUpdateError, Snapshot

ROUTE_PROFILE = "PROFILE"
MAX_TRANSACTION = 100  # DynamoDB's limit of actions in one TransactWriteItems
READ_ATTEMPTS = 4  # round trips of one BatchGetItem (DynamoDB leaves keys unprocessed only under throttling)


class PersonalStore:
    """The `PersonalData` port (`ports.py`) over DynamoDB: reads check the tombstone in the same BatchGetItem,
    writes carry a ConditionCheck on it in the same transaction."""

    def __init__(self, client: Any, table: str, transit_table: str) -> None:
        self.client = client
        self.table = table
        self.transit_table = transit_table
        self.personal = Personal(client, table)  # the erasure's reads and writes (shared with `me_erasure`)

    # --- reads --------------------------------------------------------------------------------
    def read(self, sub: str, sks: Iterable[str] = (), routes: Iterable[str] = ()) -> Snapshot:
        """The user's items `sks`, the tombstone (UnauthorizedError if the account was erased) and the route
        profiles of `routes`, in one BatchGetItem (more only for keys DynamoDB leaves unprocessed)."""
        own = [{"pk": {"S": gone_pk(sub)}, "sk": {"S": TOMBSTONE}}]
        own += [key(user_pk(sub), sk) for sk in dict.fromkeys(sks)]
        request: dict[str, Any] = {self.table: {"Keys": own}}
        profiles = [key(f"ROUTE#{route}", ROUTE_PROFILE) for route in dict.fromkeys(routes)]
        if profiles:
            request[self.transit_table] = {"Keys": profiles}
        found = self._batch_get(request, "personal keys")
        snapshot = Snapshot()
        for item in found.get(self.table, []):
            if item["pk"] == gone_pk(sub) and item["sk"] == TOMBSTONE:
                raise UnauthorizedError(GONE_DETAIL)
            snapshot.items[item["sk"]] = item
        snapshot.routes = {str(item["pk"]).removeprefix("ROUTE#") for item in found.get(self.transit_table, [])}
        return snapshot

    def _batch_get(self, request: dict[str, Any], what: str) -> dict[str, list[Item]]:
        """table -> items (plain) of one BatchGetItem; RuntimeError when keys stay unprocessed."""
        result = batch_get(self.client, request, attempts=READ_ATTEMPTS)
        if result.unprocessed:
            left = sum(len(spec.get("Keys", [])) for spec in result.unprocessed.values())
            raise RuntimeError(f"{left} {what} still unprocessed after {READ_ATTEMPTS} attempts")
        return {table: [from_item(item) for item in items] for table, items in result.items.items()}

    def partition(self, sub: str) -> list[Item]:
        """Every item of the user's partition (Query, every page)."""
        return self.personal.partition(sub)

    def devices(self, sub: str) -> list[Item]:
        """The user's devices (Query on `DEVICE#`; at most a few: every page)."""
        return self.personal.partition(sub, DEVICE)

    def notes(self, sub: str, limit: int, start: dict[str, Any] | None) -> tuple[list[Item], Any]:
        """One page of the user's inbox, newest first: (items, last evaluated key)."""
        items, last_key = query_page(
            self.client,
            start,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": user_pk(sub)}, ":prefix": {"S": NOTE}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [from_item(item) for item in items], last_key

    def index_items(self, sub: str, topics: list[Item]) -> list[Item]:
        """The subscribers index items of the user's topics (BatchGetItem), in the order of `topics`."""
        pks = list(dict.fromkeys(topic_pk(t["kind"], t.get("id")) for t in topics))
        if not pks:
            return []
        found = self._batch_get({self.table: {"Keys": [key(pk, user_pk(sub)) for pk in pks]}}, "index keys")
        by_pk = {item["pk"]: item for item in found.get(self.table, [])}
        return [by_pk[pk] for pk in pks if pk in by_pk]

    def subscribers(self, kind: str, topic_id: str | None, *, limit: int = 500, start: Any = None) -> Any:
        """One page of a topic's subscribers (Query on the index items): (items, last evaluated key)."""
        items, last_key = query_page(
            self.client,
            start,
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": topic_pk(kind, topic_id)}},
            Limit=limit,
        )
        return [from_item(item) for item in items], last_key

    # --- writes -------------------------------------------------------------------------------
    def _guard(self, sub: str) -> dict[str, Any]:
        """The ConditionCheck refusing any write once the account is erased."""
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": key(gone_pk(sub), TOMBSTONE),
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

    def put_layout(self, sub: str, item: Item, expected: Expectation) -> None:
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
        index_actions += [{"Delete": {"TableName": self.table, "Key": key(pk, user_pk(sub))}} for pk in removed]
        try:
            if len(index_actions) + 2 <= MAX_TRANSACTION:
                self._transact([{"Put": put_record}, self._guard(sub), *index_actions])
            else:
                self.read(sub)  # refuse an erased account before touching the index
                batch_write(self.client, self.table, [{"PutRequest": {"Item": to_item(item)}} for item in changed])
                batch_write(
                    self.client,
                    self.table,
                    [{"DeleteRequest": {"Key": key(pk, user_pk(sub))}} for pk in removed],
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
            "Key": key(user_pk(sub), sk),
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


def _comparable(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """An index item without its timestamp: rewritten only when what notifications read changes."""
    if item is None:
        return None
    return {k: v for k, v in item.items() if k != "updated_at"}
