"""Hostile request bodies and forged cursors on every JSON route and every paged list, on moto (issue 9, defect 9).

A body nested deeper than any real one, and a cursor whose checksum is right (it is not a secret: anyone can
wrap any JSON with it) but whose content is not what the route wrote, must be a 400 problem naming `body` or
`cursor`: never a 500, never a stack trace logged at ERROR. The scope a route binds its cursors to is taken from
the route itself (a spy on its `decode_cursor`), as an attacker would read it in the public source code.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import sys
from typing import Any

import pytest
from support import Cloud, body, header, http_api_event
from test_me import FAKE_TOKEN, Me
from test_transit_service import SEEDED

DEEP_BODIES = [
    "[" * 60_000,
    "[" * 3_000 + "]" * 3_000,
    '{"tiles": [{"type": "news", "params": ' + '{"commune": ' * 200 + '"61001"' + "}" * 200 + "}]}",
    '{"topics": ' + "[" * 900 + "]" * 900 + "}",
]
STAFF = {
    "sub": "4a1b-not-stored",
    "email": "principal@example.test",
    "cognito:groups": "[school-staff]",
    "custom:schools": "0610003X",
    "token_use": "id",
}

FORGED_PAYLOADS: list[Any] = [
    "[" * 50_000,  # raw text, not JSON of a dict: nesting beyond the parser's recursion limit
    {"pk": {"S": 1}, "sk": {"S": "x"}},
    {"pk": {"N": "x"}},
    {"pk": {"M": {}}},
    {"pk": {"S": "a", "N": "1"}},
    {"after": ["x", "y"]},
    {"after": [None, []]},
    {"after": {"S": 5}},
    {"after": 7},
    {"after": None},
    {"sk": 12},
    {"sk": "DEP#" + "9" * 30},
    {"start": 1, "id": []},
    {"general": {"pk": {"S": "x"}}},
    {"general": "END", "61001": {"gsi1pk": {"S": "TAG#61001"}}},
    {"gsi2pk": {"S": "CANTEENS"}},
    {"gsi2pk": {"S": "STOPS"}},
    {"gsi2pk": {"S": "ROUTES"}},
    {"gsi2pk": {"S": "ROUTES"}, "pk": {"N": "1"}, "sk": {"S": "x"}, "gsi2sk": {"S": "x"}},
    {"gsi2pk": {"S": "STOPS"}, "pk": {"S": "x"}, "sk": {"S": "x"}, "gsi2sk": {"S": "x"}, "zz": {"S": "x"}},
    {"pk": {"S": "USER#someone-else"}, "sk": {"S": "NOTE#x"}},
]


def token(scope: str, payload: Any) -> str:
    """A cursor with a valid checksum around any payload (the checksum is not a secret)."""
    raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    checksum = hashlib.sha256(scope.encode() + b"\x00" + raw).hexdigest()[:16].encode()
    return base64.urlsafe_b64encode(checksum + b"." + raw).decode().rstrip("=")


class Route:
    """One paged list route: its function, its request, and the cursor scope it uses (spied)."""

    def __init__(
        self, package: str, route_key: str, path: str, query: dict[str, str] | None = None, **extra: Any
    ) -> None:
        self.package = package
        self.route_key = route_key
        self.path = path
        self.query = query or {}
        self.extra = extra

    def __repr__(self) -> str:
        return f"{self.route_key}?{self.query}"


ROUTES = [
    Route("communes", "GET /v1/communes", "/v1/communes"),
    Route("communes", "GET /v1/communes", "/v1/communes", {"q": "sa"}),
    Route("canteen", "GET /v1/canteens", "/v1/canteens"),
    Route("canteen", "GET /v1/canteens", "/v1/canteens", {"commune": "61001"}),
    Route("news", "GET /v1/news", "/v1/news"),
    Route("news", "GET /v1/news", "/v1/news", {"commune": "61001"}),
    Route("traffic", "GET /v1/traffic/events", "/v1/traffic/events"),
    Route("agenda", "GET /v1/events", "/v1/events"),
    Route("agenda", "GET /v1/cinemas", "/v1/cinemas"),
    Route("schools", "GET /v1/schools", "/v1/schools"),
    Route("transit", "GET /v1/transit/stops", "/v1/transit/stops"),
    Route("transit", "GET /v1/transit/stops", "/v1/transit/stops", {"q": "ha"}),
    Route("transit", "GET /v1/transit/stops", "/v1/transit/stops", {"near": "48.4310,0.0876", "radius": "2000"}),
    Route("transit", "GET /v1/transit/routes", "/v1/transit/routes"),
    Route("transit", "GET /v1/transit/alerts", "/v1/transit/alerts"),
]


def _spy(module: Any, scopes: list[str]) -> None:
    """Record the scope of every cursor decoded by the service's modules (its handler, its rules...)."""
    from poche_common import pagination

    real = pagination.decode_cursor

    def spied(scope: str, cursor: str | None) -> Any:
        scopes.append(scope)
        return real(scope, cursor)

    package = module.__name__.split(".")[0]
    users = [
        m
        for name, m in list(sys.modules.items())
        if (name == package or name.startswith(package + ".")) and getattr(m, "decode_cursor", None) is not None
    ]
    assert users, f"no module of {package} decodes cursors"
    for user in users:
        user.decode_cursor = spied  # type: ignore[attr-defined]


