"""`make run` for a citizen: a token from `poche user create --citizen` saves a home screen, reads it, subscribes
to a school, exports its data, erases its account; then the same token gets 401 and nothing of the user remains
in any emulated table nor in the citizens pool."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from platform_support import RunningPlatform

pytestmark = pytest.mark.e2e

RACINE = "0610003X"  # Collège Jean Racine, Alençon
EMAIL = "parent.e2e@example.test"
NEWS = {"type": "news", "params": {"commune": "61001"}}
SCHOOL = {"type": "school-notices", "params": {"uai": RACINE}}


@pytest.fixture(scope="module")
def state(platform: RunningPlatform) -> Path:
    """The shared platform's state folder (its emulation's endpoint is in the state file)."""
    return Path(platform.env["POCHE_STATE_DIR"])


def send(
    url: str, method: str, token: str, payload: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    all_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw, status, got = response.read(), response.status, response.headers
    except urllib.error.HTTPError as exc:
        raw, status, got = exc.read(), exc.code, exc.headers
    return status, {k.lower(): v for k, v in got.items()}, json.loads(raw) if raw else None


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def emulation(state: Path) -> dict[str, Any]:
    """boto3 clients on the running platform's emulated AWS (its endpoint is in the platform's state file)."""
    from poche_local.platform import STATE_FILE, aws_clients

    endpoint = json.loads((state / STATE_FILE).read_text())["endpoint"]
    return aws_clients(endpoint)


def every_item(clients: dict[str, Any]) -> list[str]:
    """Every item of every emulated table, as JSON text."""
    found: list[str] = []
    dynamodb = clients["dynamodb"]
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            found += [json.dumps(item, default=str) for item in page["Items"]]
    return found


def test_a_citizen_saves_reads_subscribes_exports_and_erases(platform: RunningPlatform, state: Path) -> None:
    created = platform.poche("user", "create", "--email", EMAIL, "--citizen")
    assert created.returncode == 0, created.stdout + created.stderr
    token = created.stdout.strip().splitlines()[-1]
    sub = claims_of(token)["sub"]
    base = platform.base_url

    status, headers, layout = send(f"{base}/v1/me/home/layout", "GET", token)
    assert status == 200 and layout == {"tiles": [], "updated_at": None} and headers.get("etag")
    status, headers, layout = send(
        f"{base}/v1/me/home/layout", "PUT", token, {"tiles": [NEWS, SCHOOL]}, {"If-Match": headers["etag"]}
    )
    assert status == 200, layout
    assert layout["tiles"] == [NEWS, SCHOOL]
    status, _, stale = send(f"{base}/v1/me/home/layout", "PUT", token, {"tiles": [NEWS]}, {"If-Match": '"stale"'})
    assert status == 412 and stale["status"] == 412

    status, _, home = send(f"{base}/v1/me/home", "GET", token)
    assert status == 200, home
    assert [(t["type"], t["params"]) for t in home["tiles"]] == [
        (NEWS["type"], NEWS["params"]),
        (SCHOOL["type"], SCHOOL["params"]),
    ]
    assert all("content" in t or "error" in t for t in home["tiles"])

    topics = {"topics": [{"kind": "school", "id": RACINE, "mode": "immediate"}], "quiet_hours": None}
    status, _, saved = send(f"{base}/v1/me/subscriptions", "PUT", token, topics)
    assert status == 200, saved
    status, _, refused = send(
        f"{base}/v1/me/subscriptions",
        "PUT",
        token,
        {"topics": [{"kind": "school", "id": "0619999Z", "mode": "immediate"}], "quiet_hours": None},
    )
    assert status == 422 and refused["invalid_params"][0]["name"] == "topics[0].id"

    status, _, exported = send(f"{base}/v1/me/export", "GET", token)
    assert status == 200, exported
    assert exported["account"]["email"] == EMAIL
    assert exported["home_layout"]["tiles"] == [NEWS, SCHOOL]
    assert exported["subscriptions"]["topics"] == [{"kind": "school", "id": RACINE, "mode": "immediate"}]
    assert {item["sk"] for item in exported["items"]} == {"LAYOUT", "SUBSCRIPTIONS"}

    clients = emulation(state)
    assert any(sub in item for item in every_item(clients))

    status, _, nothing = send(f"{base}/v1/me", "DELETE", token)
    assert status == 204 and nothing is None

    for method, path in [
        ("GET", "/v1/me/home/layout"),
        ("GET", "/v1/me/home"),
        ("GET", "/v1/me/subscriptions"),
        ("GET", "/v1/me/export"),
        ("DELETE", "/v1/me"),
    ]:
        status, _, problem = send(f"{base}{path}", method, token)
        assert status == 401, (method, path, problem)
    status, _, _ = send(f"{base}/v1/me/home/layout", "PUT", token, {"tiles": [NEWS]}, {"If-Match": "*"})
    assert status == 401

    assert [item for item in every_item(clients) if sub in item or EMAIL in item] == []
    cognito = clients["cognito-idp"]
    users = [
        user
        for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]
        for user in cognito.list_users(UserPoolId=pool["Id"])["Users"]
    ]
    assert not any(sub == user["Username"] or EMAIL in json.dumps(user, default=str) for user in users)
    logged = "\n".join(platform.lines)
    assert EMAIL not in logged and sub not in logged and token not in logged  # the platform's logs


PARENT = "parent.notified@example.test"
DEVICE_TOKEN = "e2e-fcm-registration-token-0001"


def staff_token(platform: RunningPlatform, email: str, uai: str) -> str:
    result = platform.poche("user", "create", "--email", email, "--group", "school-staff", "--school", uai)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_staff_notice_reaches_the_subscribed_citizen_inbox_and_phone_then_erasure_leaves_nothing(
    platform: RunningPlatform, state: Path
) -> None:
    import datetime as dt
    import time

    base = platform.base_url
    created = platform.poche("user", "create", "--email", PARENT, "--citizen")
    assert created.returncode == 0, created.stdout + created.stderr
    token = created.stdout.strip().splitlines()[-1]
    sub = claims_of(token)["sub"]

    status, headers, _ = send(f"{base}/v1/me/home/layout", "GET", token)
    status, _, _ = send(f"{base}/v1/me/home/layout", "PUT", token, {"tiles": [SCHOOL]}, {"If-Match": headers["etag"]})
    assert status == 200
    topics = {"topics": [{"kind": "school", "id": RACINE, "mode": "immediate"}], "quiet_hours": None}
    status, _, saved = send(f"{base}/v1/me/subscriptions", "PUT", token, topics)
    assert status == 200, saved
    status, _, device = send(f"{base}/v1/me/devices", "POST", token, {"platform": "fcm", "token": DEVICE_TOKEN})
    assert status == 201, device

    # A member of the school's staff publishes a notice: bus -> matcher -> delivery queue -> sender.
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0)
    notice = {
        "title": "Sortie au musée : départ à 8 h",
        "kind": "timetable_change",
        "starts": starts.isoformat(),
        "ends": (starts + dt.timedelta(hours=8)).isoformat(),
    }
    status, _, published = send(
        f"{base}/v1/admin/schools/{RACINE}/notices",
        "POST",
        staff_token(platform, "cpe.e2e@example.test", RACINE),
        notice,
    )
    assert status == 201, published

    deadline = time.monotonic() + 60
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not items:
        status, _, inbox = send(f"{base}/v1/me/notifications", "GET", token)
        assert status == 200, inbox
        items = inbox["items"]
        if not items:
            time.sleep(1)
    assert len(items) == 1, "the notice reached the citizen's inbox"
    (note,) = items
    assert note["kind"] == "school" and note["topic_id"] == RACINE and note["read"] is False
    assert note["url"] == f"/v1/schools/{RACINE}/notices"

    shown = platform.poche("notifications", "--user", PARENT)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert note["title"] in shown.stdout
    assert "fcm" in shown.stdout.lower() and "push" in shown.stdout.lower()  # the push the emulated SNS recorded

    status, _, _ = send(f"{base}/v1/me/notifications/{note['id']}/read", "POST", token)
    assert status == 204
    status, _, inbox = send(f"{base}/v1/me/notifications", "GET", token)
    assert inbox["items"][0]["read"] is True

    clients = emulation(state)
    status, _, _ = send(f"{base}/v1/me", "DELETE", token)
    assert status == 204
    status, _, _ = send(f"{base}/v1/me/notifications", "GET", token)
    assert status == 401
    assert [item for item in every_item(clients) if sub in item or PARENT in item] == []
    sns = clients["sns"]
    endpoints = [
        endpoint
        for application in sns.list_platform_applications()["PlatformApplications"]
        for endpoint in sns.list_endpoints_by_platform_application(
            PlatformApplicationArn=application["PlatformApplicationArn"]
        )["Endpoints"]
    ]
    assert not any(e["Attributes"].get("Token") == DEVICE_TOKEN for e in endpoints)
    logged = "\n".join(platform.lines)
    assert PARENT not in logged and sub not in logged and token not in logged and DEVICE_TOKEN not in logged
