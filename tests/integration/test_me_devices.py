"""Devices (SNS platform endpoints) and the inbox of the personal API on moto: registration once per token, the
limit, the 503 without push, removal; the inbox newest first with cursors, marking read; the export and the
erasure covering devices, inbox items and deferred pushes; logs without token, device id or sub."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from support import Cloud, body, header, http_api_event
from test_me import FAKE_TOKEN, NOW, Citizen, Me, every_item

from poche_common.dynamo import from_item, to_item

FCM_TOKEN = "fcm-token-of-alices-phone:APA91bH-0123456789abcdef"
APNS_TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"


@pytest.fixture
def me(cloud: Cloud, lambda_context: Any) -> Me:
    return Me(cloud, lambda_context)


def inbox(me: Me, who: Citizen, **query: str) -> dict[str, Any]:
    """GET /v1/me/notifications with a query string."""
    event = http_api_event(
        "GET /v1/me/notifications",
        "/v1/me/notifications",
        query=query,
        headers={"authorization": f"Bearer {FAKE_TOKEN}"},
        claims=who.claims,
    )
    answer: dict[str, Any] = me.module.handler(event, me.context)
    return answer


def endpoints(cloud: Cloud) -> list[str]:
    sns = cloud.clients["sns"]
    found: list[str] = []
    for application in sns.list_platform_applications()["PlatformApplications"]:
        arn = application["PlatformApplicationArn"]
        found += [
            e["EndpointArn"]
            for e in sns.list_endpoints_by_platform_application(PlatformApplicationArn=arn)["Endpoints"]
        ]
    return found


def device_items(cloud: Cloud, who: Citizen) -> list[dict[str, Any]]:
    return [
        from_item(i)
        for i in cloud.items("me")
        if i["pk"]["S"] == f"USER#{who.sub}" and i["sk"]["S"].startswith("DEVICE#")
    ]


def note(sub: str, occurred: dt.datetime, event_id: str, title: str) -> dict[str, Any]:
    """An inbox item exactly as the notifications sender writes it (the shared contract)."""
    occurred_iso = occurred.astimezone(dt.UTC).isoformat(timespec="seconds")
    return {
        "pk": f"USER#{sub}",
        "sk": f"NOTE#{occurred_iso}#{event_id}",
        "id": f"{int(occurred.timestamp())}-{event_id}",
        "event_id": event_id,
        "kind": "school",
        "topic_id": "0610003X",
        "title": title,
        "body": "Sortie au musée reportée.",
        "url": "/v1/schools/0610003X/notices",
        "occurred_at": occurred_iso,
        "created_at": occurred_iso,
        "push": "sent",
        "expires_at": int((occurred + dt.timedelta(days=90)).timestamp()),
    }


def put(cloud: Cloud, *items: dict[str, Any]) -> None:
    for item in items:
        cloud.clients["dynamodb"].put_item(TableName=cloud.table("me"), Item=to_item(item))


def event_id(n: int) -> str:
    return f"0b9f6c1e-8d2a-4c5b-9e7f-{n:012d}"


# --- devices -------------------------------------------------------------------------------------
def test_a_device_is_registered_once_per_token_listed_without_secrets_and_removed(me: Me, cloud: Cloud) -> None:
    alice = me.citizen("alice@example.org")
    created = me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": FCM_TOKEN})
    assert created["statusCode"] == 201, body(created)
    device = body(created)
    assert set(device) == {"id", "platform", "created_at"} and re.fullmatch(r"[0-9a-f]{32}", device["id"])
    assert device["platform"] == "fcm" and device["created_at"] == "2026-11-29T10:00:00+01:00"
    assert header(created, "Location") == f"/v1/me/devices/{device['id']}"
    [endpoint] = endpoints(cloud)
    assert ":endpoint/GCM/poche-fcm/" in endpoint
    [item] = device_items(cloud, alice)
    assert item["endpoint_arn"] == endpoint and item["device_id"] == device["id"]
    assert len(item["token_sha256"]) == 64 and FCM_TOKEN not in json.dumps(every_item(cloud))

    again = me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": FCM_TOKEN})
    assert again["statusCode"] == 200 and body(again) == device
    assert len(device_items(cloud, alice)) == 1 and len(endpoints(cloud)) == 1
    me.now = NOW + dt.timedelta(minutes=1)
    apns = me.call("POST", "/v1/me/devices", alice, {"platform": "apns", "token": APNS_TOKEN})
    assert apns["statusCode"] == 201 and ":endpoint/APNS/poche-apns/" in " ".join(endpoints(cloud))

    listed = me.call("GET", "/v1/me/devices", alice)
    assert listed["statusCode"] == 200 and header(listed, "Cache-Control") == "private, no-store"
    assert body(listed)["items"] == [device, body(apns)] and body(listed)["next"] is None
    assert "arn:" not in listed["body"] and FCM_TOKEN not in listed["body"]

    bob = me.citizen("bob@example.org")
    assert me.call("DELETE", f"/v1/me/devices/{device['id']}", bob)["statusCode"] == 404  # not Bob's
    removed = me.call("DELETE", f"/v1/me/devices/{device['id']}", alice)
    assert removed["statusCode"] == 204
    assert endpoint not in endpoints(cloud) and len(endpoints(cloud)) == 1
    assert [d["platform"] for d in device_items(cloud, alice)] == ["apns"]
    assert me.call("DELETE", f"/v1/me/devices/{device['id']}", alice)["statusCode"] == 404
    assert me.call("DELETE", "/v1/me/devices/not-a-device", alice)["statusCode"] == 404


def test_at_most_ten_devices_and_bad_requests(me: Me, cloud: Cloud) -> None:
    alice = me.citizen("alice@example.org")
    for n in range(10):
        assert me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": f"token-{n}"})["statusCode"] == 201
    refused = me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": "token-10"})
    assert refused["statusCode"] == 422 and body(refused)["invalid_params"][0]["name"] == "token"
    assert len(device_items(cloud, alice)) == 10 and len(endpoints(cloud)) == 10
    assert me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": "token-3"})["statusCode"] == 200
    for payload, field in [
        ({"platform": "gcm", "token": "t"}, "platform"),
        ({"platform": "fcm", "token": ""}, "token"),
        ({"platform": "fcm", "token": "with space"}, "token"),
        ({"platform": "apns"}, "token"),
    ]:
        bad = me.call("POST", "/v1/me/devices", alice, payload)
        assert bad["statusCode"] == 400 and body(bad)["invalid_params"][0]["name"] == field, payload


def test_a_platform_without_an_application_is_503_push_unavailable(me: Me, cloud: Cloud) -> None:
    alice = me.citizen("alice@example.org")
    configured = json.loads(cloud.function("me").environment["PUSH_APPLICATIONS"])
    assert set(configured) == {"fcm", "apns"}  # the local platform's emulated applications
    me.deps.push_applications = {"fcm": configured["fcm"]}
    refused = me.call("POST", "/v1/me/devices", alice, {"platform": "apns", "token": APNS_TOKEN})
    assert refused["statusCode"] == 503 and header(refused, "Content-Type") == "application/problem+json"
    assert body(refused)["type"].endswith("push-unavailable")
    assert device_items(cloud, alice) == [] and endpoints(cloud) == []
    assert me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": FCM_TOKEN})["statusCode"] == 201


# --- inbox ---------------------------------------------------------------------------------------
def test_the_inbox_is_newest_first_paginated_and_marked_read(me: Me, cloud: Cloud) -> None:
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    times = [NOW - dt.timedelta(hours=h) for h in (30, 5, 1)]
    put(cloud, *(note(alice.sub, t, event_id(n), f"Avis {n}") for n, t in enumerate(times)))
    put(cloud, note(bob.sub, NOW, event_id(9), "Avis de Bob"))

    first = inbox(me, alice, limit="2")
    assert first["statusCode"] == 200 and header(first, "Cache-Control") == "private, no-store"
    page = body(first)
    assert [n["title"] for n in page["items"]] == ["Avis 2", "Avis 1"] and page["next"]
    newest = page["items"][0]
    assert newest == {
        "id": f"{int(times[2].timestamp())}-{event_id(2)}",
        "kind": "school",
        "topic_id": "0610003X",
        "title": "Avis 2",
        "body": "Sortie au musée reportée.",
        "url": "/v1/schools/0610003X/notices",
        "occurred_at": "2026-11-29T09:00:00+01:00",
        "read": False,
        "read_at": None,
    }
    rest = body(inbox(me, alice, limit="2", cursor=page["next"]))
    assert [n["title"] for n in rest["items"]] == ["Avis 0"] and rest["next"] is None
    stolen = inbox(me, bob, limit="2", cursor=page["next"])
    assert stolen["statusCode"] == 400 and body(stolen)["invalid_params"][0]["name"] == "cursor"
    assert inbox(me, alice, limit="0")["statusCode"] == 400

    assert me.call("POST", f"/v1/me/notifications/{newest['id']}/read", alice)["statusCode"] == 204
    me.now = NOW + dt.timedelta(hours=1)
    assert me.call("POST", f"/v1/me/notifications/{newest['id']}/read", alice)["statusCode"] == 204  # idempotent
    read = body(inbox(me, alice, limit="1"))["items"][0]
    assert read["read"] is True and read["read_at"] == "2026-11-29T10:00:00+01:00"  # the first time is kept

    bobs = body(me.call("GET", "/v1/me/notifications", bob))["items"]
    assert [n["title"] for n in bobs] == ["Avis de Bob"]
    assert me.call("POST", f"/v1/me/notifications/{bobs[0]['id']}/read", alice)["statusCode"] == 404
    assert body(me.call("GET", "/v1/me/notifications", bob))["items"][0]["read"] is False
    for unknown in (f"{int(NOW.timestamp())}-{event_id(7)}", "not-an-id", "123", "1-a#b"):
        assert me.call("POST", f"/v1/me/notifications/{unknown}/read", alice)["statusCode"] == 404, unknown
    read_marks = {i["title"]: i.get("read_at") for i in every_item(cloud) if str(i.get("sk", "")).startswith("NOTE#")}
    assert read_marks == {"Avis 0": None, "Avis 1": None, "Avis 2": "2026-11-29T09:00:00+00:00", "Avis de Bob": None}


# --- personal data -------------------------------------------------------------------------------
def deferred(sub: str, event: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A deferred push and its pointer in the user's partition, as the sender writes them (the contract)."""
    due = "2026-11-30T06:00:00+00:00"
    return (
        {"pk": "DUE#2026-11-30T06", "sk": f"{due}#{sub}#{event}", "sub": sub, "note_sk": f"NOTE#x#{event}"},
        {"pk": f"USER#{sub}", "sk": f"DUE#2026-11-30T06#{due}#{event}"},
    )


