"""The transit-gtfs-rt and transit-siri-lite connectors against moto, invoked as EventBridge Scheduler invokes them.

On the `cloud` fixture: the transit table, the bus and the source parameters of the synthesized templates
(`infra/poche_infra/domains/transit.py`), each connector imported with its deployed environment; each test starts
with the static trip -> route chunk of `transit-gtfs` written as that connector writes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from google.transit import gtfs_realtime_pb2 as pb
from support import Cloud, table_items

from poche_common.dynamo import from_item

ROOT = Path(__file__).resolve().parents[2]
GTFS_RT_SAMPLES = ROOT / "functions/connectors/transit_gtfs_rt/sample"
SIRI_SAMPLE = ROOT / "functions/connectors/transit_siri_lite/sample/stop-monitoring.json"
T0 = dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=dt.UTC)  # 20 s after the samples' header timestamp
T0_S = int(T0.timestamp())
WRITES = ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem")
TRIP_ATTRIBUTES = {"pk", "sk", "source", "feed_timestamp", "cancelled", "updates", "digest", "expires_at"}
# the static sample's trips (functions/connectors/transit_gtfs/sample): route, first departure (s from noon - 12 h)
STATIC_ROUTES = {
    "10-SEM-0715-R": "L10",
    "10-SEM-1215": "L10",
    "10-SEM-1740": "L10",
    "20-SEM-0730": "L20",
    "20-SEM-1300-R": "L20",
    "20-SEM-1645": "L20",
    "30-SEM-0800": "L30",
}
STATIC_STARTS = {
    "10-SEM-0715-R": 26100,
    "10-SEM-1215": 44100,
    "10-SEM-1740": 63600,
    "20-SEM-0730": 27000,
    "20-SEM-1300-R": 46800,
    "20-SEM-1645": 60300,
    "30-SEM-0800": 28800,
}


class Transit:
    """The transit table of the provisioned platform, and how to run a real-time connector against it."""

    def __init__(self, cloud: Cloud, tmp_path: Path, lambda_context: Any) -> None:
        self.cloud = cloud
        self.dynamodb = cloud.clients["dynamodb"]
        self.tmp_path = tmp_path
        self.lambda_context = lambda_context
        self.table = cloud.table("transit_gtfs_rt")

    def load(self, connector: str, sources: Sequence[str | Path] | None = None) -> Any:
        """The connector's handler module, imported fresh (a new Lambda sandbox) with its deployed environment,
        with its sources (none: its deployed source parameter, `bundled`)."""
        variable = "POCHE_SOURCE_" + connector.upper().replace("-", "_")
        if sources is None:
            self.cloud.monkeypatch.delenv(variable, raising=False)
        else:
            self.cloud.monkeypatch.setenv(variable, ",".join(s.as_uri() if isinstance(s, Path) else s for s in sources))
        module = self.cloud.load(connector.replace("-", "_"))
        module.calls = Counter()
        module.dependencies.get().client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: module.calls.update([model.name])
        )
        return module

    def run(self, module: Any, at: dt.datetime = T0) -> dict[str, Any]:
        module.calls.clear()
        module.utc_now = lambda: at
        report: dict[str, Any] = module.handler({"trigger": "schedule", "connector": "x"}, self.lambda_context)
        return report

    def file(self, name: str, data: bytes) -> Path:
        path = self.tmp_path / name
        path.write_bytes(data)
        return path

    def items(self, prefix: str = "") -> dict[tuple[str, str], dict[str, Any]]:
        """Domain items (not FEED#...), by key."""
        found = {}
        for raw in table_items(self.table):
            item = from_item(raw)
            if not item["pk"].startswith("FEED#") and item["pk"].startswith(prefix):
                found[(item["pk"], item["sk"])] = item
        return found

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self.dynamodb.get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
        return from_item(response["Item"]) if "Item" in response else None

    def state(self, connector: str) -> dict[str, Any]:
        state = self.item(f"FEED#{connector}", "STATE")
        assert state is not None
        return state

    def events(self) -> list[dict[str, Any]]:
        return self.cloud.bus_events()

    def set_static_trips(self, trips: dict[str, str], digest: str, starts: dict[str, int] | None = None) -> None:
        """`FEED#transit-gtfs / TRIPS#0000` as the static connector writes it."""
        starts = STATIC_STARTS if starts is None else starts
        self.dynamodb.put_item(
            TableName=self.table,
            Item={
                "pk": {"S": "FEED#transit-gtfs"},
                "sk": {"S": "TRIPS#0000"},
                "trips": {"M": {trip: {"S": route} for trip, route in trips.items()}},
                "starts": {"M": {trip: {"N": str(start)} for trip, start in starts.items()}},
                "timezone": {"S": "Europe/Paris"},
                "digest": {"S": digest},
            },
        )


@pytest.fixture
def transit(cloud: Cloud, tmp_path: Path, lambda_context: Any) -> Transit:
    world = Transit(cloud, tmp_path, lambda_context)
    world.set_static_trips(STATIC_ROUTES, digest="static-v1")
    return world


def posix_time(*parts: int) -> int:
    return calendar.timegm((*parts, 0))


def sample(name: str) -> bytes:
    return (GTFS_RT_SAMPLES / name).read_bytes()


def restamped(data: bytes, *, seconds: int = 60, edit: Callable[[Any], None] | None = None) -> bytes:
    """The same GTFS-RT feed, its header timestamp moved (and optionally edited)."""
    message = pb.FeedMessage()
    message.ParseFromString(data)
    message.header.timestamp += seconds
    if edit is not None:
        edit(message)
    return message.SerializeToString()


def entity(message: Any, entity_id: str) -> Any:
    return next(e for e in message.entity if e.id == entity_id)


def drop(*ids: str) -> Callable[[Any], None]:
    def edit(message: Any) -> None:
        kept = [e for e in message.entity if e.id not in ids]
        del message.entity[:]
        message.entity.extend(kept)

    return edit


# ---------------------------------------------------------------- transit-gtfs-rt


def test_mixed_sample_stores_trips_vehicles_and_alerts_as_the_model_says(transit: Transit) -> None:
    module = transit.load("transit-gtfs-rt")

    report = transit.run(module)

    assert report["status"] == "succeeded" and report["sources"] == ["bundled"]
    assert (report["read"], report["changed"], report["rejected"]) == (12, 11, 1)
    assert report["rejections"] == [
        {
            "source": 1,
            "entity": "vp-orne-999",
            "reason": "vehicle : coordonnées hors limites (latitude 148.6, longitude 0.17).",
        }
    ]
    assert (report["feed_timestamp"], report["feed_age_s"], report["unchanged"]) == (
        "2026-11-30T07:30:00+00:00",
        20,
        False,
    )

    late = transit.item("TRIP#20-SEM-0730", "RT#2026-11-30")
    assert late is not None and set(late) == TRIP_ATTRIBUTES | {"vehicle_id"}
    assert (late["source"], late["cancelled"], late["vehicle_id"]) == ("gtfs-rt", False, "orne-201")
    assert late["feed_timestamp"] == "2026-11-30T07:30:00+00:00"
    assert late["expires_at"] == T0_S + 600
    assert late["updates"][1] == {
        "stop_sequence": 5,
        "stop_id": "MOR_HOP",
        "arrival_delay": 180,
        "departure_delay": 180,
        "skipped": False,
    }
    cancelled = transit.item("TRIP#10-SEM-1215", "RT#2026-11-30")
    assert cancelled is not None and set(cancelled) == TRIP_ATTRIBUTES
    assert (cancelled["cancelled"], cancelled["updates"]) == (True, [])
    undated = transit.item("TRIP#30-SEM-0800", "RT#2026-11-30")  # no start_date: resolved
    assert undated is not None and undated["updates"][1]["arrival_time"] == "2026-11-30T07:44:00+00:00"

    vehicles = transit.items("ROUTE#")
    assert sorted(vehicles) == [
        ("ROUTE#L10", "VEH#orne-101"),
        ("ROUTE#L20", "VEH#orne-201"),
        ("ROUTE#L30", "VEH#orne-301"),
    ]
    car = vehicles[("ROUTE#L30", "VEH#orne-301")]
    assert car == {
        "pk": "ROUTE#L30",
        "sk": "VEH#orne-301",
        "vehicle_id": "orne-301",
        "label": "Car 301",
        "trip_id": "30-SEM-0800",
        "lat": 48.566,
        "lon": 0.381,
        "bearing": 120,
        "speed": 19.5,
        "current_status": "in_transit_to",
        "stop_id": "MOR_GDG",
        "occupancy_status": "many_seats_available",
        "timestamp": "2026-11-30T07:29:40+00:00",
        "expires_at": T0_S + 300,
    }
    assert vehicles[("ROUTE#L20", "VEH#orne-201")]["trip_id"] == "20-SEM-0730"  # route from the static trips

    works = transit.item("ALERTS", "ALERT#gtfs-rt#travaux-mortagne")
    assert works == {
        "pk": "ALERTS",
        "sk": "ALERT#gtfs-rt#travaux-mortagne",
        "cause": "construction",
        "effect": "stop_moved",
        "header": "Ligne 20 : l'arrêt Mortagne-au-Perche - Hôpital est déplacé",
        "description": "Travaux jusqu'au 18 décembre : l'arrêt est déplacé de 150 m, rue de l'Hôpital.",
        "url": "https://bus-orne.example.org/infos/travaux-mortagne",
        "active_periods": [{"start": "2026-11-23T05:00:00+00:00", "end": "2026-12-18T19:00:00+00:00"}],
        "informed": [{"route_id": "L20"}, {"stop_id": "MOR_HOP"}],
        "expires_at": T0_S + 1800,
    }
    assert len(transit.items("ALERTS")) == 3

    state = transit.state("transit-gtfs-rt")
    assert state["feed_timestamp"] == "2026-11-30T07:30:00+00:00"
    assert re.fullmatch(r"[0-9a-f]{32}", state["payload_digest"])
    assert state["last_run"]["feed_age_s"] == 20 and "fetched_at" in state

    events = transit.events()
    assert [(e["source"], e["detail-type"]) for e in events] == [("poche.transit", "RealtimeUpdated")]
    detail = events[0]["detail"]
    assert detail["trips"] == {"created": 5, "updated": 0, "deleted": 0}
    assert detail["vehicles"] == {"created": 3, "updated": 0, "deleted": 0}
    assert detail["cancelled_trip_ids"] == ["10-SEM-1215"]
    neige = next(a for a in detail["alert_changes"] if a["alert_id"] == "neige-ligne-20")
    assert neige["change"] == "created" and neige["title"]  # its header: what the notification says (issue 9)


def test_several_urls_give_the_same_store_as_the_mixed_feed(transit: Transit) -> None:
    split = [GTFS_RT_SAMPLES / name for name in ("trip-updates.pb", "vehicle-positions.pb", "alerts.pb")]
    report = transit.run(transit.load("transit-gtfs-rt", split))
    from_split = transit.items()
    assert (report["read"], report["changed"], report["rejected"]) == (12, 11, 1)
    assert report["rejections"][0]["source"] == 2  # vehicle-positions.pb
    assert len(report["sources"]) == 3

    for key in from_split:  # start again from an empty table, with the mixed feed
        transit.dynamodb.delete_item(TableName=transit.table, Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}})
    for sk in ("STATE", "DIGESTS#0"):
        transit.dynamodb.delete_item(
            TableName=transit.table, Key={"pk": {"S": "FEED#transit-gtfs-rt"}, "sk": {"S": sk}}
        )
    transit.run(transit.load("transit-gtfs-rt", [GTFS_RT_SAMPLES / "mixed.pb"]))
    assert transit.items() == from_split


