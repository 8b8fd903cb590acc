"""The transit-gtfs connector against moto, invoked as EventBridge Scheduler invokes it, at a chosen `now`."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from support import Cloud

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "functions/connectors/transit_gtfs/sample"
SCHEDULED = {"trigger": "schedule", "connector": "transit-gtfs"}
NOW = dt.datetime(2026, 10, 24, 2, 0, tzinfo=dt.UTC)  # Saturday 04:00 in Paris: window 23 .. 26 October


def run(cloud: Cloud, lambda_context: Any, *, now: dt.datetime = NOW, source: str | None = None) -> dict[str, Any]:
    if source is not None:
        cloud.monkeypatch.setenv("POCHE_SOURCE_TRANSIT_GTFS", source)
    module = cloud.load("transit_gtfs")
    module.utc_now = lambda: now
    report: dict[str, Any] = module.handler(dict(SCHEDULED), lambda_context)
    return report


def item(cloud: Cloud, pk: str, sk: str) -> dict[str, Any] | None:
    response = cloud.clients["dynamodb"].get_item(
        TableName=cloud.table("transit_gtfs"), Key={"pk": {"S": pk}, "sk": {"S": sk}}
    )
    return response.get("Item")


def departures(cloud: Cloud, stop_id: str) -> list[tuple[str, str, str]]:
    """(scheduled UTC, trip, service date) of every departure stored under a stop."""
    found = [
        (i["scheduled"]["S"], i["trip_id"]["S"], i["service_date"]["S"])
        for i in cloud.items("transit_gtfs")
        if i["pk"]["S"] == f"STOP#{stop_id}" and i["sk"]["S"].startswith("DEP#")
    ]
    return sorted(found)


def data_items(cloud: Cloud) -> set[str]:
    return {
        json.dumps(i, sort_keys=True)
        for i in cloud.items("transit_gtfs")
        if not (i["pk"]["S"].startswith("FEED#") and not i["sk"]["S"].startswith("TRIPS#"))
    }


def network(**changes: Any) -> dict[str, str]:
    """The sample's text files, each optionally transformed by a function of its text."""
    files = {p.name: p.read_bytes().decode("utf-8-sig") for p in sorted((SAMPLE_DIR / "network").glob("*.txt"))}
    for name, change in changes.items():
        files[f"{name}.txt"] = change(files[f"{name}.txt"])
    return files


