"""The transit service handler with real HTTP API (payload 2.0) events, over data the connector wrote."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from support import Cloud, Recording, body, header, http_api_event

SCHEDULED = {"trigger": "schedule", "connector": "transit-gtfs"}
STOPS = "GET /v1/transit/stops"
DEPARTURES = "GET /v1/transit/stops/{stop_id}/departures"
ROUTES = "GET /v1/transit/routes"
VEHICLES = "GET /v1/transit/routes/{route_id}/vehicles"
ALERTS = "GET /v1/transit/alerts"
SEEDED = dt.datetime(2026, 10, 23, 2, 0, tzinfo=dt.UTC)  # Friday 04:00 in Paris: window 22 .. 25 October
FRIDAY_0650 = dt.datetime(2026, 10, 23, 4, 50, tzinfo=dt.UTC)  # 06:50 in Paris (summer time)


class Api:
    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.context = lambda_context
        self.module = cloud.load("transit")
        reader = self.module.dependencies.get().reader
        self.counter = Recording(reader.client)
        reader.client = self.counter

    def seed(self, now: dt.datetime) -> None:
        """Run the timetable connector as if it were `now`."""
        connector = self.cloud.load("transit_gtfs")
        connector.utc_now = lambda: now
        report = connector.handler(dict(SCHEDULED), self.context)
        assert report["status"] == "succeeded"

    def __call__(self, route_key: str, path: str, now: dt.datetime = FRIDAY_0650, **kwargs: Any) -> dict[str, Any]:
        self.module.utc_now = lambda: now
        self.counter.calls.clear()
        response: dict[str, Any] = self.module.handler(http_api_event(route_key, path, **kwargs), self.context)
        return response

    def departures(self, stop_id: str, now: dt.datetime = FRIDAY_0650, **query: str) -> dict[str, Any]:
        return self(
            DEPARTURES,
            f"/v1/transit/stops/{stop_id}/departures",
            now,
            query=query or None,
            path_parameters={"stop_id": stop_id},
        )

    def put(self, **attributes: Any) -> None:
        from poche_common.dynamo import to_item

        plain = {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in attributes.items()}
        self.cloud.clients["dynamodb"].put_item(TableName=self.cloud.table("transit"), Item=to_item(plain))


@pytest.fixture
def api(cloud: Cloud, lambda_context: Any) -> Api:
    client = Api(cloud, lambda_context)
    cloud.seed("transit-gtfs at SEEDED", lambda: client.seed(SEEDED))
    return client


def validate(payload: Any, schema_name: str) -> None:
    from poche_common.openapi import PROBLEM_SCHEMA
    from transit.openapi import SCHEMAS

    schemas = {**SCHEMAS, "Problem": PROBLEM_SCHEMA}
    jsonschema.validate(payload, {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}})


def problem(response: dict[str, Any], status: int, field: str | None = None) -> dict[str, Any]:
    assert response["statusCode"] == status
    assert header(response, "Content-Type") == "application/problem+json"
    assert header(response, "Cache-Control") == "no-store"
    payload = body(response)
    validate(payload, "Problem")
    if field is not None:
        assert payload["invalid_params"][0]["name"] == field
    return dict(payload)


def at(local_time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local_time).astimezone(dt.UTC)


def times(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(d["scheduled"], d["trip_id"], d["headsign"]) for d in payload["items"]]


# ---------------------------------------------------------------- stops


def test_stops_near_a_position_nearest_first_with_their_distance(api: Api) -> None:
    response = api(STOPS, "/v1/transit/stops", query={"near": "48.4310,0.0876"})  # Halle aux Toiles, default 500 m

    assert response["statusCode"] == 200
    assert header(response, "Cache-Control") == "public, max-age=3600"
    payload = body(response)
    validate(payload, "TransitStopList")
    assert [(s["stop_id"], s["distance_m"]) for s in payload["items"]] == [("ALN_HALLE", 6), ("ALN_PREF", 418)]
    assert payload["items"][0] | {"distance_m": 0} == {
        "stop_id": "ALN_HALLE",
        "name": "Alençon - Halle aux Toiles",
        "lat": 48.43105,
        "lon": 0.08762,
        "code": "61003",
        "location_type": "stop",
        "location_type_label": "Arrêt",
        "parent_station": None,
        "platform_code": None,
        "wheelchair_boarding": "accessible",
        "wheelchair_boarding_label": "Accessible en fauteuil roulant",
        "route_ids": ["L10"],
        "distance_m": 0,
    }
    assert payload["next"] is None and payload["stale"] is False and payload["as_of"].endswith(("+01:00", "+02:00"))
    assert api.counter.calls.count("query") == len(api.counter.calls) - 1  # one Query per cell + the feed state
    assert all(call in ("query", "get_item") for call in api.counter.calls)


def test_a_wider_radius_pages_by_distance(api: Api) -> None:
    seen: list[tuple[str, int]] = []
    query = {"near": "48.4310,0.0876", "radius": "2000", "limit": "2"}
    for _ in range(10):
        payload = body(api(STOPS, "/v1/transit/stops", query=query))
        seen += [(s["stop_id"], s["distance_m"]) for s in payload["items"]]
        if payload["next"] is None:
            break
        query = {**query, "cursor": payload["next"]}
    assert [stop for stop, _ in seen] == ["ALN_HALLE", "ALN_PREF", "ALN_GARE_A", "ALN_GARE", "ALN_GARE_B", "ALN_COURT"]
    assert [d for _, d in seen] == sorted(d for _, d in seen) and seen[-1][1] <= 2000
    other = api(
        STOPS, "/v1/transit/stops", query={"near": "48.4310,0.0877", "radius": "2000", "cursor": query["cursor"]}
    )
    problem(other, 400, "cursor")  # a cursor belongs to its own query


def test_nothing_near_a_field_far_from_any_stop(api: Api) -> None:
    payload = body(api(STOPS, "/v1/transit/stops", query={"near": "48.70,0.40", "radius": "2000"}))
    assert payload["items"] == [] and payload["next"] is None


@pytest.mark.parametrize("near", ["0,-180", "0,180", "-85,179.99", "85,0", "-85,-180"])
def test_a_position_at_the_edge_of_the_map_is_searched_not_a_500(api: Api, near: str) -> None:
    """Found by the API fuzzing: near=0,-180 made a box west of -180° and a 500 (ValueError in geohash)."""
    response = api(STOPS, "/v1/transit/stops", query={"near": near, "radius": "2000"})
    assert response["statusCode"] == 200, response
    assert body(response)["items"] == []


@pytest.mark.parametrize("near", ["90,180", "-90,0", "85.0001,0", "-89.5,3"])
def test_a_position_nearer_the_poles_than_85_degrees_is_refused_not_a_500(api: Api, near: str) -> None:
    """Found by the API fuzzing: near=90,180 made a box 8,000° wide and a 500; within 2 km of a pole every
    longitude is, and the geohash cells to read with it (each of a few hundred metres) number in the tens of
    thousands. Nearby stops are searched up to 85° of latitude, as web maps show (Web Mercator)."""
    problem(api(STOPS, "/v1/transit/stops", query={"near": near, "radius": "2000"}), 400, "near")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"near": "48.43,0.09", "radius": "2001"}, "radius"),
        ({"near": "48.43,0.09", "radius": "0"}, "radius"),
        ({"near": "48.43,0.09", "radius": "500m"}, "radius"),
        ({"radius": "500"}, "radius"),
        ({"near": "Alençon"}, "near"),
        ({"near": "91,0.09"}, "near"),
        ({"near": "48.43"}, "near"),
        ({"near": "48.43,0.09", "q": "alencon"}, "q"),
        ({"q": "a"}, "q"),
        ({"q": " - "}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_stop_queries_are_explained(api: Api, query: dict[str, str], field: str) -> None:
    problem(api(STOPS, "/v1/transit/stops", query=query), 400, field)


def test_stops_by_name_ignore_accents_case_and_punctuation(api: Api) -> None:
    def names(q: str) -> list[str]:
        return [s["stop_id"] for s in body(api(STOPS, "/v1/transit/stops", query={"q": q}))["items"]]

    assert names("alencon") == ["ALN_COURT", "ALN_GARE", "ALN_GARE_A", "ALN_GARE_B", "ALN_HALLE", "ALN_PREF"]
    assert names("ALENÇON - GARE") == ["ALN_GARE", "ALN_GARE_A", "ALN_GARE_B"]
    assert names("Sées") == names("sees") == ["SEE_CATH", "SEE_GARE"]
    assert names("le mele") == ["MEL_MAIR"]
    assert names("mortagne-au-perche - h") == ["MOR_HOP"]
    assert names("cathedrale") == []  # a prefix of the name, not a word inside it
    payload = body(api(STOPS, "/v1/transit/stops", query={"q": "alencon"}))
    validate(payload, "TransitStopList")
    station = next(s for s in payload["items"] if s["stop_id"] == "ALN_GARE")
    assert (station["location_type"], station["route_ids"]) == ("station", ["L10", "L20"])
    quay = next(s for s in payload["items"] if s["stop_id"] == "ALN_GARE_B")
    assert (quay["parent_station"], quay["platform_code"], quay["wheelchair_boarding"]) == (
        "ALN_GARE",
        "B",
        "accessible",
    )


def test_every_stop_page_by_page(api: Api) -> None:
    seen: list[str] = []
    query = {"limit": "5"}
    while True:
        payload = body(api(STOPS, "/v1/transit/stops", query=query))
        seen += [s["stop_id"] for s in payload["items"]]
        if payload["next"] is None:
            break
        query = {"limit": "5", "cursor": payload["next"]}
    assert len(seen) == 13 == len(set(seen))
    first = body(api(STOPS, "/v1/transit/stops", query={"limit": "5"}))["next"]
    tampered = first[:-3] + ("AAA" if not first.endswith("AAA") else "BBB")
    problem(api(STOPS, "/v1/transit/stops", query={"limit": "5", "cursor": tampered}), 400, "cursor")
    problem(api(STOPS, "/v1/transit/stops", query={"q": "alencon", "cursor": first}), 400, "cursor")


def test_the_search_folds_names_exactly_as_the_connector_does() -> None:
    from transit_gtfs.store import name_key
    from transit_shared.keys import name_key as fold

    for name in ["Alençon - Gare SNCF", "Sées – Cathédrale", "Œuvre d'Orne", "L'Aigle  (Gare)", "Mêle-sur-Sarthe"]:
        assert fold(name) == name_key(name)


# ---------------------------------------------------------------- routes


def test_routes_in_their_order(api: Api) -> None:
    response = api(ROUTES, "/v1/transit/routes")

    assert header(response, "Cache-Control") == "public, max-age=3600"
    payload = body(response)
    validate(payload, "TransitRouteList")
    assert [r["route_id"] for r in payload["items"]] == ["L10", "L20", "L30"]
    assert payload["items"][0] == {
        "route_id": "L10",
        "short_name": "10",
        "long_name": "Alençon - Sées - Argentan",
        "type": "bus",
        "type_label": "Bus",
        "color": "#1F6FB2",
        "text_color": "#FFFFFF",
        "agency_name": "Bus de l'Orne (réseau fictif)",
    }
    assert (payload["items"][2]["type"], payload["items"][2]["type_label"]) == ("coach", "Car")
    page = body(api(ROUTES, "/v1/transit/routes", query={"limit": "2"}))
    rest = body(api(ROUTES, "/v1/transit/routes", query={"limit": "2", "cursor": page["next"]}))
    assert [r["route_id"] for r in page["items"] + rest["items"]] == ["L10", "L20", "L30"] and rest["next"] is None


# ---------------------------------------------------------------- departures


def test_next_departures_from_the_timetable(api: Api) -> None:
    response = api.departures("ALN_GARE_A", limit="3")

    assert response["statusCode"] == 200
    assert header(response, "Cache-Control") == "public, max-age=15"
    payload = body(response)
    validate(payload, "TransitDepartureList")
    assert payload["stop"] == {"stop_id": "ALN_GARE_A", "name": "Alençon - Gare SNCF"}
    assert times(payload) == [
        ("2026-10-23T06:56:00+02:00", "10-SEM-0650", "Argentan"),
        ("2026-10-23T08:15:00+02:00", "10-SEM-0715-R", "Alençon"),
        ("2026-10-23T12:21:00+02:00", "10-SEM-1215", "Argentan"),
    ]
    assert payload["items"][0] == {
        "route_id": "L10",
        "route_short_name": "10",
        "headsign": "Argentan",
        "trip_id": "10-SEM-0650",
        "stop_id": "ALN_GARE_A",
        "scheduled": "2026-10-23T06:56:00+02:00",
        "expected": "2026-10-23T06:56:00+02:00",
        "delay_s": None,
        "realtime": False,
        "cancelled": False,
    }
    assert payload["realtime_as_of"] is None and payload["stale"] is False and payload["as_of"] is not None
    assert api.counter.calls == ["query", "batch_get_item"]  # at most 2 DynamoDB round trips

    following = body(api.departures("ALN_GARE_A", limit="3", cursor=payload["next"]))
    assert times(following) == [
        ("2026-10-23T17:46:00+02:00", "10-SEM-1740", "Argentan"),
        ("2026-10-23T18:10:00+02:00", "10-SEM-1710-R", "Alençon"),
        ("2026-10-24T09:06:00+02:00", "10-SAM-0900", "Argentan"),
    ]
    assert api.counter.calls == ["query", "batch_get_item"]
    problem(api.departures("ALN_HALLE", limit="3", cursor=payload["next"]), 400, "cursor")


def test_default_limit_and_the_end_of_the_materialised_window(api: Api) -> None:
    payload = body(api.departures("ALN_GARE"))  # 11 departures from Friday 06:50 to Sunday
    assert len(payload["items"]) == 10 and payload["next"] is not None
    rest = body(api.departures("ALN_GARE", cursor=payload["next"]))
    assert [d["trip_id"] for d in rest["items"]] == ["20-DIM-0930"] and rest["next"] is None
    sunday_noon = body(api.departures("ALN_GARE_A", at("2026-10-25T12:00:00+01:00"), limit="50"))
    assert sunday_noon["items"] == []  # no line 10 on Sundays, and Monday is not materialised yet
    assert sunday_noon["next"] is None


def test_a_station_lists_the_departures_of_its_quays_and_a_route_filter(api: Api) -> None:
    payload = body(api.departures("ALN_GARE", limit="4"))
    assert [(d["stop_id"], d["trip_id"]) for d in payload["items"]] == [
        ("ALN_GARE_A", "10-SEM-0650"),
        ("ALN_GARE_B", "20-SEM-0730"),
        ("ALN_GARE_A", "10-SEM-0715-R"),
        ("ALN_GARE_A", "10-SEM-1215"),
    ]
    only_20 = body(api.departures("ALN_GARE", route="L20"))
    assert [(d["trip_id"], d["scheduled"]) for d in only_20["items"]] == [
        ("20-SEM-0730", "2026-10-23T07:35:00+02:00"),
        ("20-SEM-1645", "2026-10-23T16:50:00+02:00"),
        ("20-DIM-0930", "2026-10-25T09:35:00+01:00"),  # Sunday, after the change of time
    ]
    assert api.counter.calls == ["query", "batch_get_item"]
    assert body(api.departures("ALN_GARE", route="L99"))["items"] == []


def test_the_saturday_night_trip_runs_past_midnight_into_the_change_of_time(api: Api) -> None:
    saturday_night = at("2026-10-25T00:30:00+02:00")
    assert times(body(api.departures("ALN_GARE_A", saturday_night, limit="1"))) == [
        ("2026-10-25T00:40:00+02:00", "10-SAM-2440", "Sées")  # GTFS 24:40:00 of Saturday's service
    ]
    assert times(body(api.departures("SEE_CATH", saturday_night, limit="1"))) == [
        ("2026-10-25T01:10:00+02:00", "10-SAM-2440", "Sées")  # 25:10:00
    ]
    sunday = at("2026-10-25T08:00:00+01:00")
    assert times(body(api.departures("ALN_PREF", sunday))) == [
        ("2026-10-25T09:30:00+01:00", "20-DIM-0930", "Mortagne-au-Perche")
    ]


def test_the_spring_change_of_time_and_easter_monday(api: Api) -> None:
    api.seed(at("2027-03-27T04:00:00+01:00"))  # window 26 .. 29 March 2027
    sunday = at("2027-03-28T08:00:00+02:00")
    assert [d["scheduled"] for d in body(api.departures("ALN_PREF", sunday))["items"]] == [
        "2027-03-28T09:30:00+02:00",  # Sunday service, summer time
        "2027-03-29T09:30:00+02:00",  # Easter Monday: Sunday service instead of the weekday one
    ]
    saturday_night = at("2027-03-27T23:30:00+01:00")
    assert times(body(api.departures("SEE_CATH", saturday_night, limit="1"))) == [
        ("2027-03-28T01:10:00+01:00", "10-SAM-2440", "Sées")
    ]


def test_a_public_holiday_runs_the_sunday_service(api: Api) -> None:
    api.seed(at("2026-11-11T04:00:00+01:00"))
    armistice = at("2026-11-11T06:00:00+01:00")
    assert [d["trip_id"] for d in body(api.departures("ALN_PREF", armistice, limit="2"))["items"]] == [
        "20-DIM-0930",  # not the weekday 07:30
        "20-SEM-0730",  # Thursday 12 November
    ]


def test_real_time_is_merged_and_expired_real_time_ignored(api: Api) -> None:
    soon = int((FRIDAY_0650 + dt.timedelta(minutes=10)).timestamp())
    api.put(
        pk="TRIP#10-SEM-0650",
        sk="RT#2026-10-23",
        source="gtfs-rt",
        feed_timestamp="2026-10-23T04:49:30+00:00",
        cancelled=False,
        updates=[{"stop_sequence": 1, "departure_delay": 240, "skipped": False}],  # propagates to quay A (seq 2)
        expires_at=soon,
    )
    api.put(
        pk="TRIP#10-SEM-0715-R",
        sk="RT#2026-10-23",
        source="siri-lite",
        feed_timestamp="2026-10-23T04:49:50+00:00",
        cancelled=True,
        updates=[],
        expires_at=soon,
    )
    api.put(  # a feed that stopped: the TTL has not deleted it yet, readers ignore it
        pk="TRIP#10-SEM-1215",
        sk="RT#2026-10-23",
        source="gtfs-rt",
        feed_timestamp="2026-10-23T03:00:00+00:00",
        cancelled=False,
        updates=[{"stop_sequence": 2, "departure_delay": 600}],
        expires_at=int((FRIDAY_0650 - dt.timedelta(minutes=1)).timestamp()),
    )

    payload = body(api.departures("ALN_GARE_A", limit="3"))

    validate(payload, "TransitDepartureList")
    assert [(d["trip_id"], d["expected"], d["delay_s"], d["realtime"], d["cancelled"]) for d in payload["items"]] == [
        ("10-SEM-0650", "2026-10-23T07:00:00+02:00", 240, True, False),
        ("10-SEM-0715-R", "2026-10-23T08:15:00+02:00", None, True, True),
        ("10-SEM-1215", "2026-10-23T12:21:00+02:00", None, False, False),
    ]
    assert payload["realtime_as_of"] == "2026-10-23T06:49:50+02:00"
    assert api.counter.calls == ["query", "batch_get_item"]


def test_a_late_bus_stays_listed_after_its_scheduled_time(api: Api) -> None:
    later = at("2026-10-23T07:03:00+02:00")  # 10-SEM-0650 was due at quay A at 06:56
    assert body(api.departures("ALN_GARE_A", later, limit="1"))["items"][0]["trip_id"] == "10-SEM-0715-R"
    api.put(
        pk="TRIP#10-SEM-0650",
        sk="RT#2026-10-23",
        source="gtfs-rt",
        feed_timestamp="2026-10-23T05:02:00+00:00",
        cancelled=False,
        updates=[{"stop_sequence": 2, "departure_time": "2026-10-23T05:08:00+00:00"}],
        expires_at=int((later + dt.timedelta(minutes=10)).timestamp()),
    )
    first = body(api.departures("ALN_GARE_A", later, limit="1"))["items"][0]
    assert (first["trip_id"], first["expected"], first["delay_s"]) == ("10-SEM-0650", "2026-10-23T07:08:00+02:00", 720)


def test_departures_of_an_unknown_stop_are_a_404_in_two_round_trips(api: Api) -> None:
    payload = problem(api.departures("NOWHERE"), 404)
    assert "NOWHERE" in payload["detail"]
    assert api.counter.calls == ["query", "batch_get_item"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "51"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"route": "L#10"}, "route"),
        ({"cursor": "x"}, "cursor"),
    ],
)
def test_bad_departure_queries(api: Api, query: dict[str, str], field: str) -> None:
    problem(api.departures("ALN_GARE_A", FRIDAY_0650, **query), 400, field)


def test_etag_and_if_none_match(api: Api) -> None:
    first = api.departures("ALN_GARE_A")
    etag = header(first, "ETag")
    assert etag
    again = api(
        DEPARTURES,
        "/v1/transit/stops/ALN_GARE_A/departures",
        path_parameters={"stop_id": "ALN_GARE_A"},
        headers={"If-None-Match": etag},
    )
    assert again["statusCode"] == 304 and again["body"] == ""


def test_stale_when_the_timetable_was_not_read_for_two_days(api: Api, cloud: Cloud) -> None:
    old = (FRIDAY_0650 - dt.timedelta(days=3)).isoformat(timespec="seconds")
    cloud.clients["dynamodb"].update_item(
        TableName=cloud.table("transit"),
        Key={"pk": {"S": "FEED#transit-gtfs"}, "sk": {"S": "STATE"}},
        UpdateExpression="SET fetched_at = :t",
        ExpressionAttributeValues={":t": {"S": old}},
    )
    for payload in (body(api.departures("ALN_GARE_A")), body(api(ROUTES, "/v1/transit/routes"))):
        assert payload["stale"] is True and payload["as_of"] == "2026-10-20T06:50:00+02:00"


def test_before_any_feed_was_read(cloud: Cloud, lambda_context: Any) -> None:
    empty = Api(cloud, lambda_context)
    assert body(empty(STOPS, "/v1/transit/stops")) == {"items": [], "next": None, "as_of": None, "stale": True}
    problem(empty.departures("ALN_GARE_A"), 404)


# ---------------------------------------------------------------- vehicles and alerts


def test_vehicles_of_a_route(api: Api) -> None:
    fresh = int((FRIDAY_0650 + dt.timedelta(minutes=5)).timestamp())
    api.put(
        pk="ROUTE#L10",
        sk="VEH#bus-12",
        vehicle_id="bus-12",
        label="12",
        trip_id="10-SEM-0650",
        lat=48.4501,
        lon=0.1012,
        bearing=35,
        speed=12.5,
        current_status="in_transit_to",
        stop_id="SEE_CATH",
        occupancy_status="few_seats_available",
        timestamp="2026-10-23T04:49:40+00:00",
        expires_at=fresh,
    )
    api.put(
        pk="ROUTE#L10",
        sk="VEH#bus-07",
        vehicle_id="bus-07",
        lat=48.6,
        lon=0.17,
        timestamp="2026-10-23T04:20:00+00:00",
        expires_at=int(FRIDAY_0650.timestamp()) - 1,
    )
    api.put(pk="FEED#transit-gtfs-rt", sk="STATE", fetched_at="2026-10-23T04:49:45+00:00")

    response = api(VEHICLES, "/v1/transit/routes/L10/vehicles", path_parameters={"route_id": "L10"})

    assert header(response, "Cache-Control") == "public, max-age=15"
    payload = body(response)
    validate(payload, "TransitVehicleList")
    assert payload["route"]["route_id"] == "L10"
    assert payload["items"] == [
        {
            "vehicle_id": "bus-12",
            "label": "12",
            "trip_id": "10-SEM-0650",
            "lat": 48.4501,
            "lon": 0.1012,
            "bearing": 35.0,
            "speed": 12.5,
            "current_status": "in_transit_to",
            "current_status_label": "En route vers l'arrêt",
            "stop_id": "SEE_CATH",
            "occupancy_status": "few_seats_available",
            "occupancy_label": "Quelques places assises",
            "timestamp": "2026-10-23T06:49:40+02:00",
        }
    ]
    assert (payload["as_of"], payload["stale"]) == ("2026-10-23T06:49:45+02:00", False)
    later = body(
        api(
            VEHICLES,
            "/v1/transit/routes/L10/vehicles",
            FRIDAY_0650 + dt.timedelta(minutes=10),
            path_parameters={"route_id": "L10"},
        )
    )
    assert later["items"] == [] and later["stale"] is True  # the feed stopped: positions expired, not shown stale
    problem(api(VEHICLES, "/v1/transit/routes/L99/vehicles", path_parameters={"route_id": "L99"}), 404)


def alert(api: Api, sk: str, **attributes: Any) -> None:
    defaults: dict[str, Any] = {
        "cause": "unknown_cause",
        "effect": "unknown_effect",
        "header": "Information",
        "description": "",
        "active_periods": [],
        "informed": [],
        "expires_at": int((FRIDAY_0650 + dt.timedelta(minutes=30)).timestamp()),
    }
    api.put(pk="ALERTS", sk=sk, **{**defaults, **attributes})


def test_active_alerts_by_route_and_stop(api: Api) -> None:
    alert(
        api,
        "ALERT#gtfs-rt#works-sees",
        cause="construction",
        effect="detour",
        header="Travaux à Sées",
        description="L'arrêt Sées - Cathédrale est déplacé rue de la République.",
        url="https://transport.example.org/orne/travaux",
        active_periods=[{"start": "2026-10-19T05:00:00+00:00", "end": "2026-10-30T17:00:00+00:00"}],
        informed=[{"route_id": "L10", "stop_id": "SEE_CATH"}],
    )
    alert(api, "ALERT#gtfs-rt#l20", header="Retards ligne 20", informed=[{"route_id": "L20"}])
    alert(api, "ALERT#siri-lite#strike", cause="strike", header="Grève", informed=[{"agency_id": "ORNE"}])
    alert(
        api,
        "ALERT#gtfs-rt#later",
        active_periods=[{"start": "2026-11-02T05:00:00+00:00"}],
        informed=[{"route_id": "L10"}],
    )
    alert(api, "ALERT#gtfs-rt#ended", active_periods=[{"end": "2026-10-22T00:00:00+00:00"}])
    alert(api, "ALERT#gtfs-rt#gone", expires_at=int(FRIDAY_0650.timestamp()) - 60)
    api.put(pk="FEED#transit-siri-lite", sk="STATE", fetched_at="2026-10-23T04:49:00+00:00")

    def ids(**query: str) -> list[str]:
        response = api(ALERTS, "/v1/transit/alerts", query=query or None)
        assert header(response, "Cache-Control") == "public, max-age=15"
        payload = body(response)
        validate(payload, "TransitAlertList")
        return [f"{a['source']}#{a['alert_id']}" for a in payload["items"]]

    assert ids() == ["gtfs-rt#l20", "gtfs-rt#works-sees", "siri-lite#strike"]
    assert ids(route="L10") == ["gtfs-rt#works-sees", "siri-lite#strike"]  # a network-wide alert concerns all
    assert ids(stop="SEE_CATH") == ["gtfs-rt#works-sees", "siri-lite#strike"]
    assert ids(route="L20", stop="SEE_CATH") == ["siri-lite#strike"]
    payload = body(api(ALERTS, "/v1/transit/alerts", query={"route": "L10", "limit": "1"}))
    assert payload["items"][0] == {
        "alert_id": "works-sees",
        "source": "gtfs-rt",
        "cause": "construction",
        "cause_label": "Travaux",
        "effect": "detour",
        "effect_label": "Déviation",
        "header": "Travaux à Sées",
        "description": "L'arrêt Sées - Cathédrale est déplacé rue de la République.",
        "url": "https://transport.example.org/orne/travaux",
        "active_periods": [{"start": "2026-10-19T07:00:00+02:00", "end": "2026-10-30T18:00:00+01:00"}],
        "informed": [{"route_id": "L10", "stop_id": "SEE_CATH"}],
    }
    assert (payload["as_of"], payload["stale"]) == ("2026-10-23T06:49:00+02:00", False)
    rest = body(api(ALERTS, "/v1/transit/alerts", query={"route": "L10", "limit": "1", "cursor": payload["next"]}))
    assert [a["alert_id"] for a in rest["items"]] == ["strike"] and rest["next"] is None
    problem(api(ALERTS, "/v1/transit/alerts", query={"cursor": payload["next"]}), 400, "cursor")


# ---------------------------------------------------------------- the API document


def test_the_openapi_document_covers_exactly_the_routes_deployed() -> None:
    from poche_infra.domains.transit import PATHS
    from transit.openapi import document

    doc = document()
    assert sorted(doc["paths"]) == sorted(PATHS)
    for path, operations in doc["paths"].items():
        assert set(operations) == {"get"}, path
        refs = json.dumps(operations)
        for name in doc["components"]["schemas"]:
            refs = refs.replace(f"#/components/schemas/{name}", "")
        assert "#/components/schemas/" not in refs, path
