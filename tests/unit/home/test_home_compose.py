"""home.compose: tiles read from projections within the round-trip budget, one error entry per bad tile."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from home_shared.catalogue import TileType
from home_shared.compose import MAX_ROUND_TRIPS, compose, requested_tiles
from home_shared.store import BatchReader
from poche_common.dynamo import to_item
from poche_common.errors import InvalidRequestError

NOW = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)  # 08:00 in Paris


def tile_type(tile_id: str, params: tuple[str, ...], table: str, **extra: Any) -> TileType:
    data: dict[str, Any] = {
        "id": tile_id,
        "title": tile_id.title(),
        "service": tile_id,
        "params": list(params),
        "table": table,
        "keys": ["#".join("{" + p + "}" for p in params)],
        "sources": [],
        "stale_after_s": None,
        "limit": 3,
        **extra,
    }
    return TileType.from_registration(data)


TYPES = {
    t.id: t
    for t in (
        tile_type(
            "news",
            ("commune",),
            "news-table",
            keys=["general", "{commune}"],
            newest_first=True,
            sources=["news-rss"],
            stale_after_s=3600,
            limit=3,
        ),
        tile_type("canteen-menu", ("canteen_id",), "canteen-table", must_exist=True, limit=1),
        tile_type(
            "departures",
            ("stop_id", "route_id"),
            "transit-table",
            must_exist=True,
            live="transit-realtime",
            sources=["transit-gtfs"],
            stale_after_s=86400,
        ),
    )
}


class FakeDynamo:
    """BatchGetItem over a dict; leaves the first `throttle` keys of each of the first `throttled_calls` calls
    unprocessed, as DynamoDB does under throttling."""

    def __init__(self, items: dict[tuple[str, str, str], dict[str, Any]], throttle: int = 0, throttled_calls: int = 0):
        self.items = items
        self.throttle = throttle
        self.throttled_calls = throttled_calls
        self.calls: list[int] = []  # keys asked per call

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        keys = [(t, k["pk"]["S"], k["sk"]["S"]) for t, spec in RequestItems.items() for k in spec["Keys"]]
        assert len(keys) <= 100
        self.calls.append(len(keys))
        left = keys[: self.throttle] if len(self.calls) <= self.throttled_calls else []
        responses: dict[str, list[Any]] = {}
        for key in keys:
            if key in left or key not in self.items:
                continue
            responses.setdefault(key[0], []).append(to_item({"pk": key[1], "sk": key[2], **self.items[key]}))
        unprocessed: dict[str, Any] = {}
        for table, pk, sk in left:
            unprocessed.setdefault(table, {"Keys": []})["Keys"].append({"pk": {"S": pk}, "sk": {"S": sk}})
        return {"Responses": responses, "UnprocessedKeys": unprocessed}


def article(article_id: str, published: str) -> dict[str, Any]:
    return {"id": article_id, "order": published, "view": {"id": article_id, "published": published}}


def departure(trip: str, scheduled: str, sequence: int = 3) -> dict[str, Any]:
    view = {
        "stop_id": "S1",
        "trip_id": trip,
        "route_id": "R1",
        "route_short_name": "1",
        "headsign": "Gare",
        "service_date": "2026-11-30",
        "stop_sequence": sequence,
        "scheduled": scheduled,
    }
    until = (dt.datetime.fromisoformat(scheduled) + dt.timedelta(minutes=15)).isoformat()
    return {"id": f"{scheduled}#{trip}", "order": scheduled, "until": until, "view": view}


def store() -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        ("news-table", "TILE#news#general", "CONTENT"): {
            "head": {},
            "entries": [article("a", "2026-11-29T10:00:00+00:00"), article("c", "2026-11-27T10:00:00+00:00")],
        },
        ("news-table", "TILE#news#61001", "CONTENT"): {
            "head": {"commune": {"insee": "61001", "name": "Alençon"}},
            "entries": [article("b", "2026-11-28T10:00:00+00:00"), article("a", "2026-11-29T10:00:00+00:00")],
        },
        ("news-table", "FEED#news-rss", "STATE"): {"fetched_at": "2026-11-30T06:30:00+00:00"},
        ("canteen-table", "TILE#canteen-menu#C1", "CONTENT"): {
            "head": {"canteen": {"id": "C1", "name": "Collège"}},
            "entries": [
                {"id": "2026-11-29", "order": "2026-11-29", "until": "2026-11-29T23:00:00+00:00", "view": {"d": 29}},
                {"id": "2026-11-30", "order": "2026-11-30", "until": "2026-11-30T23:00:00+00:00", "view": {"d": 30}},
                {"id": "2026-12-01", "order": "2026-12-01", "until": "2026-12-01T23:00:00+00:00", "view": {"d": 1}},
            ],
            "updated_at": "2026-11-29T04:00:00+00:00",
        },
        ("transit-table", "TILE#departures#S1#R1", "CONTENT"): {
            "head": {"stop": {"stop_id": "S1", "name": "Place"}},
            "entries": [
                departure("T0", "2026-11-30T06:30:00+00:00"),  # gone (until passed)
                departure("T1", "2026-11-30T07:05:00+00:00"),
                departure("T2", "2026-11-30T07:20:00+00:00"),
                departure("T3", "2026-11-30T07:35:00+00:00"),
                departure("T4", "2026-11-30T07:50:00+00:00"),
            ],
        },
        ("transit-table", "FEED#transit-gtfs", "STATE"): {"fetched_at": "2026-11-30T03:00:00+00:00"},
        ("transit-table", "TRIP#T1", "RT#2026-11-30"): {
            "cancelled": False,
            "updates": [{"stop_sequence": 1, "departure_delay": 1200}],
            "feed_timestamp": "2026-11-30T06:59:30+00:00",
            "expires_at": int((NOW + dt.timedelta(minutes=5)).timestamp()),
        },
    }


def run(tiles: list[Any], fake: FakeDynamo | None = None) -> tuple[list[dict[str, Any]], BatchReader]:
    reader = BatchReader(fake or FakeDynamo(store()))
    return compose(tiles, TYPES, reader, NOW), reader


def test_news_merges_the_departement_and_the_commune_newest_first_each_article_once() -> None:
    [tile], _ = run([{"type": "news", "params": {"commune": "61001"}}])
    assert [item["id"] for item in tile["content"]["items"]] == ["a", "b", "c"]
    assert tile["content"]["commune"] == {"insee": "61001", "name": "Alençon"}
    assert tile["as_of"] == "2026-11-30T07:30:00+01:00" and tile["stale"] is False
    assert tile["params"] == {"commune": "61001"}


def test_a_day_over_is_not_shown_and_the_limit_applies() -> None:
    [tile], _ = run([{"type": "canteen-menu", "params": {"canteen_id": "C1"}}])
    assert tile["content"]["items"] == [{"d": 30}]
    assert tile["as_of"] == "2026-11-29T05:00:00+01:00" and tile["stale"] is False  # written by the feed's run


def test_departures_are_merged_with_real_time_read_in_the_second_round_trip() -> None:
    fake = FakeDynamo(store())
    [tile], reader = run([{"type": "departures", "params": {"stop_id": "S1", "route_id": "R1"}}], fake)
    items = tile["content"]["items"]
    assert [d["trip_id"] for d in items] == ["T2", "T1", "T3"]  # T1 delayed 20 min leaves after T2
    assert items[1]["realtime"] is True and items[1]["delay_s"] == 1200
    assert items[1]["expected"] == "2026-11-30T08:25:00+01:00"
    assert items[0]["realtime"] is False
    assert reader.round_trips == 2


def test_twenty_mixed_tiles_take_two_round_trips() -> None:
    tiles = [
        [
            {"type": "news", "params": {"commune": "61001"}},
            {"type": "canteen-menu", "params": {"canteen_id": "C1"}},
            {"type": "departures", "params": {"stop_id": "S1", "route_id": "R1"}},
            {"type": "news", "params": {"commune": "61006"}},
        ][i % 4]
        for i in range(20)
    ]
    fake = FakeDynamo(store())
    answers, reader = run(tiles, fake)
    assert len(answers) == 20 and all("content" in a for a in answers)
    assert reader.round_trips == 2 == len(fake.calls)


def test_unprocessed_keys_are_retried_within_three_round_trips_then_the_tile_says_unavailable() -> None:
    tiles = [{"type": "news", "params": {"commune": "61001"}}, {"type": "canteen-menu", "params": {"canteen_id": "C1"}}]
    retried = FakeDynamo(store(), throttle=1, throttled_calls=2)
    answers, reader = run(tiles, retried)
    assert all("content" in a for a in answers) and reader.round_trips == 3

    starved = FakeDynamo(store(), throttle=1, throttled_calls=99)
    answers, reader = run(tiles, starved)
    assert reader.round_trips == MAX_ROUND_TRIPS
    assert answers[0]["error"]["status"] == 503 and answers[0]["error"]["type"] == "urn:poche:problem:tile-unavailable"
    assert "content" in answers[1]


def test_one_bad_tile_gets_an_error_entry_and_the_others_are_answered_in_order() -> None:
    answers, _ = run(
        [
            {"type": "weather", "params": {}},
            {"type": "news", "params": {"commune": "6100"}},
            {"type": "news", "params": {"commune": "61999"}},
            {"type": "departures", "params": {"stop_id": "S1"}},
            {"type": "news", "params": {"commune": "61001", "colour": "red"}},
            {"type": "canteen-menu", "params": {"canteen_id": "NOPE"}},
            "not a tile",
            {"type": "news", "params": {"commune": "61001"}},
        ]
    )
    assert [a.get("error", {}).get("status") for a in answers] == [404, 400, 404, 400, 400, 404, 400, None]
    assert answers[0]["type"] == "weather" and "departures" in answers[0]["error"]["detail"]
    assert answers[1]["error"]["invalid_params"][0]["name"] == "params.commune"
    assert answers[3]["error"]["invalid_params"][0]["name"] == "params.route_id"
    assert answers[4]["error"]["invalid_params"][0]["name"] == "params.colour"
    assert "NOPE" in answers[5]["error"]["detail"]
    assert answers[7]["content"]["items"]


def test_stale_when_the_source_was_not_read_for_too_long_or_never() -> None:
    old = store()
    old[("news-table", "FEED#news-rss", "STATE")] = {"fetched_at": "2026-11-30T05:00:00+00:00"}
    [tile], _ = run([{"type": "news", "params": {"commune": "61001"}}], FakeDynamo(old))
    assert tile["stale"] is True
    del old[("news-table", "FEED#news-rss", "STATE")]
    [tile], _ = run([{"type": "news", "params": {"commune": "61001"}}], FakeDynamo(old))
    assert tile["as_of"] is None and tile["stale"] is True


def test_a_commune_without_news_of_its_own_still_gets_the_departements() -> None:
    [tile], _ = run([{"type": "news", "params": {"commune": "61006"}}])
    assert [item["id"] for item in tile["content"]["items"]] == ["a", "c"]


@pytest.mark.parametrize(
    "body",
    [None, [], {"tiles": "news"}, {"tile": []}, {"tiles": [{"type": "news", "params": {"commune": "61001"}}] * 21}],
)
def test_a_request_that_is_not_a_home_screen_is_refused(body: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        requested_tiles(body)
    assert caught.value.field == "tiles"
