"""Per-caller throttling of the debt look-ups and payment starts (references must not be enumerable): a counter
per caller and minute in the Debts table (`THROTTLE#<digest of the caller>` / `<minute>`, expiring by TTL). The
caller is the source address for anonymous requests, the account for signed-in ones; neither is stored as such."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from poche_common.errors import TooManyRequestsError


class CallerThrottle:
    def __init__(self, client: Any, table: str, per_minute: int) -> None:
        self.client = client
        self.table = table
        self.per_minute = per_minute

    def __call__(self, caller: str, now: dt.datetime) -> None:
        minute = int(now.timestamp()) // 60
        digest = hashlib.sha256(caller.encode("utf-8")).hexdigest()[:32]
        answer = self.client.update_item(
            TableName=self.table,
            Key={"pk": {"S": f"THROTTLE#{digest}"}, "sk": {"S": str(minute)}},
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str((minute + 2) * 60)}},
            ReturnValues="UPDATED_NEW",
        )
        if int(answer["Attributes"]["hits"]["N"]) > self.per_minute:
            raise TooManyRequestsError(
                "Trop de recherches de créances en peu de temps ; réessayez dans une minute.",
                retry_after_s=60 - now.second,
            )
