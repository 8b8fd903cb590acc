"""The citizen's personal API on moto: saved home screen with ETag/If-Match, subscriptions and their subscribers
index, another user's token, export, erasure (and the 401 after it), and logs without personal data."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, cast

import pytest
from support import Cloud, body, header, http_api_event, table_items
from test_home import FRIDAY_0650, Home
from test_transit_service import SEEDED

from poche_common.dynamo import from_item

if TYPE_CHECKING:  # the function's modules are imported by `cloud.load`, with its environment
    from me.store import PersonalStore
    from me_shared.devices import Devices

NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
RACINE = "0610003X"  # Collège Jean Racine, Alençon
NEWS = {"type": "news", "params": {"commune": "61001"}}
SCHOOL = {"type": "school-notices", "params": {"uai": RACINE}}
FAKE_TOKEN = "eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"


class Citizen:
    def __init__(self, email: str, sub: str, username: str) -> None:
        self.email = email
        self.sub = sub
        self.username = username

    @property
    def claims(self) -> dict[str, str]:
        return {
            "sub": self.sub,
            "cognito:username": self.username,
            "email": self.email,
            "email_verified": "true",
            "token_use": "id",
            "aud": "citizens-app",
        }


class Me:
    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.context = lambda_context
        self.module = cloud.load("me")
        self.module.dependencies.reset()  # built anew, from this function's environment, on this test's moto
        self.deps = self.module.dependencies.get()
        self.now = NOW
        self.deps.clock = lambda: self.now
        self.pool_id = cloud.function("me").environment["CITIZEN_USER_POOL_ID"]

    @property
    def store(self) -> PersonalStore:
        """The function's personal table adapter."""
        return cast("PersonalStore", self.deps.store)

    @property
    def devices(self) -> Devices:
        """The function's device registry (DynamoDB and SNS)."""
        return cast("Devices", self.deps.devices)

    def citizen(self, email: str) -> Citizen:
        cognito = self.cloud.clients["cognito-idp"]
        user = cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )["User"]
        sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
        return Citizen(email, sub, user["Username"])

    def call(
        self,
        method: str,
        path: str,
        who: Citizen | dict[str, str],
        payload: Any = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        claims = who.claims if isinstance(who, Citizen) else who
        event = http_api_event(
            f"{method} {path}",
            path,
            body=json.dumps(payload) if payload is not None else None,
            headers={"authorization": f"Bearer {FAKE_TOKEN}", **(headers or {})},
            claims=claims,
        )
        response: dict[str, Any] = self.module.handler(event, self.context)
        return response


@pytest.fixture
def me(cloud: Cloud, lambda_context: Any) -> Me:
    return Me(cloud, lambda_context)


def personal_table(cloud: Cloud) -> str:
    return cloud.table("me")


def every_item(cloud: Cloud) -> list[dict[str, Any]]:
    """Every item of every table of the platform (tests may Scan)."""
    found: list[dict[str, Any]] = []
    for table in cloud.clients["dynamodb"].list_tables()["TableNames"]:
        found += [from_item(item) for item in table_items(table)]
    return found


def a_route(cloud: Cloud, lambda_context: Any) -> str:
    Home(cloud, lambda_context).run_connector("transit_gtfs", "transit-gtfs", SEEDED)
    routes = sorted(
        item["pk"]["S"].removeprefix("ROUTE#")
        for item in cloud.items("transit")
        if item["pk"]["S"].startswith("ROUTE#") and item["sk"]["S"] == "PROFILE"
    )
    assert routes
    return routes[0]


# --- home layout ---------------------------------------------------------------------------------
def test_layout_round_trip_with_etag_412_and_428(me: Me) -> None:
    alice = me.citizen("alice@example.org")
    empty = me.call("GET", "/v1/me/home/layout", alice)
    assert empty["statusCode"] == 200 and body(empty) == {"tiles": [], "updated_at": None}
    assert header(empty, "Cache-Control") == "private, no-store"
    empty_etag = header(empty, "ETag")
    assert empty_etag and empty_etag.startswith('"')

    created = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [NEWS]})  # no layout yet: no If-Match needed
    assert created["statusCode"] == 200, body(created)
    first = header(created, "ETag")
    assert first and first != empty_etag
    assert body(created) == {"tiles": [NEWS], "updated_at": "2026-11-29T10:00:00+01:00"}

    missing = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [SCHOOL]})
    assert missing["statusCode"] == 428 and header(missing, "Content-Type") == "application/problem+json"
    stale = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [SCHOOL]}, {"If-Match": empty_etag})
    assert stale["statusCode"] == 412
    weak = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [SCHOOL]}, {"If-Match": f"W/{first}"})
    assert weak["statusCode"] == 412

    me.now = NOW + dt.timedelta(minutes=1)
    replaced = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [SCHOOL, NEWS]}, {"If-Match": first})
    assert replaced["statusCode"] == 200
    second = header(replaced, "ETag")
    assert second not in (first, empty_etag)
    lost = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [NEWS]}, {"If-Match": first})
    assert lost["statusCode"] == 412

    read = me.call("GET", "/v1/me/home/layout", alice)
    assert body(read)["tiles"] == [SCHOOL, NEWS] and header(read, "ETag") == second
    assert me.call("GET", "/v1/me/home/layout", alice, headers={"If-None-Match": second})["statusCode"] == 304

    forced = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": []}, {"If-Match": "*"})
    assert forced["statusCode"] == 200 and body(forced)["tiles"] == []


