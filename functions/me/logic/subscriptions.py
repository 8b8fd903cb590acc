"""Subscriptions (topics and quiet hours), and the subscribers index kept in step with them."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from me_shared.keys import SUBSCRIPTIONS
from poche_common.observability import logger

from ..ports import PersonalData
from ..validation import Problem, parse_subscriptions, requested_routes, route_problems, unprocessable
from ..views import index_items, subscriptions_record, subscriptions_view
from .caller import Caller, validated


def current(store: PersonalData, caller: Caller) -> dict[str, Any]:
    return subscriptions_view(store.read(caller.sub, [SUBSCRIPTIONS]).subscriptions)


def save(store: PersonalData, caller: Caller, body: Any, now: dt.datetime) -> dict[str, Any]:
    """Replaces the subscriptions (422 naming every unknown school, route or commune); the subscribers index
    (TOPIC#...) is written in the same transaction. Returns the saved subscriptions' view."""
    subscriptions, problems = validated(store, caller, lambda: parse_subscriptions(body))
    # One round trip: the current subscriptions, the tombstone and the routes named.
    snapshot = store.read(caller.sub, [SUBSCRIPTIONS], routes=requested_routes(body))
    problems += route_problems(body, snapshot.routes)
    if problems:
        raise unprocessable(sorted(problems, key=_position))
    previous = snapshot.subscriptions
    record = subscriptions_record(subscriptions, uuid.uuid4().hex, now)
    put, deleted = store.put_subscriptions(
        caller.sub,
        record,
        previous.get("revision") if previous else None,
        index_items(caller.sub, record),
        index_items(caller.sub, previous),
    )
    logger.info(
        "subscriptions saved", extra={"topics": len(subscriptions.topics), "index_put": put, "index_deleted": deleted}
    )
    return subscriptions_view(record)


def _position(problem: Problem) -> tuple[int, str]:
    """Problems in the order of the body: `topics[i]` by i, then the rest (quiet hours)."""
    found = re.match(r"^topics\[(\d+)\]", problem["name"])
    return (int(found.group(1)) if found else 1_000_000, problem["name"])