def write_zip(path: Path, files: dict[str, str]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path.as_uri()


def without(*needles: str) -> Any:
    return lambda text: "".join(line for line in text.splitlines(keepends=True) if not any(n in line for n in needles))


# ---------------------------------------------------------------- tests


def test_first_run_materialises_the_window_and_announces_it(cloud: Cloud, lambda_context: Any) -> None:
    report = run(cloud, lambda_context)

    assert report["status"] == "succeeded"
    assert (report["read"], report["rejected"]) == (122, 1)
    assert report["rejections"] == [
        {"file": "stop_times.txt", "line": 78, "reason": "departure_time « 18:O5:00 » n'est pas une heure HH:MM:SS"}
    ]
    events = cloud.bus_events()
    assert [(e["source"], e["detail-type"]) for e in events] == [("poche.transit", "TimetableUpdated")]
    detail = events[0]["detail"]
    assert {"id", "occurred_at", "version"} <= set(detail) and detail["connector"] == "transit-gtfs"
    assert detail["window"] == ["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26"]
    assert detail["dates"] == detail["window"]
    counts = detail["counts"]
    stored = [i for i in cloud.items("transit_gtfs") if i["sk"]["S"].startswith("DEP#")]
    assert counts["stops"] == {"created": 13, "updated": 0, "deleted": 0}
    assert counts["routes"] == {"created": 3, "updated": 0, "deleted": 0}
    assert counts["departures"] == {"created": len(stored), "updated": 0, "deleted": 0}
    assert counts["trip_maps"] == {"created": 1, "updated": 0, "deleted": 0}
    assert report["changed"] == 13 + 3 + len(stored) + 1
    assert "ALN_GARE" in detail["stop_ids"] and detail["route_ids"] == ["L10", "L20", "L30"]

    # Friday and Monday: 5 weekday departures each; Saturday: 3, the last at 24:40 (00:40 on Sunday, summer time).
    assert departures(cloud, "ALN_GARE_A") == [
        ("2026-10-23T04:56:00+00:00", "10-SEM-0650", "2026-10-23"),
        ("2026-10-23T06:15:00+00:00", "10-SEM-0715-R", "2026-10-23"),
        ("2026-10-23T10:21:00+00:00", "10-SEM-1215", "2026-10-23"),
        ("2026-10-23T15:46:00+00:00", "10-SEM-1740", "2026-10-23"),
        ("2026-10-23T16:10:00+00:00", "10-SEM-1710-R", "2026-10-23"),
        ("2026-10-24T07:06:00+00:00", "10-SAM-0900", "2026-10-24"),
        ("2026-10-24T17:00:00+00:00", "10-SAM-1800-R", "2026-10-24"),
        ("2026-10-24T22:40:00+00:00", "10-SAM-2440", "2026-10-24"),
        ("2026-10-26T05:56:00+00:00", "10-SEM-0650", "2026-10-26"),  # winter time from Sunday on
        ("2026-10-26T07:15:00+00:00", "10-SEM-0715-R", "2026-10-26"),
        ("2026-10-26T11:21:00+00:00", "10-SEM-1215", "2026-10-26"),
        ("2026-10-26T16:46:00+00:00", "10-SEM-1740", "2026-10-26"),
        ("2026-10-26T17:10:00+00:00", "10-SEM-1710-R", "2026-10-26"),
    ]
    # Quay B: outbound line 20 only (the inbound buses only set down there), Sunday service included.
    assert [d[:2] for d in departures(cloud, "ALN_GARE_B")] == [
        ("2026-10-23T05:35:00+00:00", "20-SEM-0730"),
        ("2026-10-23T14:50:00+00:00", "20-SEM-1645"),
        ("2026-10-25T08:35:00+00:00", "20-DIM-0930"),
        ("2026-10-26T06:35:00+00:00", "20-SEM-0730"),
        ("2026-10-26T15:50:00+00:00", "20-SEM-1645"),
    ]
    assert len(departures(cloud, "ALN_GARE")) == 13 + 5  # the station lists its quays' departures
    assert departures(cloud, "ALN_COURT") == []  # interpolated times only: no departure shown
    assert ("2026-10-23T15:30:00+00:00", "30-SEM-1730-R", "2026-10-23") in departures(cloud, "MOR_GDG")
    assert not [d for d in departures(cloud, "SEE_CATH") if d[1] == "30-SEM-1730-R"]  # the malformed row

    night = item(cloud, "STOP#SEE_CATH", "DEP#2026-10-24T23:10:00+00:00#10-SAM-2440")
    assert night is not None
    assert night["headsign"]["S"] == "Sées" and night["route_short_name"]["S"] == "10"
    assert night["stop_sequence"]["N"] == "2" and night["expires_at"]["N"] == str(
        int(dt.datetime(2026, 10, 25, 23, 10, tzinfo=dt.UTC).timestamp())
    )
    station = item(cloud, "STOP#ALN_GARE", "PROFILE")
    assert station is not None
    assert station["gsi1pk"]["S"] == "CELL#u085d1" and station["gsi2sk"]["S"] == "alencon gare sncf#ALN_GARE"
    assert [r["S"] for r in station["route_ids"]["L"]] == ["L10", "L20"]
    route = item(cloud, "ROUTE#L30", "PROFILE")
    assert route is not None and route["type"]["S"] == "coach" and route["gsi2pk"]["S"] == "ROUTES"
    chunk = item(cloud, "FEED#transit-gtfs", "TRIPS#0000")
    assert chunk is not None and len(chunk["trips"]["M"]) == 16
    assert chunk["trips"]["M"]["20-DIM-0930"]["S"] == "L20"
    assert chunk["starts"]["M"]["10-SAM-2440"]["N"] == str(24 * 3600 + 40 * 60)
    assert chunk["timezone"]["S"] == "Europe/Paris"
    state = item(cloud, "FEED#transit-gtfs", "STATE")
    assert state is not None and "fetched_at" in state


def test_unchanged_feed_writes_nothing_and_emits_nothing(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    before = data_items(cloud)

    report = run(cloud, lambda_context, now=NOW + dt.timedelta(hours=3))

    assert report["status"] == "succeeded" and report["changed"] == 0
    assert cloud.bus_events() == []
    assert data_items(cloud) == before


def test_the_next_day_adds_one_date_and_leaves_older_ones_to_the_ttl(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()

    report = run(cloud, lambda_context, now=NOW + dt.timedelta(days=1))

    (event,) = cloud.bus_events()
    assert event["detail"]["window"] == ["2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"]
    assert event["detail"]["dates"] == ["2026-10-27"]
    counts = event["detail"]["counts"]
    assert counts["departures"]["deleted"] == 0 and counts["departures"]["created"] == report["changed"]
    assert counts["stops"] == counts["routes"] == {"created": 0, "updated": 0, "deleted": 0}
    dates = {d[2] for d in departures(cloud, "ALN_HALLE")}
    assert dates == {"2026-10-23", "2026-10-24", "2026-10-26", "2026-10-27"}


def test_a_new_feed_updates_and_withdraws_only_what_changed(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    files = network(
        trips=without("10-SEM-1215"),
        stop_times=without("10-SEM-1215", "MEL_MAIR"),
        stops=lambda text: without("MEL_MAIR")(text).replace("Sées - Gare,", "Sées - Gare routière,"),
    )

    report = run(cloud, lambda_context, source=write_zip(tmp_path / "network.zip", files))

    assert report["status"] == "succeeded"
    (event,) = cloud.bus_events()
    counts = event["detail"]["counts"]
    assert counts["stops"] == {"created": 0, "updated": 1, "deleted": 1}
    mel_departures = 2 * 2 + 2 * 2 + 2  # Friday and Monday, both ways; Sunday, both ways
    trip_departures = 2 * 5  # Friday and Monday: 4 stops and the station above quay A
    assert counts["departures"] == {"created": 0, "updated": 0, "deleted": mel_departures + trip_departures}
    assert counts["trip_maps"] == {"created": 0, "updated": 1, "deleted": 0}
    assert item(cloud, "STOP#MEL_MAIR", "PROFILE") is None and departures(cloud, "MEL_MAIR") == []
    assert not [d for d in departures(cloud, "ALN_GARE") if d[1] == "10-SEM-1215"]
    renamed = item(cloud, "STOP#SEE_GARE", "PROFILE")
    assert renamed is not None and renamed["gsi2sk"]["S"] == "sees gare routiere#SEE_GARE"
    assert event["detail"]["dates"] == ["2026-10-23", "2026-10-25", "2026-10-26"]


def test_a_broken_row_never_erases_yesterdays_good_data(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    halle_before = departures(cloud, "ALN_HALLE")
    files = network(
        stops=lambda text: text.replace(
            "ALN_HALLE,61003,Alençon - Halle aux Toiles,48.43105", "ALN_HALLE,61003,Alençon - Halle aux Toiles,nord"
        )
    )

    report = run(cloud, lambda_context, source=write_zip(tmp_path / "network.zip", files))

    assert report["status"] == "succeeded"
    assert report["rejections"][0] == {
        "file": "stops.txt",
        "line": 5,
        "reason": "stop_lat « nord » n'est pas un nombre",
    }
    assert report["rejected"] == 1 + 7 + 1  # the stop, its 7 stop times, the sample's malformed row
    assert item(cloud, "STOP#ALN_HALLE", "PROFILE") is not None
    assert departures(cloud, "ALN_HALLE") == halle_before
    (event,) = cloud.bus_events()
    counts = event["detail"]["counts"]
    assert counts["stops"] == counts["routes"] == counts["departures"] == {"created": 0, "updated": 0, "deleted": 0}
    assert counts["trip_maps"] == {"created": 0, "updated": 1, "deleted": 0}  # line 10 now starts at quay A


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<!doctype html><html><body>Maintenance</body></html>", "html"),
        (b"PK\x03\x04 truncated", "zip"),
        (None, "cannot read"),
        ("no-stop-times", "stop_times.txt"),
    ],
    ids=["html-page", "truncated-zip", "missing-file", "missing-stop-times"],
)
def test_a_broken_feed_keeps_the_last_good_data(
    cloud: Cloud,
    lambda_context: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | str | None,
    reason: str,
) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    good_state = item(cloud, "FEED#transit-gtfs", "STATE")
    before = data_items(cloud)
    broken = tmp_path / "broken.zip"
    if content == "no-stop-times":
        files = network()
        del files["stop_times.txt"]
        write_zip(broken, files)
    elif isinstance(content, bytes):
        broken.write_bytes(content)
    capsys.readouterr()

    report = run(cloud, lambda_context, now=NOW + dt.timedelta(days=1), source=broken.as_uri())

    assert report["status"] == "failed"
    assert reason.lower() in report["error"].lower()
    assert cloud.bus_events() == []
    assert data_items(cloud) == before  # not even the next day's departures: nothing changes
    state = item(cloud, "FEED#transit-gtfs", "STATE")
    assert state is not None and good_state is not None
    assert state["fetched_at"] == good_state["fetched_at"]
    assert state["last_run"]["M"]["status"]["S"] == "failed"
    printed = capsys.readouterr().out
    emf = [json.loads(line) for line in printed.splitlines() if '"_aws"' in line]
    assert any(record.get("ConnectorRunFailed") in (1.0, [1.0]) for record in emf)
    assert all(record.get("connector") == "transit-gtfs" for record in emf)
    logs = [json.loads(line) for line in printed.splitlines() if line.startswith('{"level"')]
    errors = [record for record in logs if record["level"] == "ERROR"]
    assert len(errors) == 1 and reason.lower() in errors[0]["report"]["error"].lower()
    assert errors[0]["service"] == "transit"


def test_source_comes_from_ssm_unless_the_environment_overrides_it(
    cloud: Cloud, lambda_context: Any, tmp_path: Path
) -> None:
    only_line_30 = network(
        trips=lambda text: "".join(
            line for line in text.splitlines(keepends=True) if line.startswith(("route_id", "L30"))
        )
    )
    uri = write_zip(tmp_path / "line-30.zip", only_line_30)
    parameter = cloud.function("transit_gtfs").environment["SOURCE_PARAMETER"]
    assert parameter == "/poche/dev/connectors/transit-gtfs/source"
    cloud.clients["ssm"].put_parameter(Name=parameter, Value=uri, Type="String", Overwrite=True)

    from_ssm = run(cloud, lambda_context)
    assert from_ssm["sources"] == [f"file://{tmp_path / 'line-30.zip'}"]
    assert departures(cloud, "ALN_HALLE") == [] and departures(cloud, "MOR_GDG") != []

    from_env = run(cloud, lambda_context, source="bundled")
    assert from_env["sources"] == ["bundled"]
    assert len(departures(cloud, "ALN_HALLE")) == 2 * 3 + 1  # 3 each weekday (Friday, Monday), 1 on Saturday


# ---------------------------------------------------------------- hostile feeds (issue 9): the parser's part

LONG_ID = "X" * 1500


def test_an_over_long_stop_id_is_rejected_before_anything_is_written(
    cloud: Cloud, lambda_context: Any, tmp_path: Path
) -> None:
    """A 1,500-character stop_id used to fail BatchWriteItem after earlier batches were committed."""
    files = network(
        stops=lambda text: text + f"{LONG_ID},,Arrêt au code interminable,48.4312,0.0921,0,,,\n",
        stop_times=lambda text: text + f"10-SEM-0650,06:58:00,06:58:00,{LONG_ID},9,,1\r\n",
    )

    report = run(cloud, lambda_context, source=write_zip(tmp_path / "network.zip", files))

    assert report["status"] == "succeeded"
    reason = "stop_id trop long (1500 caractères, au plus 200)"
    stops_lines = len(files["stops.txt"].splitlines())
    stop_times_lines = len(files["stop_times.txt"].splitlines())
    assert {"file": "stops.txt", "line": stops_lines, "reason": reason} in report["rejections"]
    assert {"file": "stop_times.txt", "line": stop_times_lines, "reason": reason} in report["rejections"]
    assert report["rejected"] == 2 + 1  # the stop, its stop time, the sample's malformed row
    assert not [i for i in cloud.items("transit_gtfs") if LONG_ID in json.dumps(i)]
    assert len({i["pk"]["S"] for i in cloud.items("transit_gtfs") if i["sk"]["S"] == "PROFILE"}) == 13 + 3
    assert departures(cloud, "ALN_HALLE") != []


def test_a_decompression_bomb_changes_nothing(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    before = data_items(cloud)
    files = network(stop_times=lambda text: text + "10-SEM-0650,06:58:00,06:58:00,NOWHERE,99,,1\r\n" * 400_000)
    bomb = write_zip(tmp_path / "bomb.zip", files)
    assert (tmp_path / "bomb.zip").stat().st_size < 200 * 1024

    report = run(cloud, lambda_context, now=NOW + dt.timedelta(days=1), source=bomb)

    assert report["status"] == "failed"
    assert "bombe de décompression" in report["error"]
    assert cloud.bus_events() == []
    assert data_items(cloud) == before


def test_the_run_counts_every_rejected_row_beyond_those_kept_in_detail(
    cloud: Cloud, lambda_context: Any, tmp_path: Path
) -> None:
    from transit_gtfs.parser import MAX_REJECTIONS_KEPT

    bad_rows = "".join(f"BAD{n},Arrêt sans position,,\n" for n in range(MAX_REJECTIONS_KEPT + 200))
    report = run(cloud, lambda_context, source=write_zip(tmp_path / "gtfs.zip", network(stops=lambda t: t + bad_rows)))

    assert report["status"] == "succeeded"
    assert report["rejected"] == MAX_REJECTIONS_KEPT + 200 + 1  # and the sample's own malformed row
    assert len(report["rejections"]) == 50  # the run record keeps the first ones only