def test_an_invalid_layout_is_a_422_naming_the_tile_and_nothing_is_saved(me: Me) -> None:
    alice = me.citizen("alice@example.org")
    response = me.call(
        "PUT",
        "/v1/me/home/layout",
        alice,
        {
            "tiles": [
                NEWS,
                NEWS,
                {"type": "canteen-menu", "params": {}},
                {"type": "departures", "params": {"stop_id": "S1"}},
                {"type": "weather", "params": {}},
                {"type": "news", "params": {"commune": "61999"}},
            ]
        },
    )
    assert response["statusCode"] == 422
    problem = body(response)
    names = [p["name"] for p in problem["invalid_params"]]
    assert names == [
        "tiles[2].params.canteen_id",
        "tiles[3].params.route_id",
        "tiles[4].type",
        "tiles[5].params.commune",
    ]
    too_many = me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [NEWS] * 31})
    assert too_many["statusCode"] == 400 and body(too_many)["invalid_params"][0]["name"] == "tiles"
    assert body(me.call("GET", "/v1/me/home/layout", alice))["tiles"] == []


def test_my_home_is_what_post_home_answers_for_the_same_tiles(me: Me, cloud: Cloud, lambda_context: Any) -> None:
    home = Home(cloud, lambda_context)
    cloud.monkeypatch.setenv("POCHE_SOURCE_NEWS_RSS", "bundled")
    home.run_connector("news_rss", "news-rss", NOW)
    home.run_connector("transit_gtfs", "transit-gtfs", SEEDED)
    example = next(item for item in home.catalogue()["items"] if item["id"] == "departures")["example"]
    tiles = [NEWS, SCHOOL, {"type": "departures", "params": example}, {"type": "news", "params": {"commune": "61006"}}]
    alice = me.citizen("alice@example.org")
    assert me.call("PUT", "/v1/me/home/layout", alice, {"tiles": tiles})["statusCode"] == 200

    me.now = FRIDAY_0650
    mine = me.call("GET", "/v1/me/home", alice)
    assert mine["statusCode"] == 200 and header(mine, "Cache-Control") == "no-store"
    anonymous = home.post({"tiles": tiles}, now=FRIDAY_0650)
    assert body(mine) == body(anonymous)
    news = body(mine)["tiles"][0]
    assert news["content"]["items"], "the news connector ran: the tile has articles"

    bob = me.citizen("bob@example.org")
    assert body(me.call("GET", "/v1/me/home", bob)) == {"tiles": []}