def test_unchanged_feed_is_not_parsed_and_writes_nothing(transit: Transit) -> None:
    module = transit.load("transit-gtfs-rt")
    transit.run(module)
    transit.events()
    before = transit.items()

    report = transit.run(module, T0 + dt.timedelta(seconds=60))

    assert report["status"] == "succeeded"
    assert (report["read"], report["changed"], report["unchanged"], report["feed_age_s"]) == (0, 0, True, 80)
    assert module.calls["BatchWriteItem"] == 0
    # the only writes are the run record: RUN#... (PutItem) and STATE.last_run (UpdateItem)
    assert (module.calls["PutItem"], module.calls["UpdateItem"], module.calls["DeleteItem"]) == (1, 1, 0)
    assert transit.items() == before
    assert transit.events() == []


def test_new_header_with_same_entities_writes_no_item(transit: Transit) -> None:
    module = transit.load("transit-gtfs-rt", [transit.file("feed.pb", sample("mixed.pb"))])
    transit.run(module)
    before = transit.items()
    transit.file("feed.pb", restamped(sample("mixed.pb")))

    report = transit.run(module, T0 + dt.timedelta(seconds=60))

    assert (report["read"], report["changed"], report["refreshed"], report["unchanged"]) == (12, 0, 0, False)
    assert module.calls["BatchWriteItem"] == 0
    assert transit.items() == before
    assert transit.state("transit-gtfs-rt")["feed_timestamp"] == "2026-11-30T07:31:00+00:00"