@pytest.fixture
def seeded(cloud: Cloud, lambda_context: Any) -> Cloud:
    def write() -> None:
        connector = cloud.load("transit_gtfs")
        connector.utc_now = lambda: SEEDED
        report = connector.handler({"trigger": "schedule", "connector": "transit-gtfs"}, lambda_context)
        assert report["status"] == "succeeded"

    cloud.seed("transit-gtfs at SEEDED", write)
    return cloud


def _assert_refused(response: dict[str, Any], field: str, label: str) -> None:
    assert response["statusCode"] < 500, (label, response["statusCode"], response.get("body"))
    if response["statusCode"] >= 400:
        assert header(response, "Content-Type") == "application/problem+json", label
        assert body(response)["invalid_params"][0]["name"] == field, (label, body(response))


def _no_error_logged(captured: pytest.CaptureFixture[str]) -> None:
    logged = captured.readouterr()
    text = logged.out + logged.err
    assert "Traceback" not in text and '"ERROR"' not in text, text[-2000:]


@pytest.mark.parametrize("route", ROUTES, ids=repr)
def test_a_forged_cursor_on_any_list_is_a_400_naming_the_cursor(
    route: Route, seeded: Cloud, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    module = seeded.load(route.package)
    module.utc_now = lambda: SEEDED + dt.timedelta(hours=2)
    scopes: list[str] = []
    _spy(module, scopes)
    first = module.handler(http_api_event(route.route_key, route.path, query=route.query or None), lambda_context)
    assert first["statusCode"] == 200, body(first)
    [scope] = scopes
    capsys.readouterr()
    for payload in FORGED_PAYLOADS:
        query = {**route.query, "cursor": token(scope, payload)}
        response = module.handler(http_api_event(route.route_key, route.path, query=query), lambda_context)
        _assert_refused(response, "cursor", f"{route!r} {str(payload)[:80]}")
    _no_error_logged(capsys)


def test_a_forged_cursor_on_the_vehicles_and_departures_of_a_route_is_a_400(
    seeded: Cloud, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from poche_common.dynamo import from_item

    items = [from_item(i) for i in seeded.items("transit")]
    route_id = next(str(i["pk"]).removeprefix("ROUTE#") for i in items if str(i["pk"]).startswith("ROUTE#"))
    stop_id = next(str(i["pk"]).removeprefix("STOP#") for i in items if str(i["sk"]).startswith("DEP#"))
    module = seeded.load("transit")
    module.utc_now = lambda: SEEDED + dt.timedelta(hours=2)
    for route_key, path, parameters in (
        (
            "GET /v1/transit/routes/{route_id}/vehicles",
            f"/v1/transit/routes/{route_id}/vehicles",
            {"route_id": route_id},
        ),
        ("GET /v1/transit/stops/{stop_id}/departures", f"/v1/transit/stops/{stop_id}/departures", {"stop_id": stop_id}),
    ):
        scopes: list[str] = []
        _spy(module, scopes)
        first = module.handler(http_api_event(route_key, path, path_parameters=parameters), lambda_context)
        assert first["statusCode"] == 200, body(first)
        capsys.readouterr()
        for payload in FORGED_PAYLOADS:
            event = http_api_event(
                route_key, path, path_parameters=parameters, query={"cursor": token(scopes[0], payload)}
            )
            _assert_refused(module.handler(event, lambda_context), "cursor", f"{route_key} {str(payload)[:80]}")
        _no_error_logged(capsys)


def test_a_forged_cursor_on_the_inbox_is_a_400(
    cloud: Cloud, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    me = Me(cloud, lambda_context)
    alice = me.citizen("alice@example.org")
    capsys.readouterr()
    for payload in FORGED_PAYLOADS:
        event = http_api_event(
            "GET /v1/me/notifications",
            "/v1/me/notifications",
            query={"cursor": token("me-notifications", payload)},
            headers={"authorization": f"Bearer {FAKE_TOKEN}"},
            claims=alice.claims,
        )
        response = me.module.handler(event, lambda_context)
        assert response["statusCode"] == 400, (payload, body(response))
        assert body(response)["invalid_params"][0]["name"] == "cursor"
    _no_error_logged(capsys)


@pytest.mark.parametrize("raw", DEEP_BODIES, ids=lambda raw: f"{raw[:12]}…{len(raw)}")
def test_a_deeply_nested_body_on_any_json_route_is_a_400_naming_the_body(
    raw: str, cloud: Cloud, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    me = Me(cloud, lambda_context)
    alice = me.citizen("alice@example.org")
    citizen = {"headers": {"authorization": f"Bearer {FAKE_TOKEN}"}, "claims": alice.claims}
    staff = {"headers": {"authorization": f"Bearer {FAKE_TOKEN}"}, "claims": STAFF}
    calls = [
        ("home", "POST /v1/home", "/v1/home", {}, {}),
        ("me", "PUT /v1/me/home/layout", "/v1/me/home/layout", {}, citizen),
        ("me", "PUT /v1/me/subscriptions", "/v1/me/subscriptions", {}, citizen),
        ("me", "POST /v1/me/devices", "/v1/me/devices", {}, citizen),
        (
            "schools_admin",
            "POST /v1/admin/schools/{uai}/notices",
            "/v1/admin/schools/0610003X/notices",
            {"uai": "0610003X"},
            staff,
        ),
        (
            "schools_admin",
            "PATCH /v1/admin/schools/{uai}/notices/{notice_id}",
            "/v1/admin/schools/0610003X/notices/n1",
            {"uai": "0610003X", "notice_id": "n1"},
            staff,
        ),
    ]
    capsys.readouterr()
    for package, route_key, path, parameters, auth in calls:
        module = me.module if package == "me" else cloud.load(package)
        event = http_api_event(route_key, path, path_parameters=parameters or None, body=raw, **auth)
        response = module.handler(event, lambda_context)
        assert response["statusCode"] == 400, (route_key, response["statusCode"], response.get("body"))
        assert header(response, "Content-Type") == "application/problem+json"
        assert body(response)["invalid_params"][0]["name"] == "body", route_key
    _no_error_logged(capsys)


DATE_ROUTES = [
    ("agenda", "GET /v1/events", "/v1/events", "from", {}),
    ("agenda", "GET /v1/events", "/v1/events", "to", {}),
    ("agenda", "GET /v1/cinemas/{cinema_id}/sessions", "/v1/cinemas/x/sessions", "date", {"cinema_id": "x"}),
    (
        "canteen",
        "GET /v1/canteens/{canteen_id}/menus",
        "/v1/canteens/0611047G/menus",
        "from",
        {"canteen_id": "0611047G"},
    ),
    ("canteen", "GET /v1/canteens/{canteen_id}/menus", "/v1/canteens/0611047G/menus", "to", {"canteen_id": "0611047G"}),
]


@pytest.mark.parametrize(("package", "route_key", "path", "name", "parameters"), DATE_ROUTES)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_ends_of_the_calendar_is_a_400_naming_it(
    package: str,
    route_key: str,
    path: str,
    name: str,
    parameters: dict[str, str],
    day: str,
    cloud: Cloud,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A window computed from 9999-12-31 (to + 30 days, the week's Monday of 0001-01-01) overflowed: a 500."""
    module = cloud.load(package)
    event = http_api_event(route_key, path, path_parameters=parameters or None, query={name: day})
    response = module.handler(event, lambda_context)
    assert response["statusCode"] == 400, (route_key, name, day, body(response))
    assert body(response)["invalid_params"][0]["name"] == name
    _no_error_logged(capsys)
