"""`poche notifications --user EMAIL`: what a citizen received on the local platform.

The inbox items come from the `personal` table (`USER#<sub>` / `NOTE#...`, newest first); the pushes are the
messages the emulated SNS recorded for the citizen's device endpoints (`DEVICE#...` items): moto keeps them in
memory (`PlatformEndpoint.messages`) and exposes its models at `<endpoint>/moto-api/data.json`. The citizen is
found by e-mail in the citizens' pool (the `sub` keys the data; it is never printed).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from .users import CITIZENS, UserError, find_pool


@dataclass
class Received:
    notes: list[dict[str, Any]] = field(default_factory=list)  # newest first, as stored (attribute values)
    pushes: list[dict[str, Any]] = field(default_factory=list)  # {"platform", "message"} per push recorded


def citizen_sub(cognito: Any, email: str) -> str:
    pool = find_pool(cognito, CITIZENS)
    try:
        user = cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)
    except cognito.exceptions.UserNotFoundException:
        raise UserError(f"no citizen {email} in the local citizens pool") from None
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: next(iter(v.values())) for k, v in item.items()}


def _query(dynamodb: Any, table: str, sub: str, prefix: str, newest_first: bool) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": f"USER#{sub}"}, ":prefix": {"S": prefix}},
        "ScanIndexForward": not newest_first,
    }
    while True:
        page = dynamodb.query(**kwargs)
        items += [_plain(item) for item in page.get("Items", [])]
        if not page.get("LastEvaluatedKey"):
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def recorded_pushes(endpoint: str) -> dict[str, list[str]]:
    """endpoint ARN -> the messages the emulated SNS recorded for it, in order (moto's model data)."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as answer:  # noqa: S310 (loopback)
        data = json.loads(answer.read())
    found: dict[str, list[str]] = {}
    for endpoint_model in data.get("sns", {}).get("PlatformEndpoint", []):
        found[str(endpoint_model.get("arn"))] = list(dict(endpoint_model.get("messages") or {}).values())
    return found


def received(clients: dict[str, Any], endpoint: str, table: str, email: str) -> Received:
    sub = citizen_sub(clients["cognito-idp"], email)
    result = Received(notes=_query(clients["dynamodb"], table, sub, "NOTE#", newest_first=True))
    pushes = recorded_pushes(endpoint)
    for device in _query(clients["dynamodb"], table, sub, "DEVICE#", newest_first=False):
        for message in pushes.get(str(device.get("endpoint_arn")), []):
            result.pushes.append({"platform": device.get("platform"), "message": message})
    return result


def render(result: Received, email: str) -> str:
    lines = [f"inbox of {email}: {len(result.notes)} notification(s), newest first"]
    for note in result.notes:
        state = "read" if note.get("read_at") else "unread"
        lines.append(
            f"  {note.get('occurred_at')}  [{note.get('kind')}] {note.get('title')} ({state}, push {note.get('push')})"
        )
        lines.append(f"      {note.get('body')}  {note.get('url')}")
    lines.append(f"pushes recorded by the emulated SNS: {len(result.pushes)}")
    for push in result.pushes:
        lines.append(f"  {push['platform']}: {_summary(push['message'])}")
    return "\n".join(lines)


def _summary(message: str) -> str:
    """The title and body of a push (`MessageStructure=json`: the platform's payload), else the raw message."""
    try:
        document = json.loads(message)
        gcm = json.loads(document["GCM"])["notification"]
        return f"{gcm['title']}: {gcm['body']}"
    except (ValueError, KeyError, TypeError):
        return message
