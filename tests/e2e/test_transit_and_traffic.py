"""`make run` answers the transit, traffic and communes endpoints; `poche invoke` with other real feeds
changes what they return. Feeds are built relative to now, so these tests hold whatever the date."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from platform_support import RunningPlatform, get, json_get

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NETWORK = ROOT / "functions/connectors/transit_gtfs/sample/network"
DATEX_V3 = ROOT / "functions/connectors/traffic_datex2/sample/situations-v3.xml"
SAMPLE_NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # the moment the traffic sample describes


@pytest.fixture(scope="module")
def current_timetable(platform: RunningPlatform, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The sample network, with its calendars moved so that they run from yesterday for 60 days."""
    today = dt.datetime.now(dt.UTC).date()
    period = f"{today - dt.timedelta(days=1):%Y%m%d},{today + dt.timedelta(days=60):%Y%m%d}"
    feed = tmp_path_factory.mktemp("gtfs") / "current.zip"
    with zipfile.ZipFile(feed, "w") as archive:
        for path in sorted(NETWORK.glob("*.txt")):
            text = path.read_text(encoding="utf-8-sig")
            if path.name == "calendar.txt":
                text = text.replace("20261020,20270430", period)
            if path.name == "calendar_dates.txt":
                text = text.splitlines()[0] + "\n"  # no exceptions: every day of the period has its service
            archive.writestr(path.name, text)
    result = platform.poche("invoke", "transit-gtfs", extra_env={"POCHE_SOURCE_TRANSIT_GTFS": feed.as_uri()})
    assert result.returncode == 0, result.stdout + result.stderr


def departures(platform: RunningPlatform, stop: str = "ALN_GARE", limit: int = 5) -> dict[str, Any]:
    payload: dict[str, Any] = json_get(f"{platform.base_url}/v1/transit/stops/{stop}/departures?limit={limit}")
    return payload


def gtfs_rt_feed(path: Path, departure: dict[str, Any], now: dt.datetime) -> None:
    from google.transit import gtfs_realtime_pb2

    feed = gtfs_realtime_pb2.FeedMessage()
    feed.header.gtfs_realtime_version = "2.0"
    feed.header.incrementality = gtfs_realtime_pb2.FeedHeader.FULL_DATASET
    feed.header.timestamp = int(now.timestamp())
    scheduled = dt.datetime.fromisoformat(departure["scheduled"])
    update = feed.entity.add(id="tu-1").trip_update
    update.trip.trip_id = departure["trip_id"]
    update.trip.route_id = departure["route_id"]
    update.trip.start_date = (
        f"{scheduled:%Y%m%d}" if scheduled.hour >= 3 else f"{scheduled - dt.timedelta(days=1):%Y%m%d}"
    )
    stop_update = update.stop_time_update.add()
    stop_update.stop_id = departure["stop_id"]  # the quay the bus leaves from
    stop_update.departure.delay = 240
    stop_update.arrival.delay = 240
    vehicle = feed.entity.add(id="veh-1").vehicle
    vehicle.trip.trip_id = departure["trip_id"]
    vehicle.trip.route_id = departure["route_id"]
    vehicle.vehicle.id = "bus-207"
    vehicle.position.latitude, vehicle.position.longitude, vehicle.position.bearing = 48.4310, 0.0890, 45.0
    vehicle.timestamp = int(now.timestamp())
    alert = feed.entity.add(id="alert-1").alert
    period = alert.active_period.add()
    period.start, period.end = (
        int((now - dt.timedelta(hours=1)).timestamp()),
        int((now + dt.timedelta(hours=2)).timestamp()),
    )
    alert.informed_entity.add(route_id=departure["route_id"])
    alert.header_text.translation.add(text="Travaux place de la Halle au blé", language="fr")
    alert.effect = gtfs_realtime_pb2.Alert.DETOUR
    path.write_bytes(feed.SerializeToString())


def test_stops_near_and_by_name(platform: RunningPlatform, current_timetable: None) -> None:
    near = json_get(f"{platform.base_url}/v1/transit/stops?near=48.4340,0.0930&radius=300")
    ids = [stop["stop_id"] for stop in near["items"]]
    assert "ALN_GARE" in ids
    distances = [stop["distance_m"] for stop in near["items"]]
    assert distances == sorted(distances) and distances[0] < 300
    named = json_get(f"{platform.base_url}/v1/transit/stops?q=sees")
    assert named["items"] and all("Sées" in stop["name"] for stop in named["items"])
    routes = json_get(f"{platform.base_url}/v1/transit/routes")
    assert {"L10", "L20", "L30"} <= {route["route_id"] for route in routes["items"]}