# --- subscriptions -------------------------------------------------------------------------------
def test_subscriptions_are_checked_and_indexed_by_topic(me: Me, cloud: Cloud, lambda_context: Any) -> None:
    route = a_route(cloud, lambda_context)
    alice = me.citizen("alice@example.org")
    assert body(me.call("GET", "/v1/me/subscriptions", alice)) == {
        "topics": [],
        "quiet_hours": None,
        "updated_at": None,
    }
    wanted: dict[str, Any] = {
        "topics": [
            {"kind": "school", "id": RACINE, "mode": "immediate"},
            {"kind": "route", "id": route, "mode": "digest"},
            {"kind": "traffic", "id": "61001", "mode": "immediate"},
            {"kind": "news", "id": "61001", "mode": "digest"},
            {"kind": "emergency", "mode": "immediate"},
        ],
        "quiet_hours": {"start": "22:00", "end": "07:00"},
    }
    saved = me.call("PUT", "/v1/me/subscriptions", alice, wanted)
    assert saved["statusCode"] == 200, body(saved)
    expected_topics = [{**t, "id": t.get("id")} for t in wanted["topics"]]
    assert body(saved)["topics"] == expected_topics and body(saved)["quiet_hours"] == wanted["quiet_hours"]
    assert body(me.call("GET", "/v1/me/subscriptions", alice))["topics"] == expected_topics

    store = me.store
    subscribers, _ = store.subscribers("school", RACINE)
    assert [s["sk"] for s in subscribers] == [f"USER#{alice.sub}"]
    assert subscribers[0]["mode"] == "immediate" and subscribers[0]["quiet_hours"] == wanted["quiet_hours"]
    assert [s["mode"] for s in store.subscribers("route", route)[0]] == ["digest"]
    assert len(store.subscribers("emergency", None)[0]) == 1

    bob = me.citizen("bob@example.org")
    bob_topics = {"topics": [{"kind": "school", "id": RACINE, "mode": "digest"}], "quiet_hours": None}
    assert me.call("PUT", "/v1/me/subscriptions", bob, bob_topics)["statusCode"] == 200
    first_page, last_key = store.subscribers("school", RACINE, limit=1)
    second_page, _ = store.subscribers("school", RACINE, limit=1, start=last_key)
    assert {s["sk"] for s in first_page + second_page} == {f"USER#{alice.sub}", f"USER#{bob.sub}"}

    # Changing them keeps the index in step: a removed topic's item goes, a changed mode is copied.
    changed = {
        "topics": [{"kind": "school", "id": RACINE, "mode": "digest"}, {"kind": "emergency", "mode": "immediate"}],
        "quiet_hours": None,
    }
    assert me.call("PUT", "/v1/me/subscriptions", alice, changed)["statusCode"] == 200
    assert store.subscribers("route", route)[0] == []
    assert store.subscribers("traffic", "61001")[0] == [] and store.subscribers("news", "61001")[0] == []
    alice_school = next(s for s in store.subscribers("school", RACINE)[0] if s["sk"] == f"USER#{alice.sub}")
    assert alice_school["mode"] == "digest" and alice_school.get("quiet_hours") is None
    topic_items = [i for i in every_item(cloud) if str(i["pk"]).startswith("TOPIC#")]
    assert len(topic_items) == 3  # alice: school and emergency; bob: school


def test_unknown_school_route_or_commune_is_a_422_naming_it(me: Me, cloud: Cloud, lambda_context: Any) -> None:
    route = a_route(cloud, lambda_context)
    alice = me.citizen("alice@example.org")
    response = me.call(
        "PUT",
        "/v1/me/subscriptions",
        alice,
        {
            "topics": [
                {"kind": "route", "id": route, "mode": "digest"},
                {"kind": "school", "id": "0619999Z", "mode": "immediate"},
                {"kind": "route", "id": "no-such-line", "mode": "digest"},
                {"kind": "news", "id": "61999", "mode": "digest"},
                {"kind": "emergency", "id": "61", "mode": "immediate"},
                {"kind": "route", "id": route, "mode": "immediate"},
            ],
            "quiet_hours": {"start": "22:00"},
        },
    )
    assert response["statusCode"] == 422
    names = [p["name"] for p in body(response)["invalid_params"]]
    assert names == ["topics[1].id", "topics[2].id", "topics[3].id", "topics[4].id", "topics[5]", "quiet_hours.end"]
    assert "no-such-line" in body(response)["invalid_params"][1]["reason"]
    assert [i for i in every_item(cloud) if str(i["pk"]).startswith(("TOPIC#", "USER#"))] == []


# --- isolation, export, erasure ------------------------------------------------------------------
def save_everything(me: Me, who: Citizen) -> None:
    assert me.call("PUT", "/v1/me/home/layout", who, {"tiles": [NEWS, SCHOOL]})["statusCode"] == 200
    topics = {
        "topics": [{"kind": "school", "id": RACINE, "mode": "immediate"}, {"kind": "emergency", "mode": "digest"}],
        "quiet_hours": {"start": "21:00", "end": "06:30"},
    }
    assert me.call("PUT", "/v1/me/subscriptions", who, topics)["statusCode"] == 200


