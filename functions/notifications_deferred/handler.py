"""Deferred pushes: every 15 minutes, the pushes whose quiet hours ended or whose digest time came.

Reads the `DUE#<YYYY-MM-DDTHH>` partitions of the `personal` table from 48 hours ago to now (Query each, the
items due by now), sends one push per user (the single notification's title, or "3 nouvelles notifications"),
then deletes the DUE items and their pointers `USER#<sub>` / `DUE#...`. A user whose push failed keeps them for
the next run: never dropped (a user without any device has nothing to push: their items go).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3

from notifications_shared.push import Pusher, message
from poche_common.clock import to_utc_iso, utc_now
from poche_common.dynamo import batch_write
from poche_common.observability import logger, metrics
from poche_common.settings import required

LOOKBACK_HOURS = 48
INBOX_URL = "/v1/me/notifications"


def hours(now: dt.datetime) -> list[str]:
    """The DUE partitions to read, oldest first: the last 48 hours and the current one."""
    top = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return [(top - dt.timedelta(hours=n)).strftime("%Y-%m-%dT%H") for n in range(LOOKBACK_HOURS, -1, -1)]


def due_now(client: Any, table: str, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """sub -> its DUE items due by `now` (Query of each hour's partition, every page)."""
    upper = to_utc_iso(now) + "$"  # `$` sorts after `#`: every sk `<due>#...` with due <= now
    by_user: dict[str, list[dict[str, Any]]] = {}
    for hour in hours(now):
        kwargs: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk AND sk < :upper",
            "ExpressionAttributeValues": {":pk": {"S": f"DUE#{hour}"}, ":upper": {"S": upper}},
        }
        while True:
            page = client.query(**kwargs)
            for item in page.get("Items", []):
                by_user.setdefault(item["sub"]["S"], []).append(item)
            if not page.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return by_user


def note_id(item: dict[str, Any]) -> str:
    """The public id of the notification a DUE item names (`<epoch seconds>-<event_id>`), "" if none."""
    note_sk = item.get("note_sk", {}).get("S", "")
    if not note_sk.startswith("NOTE#"):
        return ""
    occurred_at, _, event_id = note_sk.removeprefix("NOTE#").partition("#")
    return f"{int(dt.datetime.fromisoformat(occurred_at).timestamp())}-{event_id}"


def summary(items: list[dict[str, Any]]) -> tuple[str, str]:
    """(title, body) of the push for these notifications."""
    if len(items) == 1:
        return items[0].get("title", {}).get("S", "Nouvelle notification"), "Ouvrez Poche pour la lire."
    return f"{len(items)} nouvelles notifications", "Ouvrez Poche pour les lire."


def _deletions(sub: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []
    for item in items:
        hour = item["pk"]["S"].removeprefix("DUE#")
        due_iso, _, event_id = item["sk"]["S"].partition(f"#{sub}#")
        pointer = {"pk": {"S": f"USER#{sub}"}, "sk": {"S": f"DUE#{hour}#{due_iso}#{event_id}"}}
        requests.append({"DeleteRequest": {"Key": {"pk": item["pk"], "sk": item["sk"]}}})
        requests.append({"DeleteRequest": {"Key": pointer}})
    return requests


def run(client: Any, table: str, pusher: Pusher, now: dt.datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    for sub, items in due_now(client, table, now).items():
        devices = pusher.devices(sub)
        if devices:
            title, body = summary(items)
            single = note_id(items[0]) if len(items) == 1 else ""
            result = pusher.push(sub, devices, message(title, body, INBOX_URL, single))
            counts["sent"] += result.sent
            counts["failed"] += result.failed
            if result.sent == 0 and result.failed:
                counts["kept"] += len(items)
                continue  # the next run tries again
        batch_write(client, table, _deletions(sub, items))
        counts["done"] += len(items)
    return counts


_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_pusher = Pusher(_dynamodb, boto3.client("sns"), _table)
_clock: Callable[[], dt.datetime] = utc_now


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    counts = run(_dynamodb, _table, _pusher, _clock())
    metrics.add_metric(name="PushesSent", unit="Count", value=counts["sent"])
    metrics.add_metric(name="PushesFailed", unit="Count", value=counts["failed"])
    logger.info("deferred pushes", extra=dict(counts))
    return dict(counts)