def test_poche_invoke_transit_gtfs_rt_with_another_feed_changes_departures(
    platform: RunningPlatform, current_timetable: None, tmp_path: Path
) -> None:
    before = departures(platform)
    assert before["items"], "the current timetable has departures"
    target = next(d for d in before["items"] if not d["cancelled"] and not d["realtime"])
    assert target["expected"] == target["scheduled"] and target["delay_s"] is None  # the timetable alone
    feed = tmp_path / "realtime.pb"
    gtfs_rt_feed(feed, target, dt.datetime.now(dt.UTC))

    result = platform.poche("invoke", "transit-gtfs-rt", extra_env={"POCHE_SOURCE_TRANSIT_GTFS_RT": feed.as_uri()})

    assert result.returncode == 0, result.stdout + result.stderr
    after = {(d["trip_id"], d["scheduled"]): d for d in departures(platform, limit=10)["items"]}
    changed = after[(target["trip_id"], target["scheduled"])]  # the same trip runs again on other days
    assert changed["realtime"] is True and changed["delay_s"] == 240
    scheduled = dt.datetime.fromisoformat(changed["scheduled"])
    assert dt.datetime.fromisoformat(changed["expected"]) - scheduled == dt.timedelta(seconds=240)
    vehicles = json_get(f"{platform.base_url}/v1/transit/routes/{target['route_id']}/vehicles")
    assert [v["vehicle_id"] for v in vehicles["items"]] == ["bus-207"]
    assert vehicles["items"][0]["bearing"] == 45
    alerts = json_get(f"{platform.base_url}/v1/transit/alerts?route={target['route_id']}")
    assert any(a["header"] == "Travaux place de la Halle au blé" for a in alerts["items"])


def test_unknown_stop_and_bad_radius_are_problems(platform: RunningPlatform) -> None:
    status, headers, _ = get(f"{platform.base_url}/v1/transit/stops/NOPE/departures")
    assert status == 404 and headers["content-type"] == "application/problem+json"
    status, _, _ = get(f"{platform.base_url}/v1/transit/stops?near=48.43,0.09&radius=50000")
    assert status == 400


def shifted_datex(now: dt.datetime) -> str:
    """The v3 sample with every time moved so that the sample's moment is now."""
    offset = now - SAMPLE_NOW

    def move(match: re.Match[str]) -> str:
        moment = dt.datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        return (moment + offset).isoformat(timespec="seconds")

    pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
    return re.sub(pattern, move, DATEX_V3.read_text(encoding="utf-8"))


def test_traffic_events_by_commune_and_bbox(platform: RunningPlatform, tmp_path: Path) -> None:
    feed = tmp_path / "situations.xml"
    feed.write_text(shifted_datex(dt.datetime.now(dt.UTC)), encoding="utf-8")
    result = platform.poche("invoke", "traffic-datex2", extra_env={"POCHE_SOURCE_TRAFFIC_DATEX2": feed.as_uri()})
    assert result.returncode == 0, result.stdout + result.stderr

    in_sees = json_get(f"{platform.base_url}/v1/traffic/events?commune=61464")
    closure = next(e for e in in_sees["items"] if e["road"] == "D438")
    assert closure["type"] == "closure" and closure["active"] is True and "61464" in closure["communes"]
    assert closure["description"]
    box = json_get(f"{platform.base_url}/v1/traffic/events?bbox=0.10,48.55,0.25,48.65")
    assert closure["id"] in {e["id"] for e in box["items"]}
    every = json_get(f"{platform.base_url}/v1/traffic/events?active=false")
    assert len(every["items"]) > len([e for e in every["items"] if e["active"]])
    status, _, _ = get(f"{platform.base_url}/v1/traffic/events?commune=61999")
    assert status == 404


AGENDA_PAGE = ROOT / "functions/connectors/agenda_openagenda/sample/events-page1.json"
AGENDA_NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # the moment the agenda sample describes


def test_events_of_a_commune_from_openagenda(platform: RunningPlatform, tmp_path: Path) -> None:
    import json

    offset = dt.datetime.now(dt.UTC) - AGENDA_NOW
    pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"

    def move(match: re.Match[str]) -> str:
        return (dt.datetime.fromisoformat(match.group(0).replace("Z", "+00:00")) + offset).isoformat()

    page = json.loads(re.sub(pattern, move, AGENDA_PAGE.read_text(encoding="utf-8")))
    page.pop("after", None)  # one page: the last
    feed = tmp_path / "events.json"
    feed.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    result = platform.poche("invoke", "agenda-openagenda", extra_env={"POCHE_SOURCE_AGENDA_OPENAGENDA": feed.as_uri()})
    assert result.returncode == 0, result.stdout + result.stderr

    listed = json_get(f"{platform.base_url}/v1/events?commune=61001")
    concert = next(e for e in listed["items"] if e["event_id"] == "openagenda:8001")
    assert "concert" in concert["categories"] and concert["location"]["commune"] == "61001"
    begins = [e["begin"] for e in listed["items"]]
    assert begins == sorted(begins, key=dt.datetime.fromisoformat)
    detail = json_get(f"{platform.base_url}/v1/events/openagenda:8001")
    assert detail["title"] == concert["title"] and detail["occurrences"]
    status, _, _ = get(f"{platform.base_url}/v1/events/openagenda:999999")
    assert status == 404