def test_another_users_token_sees_none_of_the_first_users_items(me: Me) -> None:
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    save_everything(me, alice)
    assert body(me.call("GET", "/v1/me/home/layout", bob))["tiles"] == []
    assert body(me.call("GET", "/v1/me/subscriptions", bob))["topics"] == []
    exported = body(me.call("GET", "/v1/me/export", bob))
    assert exported["account"]["email"] == "bob@example.org"
    assert exported["items"] == [] and exported["subscriber_index"] == []
    assert alice.sub not in json.dumps(exported) and "alice" not in json.dumps(exported)
    # Bob writing his own layout leaves Alice's as it was; the body cannot name another account.
    assert me.call("PUT", "/v1/me/home/layout", bob, {"tiles": [], "owner": alice.sub})["statusCode"] == 400
    assert me.call("PUT", "/v1/me/home/layout", bob, {"tiles": [NEWS]})["statusCode"] == 200
    assert body(me.call("GET", "/v1/me/home/layout", alice))["tiles"] == [NEWS, SCHOOL]
    assert me.call("GET", "/v1/me/home/layout", {})["statusCode"] == 401  # no claims: no account


def test_export_lists_everything_held_about_the_caller(me: Me) -> None:
    alice = me.citizen("alice@example.org")
    save_everything(me, alice)
    response = me.call("GET", "/v1/me/export", alice)
    assert response["statusCode"] == 200 and header(response, "Cache-Control") == "private, no-store"
    exported = body(response)
    account = exported["account"]
    assert account["email"] == "alice@example.org" and account["email_verified"] is True
    assert account["created_at"] and account["status"] and account["enabled"] is True
    assert exported["home_layout"]["tiles"] == [NEWS, SCHOOL]
    assert exported["subscriptions"]["quiet_hours"] == {"start": "21:00", "end": "06:30"}
    assert {item["sk"] for item in exported["items"]} == {"LAYOUT", "SUBSCRIPTIONS"}
    assert {item["pk"] for item in exported["subscriber_index"]} == {f"TOPIC#school#{RACINE}", "TOPIC#emergency"}
    held = [i for i in every_item(me.cloud) if alice.sub in json.dumps(i)]
    assert len(held) == len(exported["items"]) + len(exported["subscriber_index"])


def test_delete_leaves_nothing_of_the_user_and_later_calls_get_401(me: Me, cloud: Cloud) -> None:
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    save_everything(me, alice)
    save_everything(me, bob)
    assert any(alice.sub in json.dumps(item) for item in every_item(cloud))

    erased = me.call("DELETE", "/v1/me", alice)
    assert erased["statusCode"] == 204
    leftovers = [item for item in every_item(cloud) if alice.sub in json.dumps(item) or "alice" in json.dumps(item)]
    assert leftovers == []
    cognito = cloud.clients["cognito-idp"]
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=me.pool_id, Username=alice.username)

    for method, path, payload in [
        ("GET", "/v1/me/home/layout", None),
        ("PUT", "/v1/me/home/layout", {"tiles": [NEWS]}),
        ("PUT", "/v1/me/home/layout", {"tiles": [{"type": "weather", "params": {}}]}),
        ("GET", "/v1/me/home", None),
        ("GET", "/v1/me/subscriptions", None),
        ("PUT", "/v1/me/subscriptions", {"topics": [{"kind": "emergency", "mode": "digest"}], "quiet_hours": None}),
        ("GET", "/v1/me/export", None),
        ("DELETE", "/v1/me", None),
    ]:
        refused = me.call(method, path, alice, payload)
        assert refused["statusCode"] == 401, (method, path, body(refused))
    assert [item for item in every_item(cloud) if alice.sub in json.dumps(item)] == []

    # Bob is untouched.
    assert body(me.call("GET", "/v1/me/home/layout", bob))["tiles"] == [NEWS, SCHOOL]
    assert len(me.store.subscribers("school", RACINE)[0]) == 1


def test_no_email_sub_or_token_in_any_log_line(me: Me, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    alice = me.citizen("alice@example.org")
    capsys.readouterr()
    save_everything(me, alice)
    me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [{"type": "weather", "params": {}}]})
    me.call("PUT", "/v1/me/home/layout", alice, {"tiles": [NEWS]})  # 428
    me.call("PUT", "/v1/me/subscriptions", alice, {"topics": [{"kind": "school", "id": "0619999Z", "mode": "x"}]})
    me.call("GET", "/v1/me/home", alice)
    me.call("GET", "/v1/me/export", alice)
    me.call("DELETE", "/v1/me", alice)
    me.call("GET", "/v1/me/home/layout", alice)
    logged = capsys.readouterr()
    lines = [line for line in (logged.out + logged.err).splitlines() if line.strip()]
    assert len(lines) >= 8, "the function logs what it does"
    for line in lines:
        assert alice.sub not in line and alice.email not in line and "alice" not in line
        assert FAKE_TOKEN not in line and FAKE_TOKEN.split(".")[1] not in line
