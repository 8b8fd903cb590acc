"""The public JSON of personal items, and the items written from a validated request."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from me_shared.keys import topic_pk, user_pk
from poche_common.api import etag_of
from poche_common.clock import to_paris_iso, to_utc_iso

from .validation import Subscriptions

EMPTY_LAYOUT: dict[str, Any] = {"tiles": [], "updated_at": None}


def dumps(payload: dict[str, Any]) -> str:
    """The one serialisation of every answer (the ETag is computed over exactly these bytes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def layout_view(item: dict[str, Any] | None) -> dict[str, Any]:
    if item is None:
        return dict(EMPTY_LAYOUT)
    tiles = [{"type": t["type"], "params": dict(t["params"])} for t in item.get("tiles", [])]
    return {"tiles": tiles, "updated_at": to_paris_iso(item["updated_at"])}


def layout_etag(view: dict[str, Any]) -> str:
    return etag_of(dumps(view))


EMPTY_LAYOUT_ETAG = layout_etag(EMPTY_LAYOUT)


def layout_item(tiles: list[dict[str, Any]], now: dt.datetime) -> dict[str, Any]:
    """The LAYOUT item (without its keys), holding the ETag of its own view."""
    item: dict[str, Any] = {"tiles": tiles, "updated_at": to_utc_iso(now)}
    item["etag"] = layout_etag(layout_view(item))
    return item


def topic_view(topic: dict[str, Any]) -> dict[str, Any]:
    return {"kind": topic["kind"], "id": topic.get("id"), "mode": topic["mode"]}


def subscriptions_view(item: dict[str, Any] | None) -> dict[str, Any]:
    if item is None:
        return {"topics": [], "quiet_hours": None, "updated_at": None}
    quiet = item.get("quiet_hours")
    return {
        "topics": [topic_view(t) for t in item.get("topics", [])],
        "quiet_hours": {"start": quiet["start"], "end": quiet["end"]} if quiet else None,
        "updated_at": to_paris_iso(item["updated_at"]),
    }


def subscriptions_record(subscriptions: Subscriptions, revision: str, now: dt.datetime) -> dict[str, Any]:
    """The SUBSCRIPTIONS item (without its keys)."""
    topics = [
        {"kind": t.kind, "mode": t.mode, **({"id": t.id} if t.id is not None else {})} for t in subscriptions.topics
    ]
    return {
        "topics": topics,
        "quiet_hours": subscriptions.quiet_hours,
        "updated_at": to_utc_iso(now),
        "revision": revision,
    }


def index_items(sub: str, record: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """topic pk -> the subscribers index item of each topic of a SUBSCRIPTIONS record (mode, quiet hours copied)."""
    if record is None:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for topic in record.get("topics", []):
        pk = topic_pk(topic["kind"], topic.get("id"))
        found[pk] = {
            "pk": pk,
            "sk": user_pk(sub),
            "kind": topic["kind"],
            "topic_id": topic.get("id"),
            "mode": topic["mode"],
            "quiet_hours": record.get("quiet_hours"),
            "updated_at": record["updated_at"],
        }
    return found


def account_view(user: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Cognito record of the caller (AdminGetUser), as the export shows it."""
    if user is None:
        return None
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    created = user.get("UserCreateDate")
    modified = user.get("UserLastModifiedDate")
    return {
        "email": attributes.get("email"),
        "email_verified": attributes.get("email_verified") == "true",
        "created_at": to_paris_iso(created) if isinstance(created, dt.datetime) else None,
        "updated_at": to_paris_iso(modified) if isinstance(modified, dt.datetime) else None,
        "status": str(user.get("UserStatus", "")).lower() or None,
        "enabled": bool(user.get("Enabled", True)),
        "attributes": dict(sorted(attributes.items())),
    }


def device_view(item: dict[str, Any]) -> dict[str, Any]:
    """A registered device as the citizen sees it: never its token nor its SNS endpoint."""
    return {"id": item["device_id"], "platform": item["platform"], "created_at": to_paris_iso(item["created_at"])}


def note_view(item: dict[str, Any]) -> dict[str, Any]:
    """An inbox item (written by the notifications sender)."""
    read_at = item.get("read_at")
    return {
        "id": item["id"],
        "kind": item["kind"],
        "topic_id": item.get("topic_id"),
        "title": item.get("title"),
        "body": item.get("body"),
        "url": item.get("url"),
        "occurred_at": to_paris_iso(item["occurred_at"]),
        "read": bool(read_at),
        "read_at": to_paris_iso(read_at) if read_at else None,
    }


def exported_item(item: dict[str, Any]) -> dict[str, Any]:
    """A partition item as the export shows it: a device without its SNS endpoint and token digest."""
    if str(item.get("sk", "")).startswith("DEVICE#"):
        return {k: v for k, v in item.items() if k not in ("endpoint_arn", "token_sha256")}
    return item