NEWS_SAMPLES = ROOT / "functions/connectors/news_rss/sample"
NEWS_NOW = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)  # the moment the news samples describe


def shifted_feed(path: Path, offset: dt.timedelta) -> str:
    """A feed with its ISO 8601 (Atom) and RFC 822 (RSS) times moved by `offset`."""
    from email.utils import format_datetime, parsedate_to_datetime

    iso = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
    rfc822 = r"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT)"
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        iso, lambda m: (dt.datetime.fromisoformat(m.group(0).replace("Z", "+00:00")) + offset).isoformat(), text
    )
    return re.sub(rfc822, lambda m: format_datetime(parsedate_to_datetime(m.group(0)) + offset), text)


def test_news_of_a_commune_newest_first(platform: RunningPlatform, tmp_path: Path) -> None:
    offset = dt.datetime.now(dt.UTC) - NEWS_NOW
    general, alencon = tmp_path / "orne.xml", tmp_path / "alencon.xml"
    general.write_text(shifted_feed(NEWS_SAMPLES / "orne-actualites.xml", offset), encoding="utf-8")
    alencon.write_text(shifted_feed(NEWS_SAMPLES / "alencon-actualites.xml", offset), encoding="utf-8")
    source = f"general={general.as_uri()},61001={alencon.as_uri()}"
    result = platform.poche("invoke", "news-rss", extra_env={"POCHE_SOURCE_NEWS_RSS": source})
    assert result.returncode == 0, result.stdout + result.stderr

    mixed = json_get(f"{platform.base_url}/v1/news?commune=61001&limit=50")
    tags = {tag for item in mixed["items"] for tag in item["tags"]}
    assert {"general", "61001"} <= tags
    published = [dt.datetime.fromisoformat(item["published"]) for item in mixed["items"]]
    assert published == sorted(published, reverse=True)
    only_general = json_get(f"{platform.base_url}/v1/news")
    assert only_general["items"] and all("general" in item["tags"] for item in only_general["items"])
    assert all(len(item["summary"]) <= 280 for item in mixed["items"])
    assert not any(re.search(r"</?[a-zA-Z][^>]*>", item["summary"]) for item in mixed["items"])  # HTML stripped
    status, _, _ = get(f"{platform.base_url}/v1/news?commune=61999")
    assert status == 404


def test_cinema_sessions_of_the_day(platform: RunningPlatform, tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    tomorrow = (dt.datetime.now(ZoneInfo("Europe/Paris")) + dt.timedelta(days=1)).date()
    header = "cinema_id;cinema_name;commune_insee;film_title;start;version;accessibility;duration_min;rating"
    planet = "planet-alencon;Cinéma Planet;61001"
    rows = [
        f"{planet};Les Hirondelles de l'Orne;{tomorrow} 14:00;VF;audiodescription;105;tous publics",
        f"{planet};Les Hirondelles de l'Orne;{tomorrow} 20:30;VF;audiodescription;105;tous publics",
        f"{planet};Midnight Harbour;{tomorrow} 20:45;VOST;pmr;128;-12",
    ]
    feed = tmp_path / "seances.csv"
    feed.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = platform.poche("invoke", "agenda-cinema", extra_env={"POCHE_SOURCE_AGENDA_CINEMA": feed.as_uri()})
    assert result.returncode == 0, result.stdout + result.stderr

    cinemas = json_get(f"{platform.base_url}/v1/cinemas?commune=61001")
    assert "planet-alencon" in {c["cinema_id"] for c in cinemas["items"]}
    day = json_get(f"{platform.base_url}/v1/cinemas/planet-alencon/sessions?date={tomorrow}")
    films = {(f["film_title"], f["version"]): f["times"] for f in day["items"]}
    assert [t[11:16] for t in films[("Les Hirondelles de l'Orne", "VF")]] == ["14:00", "20:30"]
    assert [t[11:16] for t in films[("Midnight Harbour", "VOST")]] == ["20:45"]
    assert get(f"{platform.base_url}/v1/cinemas/nowhere/sessions")[0] == 404