def test_only_what_changed_is_written(transit: Transit) -> None:
    module = transit.load("transit-gtfs-rt", [transit.file("feed.pb", sample("mixed.pb"))])
    transit.run(module)
    transit.events()

    def later(message: Any) -> None:
        entity(message, "tu-20-SEM-0730").trip_update.stop_time_update[1].arrival.delay = 420

    transit.file("feed.pb", restamped(sample("mixed.pb"), edit=later))
    report = transit.run(module, T0 + dt.timedelta(seconds=60))

    assert (report["changed"], report["refreshed"]) == (1, 0)
    late = transit.item("TRIP#20-SEM-0730", "RT#2026-11-30")
    assert late is not None
    assert late["updates"][1]["arrival_delay"] == 420
    assert late["feed_timestamp"] == "2026-11-30T07:31:00+00:00"
    assert late["expires_at"] == T0_S + 60 + 600
    other = transit.item("TRIP#20-SEM-1300-R", "RT#2026-11-30")
    assert other is not None and other["expires_at"] == T0_S + 600
    # the item; the ledger's head with the event (one transaction); the event's outbox entry once sent
    assert (module.calls["BatchWriteItem"], module.calls["TransactWriteItems"]) == (2, 1)
    assert transit.events()[0]["detail"]["trips"] == {"created": 0, "updated": 1, "deleted": 0}


def test_expiry_is_refreshed_while_the_feed_lives_and_lapses_when_it_stops(transit: Transit) -> None:
    """TTLs: trips 10 min, vehicles 5 min, alerts 30 min; refreshed once within half of it."""
    path = transit.file("feed.pb", sample("mixed.pb"))
    module = transit.load("transit-gtfs-rt", [path])
    transit.run(module)

    def minute(n: int) -> dict[str, Any]:
        path.write_bytes(restamped(sample("mixed.pb"), seconds=60 * n))
        return transit.run(module, T0 + dt.timedelta(seconds=60 * n))

    assert minute(2)["refreshed"] == 0  # vehicles still have 180 s of their 300 s
    assert minute(3)["refreshed"] == 3  # vehicles: 120 s left <= 150 s
    car = transit.item("ROUTE#L30", "VEH#orne-301")
    assert car is not None and car["expires_at"] == T0_S + 180 + 300
    assert minute(4)["refreshed"] == 0
    assert minute(5)["refreshed"] == 5  # trips: 300 s left <= 300 s
    late = transit.item("TRIP#20-SEM-0730", "RT#2026-11-30")
    assert late is not None and late["expires_at"] == T0_S + 300 + 600
    assert late["feed_timestamp"] == "2026-11-30T07:35:00+00:00"  # the feed that confirmed it last
    assert minute(6)["refreshed"] == 3  # vehicles again (refreshed at 3: 120 s left at 6)
    alert = transit.item("ALERTS", "ALERT#gtfs-rt#neige-ligne-20")
    assert alert is not None and alert["expires_at"] == T0_S + 1800
    assert minute(15)["refreshed"] == 3 + 5 + 3  # and alerts: 900 s left
    alert = transit.item("ALERTS", "ALERT#gtfs-rt#neige-ligne-20")
    assert alert is not None and alert["expires_at"] == T0_S + 900 + 1800

    # the producer stops: its last feed (stamped 07:45:00) keeps being served as it was
    stopped = transit.run(module, T0 + dt.timedelta(seconds=60 * 26))
    assert stopped["unchanged"] and stopped["feed_age_s"] == 11 * 60 + 20
    assert module.calls["BatchWriteItem"] == 0
    late = transit.item("TRIP#20-SEM-0730", "RT#2026-11-30")
    assert late is not None and late["expires_at"] < T0_S + 60 * 26  # past: readers ignore it


