"""The erasure worker's rules: what an erasure request is, and one batch of them run through the erasure's port
(`me_shared.erasure`) with a batch item failure per message that did not complete. No boto3, no environment."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from me_shared.ports import Eraser
from poche_common import safejson
from poche_common.observability import logger

SUB = re.compile(r"^[0-9A-Za-z_-]{1,128}\Z")
USERNAME = re.compile(r"^[\x21-\x7e\u00a0-\uffff]{1,128}\Z")  # Cognito usernames: no space, no control character


class NotAnErasureError(ValueError):
    """The message is not an erasure request (it is kept for a person to look at: dead-letter queue)."""


def request_of(body: str) -> tuple[str, str]:
    """(sub, username) of a queued erasure request."""
    try:
        message = safejson.loads(body, max_depth=2)
    except ValueError:
        raise NotAnErasureError("not JSON") from None
    if not isinstance(message, dict):
        raise NotAnErasureError("not an object")
    sub, username = message.get("sub"), message.get("username")
    if not isinstance(sub, str) or not SUB.match(sub):
        raise NotAnErasureError("no valid sub")
    if not isinstance(username, str) or not USERNAME.match(username):
        raise NotAnErasureError("no valid username")
    return sub, username


def process(
    event: dict[str, Any], erasure: Eraser, clock: Callable[[], dt.datetime]
) -> tuple[dict[str, Any], Counter[str]]:
    """Runs each queued request; a message that failed (or is not a request) is reported for a retry."""
    counts: Counter[str] = Counter()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId"))
        try:
            sub, username = request_of(str(record.get("body", "")))
            outcome = erasure.run(sub, username, clock())
        except NotAnErasureError as exc:
            logger.error("not an erasure request: kept for the dead-letter queue", extra={"reason": str(exc)})
            failures.append({"itemIdentifier": message_id})
            counts["refused"] += 1
            continue
        except Exception as exc:
            logger.warning("erasure failed, retried", extra={"error": type(exc).__name__, "message_id": message_id})
            failures.append({"itemIdentifier": message_id})
            counts["failed"] += 1
            continue
        if outcome.already_done:
            counts["already_done"] += 1
        else:
            counts["erased"] += 1
            counts["items"] += outcome.items
            counts["endpoints"] += outcome.endpoints
    return {"batchItemFailures": failures}, counts
