"""The erasure queue's worker: completes the account erasures `DELETE /v1/me` recorded (issue 9, defect 11).

`DELETE /v1/me` writes the tombstone, queues `{"sub", "username", "requested_at"}` here and runs the erasure at
once; whatever that run could not finish (SNS, Cognito or DynamoDB failing) is done here, the same idempotent
run (`me_shared.erasure`): devices and their endpoints (only those the account still owns), the partition, the
subscribers index, the deferred pushes, the Cognito user, then the tombstone marked done. An erasure completed
already is acknowledged without work.

SQS event source with ReportBatchItemFailures: a message whose run fails is retried alone after the visibility
timeout, up to the queue's receive count, then kept in the dead-letter queue (alarm). A message that is not an
erasure request is refused the same way: nothing is dropped silently. Nothing of the account (sub, username,
token, device id) is ever logged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3

from me_shared.devices import Devices
from me_shared.erasure import Erasure
from me_shared.personal import Personal
from poche_common import safejson
from poche_common.clock import utc_now
from poche_common.observability import logger, metrics
from poche_common.settings import required

SUB = re.compile(r"^[0-9A-Za-z_-]{1,128}$")
USERNAME = re.compile(r"^[\x21-\x7e\u00a0-\uffff]{1,128}$")  # Cognito usernames: no space, no control character


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
    event: dict[str, Any], erasure: Erasure, clock: Callable[[], dt.datetime] = utc_now
) -> tuple[dict[str, Any], Counter[str]]:
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


_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_pool_id = required("CITIZEN_USER_POOL_ID")
_clients: dict[str, Any] = {}  # SNS and Cognito: created on first use


def _client(name: str) -> Any:
    if name not in _clients:
        _clients[name] = boto3.client(name)
    return _clients[name]


def _devices() -> Devices:
    if "devices" not in _clients:
        _clients["devices"] = Devices(_dynamodb, _client("sns"), _table)
    devices: Devices = _clients["devices"]
    return devices


_erasure = Erasure(Personal(_dynamodb, _table), _devices, lambda: _client("cognito-idp"), _pool_id)
_clock: Callable[[], dt.datetime] = utc_now


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    answer, counts = process(event, _erasure, _clock)
    metrics.add_metric(name="AccountsErased", unit="Count", value=counts["erased"])
    metrics.add_metric(name="AccountErasuresFailed", unit="Count", value=counts["failed"] + counts["refused"])
    logger.info("erasures", extra={**counts, "messages_failed": len(answer["batchItemFailures"])})
    return answer
