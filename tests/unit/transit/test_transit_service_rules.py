"""The transit service's rules over an in-memory reader: the departures window, the lists and their cursors,
freshness, and the routes wired to fakes. No AWS, no environment variable, no module purge."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from support import http_api_event

from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.pagination import encode_cursor
from poche_common.text import fold
from transit import departures, handler, logic, params, policy
from transit.deps import Deps
from transit_gtfs.store import name_key as connector_name_key
from transit_shared.keys import name_key

ROOT = Path(__file__).resolve().parents[3]
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Paris
SETTINGS = logic.Settings()

Item = dict[str, Any]


class FakeReader:
    """The reader port over a dict of items; remembers the reads (each is one DynamoDB round trip in the store)."""

    def __init__(self, *items: Item) -> None:
        self.items = {(item["pk"], item["sk"]): item for item in items}
        self.calls: list[str] = []
        self.read_limits: list[int] = []

    def fetched_at(self, connector: str) -> str | None:
        self.calls.append("fetched_at")
        return self.items.get((f"FEED#{connector}", "STATE"), {}).get("fetched_at")

    def feed_states(self, connectors: Iterable[str]) -> dict[str, Item]:
        self.calls.append("feed_states")
        return {c: self.items[(f"FEED#{c}", "STATE")] for c in connectors if (f"FEED#{c}", "STATE") in self.items}

    def _listed(self, list_key: str, prefix: str | None, limit: int, start: dict[str, Any] | None) -> logic.Page:
        found = sorted(
            (
                i
                for i in self.items.values()
                if i.get("gsi2pk") == list_key and str(i["gsi2sk"]).startswith(prefix or "")
            ),
            key=lambda i: str(i["gsi2sk"]),
        )
        if start is not None:
            found = [i for i in found if str(i["gsi2sk"]) > start["gsi2sk"]]
        return found[:limit], ({"gsi2sk": found[limit - 1]["gsi2sk"]} if len(found) > limit else None)

    def stops(self, name_prefix: str | None, limit: int, start: dict[str, Any] | None) -> logic.Page:
        self.calls.append("stops")
        return self._listed("STOPS", name_prefix, limit, start)

    def routes(self, limit: int, start: dict[str, Any] | None) -> logic.Page:
        self.calls.append("routes")
        return self._listed("ROUTES", None, limit, start)

    def stops_in_cells(self, cells: list[str]) -> list[Item]:
        self.calls.append("stops_in_cells")
        wanted = {f"CELL#{cell}" for cell in cells}
        return [i for i in self.items.values() if i.get("gsi1pk") in wanted]

    def departures(self, stop_id: str, first_sk: str, last_sk: str, *, limit: int) -> tuple[list[Item], bool]:
        self.calls.append("departures")
        self.read_limits.append(limit)
        found = sorted(
            (i for (pk, sk), i in self.items.items() if pk == f"STOP#{stop_id}" and first_sk <= sk <= last_sk),
            key=lambda i: str(i["sk"]),
        )
        return found[:limit], len(found) > limit

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Item]:
        self.calls.append("get_many")
        wanted = list(dict.fromkeys(keys))
        assert len(wanted) <= policy.MAX_BATCH_KEYS
        return {key: self.items[key] for key in wanted if key in self.items}

    def route_and_vehicles(self, route_id: str) -> tuple[Item | None, list[Item]]:
        self.calls.append("route_and_vehicles")
        vehicles = [i for (pk, sk), i in self.items.items() if pk == f"ROUTE#{route_id}" and sk.startswith("VEH#")]
        return self.items.get((f"ROUTE#{route_id}", "PROFILE")), vehicles

    def alerts(self) -> list[Item]:
        self.calls.append("alerts")
        return [i for (pk, _), i in self.items.items() if pk == "ALERTS"]


def state(connector: str, fetched: dt.datetime) -> Item:
    return {"pk": f"FEED#{connector}", "sk": "STATE", "fetched_at": fetched.isoformat()}


def stop(stop_id: str = "SEE_CATH", name: str = "Sées - Cathédrale", lat: float = 48.6, lon: float = 0.17) -> Item:
    return {
        "pk": f"STOP#{stop_id}",
        "sk": "PROFILE",
        "stop_id": stop_id,
        "name": name,
        "lat": lat,
        "lon": lon,
        "gsi1pk": "CELL#" + stop_id,
        "gsi2pk": "STOPS",
        "gsi2sk": name_key(name) + "#" + stop_id,
    }


def departure(minutes: float, trip: str = "T1", route: str = "L10", stop_id: str = "SEE_CATH") -> Item:
    scheduled = (NOW + dt.timedelta(minutes=minutes)).isoformat()
    return {
        "pk": f"STOP#{stop_id}",
        "sk": f"DEP#{scheduled}#{trip}",
        "stop_id": stop_id,
        "trip_id": trip,
        "route_id": route,
        "route_short_name": route[1:],
        "headsign": "Alençon",
        "service_date": "2026-11-30",
        "stop_sequence": 5,
        "scheduled": scheduled,
    }


def realtime(trip: str, delay_s: int, expires: dt.datetime = NOW + dt.timedelta(minutes=10)) -> Item:
    return {
        "pk": f"TRIP#{trip}",
        "sk": "RT#2026-11-30",
        "feed_timestamp": (NOW - dt.timedelta(seconds=30)).isoformat(),
        "updates": [{"stop_sequence": 5, "departure_delay": delay_s}],
        "expires_at": int(expires.timestamp()),
    }


def next_departures(reader: FakeReader, **query: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"stop_id": "SEE_CATH", "route_id": None, "limit": 10, "cursor": None, **query}
    return departures.departures(reader, SETTINGS, NOW, **arguments)


# ---------------------------------------------------------------- the departures window


def test_departures_are_the_window_from_a_little_before_now_in_two_reads() -> None:
    reader = FakeReader(
        stop(),
        state("transit-gtfs", NOW - dt.timedelta(hours=3)),
        departure(-20, "GONE_LONG_AGO"),  # before the 15-minute look-back: not even read
        departure(-10, "GONE"),  # read, but gone (no real time: shown until 2 minutes after)
        departure(-1, "JUST_LEFT"),  # within the timetable's grace
        departure(5, "T1"),
        departure(10, "T2"),
        departure(72 * 60 + 1, "TOO_FAR"),  # beyond the 72-hour window
    )
    payload = next_departures(reader)
    assert [d["trip_id"] for d in payload["items"]] == ["JUST_LEFT", "T1", "T2"]
    assert reader.calls == ["departures", "get_many"]  # two DynamoDB round trips, the feed state in the second
    assert reader.read_limits == [10 * policy.CANDIDATE_FACTOR + policy.CANDIDATE_EXTRA]
    assert payload["stop"] == {"stop_id": "SEE_CATH", "name": "Sées - Cathédrale"}
    assert payload["next"] is None and payload["realtime_as_of"] is None
    assert (payload["as_of"], payload["stale"]) == ("2026-11-30T05:00:00+01:00", False)
    first, last = departures.window(NOW, None)
    assert first == "DEP#2026-11-30T06:45:00+00:00" and last == "DEP#2026-12-03T07:00:00+00:00#~"
    assert departures.window(NOW, "DEP#2026-11-30T07:05:00+00:00#T1")[0] == "DEP#2026-11-30T07:05:00+00:00#T1"
    assert departures.window(NOW, "DEP#2026-11-30T06:00:00+00:00#T0")[0] == first  # never before the look-back


def test_real_time_orders_the_page_by_expected_time_and_dates_it() -> None:
    reader = FakeReader(stop(), departure(5, "LATE"), departure(7, "ON_TIME"), realtime("LATE", 6 * 60))
    payload = next_departures(reader)
    assert [(d["trip_id"], d["delay_s"], d["realtime"]) for d in payload["items"]] == [
        ("ON_TIME", None, False),
        ("LATE", 360, True),
    ]
    assert payload["realtime_as_of"] == "2026-11-30T07:59:30+01:00"
    assert payload["stale"] is True and payload["as_of"] is None  # the timetable was never read


def test_expired_real_time_is_ignored() -> None:
    reader = FakeReader(stop(), departure(5, "T1"), realtime("T1", 600, expires=NOW - dt.timedelta(seconds=1)))
    [only] = next_departures(reader)["items"]
    assert (only["realtime"], only["delay_s"]) == (False, None)


def test_pages_resume_after_the_last_departure_shown_and_a_cursor_belongs_to_its_query() -> None:
    reader = FakeReader(stop(), *(departure(m, f"T{m}") for m in (3, 6, 9)))
    first = next_departures(reader, limit=2)
    assert [d["trip_id"] for d in first["items"]] == ["T3", "T6"] and first["next"] is not None
    second = next_departures(reader, limit=2, cursor=first["next"])
    assert [d["trip_id"] for d in second["items"]] == ["T9"] and second["next"] is None
    with pytest.raises(InvalidRequestError) as other_route:
        next_departures(reader, limit=2, route_id="L20", cursor=first["next"])
    forged = encode_cursor("departures|SEE_CATH|", {"sk": "STOP#SEE_CATH"})
    with pytest.raises(InvalidRequestError) as not_a_departure:
        next_departures(reader, cursor=forged)
    assert other_route.value.field == not_a_departure.value.field == "cursor"


def test_a_route_filter_reads_more_and_keeps_that_route() -> None:
    reader = FakeReader(stop(), departure(3, "A", "L20"), departure(4, "B"), departure(5, "C", "L20"))
    payload = next_departures(reader, route_id="L20")
    assert [d["trip_id"] for d in payload["items"]] == ["A", "C"]
    assert reader.read_limits == [policy.ROUTE_FILTER_READ]


def test_no_more_candidates_than_one_batch_read_holds() -> None:
    reader = FakeReader(stop(), *(departure(1 + n / 10, f"T{n:03d}") for n in range(150)))
    payload = next_departures(reader, limit=50, route_id="L10")
    assert len(payload["items"]) == 50 and payload["next"] is not None
    assert reader.calls == ["departures", "get_many"]


def test_an_unknown_stop_is_a_404_after_the_same_two_reads() -> None:
    reader = FakeReader()
    with pytest.raises(NotFoundError, match="NOPE"):
        next_departures(reader, stop_id="NOPE")
    assert reader.calls == ["departures", "get_many"]


# ---------------------------------------------------------------- lists


def test_stops_near_a_position_nearest_first_and_a_forged_cursor_is_a_400() -> None:
    reader = FakeReader(
        stop("A", "A", 48.4310, 0.0876), stop("B", "B", 48.4320, 0.0876), stop("FAR", "F", 48.5, 0.0876)
    )
    reader.stops_in_cells = lambda cells: [reader.items[(f"STOP#{s}", "PROFILE")] for s in ("FAR", "B", "A")]  # type: ignore[method-assign]
    near: dict[str, Any] = {"lat": 48.4310, "lon": 0.0876, "radius": 500}
    first = logic.stops_near(reader, SETTINGS, NOW, **near, limit=1, cursor=None)
    assert [(s["stop_id"], s["distance_m"]) for s in first["items"]] == [("A", 0)]
    second = logic.stops_near(reader, SETTINGS, NOW, **near, limit=1, cursor=first["next"])
    assert [(s["stop_id"], s["distance_m"]) for s in second["items"]] == [("B", 111)] and second["next"] is None
    scope = "stops-near|48.431|0.0876|500"
    for forged in ({"after": "B"}, {"after": [True, "B"]}, {"after": [1.0]}, {"position": 1}):
        with pytest.raises(InvalidRequestError):
            logic.stops_near(reader, SETTINGS, NOW, **near, limit=1, cursor=encode_cursor(scope, forged))


def test_stops_by_name_page_on_the_folded_name() -> None:
    reader = FakeReader(stop("A", "Alençon - Gare"), stop("B", "Alençon - Halle"), stop("C", "Sées"))
    first = logic.stops(reader, SETTINGS, NOW, prefix=params.name_prefix("ALENÇON"), limit=1, cursor=None)
    assert [s["stop_id"] for s in first["items"]] == ["A"]
    second = logic.stops(reader, SETTINGS, NOW, prefix="alencon", limit=1, cursor=first["next"])
    assert [s["stop_id"] for s in second["items"]] == ["B"]
    with pytest.raises(InvalidRequestError):  # a cursor of another search
        logic.stops(reader, SETTINGS, NOW, prefix="sees", limit=1, cursor=first["next"])


def test_vehicles_expired_or_without_position_are_not_shown_and_an_unknown_route_is_a_404() -> None:
    live = int((NOW + dt.timedelta(minutes=2)).timestamp())
    reader = FakeReader(
        {"pk": "ROUTE#L10", "sk": "PROFILE", "route_id": "L10", "short_name": "10", "type": "bus"},
        {"pk": "ROUTE#L10", "sk": "VEH#B", "vehicle_id": "B", "lat": 48.4, "lon": 0.1, "expires_at": live},
        {"pk": "ROUTE#L10", "sk": "VEH#A", "vehicle_id": "A", "lat": 48.5, "lon": 0.1},
        {"pk": "ROUTE#L10", "sk": "VEH#C", "vehicle_id": "C", "lat": 48.5, "lon": 0.1, "expires_at": live - 180},
        {"pk": "ROUTE#L10", "sk": "VEH#D", "vehicle_id": "D", "expires_at": live},
        state("transit-gtfs-rt", NOW - dt.timedelta(minutes=4)),
        state("transit-siri-lite", NOW - dt.timedelta(minutes=1)),
    )
    payload = logic.vehicles(reader, SETTINGS, NOW, route_id="L10", limit=1, cursor=None)
    assert [v["vehicle_id"] for v in payload["items"]] == ["A"] and payload["route"]["route_id"] == "L10"
    assert (payload["as_of"], payload["stale"]) == ("2026-11-30T07:59:00+01:00", False)  # the newest real-time read
    rest = logic.vehicles(reader, SETTINGS, NOW, route_id="L10", limit=1, cursor=payload["next"])
    assert [v["vehicle_id"] for v in rest["items"]] == ["B"] and rest["next"] is None
    with pytest.raises(NotFoundError):
        logic.vehicles(reader, SETTINGS, NOW, route_id="L99", limit=1, cursor=None)


def test_real_time_is_stale_when_no_real_time_connector_is_configured_or_read() -> None:
    reader = FakeReader(state("transit-gtfs-rt", NOW - dt.timedelta(minutes=4)))
    assert logic.realtime_freshness(reader, SETTINGS, NOW)["stale"] is True  # 4 minutes > 3
    assert logic.realtime_freshness(reader, logic.Settings(realtime_connectors=()), NOW) == {
        "as_of": None,
        "stale": True,
    }
    assert reader.calls == ["feed_states"]  # no connector configured: nothing read


def test_alerts_in_force_about_a_route_or_the_whole_network() -> None:
    ended = [{"start": "2026-11-29T00:00:00Z", "end": "2026-11-30T06:00:00Z"}]
    reader = FakeReader(
        {"pk": "ALERTS", "sk": "ALERT#gtfs-rt#1", "informed": [{"route_id": "L10"}]},
        {"pk": "ALERTS", "sk": "ALERT#gtfs-rt#2", "informed": [{"route_id": "L20"}]},
        {"pk": "ALERTS", "sk": "ALERT#gtfs-rt#3"},  # the whole network
        {"pk": "ALERTS", "sk": "ALERT#gtfs-rt#4", "informed": [{"route_id": "L10"}], "active_periods": ended},
        {"pk": "ALERTS", "sk": "ALERT#gtfs-rt#5", "expires_at": int(NOW.timestamp())},
    )
    payload = logic.alerts(reader, SETTINGS, NOW, route_id="L10", stop_id=None, limit=10, cursor=None)
    assert [a["alert_id"] for a in payload["items"]] == ["1", "3"]


# ---------------------------------------------------------------- parameters and the name key


def test_parameters_are_read_or_refused_naming_themselves() -> None:
    assert params.near(" 48.43, 0.09") == (48.43, 0.09) and params.near(None) is None
    assert params.radius(None) == policy.DEFAULT_RADIUS_M and params.radius("2000") == 2000
    assert params.name_prefix("Sées – Cathédrale") == "sees cathedrale"
    refusals = [
        (lambda: params.near("48.4;0.1"), "near"),
        (lambda: params.near("86,0"), "near"),
        (lambda: params.radius("2001"), "radius"),
        (lambda: params.name_prefix("-é-"), "q"),
        (lambda: params.identifier("A#B", "stop_id"), "stop_id"),
        (lambda: params.stop_search(True, "gare", False), "q"),
        (lambda: params.stop_search(False, None, True), "radius"),
    ]
    for refuse, field in refusals:
        with pytest.raises(InvalidRequestError) as error:
            refuse()
        assert error.value.field == field


CODE_POINTS = [  # Latin, letterlike symbols and number forms, CJK squared units, ligatures, math alphanumerics
    *range(0x20, 0x3000),
    *range(0x3200, 0x3400),
    *range(0xA700, 0xA800),
    *range(0xFB00, 0xFFF0),
    *range(0x1D400, 0x1D800),
    *range(0x1F100, 0x1F200),
]


def test_a_search_is_folded_exactly_as_the_connector_keys_stop_names() -> None:
    """The contract with `transit-gtfs` (`gsi2sk` of stops): each character between two letters, so that one
    dropped here and turned into a space there would show."""
    text = "a".join(chr(c) for c in CODE_POINTS if not 0xD800 <= c <= 0xDFFF)
    assert name_key(text) == connector_name_key(text)
    assert fold("№ 5 ℌ") != name_key("№ 5 ℌ") == "no 5 h"  # why it is not poche_common.text.fold


# ---------------------------------------------------------------- the routes, wired to fakes


def test_the_routes_answer_from_the_injected_reader_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    reader = FakeReader(stop(), departure(5, "T1"), state("transit-gtfs", NOW))
    route = "GET /v1/transit/stops/{stop_id}/departures"
    event = http_api_event(route, "/v1/transit/stops/SEE_CATH/departures", path_parameters={"stop_id": "SEE_CATH"})
    with handler.dependencies.override(Deps(reader, SETTINGS)):
        response = handler.handler(event, lambda_context)
        refused = handler.handler({**event, "queryStringParameters": {"limit": "51"}}, lambda_context)
    assert response["statusCode"] == 200 and response["headers"]["Cache-Control"] == "public, max-age=15"
    assert [d["trip_id"] for d in json.loads(response["body"])["items"]] == ["T1"]
    assert refused["statusCode"] == 400 and json.loads(refused["body"])["invalid_params"][0]["name"] == "limit"
    assert reader.calls == ["departures", "get_many"]


def test_importing_the_handler_reads_no_environment_and_builds_nothing() -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('TABLE_NAME', None)\n"
        "import transit.handler as h\n"
        "assert h.dependencies._value is None\n"
        "assert 'boto3' not in sys.modules, 'boto3 is imported by the first request, not at cold start'\n"
    )
    paths = ("functions", "layers/common/python", "layers/transit/python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in paths), "POWERTOOLS_SERVICE_NAME": "t"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
