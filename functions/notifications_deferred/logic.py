"""The deferred pushes' rules: which hours to look at, one push per user (the single notification's title, or
"3 nouvelles notifications"), and what is done with the DUE items (deleted once pushed or when there is no device;
kept when every push failed). Over the due-push and push ports; no boto3, no environment."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from notifications_shared.ports import Push
from notifications_shared.push import message

from .ports import DuePushes

LOOKBACK_HOURS = 48
INBOX_URL = "/v1/me/notifications"


def hours(now: dt.datetime) -> list[str]:
    """The DUE partitions to read, oldest first: the last 48 hours and the current one."""
    top = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return [(top - dt.timedelta(hours=n)).strftime("%Y-%m-%dT%H") for n in range(LOOKBACK_HOURS, -1, -1)]


def note_id(item: dict[str, Any]) -> str:
    """The public id of the notification a DUE item names (`<epoch seconds>-<event_id>`), "" if none."""
    note_sk = str(item.get("note_sk") or "")
    if not note_sk.startswith("NOTE#"):
        return ""
    occurred_at, _, event_id = note_sk.removeprefix("NOTE#").partition("#")
    return f"{int(dt.datetime.fromisoformat(occurred_at).timestamp())}-{event_id}"


def summary(items: list[dict[str, Any]]) -> tuple[str, str]:
    """(title, body) of the push for these notifications."""
    if len(items) == 1:
        return str(items[0].get("title", "Nouvelle notification")), "Ouvrez Poche pour la lire."
    return f"{len(items)} nouvelles notifications", "Ouvrez Poche pour les lire."


def run(due: DuePushes, pusher: Push, now: dt.datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    by_user: dict[str, list[dict[str, Any]]] = {}
    for item in due.due(hours(now), now):
        by_user.setdefault(str(item["sub"]), []).append(item)
    for sub, items in by_user.items():
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
        due.done(sub, items)
        counts["done"] += len(items)
    return counts