def test_the_later_sample_changes_what_is_stored(transit: Transit) -> None:
    """What `poche invoke transit-gtfs-rt` with POCHE_SOURCE_TRANSIT_GTFS_RT=file://.../later.pb does."""
    transit.run(transit.load("transit-gtfs-rt"))
    transit.events()
    report = transit.run(transit.load("transit-gtfs-rt", [GTFS_RT_SAMPLES / "later.pb"]), T0 + dt.timedelta(minutes=2))
    # trips: 2 updated, 1 deleted; 3 vehicles moved on; 1 alert deleted
    assert (report["changed"], report["feed_timestamp"]) == (3 + 3 + 1, "2026-11-30T07:32:00+00:00")
    late = transit.item("TRIP#20-SEM-0730", "RT#2026-11-30")
    assert late is not None and [u["departure_delay"] for u in late["updates"]] == [300, 300]
    assert transit.item("TRIP#10-SEM-1215", "RT#2026-11-30") is None
    assert transit.item("ALERTS", "ALERT#gtfs-rt#greve-10-SEM-1215") is None
    detail = transit.events()[0]["detail"]
    assert detail["trips"] == {"created": 0, "updated": 2, "deleted": 1}


def test_a_withdrawn_entity_is_deleted(transit: Transit) -> None:
    path = transit.file("feed.pb", sample("mixed.pb"))
    module = transit.load("transit-gtfs-rt", [path])
    transit.run(module)
    transit.events()
    path.write_bytes(restamped(sample("mixed.pb"), edit=drop("neige-ligne-20", "tu-10-SEM-1215", "vp-orne-101")))

    report = transit.run(module, T0 + dt.timedelta(seconds=60))

    assert report["changed"] == 3
    assert transit.item("ALERTS", "ALERT#gtfs-rt#neige-ligne-20") is None
    assert transit.item("TRIP#10-SEM-1215", "RT#2026-11-30") is None
    assert transit.item("ROUTE#L10", "VEH#orne-101") is None
    assert transit.item("ALERTS", "ALERT#gtfs-rt#travaux-mortagne") is not None
    detail = transit.events()[0]["detail"]
    assert detail["alert_changes"] == [{"alert_id": "neige-ligne-20", "change": "deleted"}]
    assert detail["trips"]["deleted"] == 1 and detail["vehicles"]["deleted"] == 1


def test_a_partly_bad_feed_keeps_its_good_entities_and_the_last_good_version_of_the_bad(transit: Transit) -> None:
    path = transit.file("feed.pb", sample("mixed.pb"))
    module = transit.load("transit-gtfs-rt", [path])
    transit.run(module)

    def damage(message: Any) -> None:
        broken = entity(message, "tu-20-SEM-1300-R").trip_update.stop_time_update.add()  # no sequence, no stop
        broken.arrival.delay = 30
        entity(message, "tu-20-SEM-0730").trip_update.stop_time_update[0].departure.delay = 200
        alert = entity(message, "travaux-mortagne").alert
        alert.ClearField("informed_entity")

    path.write_bytes(restamped(sample("mixed.pb"), edit=damage))
    report = transit.run(module, T0 + dt.timedelta(seconds=60))

    assert report["status"] == "succeeded"
    assert report["rejected"] == 3  # the vehicle of the sample, the damaged trip and alert
    reasons = {r["entity"]: r["reason"] for r in report["rejections"]}
    assert "stop_time_update n°3 sans stop_sequence ni stop_id" in reasons["tu-20-SEM-1300-R"]
    assert "informed_entity" in reasons["travaux-mortagne"]
    kept = transit.item("TRIP#20-SEM-1300-R", "RT#2026-11-30")
    assert kept is not None and kept["expires_at"] == T0_S + 600  # last good version, not deleted
    assert transit.item("ALERTS", "ALERT#gtfs-rt#travaux-mortagne") is not None
    changed = transit.item("TRIP#20-SEM-0730", "RT#2026-11-30")
    assert changed is not None and changed["updates"][0]["departure_delay"] == 200


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (sample("mixed.pb")[:900], "tronqué ou corrompu"),
        (b"<html><body>Service Unavailable</body></html>", "page HTML"),
        (b"\x00\x01garbage\xff" * 10, "FeedMessage"),
        (json.dumps({"Siri": {}}).encode(), "JSON"),
    ],
)
def test_a_broken_feed_changes_nothing_and_is_reported_once(
    transit: Transit, capsys: pytest.CaptureFixture[str], payload: bytes, reason: str
) -> None:
    path = transit.file("feed.pb", sample("mixed.pb"))
    module = transit.load("transit-gtfs-rt", [path])
    transit.run(module)
    transit.events()
    before = transit.items()
    digest = transit.state("transit-gtfs-rt")["payload_digest"]
    capsys.readouterr()
    path.write_bytes(payload)

    report = transit.run(module, T0 + dt.timedelta(seconds=60))

    assert report["status"] == "failed" and reason in report["error"] and "Source 1/1" in report["error"]
    assert transit.items() == before
    assert module.calls["BatchWriteItem"] == 0
    state = transit.state("transit-gtfs-rt")
    assert state["payload_digest"] == digest and state["last_run"]["status"] == "failed"
    assert transit.events() == []
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    errors = [line for line in lines if line.get("level") == "ERROR"]
    assert len(errors) == 1 and reason in errors[0]["report"]["error"]
    metric = next(line for line in lines if "_aws" in line)
    assert metric["ConnectorRunFailed"] == 1


