"""The personal API's rules without AWS: layouts against the catalogue, subscriptions, quiet hours, If-Match."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from home_shared.catalogue import TileType
from me.store import Expectation, gone_pk, topic_pk, user_pk
from me.validation import (
    MAX_LAYOUT_TILES,
    MAX_TOPICS,
    expectation,
    parse_subscriptions,
    requested_routes,
    route_problems,
    validate_layout,
)
from me.views import (
    EMPTY_LAYOUT_ETAG,
    index_items,
    layout_etag,
    layout_item,
    layout_view,
    subscriptions_record,
)
from poche_common.api import etag_of
from poche_common.errors import InvalidRequestError, UnprocessableError

NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
RACINE = "0610003X"  # Collège Jean Racine, Alençon


def tile_type(tile_id: str, params: tuple[str, ...]) -> TileType:
    return TileType(
        id=tile_id,
        title=tile_id,
        service="test",
        params=params,
        description="",
        table="t",
        keys=("{" + params[0] + "}",) if params else ("general",),
        sources=(),
        stale_after_s=None,
        limit=5,
        newest_first=False,
        must_exist=False,
        live=None,
    )


TYPES = {
    "departures": tile_type("departures", ("stop_id", "route_id")),
    "news": tile_type("news", ("commune",)),
    "school-notices": tile_type("school-notices", ("uai",)),
}


def problems_of(exc: pytest.ExceptionInfo[UnprocessableError]) -> dict[str, str]:
    return {p["name"]: p["reason"] for p in exc.value.params}


# --- layout --------------------------------------------------------------------------------------
def test_a_valid_layout_is_normalised_in_order() -> None:
    tiles = validate_layout(
        {
            "tiles": [
                {"type": "school-notices", "params": {"uai": " 0610003x "}},
                {"type": "news", "params": {"commune": "61001"}},
                {"type": "departures", "params": {"stop_id": "S1", "route_id": "R1"}},
            ]
        },
        TYPES,
    )
    assert tiles == [
        {"type": "school-notices", "params": {"uai": RACINE}},
        {"type": "news", "params": {"commune": "61001"}},
        {"type": "departures", "params": {"stop_id": "S1", "route_id": "R1"}},
    ]


def test_every_faulty_tile_is_named_in_one_422() -> None:
    with pytest.raises(UnprocessableError) as exc:
        validate_layout(
            {
                "tiles": [
                    {"type": "news", "params": {"commune": "61001"}},
                    {"type": "weather", "params": {}},
                    {"type": "departures", "params": {"route_id": "R1"}},
                    {"type": "news", "params": {"commune": "61999"}},
                    {"type": "school-notices", "params": {"uai": "0619999Z"}},
                    {"type": "news", "params": {"commune": "61001", "colour": "red"}},
                    "news",
                ]
            },
            TYPES,
        )
    found = problems_of(exc)
    assert set(found) == {
        "tiles[1].type",
        "tiles[2].params.stop_id",
        "tiles[3].params.commune",
        "tiles[4].params.uai",
        "tiles[5].params.colour",
        "tiles[6]",
    }
    assert "weather" in found["tiles[1].type"]


def test_more_than_30_tiles_is_a_400_naming_tiles() -> None:
    layout = {"tiles": [{"type": "news", "params": {"commune": "61001"}}] * MAX_LAYOUT_TILES}
    assert len(validate_layout(layout, TYPES)) == 30
    with pytest.raises(InvalidRequestError) as exc:
        validate_layout({"tiles": layout["tiles"] * 2}, TYPES)
    assert exc.value.field == "tiles"


@pytest.mark.parametrize("body", [None, [], {"tiles": "news"}, {"tiles": [], "owner": "someone"}])
def test_a_body_that_is_not_a_layout_is_a_400(body: Any) -> None:
    with pytest.raises(InvalidRequestError):
        validate_layout(body, TYPES)


# --- subscriptions -------------------------------------------------------------------------------
def test_valid_subscriptions_are_normalised() -> None:
    body = {
        "topics": [
            {"kind": "school", "id": "0610003x", "mode": "immediate"},
            {"kind": "route", "id": "L1", "mode": "digest"},
            {"kind": "traffic", "id": "61001", "mode": "immediate"},
            {"kind": "news", "id": "61001", "mode": "digest"},
            {"kind": "emergency", "mode": "immediate"},
        ],
        "quiet_hours": {"start": "22:00", "end": "07:00"},
    }
    subscriptions, problems = parse_subscriptions(body)
    assert problems == []
    assert [(t.kind, t.id, t.mode) for t in subscriptions.topics] == [
        ("school", RACINE, "immediate"),
        ("route", "L1", "digest"),
        ("traffic", "61001", "immediate"),
        ("news", "61001", "digest"),
        ("emergency", None, "immediate"),
    ]
    assert subscriptions.quiet_hours == {"start": "22:00", "end": "07:00"}
    assert requested_routes(body) == ["L1"]
    assert route_problems(body, {"L1"}) == []
    assert route_problems(body, set()) == [{"name": "topics[1].id", "reason": "Aucune ligne n'a l'identifiant « L1 »."}]


def test_unknown_schools_communes_duplicates_and_modes_are_named() -> None:
    _, problems = parse_subscriptions(
        {
            "topics": [
                {"kind": "school", "id": "0619999Z", "mode": "immediate"},
                {"kind": "news", "id": "61999", "mode": "digest"},
                {"kind": "traffic", "id": "75056", "mode": "digest"},
                {"kind": "emergency", "id": "61", "mode": "immediate"},
                {"kind": "route", "mode": "immediate"},
                {"kind": "weather", "id": "x", "mode": "immediate"},
                {"kind": "news", "id": "61001", "mode": "often"},
                {"kind": "school", "id": RACINE, "mode": "digest"},
                {"kind": "school", "id": RACINE.lower(), "mode": "immediate"},
            ],
            "quiet_hours": None,
        }
    )
    names = [p["name"] for p in problems]
    assert names == [
        "topics[0].id",
        "topics[1].id",
        "topics[2].id",
        "topics[3].id",
        "topics[4].id",
        "topics[5].kind",
        "topics[6].mode",
        "topics[8]",
    ]


def test_more_than_50_topics_is_a_400() -> None:
    topics = [{"kind": "route", "id": f"L{i}", "mode": "digest"} for i in range(MAX_TOPICS)]
    assert parse_subscriptions({"topics": topics, "quiet_hours": None})[1] == []
    with pytest.raises(InvalidRequestError) as exc:
        parse_subscriptions({"topics": [*topics, {"kind": "emergency", "mode": "digest"}], "quiet_hours": None})
    assert exc.value.field == "topics"


@pytest.mark.parametrize(
    ("quiet_hours", "names"),
    [
        (None, []),
        ({"start": "22:00", "end": "07:00"}, []),
        ({"start": "00:00", "end": "23:59"}, []),
        ({"start": "22:00"}, ["quiet_hours.end"]),
        ({"start": "7:00", "end": "24:00"}, ["quiet_hours.start", "quiet_hours.end"]),
        ({"start": "22:00", "end": "22:00"}, ["quiet_hours.end"]),
        ({"start": "22:00", "end": "07:00", "zone": "x"}, ["quiet_hours.zone"]),
        ("22:00-07:00", ["quiet_hours"]),
    ],
)
def test_quiet_hours_are_both_hh_mm_or_null(quiet_hours: Any, names: list[str]) -> None:
    subscriptions, problems = parse_subscriptions({"topics": [], "quiet_hours": quiet_hours})
    assert [p["name"] for p in problems] == names
    if not names:
        assert subscriptions.quiet_hours == quiet_hours


def test_the_subscribers_index_copies_mode_and_quiet_hours() -> None:
    subscriptions, _ = parse_subscriptions(
        {
            "topics": [{"kind": "school", "id": RACINE, "mode": "digest"}, {"kind": "emergency", "mode": "immediate"}],
            "quiet_hours": {"start": "21:30", "end": "06:45"},
        }
    )
    record = subscriptions_record(subscriptions, "rev", NOW)
    index = index_items("abc-123", record)
    assert set(index) == {f"TOPIC#school#{RACINE}", "TOPIC#emergency"}
    school = index[f"TOPIC#school#{RACINE}"]
    assert school["sk"] == "USER#abc-123" and school["mode"] == "digest" and school["topic_id"] == RACINE
    assert school["quiet_hours"] == {"start": "21:30", "end": "06:45"}
    assert index_items("abc-123", None) == {}


# --- ETag / If-Match ------------------------------------------------------------------------------
def test_the_etag_is_the_strong_etag_of_the_layout_body() -> None:
    empty = json.dumps({"tiles": [], "updated_at": None}, separators=(",", ":"))
    assert etag_of(empty) == EMPTY_LAYOUT_ETAG
    item = layout_item([{"type": "news", "params": {"commune": "61001"}}], NOW)
    view = layout_view(item)
    assert view == {
        "tiles": [{"type": "news", "params": {"commune": "61001"}}],
        "updated_at": "2026-11-30T09:00:00+01:00",
    }
    assert item["etag"] == layout_etag(view) and item["etag"] != EMPTY_LAYOUT_ETAG
    assert layout_item([], NOW + dt.timedelta(seconds=1))["etag"] != layout_item([], NOW)["etag"]


def test_if_match_expectations() -> None:
    assert expectation(None, EMPTY_LAYOUT_ETAG) is None
    assert expectation("  ", EMPTY_LAYOUT_ETAG) is None
    assert expectation("*", EMPTY_LAYOUT_ETAG) == Expectation(anything=True)
    assert expectation(EMPTY_LAYOUT_ETAG, EMPTY_LAYOUT_ETAG) == Expectation(absent=True)
    assert expectation('"abc"', EMPTY_LAYOUT_ETAG) == Expectation(etags=('"abc"',))
    assert expectation('"abc", "def"', EMPTY_LAYOUT_ETAG) == Expectation(etags=('"abc"', '"def"'))
    assert expectation('W/"abc"', EMPTY_LAYOUT_ETAG) == Expectation()  # weak tags never match a strong one


def test_expectations_become_conditions() -> None:
    assert Expectation(anything=True).condition() == (None, {})
    assert Expectation(absent=True).condition() == ("attribute_not_exists(pk)", {})
    assert Expectation(etags=('"a"',)).condition() == ("etag IN (:etag0)", {":etag0": {"S": '"a"'}})
    expression, values = Expectation(absent=True, etags=('"a"', '"b"')).condition()
    assert expression == "attribute_not_exists(pk) OR etag IN (:etag0, :etag1)" and len(values) == 2
    expression, _ = Expectation().condition()
    assert expression is not None and "attribute_exists(pk)" in expression  # never true


def test_keys_never_put_the_sub_in_a_tombstone() -> None:
    sub = "5f1c1c2e-0000-4000-8000-000000000001"
    assert user_pk(sub) == f"USER#{sub}"
    assert sub not in gone_pk(sub) and gone_pk(sub).startswith("GONE#") and len(gone_pk(sub)) == 5 + 64
    assert topic_pk("emergency", None) == "TOPIC#emergency"
    assert topic_pk("route", "L1") == "TOPIC#route#L1"
