"""Lambda entry point of PayFiP's notification (`urlnotif`): POST /v1/payments/payfip/notifications.

PayFiP posts a form carrying only `idOp`, unsigned: anyone can post anything. So this function believes nothing:
it checks the idOp's shape, hands it to the processing queue and answers at once (PayFiP expects a fast answer);
the processor asks PayFiP itself for the authoritative result (`recupererDetailPaiementSecurise`), so a forged or
unknown idOp credits nothing. Standard library, the idOp's pattern (`payments_shared.keys`) and the SQS client only: a
cold start of a few milliseconds' work.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from urllib.parse import parse_qs

from payments_shared.keys import IDOP
from poche_common.observability import logger

MAX_BODY = 4096  # PayFiP's form is `idOp=<id>`: anything larger is not PayFiP

_sqs: Any = None


def _queue() -> Any:
    global _sqs
    if _sqs is None:
        import boto3

        _sqs = boto3.client("sqs")
    return _sqs


def _answer(status: int, text: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"},
        "body": text,
        "isBase64Encoded": False,
    }


def idop_of(event: dict[str, Any]) -> str | None:
    """The idOp of PayFiP's form (or of a query string), None when there is none of the right shape."""
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
    if len(raw) > MAX_BODY:
        return None
    fields = parse_qs(raw, max_num_fields=8) if raw else {}
    query = parse_qs(event.get("rawQueryString") or "", max_num_fields=8)
    for name in ("idOp", "idop", "IdOp"):
        for value in fields.get(name, []) + query.get(name, []):
            if IDOP.fullmatch(value):
                return value
    return None


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        idop = idop_of(event)
    except ValueError:  # more fields than PayFiP sends
        idop = None
    if idop is None:
        logger.info("notification without a usable idOp: ignored")
        from poche_common.problems import PROBLEM_CONTENT_TYPE, problem_body

        return {
            "statusCode": 400,
            "headers": {"Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store"},
            "body": problem_body(400, "invalid-request", "idOp attendu : le formulaire de PayFiP porte `idOp`."),
            "isBase64Encoded": False,
        }
    _queue().send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps({"idop": idop}))
    return _answer(200, "OK")
