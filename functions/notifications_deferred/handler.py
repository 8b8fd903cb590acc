"""Deferred pushes: every 15 minutes, the pushes whose quiet hours ended or whose digest time came.

Reads the `DUE#<YYYY-MM-DDTHH>` partitions of the `personal` table from 48 hours ago to now (Query each, the
items due by now), sends one push per user (the single notification's title, or "3 nouvelles notifications"),
then deletes the DUE items and their pointers `USER#<sub>` / `DUE#...`. A user whose push failed keeps them for
the next run: never dropped (a user without any device has nothing to push: their items go).

Entry point only: the rules are `logic.py`, the table `store.py`, the dependencies `deps.py`.
"""

from __future__ import annotations

from typing import Any

from poche_common.observability import logger, metrics

from .deps import dependencies
from .logic import run


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    deps = dependencies.get()
    counts = run(deps.due, deps.pusher, deps.clock())
    metrics.add_metric(name="PushesSent", unit="Count", value=counts["sent"])
    metrics.add_metric(name="PushesFailed", unit="Count", value=counts["failed"])
    logger.info("deferred pushes", extra=dict(counts))
    return dict(counts)