def test_one_unreachable_url_fails_the_run_before_anything_is_written(transit: Transit) -> None:
    module = transit.load(
        "transit-gtfs-rt", [GTFS_RT_SAMPLES / "trip-updates.pb", transit.tmp_path / "missing-vehicles.pb"]
    )
    report = transit.run(module)
    assert report["status"] == "failed" and "cannot read" in report["error"]
    assert transit.items() == {}


def test_static_trips_are_read_once_and_reused_while_their_digest_holds(transit: Transit) -> None:
    path = transit.file("feed.pb", sample("vehicle-positions.pb"))
    module = transit.load("transit-gtfs-rt", [path])
    transit.run(module)
    assert module.dependencies.get().store.static_trips.reads == 2  # the digests, then the chunks

    path.write_bytes(restamped(sample("vehicle-positions.pb")))
    transit.run(module, T0 + dt.timedelta(seconds=60))
    assert module.dependencies.get().store.static_trips.reads == 1  # the digests only: the warm container kept the map

    transit.set_static_trips({"20-SEM-0730": "L20bis"}, digest="static-v2")  # a new static feed
    path.write_bytes(restamped(sample("vehicle-positions.pb"), seconds=120))
    report = transit.run(module, T0 + dt.timedelta(seconds=120))
    assert module.dependencies.get().store.static_trips.reads == 2
    assert transit.item("ROUTE#L20bis", "VEH#orne-201") is not None
    assert transit.item("ROUTE#L20", "VEH#orne-201") is None  # moved: the old key is deleted
    assert report["changed"] == 2


def test_vehicle_without_a_known_route_is_rejected(transit: Transit) -> None:
    transit.set_static_trips({}, digest="empty")
    report = transit.run(transit.load("transit-gtfs-rt", [GTFS_RT_SAMPLES / "vehicle-positions.pb"]))
    reasons = [r["reason"] for r in report["rejections"]]
    assert "vehicle : ligne inconnue (trip_id « 20-SEM-0730 » absent des horaires théoriques)." in reasons
    assert sorted(transit.items()) == [("ROUTE#L10", "VEH#orne-101"), ("ROUTE#L30", "VEH#orne-301")]


@pytest.mark.parametrize(
    ("run_at", "age", "warning"),
    [
        (T0 + dt.timedelta(hours=2), 2 * 3600 + 20, "GTFS-RT feed is stale"),
        (T0 - dt.timedelta(hours=1), -3600 + 20, "GTFS-RT header timestamp is in the future"),
    ],
)
def test_a_stale_or_future_feed_is_stored_and_warned_about(
    transit: Transit, capsys: pytest.CaptureFixture[str], run_at: dt.datetime, age: int, warning: str
) -> None:
    report = transit.run(transit.load("transit-gtfs-rt"), run_at)
    assert report["status"] == "succeeded" and report["feed_age_s"] == age
    assert len(transit.items("TRIP#")) == 5
    warnings = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"WARNING"' in line]
    assert any(w["message"].startswith(warning) and w["feed_age_s"] == age for w in warnings)


def test_a_fresh_feed_is_not_warned_about(transit: Transit, capsys: pytest.CaptureFixture[str]) -> None:
    transit.run(transit.load("transit-gtfs-rt"))
    assert "stale" not in capsys.readouterr().out


