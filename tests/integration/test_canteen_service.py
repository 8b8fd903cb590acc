"""The canteen service handler with real HTTP API (payload 2.0) events, over data the connector wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import pytest
from support import SCHEDULED_INPUT, Cloud, body, header, http_api_event

MENUS = "GET /v1/canteens/{canteen_id}/menus"


@pytest.fixture
def api(cloud: Cloud, lambda_context: Any) -> Any:
    cloud.seed(
        "canteen sample", lambda: cloud.load("canteen_menus_scdl").handler(dict(SCHEDULED_INPUT), lambda_context)
    )
    module = cloud.load("canteen")
    module.today_paris = lambda: dt.date(2026, 12, 2)  # a Wednesday: "this week" is 11-30 .. 12-06

    def call(route_key: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response: dict[str, Any] = module.handler(http_api_event(route_key, path, **kwargs), lambda_context)
        return response

    return call


def menus(api: Any, canteen: str, **query: str) -> dict[str, Any]:
    return api(MENUS, f"/v1/canteens/{canteen}/menus", query=query or None, path_parameters={"canteen_id": canteen})


def validate(payload: Any, schema_name: str) -> None:
    from canteen.openapi import SCHEMAS
    from poche_common.openapi import PROBLEM_SCHEMA

    schemas = {**SCHEMAS, "Problem": PROBLEM_SCHEMA}
    resolver_schema = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}}
    jsonschema.validate(payload, resolver_schema)


def test_canteens_of_a_commune(api: Any) -> None:
    response = api("GET /v1/canteens", "/v1/canteens", query={"commune": "61006"})

    assert response["statusCode"] == 200
    payload = body(response)
    validate(payload, "CanteenList")
    assert [c["id"] for c in payload["items"]] == ["0610896T"]
    assert payload["items"][0] | {"organisation": None} == {
        "id": "0610896T",
        "name": "Collège Jean Rostand",
        "type": "college",
        "type_label": "Collège",
        "commune": "61006",
        "organisation": None,
    }
    assert payload["next"] is None and payload["stale"] is False
    assert payload["as_of"].endswith(("+01:00", "+02:00"))
    assert header(response, "Cache-Control") == "public, max-age=3600"


def test_all_canteens_page_by_page_with_an_opaque_cursor(api: Any) -> None:
    seen: list[str] = []
    query = {"limit": "4"}
    while True:
        payload = body(api("GET /v1/canteens", "/v1/canteens", query=query))
        seen += [c["id"] for c in payload["items"]]
        if payload["next"] is None:
            break
        query = {"limit": "4", "cursor": payload["next"]}
    assert len(seen) == 6 == len(set(seen))

    first = body(api("GET /v1/canteens", "/v1/canteens", query={"limit": "4"}))
    tampered = first["next"][:-3] + ("AAA" if not first["next"].endswith("AAA") else "BBB")
    refused = api("GET /v1/canteens", "/v1/canteens", query={"limit": "4", "cursor": tampered})
    assert refused["statusCode"] == 400
    assert body(refused)["invalid_params"][0]["name"] == "cursor"
    other_query = api("GET /v1/canteens", "/v1/canteens", query={"commune": "61001", "cursor": first["next"]})
    assert other_query["statusCode"] == 400


def test_menus_of_this_week_grouped_by_course(api: Any) -> None:
    response = menus(api, "0611047G")

    assert response["statusCode"] == 200
    payload = body(response)
    validate(payload, "MenuList")
    assert (payload["from"], payload["to"]) == ("2026-11-30", "2026-12-06")
    assert [m["date"] for m in payload["items"]] == ["2026-11-30", "2026-12-01", "2026-12-03", "2026-12-04"]
    first = payload["items"][0]
    assert [c["course"] for c in first["courses"]] == [
        "entree",
        "plat_principal",
        "garniture",
        "produit_laitier",
        "dessert",
    ]
    starter = first["courses"][0]["dishes"][0]
    assert starter["name"] == "Carottes râpées vinaigrette"
    assert starter["labels"] == [{"code": "bio", "label": "Agriculture biologique"}]
    assert starter["allergens"] == ["moutarde"]
    assert first["published_at"] == "2026-11-20T10:00:00+01:00"


def test_modified_menu_shows_when_it_changed(api: Any) -> None:
    payload = body(menus(api, "0611126T", **{"from": "2026-12-04", "to": "2026-12-04"}))

    (meal,) = payload["items"]
    assert meal["modified_at"] == "2026-12-03T16:45:00+01:00"


def test_explicit_range_and_other_meals(api: Any) -> None:
    payload = body(menus(api, "21610464600023", **{"from": "2026-11-30", "to": "2026-12-11"}))

    assert {m["meal"] for m in payload["items"]} == {"dejeuner", "gouter"}
    assert payload["canteen"]["commune"] is None
    christmas = [m for m in payload["items"] if m["date"] == "2026-12-10" and m["meal"] == "dejeuner"]
    assert christmas and "Repas de Noël" in christmas[0]["notes"]


def test_etag_and_if_none_match(api: Any) -> None:
    first = menus(api, "0611047G")
    etag = header(first, "ETag")
    assert etag and etag.startswith('"')

    again = api(
        MENUS,
        "/v1/canteens/0611047G/menus",
        path_parameters={"canteen_id": "0611047G"},
        headers={"If-None-Match": etag},
    )
    assert again["statusCode"] == 304
    assert again["body"] == ""
    assert header(again, "ETag") == etag

    stale_tag = api(
        MENUS,
        "/v1/canteens/0611047G/menus",
        path_parameters={"canteen_id": "0611047G"},
        headers={"If-None-Match": '"something-else"'},
    )
    assert stale_tag["statusCode"] == 200


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"from": "2026-13-01"}, "from", "AAAA-MM-JJ"),
        ({"from": "30/11/2026"}, "from", "AAAA-MM-JJ"),
        ({"from": "2026-12-10", "to": "2026-12-01"}, "to", "précède"),
        ({"from": "2026-11-01", "to": "2026-12-15"}, "to", "31 jours"),
    ],
)
def test_bad_dates_are_explained(api: Any, query: dict[str, str], field: str, words: str) -> None:
    response = menus(api, "0611047G", **query)

    assert response["statusCode"] == 400
    assert header(response, "Content-Type") == "application/problem+json"
    problem = body(response)
    validate(problem, "Problem")
    assert problem["status"] == 400 and words in problem["detail"]
    assert problem["invalid_params"][0]["name"] == field


def test_unknown_canteen_is_a_404_problem(api: Any) -> None:
    for response in (
        menus(api, "0619999Z"),
        api("GET /v1/canteens/{canteen_id}", "/v1/canteens/0619999Z", path_parameters={"canteen_id": "0619999Z"}),
    ):
        assert response["statusCode"] == 404
        assert header(response, "Content-Type") == "application/problem+json"
        assert "0619999Z" in body(response)["detail"]


def test_unknown_commune_is_a_404(api: Any) -> None:
    response = api("GET /v1/canteens", "/v1/canteens", query={"commune": "61999"})
    assert response["statusCode"] == 404
    assert "61999" in body(response)["detail"]


def test_bad_commune_code_is_a_400(api: Any) -> None:
    response = api("GET /v1/canteens", "/v1/canteens", query={"commune": "Alençon"})
    assert response["statusCode"] == 400
    assert body(response)["invalid_params"][0]["name"] == "commune"


def test_stale_when_the_feed_was_not_read_for_two_days(api: Any, cloud: Cloud) -> None:
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat(timespec="seconds")
    cloud.clients["dynamodb"].update_item(
        TableName=cloud.table("canteen"),
        Key={"pk": {"S": "FEED#canteen-menus-scdl"}, "sk": {"S": "STATE"}},
        UpdateExpression="SET fetched_at = :t",
        ExpressionAttributeValues={":t": {"S": old}},
    )
    payload = body(
        api("GET /v1/canteens/{canteen_id}", "/v1/canteens/0611047G", path_parameters={"canteen_id": "0611047G"})
    )
    assert payload["stale"] is True
    validate(payload, "CanteenDetail")


def test_before_any_feed_was_read(cloud: Cloud, lambda_context: Any) -> None:
    module = cloud.load("canteen")
    response = module.handler(http_api_event("GET /v1/canteens", "/v1/canteens"), lambda_context)
    payload = body(response)
    assert payload == {"items": [], "next": None, "as_of": None, "stale": True}


def test_menus_take_two_dynamodb_round_trips(cloud: Cloud, lambda_context: Any) -> None:
    cloud.seed(
        "canteen sample", lambda: cloud.load("canteen_menus_scdl").handler(dict(SCHEDULED_INPUT), lambda_context)
    )
    module = cloud.load("canteen")
    calls: list[str] = []
    reader = module.dependencies.get().reader
    real = reader.client

    class Counting:
        def __getattr__(self, name: str) -> Any:
            calls.append(name)
            return getattr(real, name)

    reader.client = Counting()
    event = http_api_event(MENUS, "/v1/canteens/0611047G/menus", query={"from": "2026-11-30", "to": "2026-12-04"},
                           path_parameters={"canteen_id": "0611047G"})  # fmt: skip
    response = module.handler(event, lambda_context)
    assert response["statusCode"] == 200 and len(body(response)["items"]) == 4
    assert calls == ["batch_get_item", "query"]
