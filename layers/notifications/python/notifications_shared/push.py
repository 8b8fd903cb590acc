"""Mobile pushes through SNS platform endpoints (the user's DEVICE items), and cleanup of disabled ones.

Shared by the sender and the deferred pushes (layer `notifications`, attached to both).
No token, device id or user id is ever logged.
"""

from __future__ import annotations

import json
from typing import Any

from poche_common.dynamo import query_all
from poche_common.observability import logger

from .ports import PushResult

GONE_CODES = {"EndpointDisabled", "NotFound", "InvalidParameter"}  # the endpoint cannot receive any more


def message(title: str, body: str, url: str, note_id: str) -> str:
    """The SNS `MessageStructure=json` message: one payload per platform."""
    return json.dumps(
        {
            "default": body,
            "GCM": json.dumps({"notification": {"title": title, "body": body}, "data": {"url": url, "id": note_id}}),
            "APNS": json.dumps({"aps": {"alert": {"title": title, "body": body}}, "url": url, "id": note_id}),
        },
        ensure_ascii=False,
    )


class Pusher:
    """The `Push` port (`ports.py`) over the personal table's DEVICE items and SNS."""

    def __init__(self, dynamodb: Any, sns: Any, table: str) -> None:
        self.dynamodb = dynamodb
        self.sns = sns
        self.table = table

    def devices(self, sub: str) -> list[dict[str, Any]]:
        """The user's DEVICE items (`sk`, `endpoint_arn`, `token_sha256`), every page."""
        items = query_all(
            self.dynamodb,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"USER#{sub}"}, ":prefix": {"S": "DEVICE#"}},
            ProjectionExpression="sk, endpoint_arn, token_sha256",
        )
        return [
            {
                "sk": item["sk"]["S"],
                "endpoint_arn": item["endpoint_arn"]["S"],
                **({"token_sha256": item["token_sha256"]["S"]} if "token_sha256" in item else {}),
            }
            for item in items
            if "endpoint_arn" in item
        ]

    def push(self, sub: str, devices: list[dict[str, Any]], payload: str) -> PushResult:
        """Publish to each device; an endpoint SNS reports disabled (or gone) is deleted with its DEVICE item."""
        result = PushResult(devices=len(devices))
        for device in devices:
            try:
                self.sns.publish(TargetArn=device["endpoint_arn"], MessageStructure="json", Message=payload)
                result.sent += 1
            except Exception as exc:  # botocore ClientError, or a network error
                code = getattr(exc, "response", {}).get("Error", {}).get("Code")
                if code in GONE_CODES:
                    self._remove(sub, device)
                    result.removed += 1
                else:
                    result.failed += 1
                    logger.warning("push failed", extra={"error": code or type(exc).__name__})
        return result

    def _remove(self, sub: str, device: dict[str, Any]) -> None:
        """Forgets a device whose endpoint cannot receive any more. The endpoint is deleted only while the device
        still owns its token (the `TOKEN#<sha256>/OWNER` item of `me_shared.devices` names it, or there is none: a
        device registered before owners existed), and that owner item goes with it; an endpoint another account has
        taken over since is left to that account."""
        owned = True
        digest = device.get("token_sha256")
        if digest:
            try:
                self.dynamodb.delete_item(
                    TableName=self.table,
                    Key={"pk": {"S": f"TOKEN#{digest}"}, "sk": {"S": "OWNER"}},
                    ConditionExpression="attribute_not_exists(pk) OR (#sub = :sub AND device_id = :device)",
                    ExpressionAttributeNames={"#sub": "sub"},
                    ExpressionAttributeValues={
                        ":sub": {"S": sub},
                        ":device": {"S": device["sk"].removeprefix("DEVICE#")},
                    },
                )
            except Exception as exc:
                if getattr(exc, "response", {}).get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                owned = False
        if owned:
            try:
                self.sns.delete_endpoint(EndpointArn=device["endpoint_arn"])
            except Exception as exc:  # already gone: the DEVICE item still goes
                logger.warning("endpoint deletion failed", extra={"error": type(exc).__name__})
        self.dynamodb.delete_item(TableName=self.table, Key={"pk": {"S": f"USER#{sub}"}, "sk": {"S": device["sk"]}})
        logger.info("disabled endpoint removed" if owned else "device of a token owned elsewhere forgotten")