def test_a_trip_without_start_date_gets_the_service_date_of_its_scheduled_start(transit: Transit) -> None:
    """Two night trips without start_date, seen at about 02:35 in Paris on Monday 2026-11-30: a weekday
    trip at 02:30:00 (the 3 am rule alone would give Sunday) and Sunday's trip at 26:30:00."""
    transit.set_static_trips(
        {"N1-SEM-0230": "L10", "N2-DIM-2630": "L10"}, "night", {"N1-SEM-0230": 9000, "N2-DIM-2630": 95400}
    )

    def night(message: Any) -> None:
        del message.entity[:]
        for trip_id, posix, delay in (
            ("N1-SEM-0230", posix_time(2026, 11, 30, 1, 40), 0),  # 02:40 Paris
            ("N2-DIM-2630", posix_time(2026, 11, 30, 1, 35), 300),  # 02:35 Paris, 5 min late
        ):
            update = message.entity.add(id=f"tu-{trip_id}").trip_update
            update.trip.trip_id = trip_id
            stu = update.stop_time_update.add(stop_sequence=2, stop_id="SEE_CATH")
            stu.arrival.time = posix
            stu.arrival.delay = delay

    path = transit.file("night.pb", restamped(sample("trip-updates.pb"), seconds=-6 * 3600, edit=night))
    report = transit.run(transit.load("transit-gtfs-rt", [path]), T0 - dt.timedelta(hours=6))
    assert report["changed"] == 2
    assert sorted(transit.items("TRIP#")) == [
        ("TRIP#N1-SEM-0230", "RT#2026-11-30"),
        ("TRIP#N2-DIM-2630", "RT#2026-11-29"),
    ]


def test_a_feed_whose_every_entity_is_bad_fails_the_run(transit: Transit) -> None:
    path = transit.file(
        "feed.pb", restamped(sample("vehicle-positions.pb"), edit=drop("vp-orne-301", "vp-orne-201", "vp-orne-101"))
    )
    report = transit.run(transit.load("transit-gtfs-rt", [path]))
    assert report["status"] == "failed" and "Aucune des 1 entités du flux n'est exploitable" in report["error"]
    assert transit.items() == {}


def test_an_over_long_alert_text_is_clipped_by_the_parser_and_stored(transit: Transit) -> None:
    def huge(message: Any) -> None:
        text = entity(message, "neige-ligne-20").alert.description_text.translation[0]
        text.text = "Route enneigée. " * 25_000  # 400 kB

    path = transit.file("feed.pb", restamped(sample("mixed.pb"), edit=huge))
    report = transit.run(transit.load("transit-gtfs-rt", [path]))
    assert report["status"] == "succeeded" and report["changed"] == 11
    stored = transit.item("ALERTS", "ALERT#gtfs-rt#neige-ligne-20")
    assert stored is not None
    assert len(stored["description"]) <= 4000 and stored["description"].endswith("…")


