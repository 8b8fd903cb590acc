"""The erasure's reads and writes on the `personal` table (DynamoDB adapter), and the tombstone of an erased account.

    pk = GONE#<sha256(sub)>  sk = TOMBSTONE   an erased account: `state` "pending" from the request until every
                                              item, endpoint and the Cognito user are gone, then "done" with
                                              `expires_at` (TTL) a day later; every route answers 401 meanwhile

The keys of the table are `me_shared.keys` (layout: docs/me.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.clock import to_utc_iso
from poche_common.dynamo import batch_write, from_item, query_all, to_item

from .keys import DONE, DUE, PENDING, SUBSCRIPTIONS, TOMBSTONE, due_key, gone_pk, topic_pk, user_pk

# Kept a day after the erasure completed: an ID token lives at most 2 h, and no new one can be issued once the
# Cognito user is gone. A pending erasure's tombstone does not expire.
TOMBSTONE_TTL = dt.timedelta(days=1)


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def is_conditional_failure(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    return bool(response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


class Personal:
    """The reads and writes of the erasure, on the `personal` table (`ErasureStore` of `me_shared.ports`)."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def partition(self, sub: str, prefix: str = "") -> list[dict[str, Any]]:
        """Every item of the user's partition (or those whose sk starts with `prefix`): consistent Query, every
        page."""
        condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if prefix else "")
        values = {":pk": {"S": user_pk(sub)}, **({":prefix": {"S": prefix}} if prefix else {})}
        pages = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        )
        return [from_item(item) for item in pages]

    def erase(self, sub: str, items: list[dict[str, Any]]) -> int:
        """Deletes the user's `items` (of its partition), the index items of its subscriptions and the deferred
        pushes named by its `DUE#` pointers. What is pointed to goes first, the pointers (the SUBSCRIPTIONS item,
        the `DUE#` items of the partition) last: an interrupted run leaves them for the next one to follow.
        Returns how many deletions were sent."""
        named: list[tuple[str, str]] = []
        pointers: list[tuple[str, str]] = []
        rest: list[tuple[str, str]] = []
        for item in items:
            own = (str(item["pk"]), str(item["sk"]))
            if item["sk"] == SUBSCRIPTIONS:
                named += [(topic_pk(t["kind"], t.get("id")), user_pk(sub)) for t in item.get("topics", [])]
                pointers.append(own)
            elif str(item["sk"]).startswith(DUE):
                due = due_key(str(item["sk"]), sub)
                if due:
                    named.append(due)
                pointers.append(own)
            else:
                rest.append(own)
        keys = dict.fromkeys([*named, *rest, *pointers])
        batch_write(self.client, self.table, [{"DeleteRequest": {"Key": key(pk, sk)}} for pk, sk in keys])
        return len(keys)

    # --- the tombstone ------------------------------------------------------------------------
    def erasure_state(self, sub: str) -> str | None:
        """None (not erased), PENDING (requested, not finished) or DONE. A consistent read: the request that
        wrote it may have been the previous one."""
        page = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk = :sk",
            ExpressionAttributeValues={":pk": {"S": gone_pk(sub)}, ":sk": {"S": TOMBSTONE}},
            ConsistentRead=True,
        )
        items = page.get("Items", [])
        if not items:
            return None
        state = items[0].get("state", {}).get("S")
        return PENDING if state == PENDING else DONE  # a tombstone without state (written before) is done

    def bury(self, sub: str, now: dt.datetime) -> bool:
        """Writes the tombstone of an erasure requested now, unless there is one (False then). From then on every
        route answers 401 and every write of the user fails its tombstone check. Nothing of the identifier is kept
        but a digest; no TTL until the erasure is done."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_item({"pk": gone_pk(sub), "sk": TOMBSTONE, "state": PENDING, "erased_at": to_utc_iso(now)}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def finish(self, sub: str, now: dt.datetime) -> None:
        """Marks the erasure done: the tombstone expires a day later."""
        self.client.update_item(
            TableName=self.table,
            Key=key(gone_pk(sub), TOMBSTONE),
            UpdateExpression="SET #state = :done, finished_at = :now, expires_at = :expires",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":done": {"S": DONE},
                ":now": {"S": to_utc_iso(now)},
                ":expires": {"N": str(int((now + TOMBSTONE_TTL).timestamp()))},
            },
        )
