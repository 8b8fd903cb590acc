"""The agenda service's rules over an in-memory reader: partitions read, cursors, freshness of several feeds, 404s,
and the routes wired to fakes. No AWS, no environment variable, no module purge."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from support import http_api_event

from agenda import handler, logic
from agenda.deps import Deps
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.pagination import encode_cursor

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)
DAY = dt.date(2026, 12, 1)
Item = dict[str, Any]


class FakeReader:
    def __init__(self, occurrences: list[Item] = (), **fetched: str) -> None:  # type: ignore[assignment]
        self.occurrence_items = list(occurrences)
        self.fetched = fetched  # connector (underscores for dashes) -> fetched_at
        self.profiles: dict[str, Item] = {}
        self.cinema_profiles: dict[str, Item] = {}
        self.calls: list[tuple[str, Any]] = []

    def occurrences(
        self,
        partitions: list[logic.Partition],
        lower: str,
        upper: str,
        *,
        after: str | None,
        accept: Callable[[Item], bool],
        limit: int,
        max_examined: int,
    ) -> tuple[list[Item], str | None]:
        self.calls.append(("occurrences", [value for _, _, value in partitions]))
        keys = sorted(
            (i for i in self.occurrence_items if lower <= i["gsi2sk"] <= upper and (after or "") < i["gsi2sk"]),
            key=lambda i: str(i["gsi2sk"]),
        )
        found = [i for i in keys if accept(i)]
        return found[:limit], (found[limit - 1]["gsi2sk"] if len(found) > limit else None)

    def profile(self, event_id: str) -> Item | None:
        self.calls.append(("profile", event_id))
        return self.profiles.get(event_id)

    def event_occurrences(self, event_id: str, *, limit: int, accept: Callable[[Item], bool]) -> list[Item]:
        return [o for o in self.occurrence_items if o["event_id"] == event_id and accept(o)][:limit]

    def cinemas(self, commune: str | None, *, after: str | None, limit: int) -> tuple[list[Item], str | None]:
        return list(self.cinema_profiles.values())[:limit], None

    def cinema(self, cinema_id: str) -> Item | None:
        self.calls.append(("cinema", cinema_id))
        return self.cinema_profiles.get(cinema_id)

    def sessions(self, cinema_id: str, lower: str, upper: str) -> list[Item]:
        return []

    def fetched_at(self, connector: str) -> str | None:
        self.calls.append(("fetched_at", connector))
        return self.fetched.get(connector.replace("-", "_"))


def occurrence(event_id: str, begin: str, title: str = "Concert", **extra: Any) -> Item:
    end = (dt.datetime.fromisoformat(begin) + dt.timedelta(hours=2)).isoformat()
    return {
        "event_id": event_id,
        "title": title,
        "categories": ["concert"],
        "begin": begin,
        "end": end,
        "gsi2sk": f"{begin}#{event_id}",
        **extra,
    }


def events(reader: FakeReader, **query: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "commune": None,
        "start": DAY,
        "end": DAY + dt.timedelta(days=30),
        "category": None,
        "folded_q": None,
        "limit": 10,
        "cursor": None,
        **query,
    }
    return logic.events(reader, 3600, NOW, **arguments)


def test_a_territory_list_reads_the_months_of_the_range_and_a_commune_its_partition() -> None:
    reader = FakeReader([occurrence("openagenda:1", "2026-12-02T19:00:00+00:00")], agenda_openagenda=NOW.isoformat())
    events(reader, end=dt.date(2027, 1, 15))
    events(reader, commune="61001")
    reads = [arguments for name, arguments in reader.calls if name == "occurrences"]
    assert reads == [["ALL#2026-11", "ALL#2026-12", "ALL#2027-01"], ["COMMUNE#61001"]]


def test_filters_pages_and_a_cursor_out_of_the_range_is_a_400() -> None:
    reader = FakeReader(
        [
            occurrence("openagenda:1", "2026-12-02T19:00:00+00:00", "Théâtre : Les Fourberies"),
            occurrence("openagenda:2", "2026-12-03T19:00:00+00:00", "Concert"),
            occurrence("openagenda:3", "2026-12-04T19:00:00+00:00", "Le théâtre du Soleil"),
            occurrence("openagenda:4", "2026-12-05T19:00:00+00:00", "Theatre", expires_at=int(NOW.timestamp())),
        ],
        agenda_openagenda=NOW.isoformat(),
    )
    first = events(reader, folded_q=logic.parse_q("THÉÂTRE"), limit=1)
    assert [i["event_id"] for i in first["items"]] == ["openagenda:1"]
    rest = events(reader, folded_q="theatre", limit=1, cursor=first["next"])
    assert [i["event_id"] for i in rest["items"]] == ["openagenda:3"] and rest["next"] is None
    scope = f"agenda-events||{DAY}|{DAY + dt.timedelta(days=30)}||"
    for position in ({"after": "2026-11-01T00:00:00+00:00#x"}, {"after": 3}, {"from": "x"}):
        with pytest.raises(InvalidRequestError) as error:
            events(reader, cursor=encode_cursor(scope, position))
        assert error.value.field == "cursor"


def test_as_of_is_the_oldest_feed_and_stale_when_one_was_never_read() -> None:
    reader = FakeReader(agenda_openagenda="2026-12-01T08:00:00+00:00")
    payload = events(reader)
    assert (payload["as_of"], payload["stale"]) == ("2026-12-01T09:00:00+01:00", False)
    assert logic.oldest_fetched_at(reader, ("agenda-openagenda", "agenda-other")) is None
    reader.fetched["agenda_other"] = "2026-11-30T08:00:00+00:00"
    assert logic.oldest_fetched_at(reader, ("agenda-openagenda", "agenda-other")) == "2026-11-30T08:00:00+00:00"
    never = FakeReader()
    assert events(never)["stale"] is True and events(never)["as_of"] is None


def test_an_unknown_malformed_or_expired_event_or_cinema_is_a_404_and_a_malformed_id_reads_nothing() -> None:
    reader = FakeReader()
    reader.profiles["openagenda:9"] = {"event_id": "openagenda:9", "title": "T", "expires_at": int(NOW.timestamp())}
    for event_id in ("openagenda:1", "openagenda:9", "no-colon", "openagenda:" + "x" * 65):
        with pytest.raises(NotFoundError):
            logic.event(reader, 3600, NOW, event_id=event_id)
    with pytest.raises(NotFoundError):
        logic.sessions(reader, 3600, NOW, cinema_id="Bad Id", day=DAY)
    assert [call for call in reader.calls if call[0] in ("profile", "cinema")] == [
        ("profile", "openagenda:1"),
        ("profile", "openagenda:9"),
    ]


def test_the_routes_answer_from_the_injected_reader_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    reader = FakeReader([occurrence("openagenda:1", "2026-12-02T19:00:00+00:00")], agenda_openagenda=NOW.isoformat())
    reader.profiles["openagenda:1"] = {"event_id": "openagenda:1", "title": "Concert"}
    route = "GET /v1/events/{event_id}"
    event = http_api_event(route, "/v1/events/openagenda%3A1", path_parameters={"event_id": "openagenda%3A1"})
    with handler.dependencies.override(Deps(reader, stale_after_s=3600)):
        detail = handler.handler(event, lambda_context)
        listed = handler.handler(http_api_event("GET /v1/events", "/v1/events", query={"to": "2026-11-30"}), None)
    assert detail["statusCode"] == 200 and detail["headers"]["Cache-Control"] == "public, max-age=900"
    payload = json.loads(detail["body"])
    assert payload["event_id"] == "openagenda:1" and len(payload["occurrences"]) == 1 and payload["stale"] is False
    assert listed["statusCode"] == 400 and json.loads(listed["body"])["invalid_params"][0]["name"] == "to"