def test_export_and_erasure_cover_devices_inbox_and_deferred_pushes(me: Me, cloud: Cloud) -> None:
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    for who, token in ((alice, FCM_TOKEN), (bob, "bobs-token")):
        assert me.call("POST", "/v1/me/devices", who, {"platform": "fcm", "token": token})["statusCode"] == 201
        put(cloud, note(who.sub, NOW, event_id(1), "Avis"), *deferred(who.sub, event_id(1)))
    bobs_endpoint = device_items(cloud, bob)[0]["endpoint_arn"]

    exported = body(me.call("GET", "/v1/me/export", alice))
    assert [d["platform"] for d in exported["devices"]] == ["fcm"]
    assert [n["title"] for n in exported["notifications"]] == ["Avis"]
    assert {i["sk"].split("#")[0] for i in exported["items"]} == {"DEVICE", "NOTE", "DUE"}
    text = json.dumps(exported)
    assert "endpoint_arn" not in text and "token_sha256" not in text and FCM_TOKEN not in text

    assert me.call("DELETE", "/v1/me", alice)["statusCode"] == 204
    assert endpoints(cloud) == [bobs_endpoint]
    assert [i for i in every_item(cloud) if alice.sub in json.dumps(i)] == []
    assert len([i for i in every_item(cloud) if bob.sub in json.dumps(i) and i["pk"].startswith("DUE#")]) == 1
    for method, path in [("GET", "/v1/me/devices"), ("GET", "/v1/me/notifications")]:
        assert me.call(method, path, alice)["statusCode"] == 401
    later = me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": FCM_TOKEN})
    assert later["statusCode"] == 401 and endpoints(cloud) == [bobs_endpoint]
    assert (
        me.call("POST", f"/v1/me/notifications/{int(NOW.timestamp())}-{event_id(1)}/read", alice)["statusCode"] == 401
    )


def test_no_token_device_id_or_sub_in_any_log_line(me: Me, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    alice = me.citizen("alice@example.org")
    put(cloud, note(alice.sub, NOW, event_id(1), "Avis"))
    capsys.readouterr()
    device = body(me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": FCM_TOKEN}))
    me.call("POST", "/v1/me/devices", alice, {"platform": "fcm", "token": "bad token"})
    me.call("GET", "/v1/me/devices", alice)
    me.call("GET", "/v1/me/notifications", alice)
    me.call("POST", f"/v1/me/notifications/{int(NOW.timestamp())}-{event_id(1)}/read", alice)
    me.call("POST", "/v1/me/notifications/1-nothing/read", alice)
    me.call("GET", "/v1/me/export", alice)
    me.call("DELETE", "/v1/me", alice)
    me.call("DELETE", f"/v1/me/devices/{device['id']}", alice)
    logged = capsys.readouterr()
    lines = [line for line in (logged.out + logged.err).splitlines() if line.strip()]
    assert len(lines) >= 6, "the function logs what it does"
    for line in lines:
        for secret in (alice.sub, alice.email, FCM_TOKEN, "bad token", device["id"], FAKE_TOKEN, "endpoint/GCM"):
            assert secret not in line, line