def test_an_entity_too_big_for_dynamodb_is_rejected_alone(transit: Transit, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's own size check, the last line of defence behind the parser's caps (which keep a real entity far
    below it): lowered here so that the sample's alert exceeds it."""
    module = transit.load("transit-gtfs-rt")
    monkeypatch.setattr(sys.modules["transit_gtfs_rt.store"], "MAX_ITEM_BYTES", 1_500)

    def long(message: Any) -> None:
        text = entity(message, "neige-ligne-20").alert.description_text.translation[0]
        text.text = "Route enneigée. " * 200  # 3 kB

    transit.cloud.monkeypatch.setenv(
        "POCHE_SOURCE_TRANSIT_GTFS_RT", transit.file("feed.pb", restamped(sample("mixed.pb"), edit=long)).as_uri()
    )
    report = transit.run(module)
    assert report["status"] == "succeeded" and report["changed"] == 10
    reasons = {r["entity"]: r["reason"] for r in report["rejections"]}
    assert reasons["neige-ligne-20"].startswith("alert : trop volumineux pour être stocké")
    assert transit.item("ALERTS", "ALERT#gtfs-rt#neige-ligne-20") is None


def test_siri_trip_too_big_for_dynamodb_is_rejected_alone(transit: Transit) -> None:
    visits = usable_sample_visits()
    for n in range(3000):  # a trip seen at 3,000 stops: about 360 kB of updates
        visits.append(
            {
                "MonitoredVehicleJourney": {
                    "FramedVehicleJourneyRef": {"DataFrameRef": "2026-11-30", "DatedVehicleJourneyRef": "GEANT"},
                    "MonitoredCall": {
                        "StopPointRef": f"STOP_{n:05d}_" + "x" * 40,
                        "ExpectedDepartureTime": "2026-11-30T09:00:00+01:00",
                    },
                }
            }
        )
    report = transit.run(transit.load("transit-siri-lite", [transit.file("sm.json", siri_answer(visits))]))
    assert report["status"] == "succeeded" and report["changed"] == 4
    assert report["rejections"][-1]["reason"].startswith("voyage trop volumineux pour être stocké")
    assert transit.item("TRIP#GEANT", "RT#2026-11-30") is None


def test_a_run_whose_event_is_refused_is_committed_and_its_retry_sends_the_staged_event(transit: Transit) -> None:
    """Issue 9, defect 6: the event is staged with the ledger, so the retry is unchanged and sends it, same id."""
    module = transit.load("transit-gtfs-rt")
    bus = module.dependencies.get().outbox.publisher._events()

    class Throttled:
        def put_events(self, **kwargs: Any) -> dict[str, Any]:
            raise RuntimeError("PutEvents throttled")

    module.dependencies.get().outbox.publisher._client = Throttled()
    with pytest.raises(RuntimeError, match="refused by the bus"):  # Lambda retries the invocation
        transit.run(module)
    assert len(transit.items("TRIP#")) == 5  # items, ledger and payload digest committed with the staged event
    assert "payload_digest" in transit.state("transit-gtfs-rt")
    [staged] = transit.items("OUTBOX").values()

    module.dependencies.get().outbox.publisher._client = bus
    report = transit.run(module)
    assert (report["status"], report["changed"], report["unchanged"]) == ("succeeded", 0, True)
    assert [(e["detail-type"], e["detail"]["id"]) for e in transit.events()] == [("RealtimeUpdated", staged["sk"])]
    assert transit.items("OUTBOX") == {}
    assert transit.run(module)["unchanged"] is True and transit.events() == []


def test_vehicles_moving_are_written_but_not_announced(transit: Transit) -> None:
    path = transit.file("feed.pb", sample("mixed.pb"))
    module = transit.load("transit-gtfs-rt", [path])
    transit.run(module)
    transit.events()

    def move(message: Any) -> None:
        entity(message, "vp-orne-301").vehicle.position.latitude = 48.57

    path.write_bytes(restamped(sample("mixed.pb"), edit=move))
    report = transit.run(module, T0 + dt.timedelta(seconds=60))
    assert report["changed"] == 1
    car = transit.item("ROUTE#L30", "VEH#orne-301")
    assert car is not None and car["lat"] == 48.57
    assert transit.events() == []


def test_a_large_ledger_spans_several_chunks_and_stays_consistent(transit: Transit) -> None:
    def many(message: Any) -> None:
        template = entity(message, "tu-20-SEM-0730")
        for n in range(2000):  # ~230-byte ledger lines: more than one 300 kB chunk
            clone = message.entity.add()
            clone.CopyFrom(template)
            clone.id = f"tu-x-{n}"
            clone.trip_update.trip.trip_id = f"20-SEM-{n:04d}-" + "x" * 150

    path = transit.file("feed.pb", restamped(sample("trip-updates.pb"), edit=many))
    module = transit.load("transit-gtfs-rt", [path])
    first = transit.run(module)
    chunks = transit.dynamodb.query(
        TableName=transit.table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
        ExpressionAttributeValues={":pk": {"S": "FEED#transit-gtfs-rt"}, ":d": {"S": "DIGESTS#"}},
    )["Items"]
    assert first["changed"] == 2005 and len(chunks) == 2

    path.write_bytes(restamped(sample("trip-updates.pb"), seconds=120))  # back to the 5 trips
    second = transit.run(module, T0 + dt.timedelta(seconds=60))
    assert second["changed"] == 2000  # every withdrawn trip deleted, the 5 unchanged
    assert len(transit.items("TRIP#")) == 5
    chunks = transit.dynamodb.query(
        TableName=transit.table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
        ExpressionAttributeValues={":pk": {"S": "FEED#transit-gtfs-rt"}, ":d": {"S": "DIGESTS#"}},
    )["Items"]
    assert [c["sk"]["S"] for c in chunks] == ["DIGESTS#0"]


# ---------------------------------------------------------------- transit-siri-lite


def siri_answer(visits: list[dict[str, Any]], stamp: str = "2026-11-30T08:30:00+01:00") -> bytes:
    return json.dumps(
        {
            "Siri": {
                "ServiceDelivery": {
                    "ResponseTimestamp": stamp,
                    "StopMonitoringDelivery": [{"MonitoredStopVisit": visits}],
                }
            }
        }
    ).encode()


def sample_visits() -> list[list[dict[str, Any]]]:
    service = json.loads(SIRI_SAMPLE.read_bytes())["Siri"]["ServiceDelivery"]
    return [delivery["MonitoredStopVisit"] for delivery in service["StopMonitoringDelivery"]]


def test_siri_sample_stores_normalised_trips_with_absolute_times(transit: Transit) -> None:
    module = transit.load("transit-siri-lite")

    report = transit.run(module)

    assert report["status"] == "succeeded"
    assert (report["read"], report["changed"], report["rejected"]) == (7, 4, 1)
    assert report["rejections"][0] == {
        "source": 1,
        "visit": "livraison 2, passage 3",
        "reason": "FramedVehicleJourneyRef.DatedVehicleJourneyRef absent ou invalide : voyage inconnu.",
    }
    assert report["feed_age_s"] == 20
    trips = transit.items("TRIP#")
    assert sorted(trips) == [
        ("TRIP#10-SEM-1215", "RT#2026-11-30"),
        ("TRIP#20-SEM-0730", "RT#2026-11-30"),
        ("TRIP#20-SEM-1300-R", "RT#2026-11-30"),
        ("TRIP#30-SEM-0800", "RT#2026-11-30"),
    ]
    running = trips[("TRIP#30-SEM-0800", "RT#2026-11-30")]
    assert set(running) == TRIP_ATTRIBUTES | {"vehicle_id"}
    assert (running["source"], running["cancelled"], running["vehicle_id"], running["expires_at"]) == (
        "siri-lite",
        False,
        "orne-301",
        T0_S + 600,
    )
    assert running["updates"] == [
        {
            "stop_id": "SEE_CATH",
            "arrival_time": "2026-11-30T07:05:48+00:00",
            "departure_time": "2026-11-30T07:06:10+00:00",
            "skipped": False,
        },
        {"stop_id": "MOR_GDG", "arrival_time": "2026-11-30T07:44:00+00:00", "skipped": False},
    ]
    assert trips[("TRIP#10-SEM-1215", "RT#2026-11-30")]["updates"] == [{"stop_id": "SEE_CATH", "skipped": True}]
    state = transit.state("transit-siri-lite")
    assert state["feed_timestamp"] == "2026-11-30T07:30:00+00:00" and state["payload_digest"]
    events = transit.events()
    assert [(e["source"], e["detail-type"]) for e in events] == [("poche.transit", "RealtimeUpdated")]
    assert events[0]["detail"]["connector"] == "transit-siri-lite"
    assert events[0]["detail"]["trips"] == {"created": 4, "updated": 0, "deleted": 0}


def test_siri_one_url_per_stop_is_merged_per_trip(transit: Transit) -> None:
    urls = [transit.file(f"stop-{n}.json", siri_answer(visits)) for n, visits in enumerate(sample_visits(), 1)]
    report = transit.run(transit.load("transit-siri-lite", list(urls)))
    assert (report["read"], report["changed"], report["rejected"]) == (7, 4, 1)
    running = transit.item("TRIP#30-SEM-0800", "RT#2026-11-30")
    assert running is not None
    assert [u["stop_id"] for u in running["updates"]] == ["SEE_CATH", "MOR_GDG"]  # from answers 2 and 1
    assert report["rejections"][0]["source"] == 2


def usable_sample_visits() -> list[dict[str, Any]]:
    return [
        v for delivery in sample_visits() for v in delivery if "FramedVehicleJourneyRef" in v["MonitoredVehicleJourney"]
    ]


def test_siri_unchanged_answer_writes_nothing_and_a_changed_one_only_its_trips(transit: Transit) -> None:
    visits = usable_sample_visits()
    path = transit.file("sm.json", siri_answer(visits))
    module = transit.load("transit-siri-lite", [path])
    transit.run(module)
    transit.events()

    unchanged = transit.run(module, T0 + dt.timedelta(seconds=60))
    assert unchanged["unchanged"] and module.calls["BatchWriteItem"] == 0
    assert module.calls["PutItem"] == 1  # the run record

    visits[0]["MonitoredVehicleJourney"]["MonitoredCall"]["ExpectedArrivalTime"] = "2026-11-30T08:46:00+01:00"
    path.write_bytes(siri_answer(visits[:-1], stamp="2026-11-30T08:31:00+01:00"))  # without 20-SEM-1300-R
    report = transit.run(module, T0 + dt.timedelta(seconds=120))
    assert (report["changed"], report["refreshed"]) == (2, 0)
    running = transit.item("TRIP#30-SEM-0800", "RT#2026-11-30")
    assert running is not None and running["updates"][1]["arrival_time"] == "2026-11-30T07:46:00+00:00"
    assert transit.item("TRIP#20-SEM-1300-R", "RT#2026-11-30") is None
    assert transit.events()[0]["detail"]["trips"] == {"created": 0, "updated": 1, "deleted": 1}


def test_siri_withdrawn_trip_is_deleted_and_expiry_refreshed(transit: Transit) -> None:
    visits = usable_sample_visits()
    path = transit.file("sm.json", siri_answer(visits))
    module = transit.load("transit-siri-lite", [path])
    transit.run(module)

    without_cancelled = [v for v in visits if "10-SEM-1215" not in json.dumps(v)]
    path.write_bytes(siri_answer(without_cancelled, stamp="2026-11-30T08:35:30+01:00"))
    report = transit.run(module, T0 + dt.timedelta(seconds=310))
    assert (report["changed"], report["refreshed"]) == (1, 3)
    assert transit.item("TRIP#10-SEM-1215", "RT#2026-11-30") is None
    running = transit.item("TRIP#30-SEM-0800", "RT#2026-11-30")
    assert running is not None and running["expires_at"] == T0_S + 310 + 600


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"Siri": {"ServiceDelivery": {"StopMonitoringDelivery": [{"MonitoredStopVisit": [', "JSON valide"),
        (sample("mixed.pb"), "UTF-8"),
        (b"<Siri/>", "XML"),
    ],
)
def test_siri_broken_answer_changes_nothing(transit: Transit, payload: bytes, reason: str) -> None:
    path = transit.file("sm.json", SIRI_SAMPLE.read_bytes())
    module = transit.load("transit-siri-lite", [path])
    transit.run(module)
    before = transit.items()
    path.write_bytes(payload)

    report = transit.run(module, T0 + dt.timedelta(seconds=60))

    assert report["status"] == "failed" and reason in report["error"]
    assert transit.items() == before
    assert module.calls["BatchWriteItem"] == 0
    assert transit.state("transit-siri-lite")["last_run"]["status"] == "failed"


def test_siri_and_gtfs_rt_state_and_ledgers_are_kept_apart(transit: Transit) -> None:
    transit.run(transit.load("transit-gtfs-rt"))
    transit.run(transit.load("transit-siri-lite"))
    gtfs = transit.state("transit-gtfs-rt")
    siri = transit.state("transit-siri-lite")
    assert gtfs["payload_digest"] != siri["payload_digest"]
    assert transit.item("FEED#transit-gtfs-rt", "DIGESTS#0") is not None
    assert transit.item("FEED#transit-siri-lite", "DIGESTS#0") is not None
    assert transit.item("TRIP#30-SEM-0800", "RT#2026-11-30")["source"] == "siri-lite"  # type: ignore[index]
