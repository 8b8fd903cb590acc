"""The traffic-datex2 connector and the traffic service against moto.

On the `cloud` fixture: the table, the bus and the source parameter are those of the synthesized templates
(`infra/poche_infra/domains/traffic.py`), each function imported with its deployed environment.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import Cloud, body, header, http_api_event, table_items

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "functions/connectors/traffic_datex2/sample"
CONNECTOR = "traffic_datex2"
SCHEDULED = {"trigger": "schedule", "connector": "traffic-datex2"}
EVENTS = "GET /v1/traffic/events"
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Paris
FETCHED_AT = "2026-12-02T08:58:00+00:00"

V2 = {
    "works": "DIRNO_N12_20261123_001:DIRNO_N12_20261123_001_01",
    "alternate": "DIRNO_N12_20261123_001:DIRNO_N12_20261123_001_02",
    "closure": "CD61_D438_SEES_2026_117:CD61_D438_SEES_2026_117_01",
    "accident": "ALIS_A28_20261202_0840:ALIS_A28_20261202_0840_01",
    "snow": "CD61_METEO_20261202_NEIGE:CD61_METEO_20261202_NEIGE_01",
    "finished": "CD61_D924_FLERS_2026_098:CD61_D924_FLERS_2026_098_01",
    "future": "BELLEME_MARCHE_NOEL_2026:BELLEME_MARCHE_NOEL_2026_01",
}


class Recording:
    """A boto3 client that remembers which operations were called (to prove that nothing Scans)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return attribute(*args, **kwargs)

        return call

    def operations(self) -> set[str]:
        return {name for name, _ in self.calls}


class Traffic:
    """The traffic domain of the provisioned platform, and how to run its connector."""

    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.clients = cloud.clients
        self.lambda_context = lambda_context
        self.table = cloud.table(CONNECTOR)
        self.source_parameter = str(cloud.function(CONNECTOR).environment["SOURCE_PARAMETER"])

    def run(self, source: str | None = None, now: dt.datetime = NOW) -> dict[str, Any]:
        if source is not None:
            self.cloud.monkeypatch.setenv("POCHE_SOURCE_TRAFFIC_DATEX2", source)
        module = self.cloud.load(CONNECTOR)
        module.utc_now = lambda: now
        report: dict[str, Any] = module.handler(dict(SCHEDULED), self.lambda_context)
        self.cloud.monkeypatch.delenv("POCHE_SOURCE_TRAFFIC_DATEX2", raising=False)
        return report

    def bus_events(self) -> list[dict[str, Any]]:
        return self.cloud.bus_events()

    def items(self) -> list[dict[str, Any]]:
        """Every item of the table (the test may Scan; the functions may not)."""
        return table_items(self.table)

    def data(self) -> set[str]:
        return {json.dumps(i, sort_keys=True) for i in self.items() if not i["pk"]["S"].startswith("FEED#")}

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self.clients["dynamodb"].get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
        return response.get("Item")

    def state(self) -> dict[str, Any]:
        return self.item("FEED#traffic-datex2", "STATE") or {}

    def set_fetched_at(self, value: str) -> None:
        self.clients["dynamodb"].update_item(
            TableName=self.table,
            Key={"pk": {"S": "FEED#traffic-datex2"}, "sk": {"S": "STATE"}},
            UpdateExpression="SET fetched_at = :f",
            ExpressionAttributeValues={":f": {"S": value}},
        )


@pytest.fixture
def traffic(cloud: Cloud, lambda_context: Any) -> Traffic:
    return Traffic(cloud, lambda_context)


@pytest.fixture
def api(traffic: Traffic) -> Any:
    """The service over the bundled v2 sample, read at FETCHED_AT; answers at NOW unless told otherwise."""

    def write() -> None:
        assert traffic.run()["status"] == "succeeded"
        traffic.set_fetched_at(FETCHED_AT)

    traffic.cloud.seed(f"traffic-datex2 bundled sample run at {NOW.isoformat()}, fetched_at {FETCHED_AT}", write)
    traffic.bus_events()
    module = traffic.cloud.load("traffic")
    module.utc_now = lambda: NOW
    reader = module.dependencies.get().reader
    recording = Recording(reader.client)
    reader.client = recording

    def call(query: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        event = http_api_event(EVENTS, "/v1/traffic/events", query=query, headers=headers)
        response: dict[str, Any] = module.handler(event, traffic.lambda_context)
        return response

    call.recording = recording  # type: ignore[attr-defined]
    call.module = module  # type: ignore[attr-defined]
    return call


def validate(payload: Any, schema_name: str) -> None:
    from poche_common.openapi import PROBLEM_SCHEMA
    from traffic.openapi import SCHEMAS

    schemas = {**SCHEMAS, "Problem": PROBLEM_SCHEMA}
    jsonschema.validate(payload, {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}})


def ids(response: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body(response)["items"]]


# --- connector --------------------------------------------------------------------------------------------------


def test_first_run_stores_the_orne_events_and_announces_them(traffic: Traffic) -> None:
    report = traffic.run()

    assert report["status"] == "succeeded"
    assert report["sources"] == ["bundled"]
    assert (report["read"], report["rejected"], report["changed"]) == (9, 1, 7)  # Pré-en-Pail (Mayenne) left out
    assert report["rejections"] == [
        {
            "record": "CD61_D932_2026_121:CD61_D932_2026_121_01",
            "reason": "overallStartTime « 03/12/2026 07:00 » n'est pas une date-heure ISO 8601",
        }
    ]
    (event,) = traffic.bus_events()
    assert (event["source"], event["detail-type"]) == ("poche.traffic", "TrafficEventsUpdated")
    detail = event["detail"]
    assert {"id", "occurred_at", "version"} <= set(detail) and detail["version"] == 1
    assert detail["event_ids"] == sorted(V2.values())
    closure = next(c for c in detail["changes"] if c["id"] == V2["closure"])
    assert {k: v for k, v in closure.items() if k != "title"} == {
        "id": V2["closure"],
        "change": "created",
        "type": "closure",
        "communes": ["61464"],
    }
    assert closure["title"]  # what the event is, for the notifications (issue 9)
    assert {"61001", "61464", "61341", "61293", "61169", "61038"} <= set(detail["communes"])
    assert "fetched_at" in traffic.state()

    profile = traffic.item("EVENT#CD61_D438_SEES_2026_117#CD61_D438_SEES_2026_117_01", "PROFILE")
    assert profile is not None
    assert profile["description"]["S"] == "Route fermée sur la D438 à Sées."
    keys = {i["sk"]["S"] for i in traffic.items() if i["pk"]["S"] == profile["pk"]["S"]}
    cells = {"u08", "u08h", "u08h7", "u08he"}  # the line crosses two ~3 x 5 km cells
    assert keys == {"PROFILE", "IX#ALL", "IX#COMMUNE#61464"} | {f"IX#CELL#{cell}" for cell in cells}
    # every item of an ended event expires 7 days after its end
    finished = [i for i in traffic.items() if i["pk"]["S"].startswith("EVENT#CD61_D924_FLERS")]
    end = dt.datetime(2026, 11, 28, 16, 0, tzinfo=UTC) + dt.timedelta(days=7)
    assert finished and {i["expires_at"]["N"] for i in finished} == {str(int(end.timestamp()))}
    accident = [i for i in traffic.items() if i["pk"]["S"].startswith("EVENT#ALIS_A28")]
    assert accident and all("expires_at" not in i for i in accident)  # until further notice


def test_unchanged_feed_writes_nothing_and_emits_nothing(traffic: Traffic) -> None:
    traffic.run()
    traffic.bus_events()
    before = traffic.data()
    module = traffic.cloud.load(CONNECTOR)
    module.utc_now = lambda: NOW
    recording = Recording(module.dependencies.get().store.client)
    module.dependencies.get().store.client = recording

    report = module.handler(dict(SCHEDULED), traffic.lambda_context)

    assert report["status"] == "succeeded" and report["changed"] == 0
    assert traffic.bus_events() == []
    assert traffic.data() == before
    assert "batch_write_item" not in recording.operations() or all(
        not kwargs["RequestItems"][traffic.table] for name, kwargs in recording.calls if name == "batch_write_item"
    )
    assert "scan" not in recording.operations()
    assert [kwargs.get("IndexName") for name, kwargs in recording.calls if name == "query"] == ["by_area"]


def test_the_feed_is_authoritative_and_a_rejected_record_keeps_its_last_good_version(
    traffic: Traffic, tmp_path: Path
) -> None:
    traffic.run()
    traffic.bus_events()
    original = (SAMPLES / "situations-v2.xml").read_text(encoding="utf-8")
    # the closure moves north, out of Sées into Chailloué ...
    moved = original.replace("<latitude>48.6118</latitude>", "<latitude>48.6700</latitude>").replace(
        "<latitude>48.5985</latitude>", "<latitude>48.6600</latitude>"
    )
    # ... the snow warning is withdrawn ...
    start = moved.index('<situation id="CD61_METEO_20261202_NEIGE"')
    moved = moved[:start] + moved[moved.index("</situation>", start) + len("</situation>") :]
    # ... and the accident's record becomes malformed in this publication.
    moved = moved.replace(
        "<overallStartTime>2026-12-02T08:40:00+01:00</overallStartTime>",
        "<overallStartTime>ce matin</overallStartTime>",
    )
    feed = tmp_path / "situations.xml"
    feed.write_text(moved, encoding="utf-8")

    report = traffic.run(feed.as_uri())

    assert report["status"] == "succeeded" and report["rejected"] == 2
    changes = {(c["id"], c["change"]) for c in traffic.bus_events()[0]["detail"]["changes"]}
    assert changes == {(V2["closure"], "updated"), (V2["snow"], "deleted")}
    pk = "EVENT#CD61_D438_SEES_2026_117#CD61_D438_SEES_2026_117_01"
    keys = {i["sk"]["S"] for i in traffic.items() if i["pk"]["S"] == pk}
    assert "IX#COMMUNE#61464" not in keys  # the index items it left behind are gone
    assert "IX#COMMUNE#61081" in keys
    profile = traffic.item(pk, "PROFILE")
    assert profile is not None and [v["S"] for v in profile["communes"]["L"]] == ["61081"]
    assert not [i for i in traffic.items() if i["pk"]["S"].startswith("EVENT#CD61_METEO")]
    assert traffic.item("EVENT#ALIS_A28_20261202_0840#ALIS_A28_20261202_0840_01", "PROFILE") is not None


def test_another_version_of_datex_replaces_the_events(traffic: Traffic) -> None:
    traffic.run()
    traffic.bus_events()

    report = traffic.run((SAMPLES / "situations-v3.xml").as_uri())

    assert (report["read"], report["rejected"], report["changed"]) == (7, 1, 7 + 6)
    changes = traffic.bus_events()[0]["detail"]["changes"]
    assert sorted({c["change"] for c in changes}) == ["created", "deleted"]
    pks = {i["pk"]["S"] for i in traffic.items() if i["pk"]["S"].startswith("EVENT#")}
    assert all(pk.startswith("EVENT#CD61-2026-") for pk in pks) and len(pks) == 6


def test_events_ended_more_than_a_week_ago_are_dropped(traffic: Traffic) -> None:
    traffic.run()
    traffic.bus_events()

    report = traffic.run(now=dt.datetime(2026, 12, 6, 9, 0, tzinfo=UTC))  # Flers ended 2026-11-28 17:00
    assert report["changed"] == 1
    assert traffic.bus_events()[0]["detail"]["changes"] == [
        {"id": V2["finished"], "change": "deleted", "type": "roadworks", "communes": ["61169"]}
    ]
    assert not [i for i in traffic.items() if i["pk"]["S"].startswith("EVENT#CD61_D924_FLERS")]


TRUNCATED = (SAMPLES / "situations-v2.xml").read_bytes()[:5000]
REGULATION = b"""<?xml version="1.0"?><d2:payload xmlns:d2="http://datex2.eu/schema/3/d2Payload"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="TrafficRegulationPublication"/>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><d2LogicalModel>&c;</d2LogicalModel>"""


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (TRUNCATED, "tronqué"),
        (REGULATION, "TrafficRegulationPublication"),
        (LAUGHS, "DOCTYPE"),
        (b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", "page HTML"),
        (None, "cannot read"),
    ],
    ids=["truncated", "wrong-publication", "billion-laughs", "html-page", "missing-file"],
)
def test_a_broken_feed_keeps_the_last_good_data(
    traffic: Traffic, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, reason: str
) -> None:
    traffic.run()
    traffic.bus_events()
    before = traffic.data()
    good_state = traffic.state()
    broken = tmp_path / "broken.xml"
    if content is not None:
        broken.write_bytes(content)
    capsys.readouterr()

    report = traffic.run(broken.as_uri())

    assert report["status"] == "failed"
    assert reason.lower() in report["error"].lower()
    assert traffic.bus_events() == []
    assert traffic.data() == before
    assert traffic.state()["fetched_at"] == good_state["fetched_at"]
    assert traffic.state()["last_run"]["M"]["status"]["S"] == "failed"
    printed = capsys.readouterr().out
    emf = [json.loads(line) for line in printed.splitlines() if '"_aws"' in line]
    assert [record["ConnectorRunFailed"] for record in emf] == [1.0]
    assert emf[0]["connector"] == "traffic-datex2" and emf[0]["service"] == "traffic"
    errors = [json.loads(line) for line in printed.splitlines() if line.startswith('{"level": "ERROR"')]
    assert len(errors) == 1  # logged once, with its reason
    assert reason.lower() in errors[0]["report"]["error"].lower()


def test_source_comes_from_ssm(traffic: Traffic) -> None:
    traffic.clients["ssm"].put_parameter(
        Name=traffic.source_parameter, Value=(SAMPLES / "situations-v3.xml").as_uri(), Type="String", Overwrite=True
    )

    report = traffic.run()

    assert report["sources"] == [(SAMPLES / "situations-v3.xml").as_uri()]
    assert (report["read"], report["changed"]) == (7, 6)


# --- service ----------------------------------------------------------------------------------------------------


def test_events_in_force_in_the_departement(api: Any) -> None:
    response = api()

    assert response["statusCode"] == 200
    payload = body(response)
    validate(payload, "TrafficEventList")
    # most recent start first, then id
    assert ids(response) == [V2["accident"], V2["snow"], V2["closure"], V2["works"], V2["alternate"]]
    assert all(item["active"] for item in payload["items"])
    assert (payload["as_of"], payload["stale"], payload["next"]) == ("2026-12-02T09:58:00+01:00", False, None)
    assert header(response, "Cache-Control") == "public, max-age=60"
    assert header(response, "Content-Type") == "application/json; charset=utf-8"


def test_an_event_says_where_what_since_and_until_when(api: Any) -> None:
    items = {item["id"]: item for item in body(api({"active": "false"}))["items"]}

    assert items[V2["closure"]] == {
        "id": V2["closure"],
        "type": "closure",
        "type_label": "Route fermée",
        "severity": "high",
        "severity_label": "Forte",
        "description": "Route fermée sur la D438 à Sées.",
        "road": "D438",
        "start": "2026-12-01T20:00:00+01:00",
        "end": "2026-12-05T06:00:00+01:00",
        "active": True,
        "location": {
            "type": "line",
            "point": {"lat": 48.5985, "lon": 0.1712},
            "coordinates": [[0.1748, 48.6118], [0.1712, 48.5985]],
        },
        "communes": ["61464"],
    }
    accident = items[V2["accident"]]
    assert accident["location"] == {"type": "point", "point": {"lat": 48.5262, "lon": 0.1418}}
    assert (accident["end"], accident["road"], accident["severity"]) == (None, "A28", "high")
    assert accident["description"].startswith("A28 sens Rouen vers Alençon")


def test_all_events_with_active_false(api: Any) -> None:
    payload = body(api({"active": "false"}))

    assert {item["id"] for item in payload["items"]} == set(V2.values())
    flags = {item["id"]: item["active"] for item in payload["items"]}
    assert (flags[V2["finished"]], flags[V2["future"]], flags[V2["works"]]) == (False, False, True)
    assert payload["items"][0]["id"] == V2["future"]  # starts on 12 December


def test_in_force_is_computed_when_asked(api: Any) -> None:
    api.module.utc_now = lambda: dt.datetime(2026, 12, 12, 10, 0, tzinfo=UTC)

    assert ids(api()) == [V2["future"], V2["accident"], V2["works"], V2["alternate"]]


def test_events_of_a_commune(api: Any) -> None:
    assert ids(api({"commune": "61001"})) == [V2["works"], V2["alternate"]]  # Alençon: the N12 works
    assert ids(api({"commune": "61464"})) == [V2["closure"]]  # Sées
    assert ids(api({"commune": "61169"})) == []  # Flers: finished
    assert ids(api({"commune": "61169", "active": "false"})) == [V2["finished"]]
    assert ids(api({"commune": "61214"})) == []  # L'Aigle: nothing


@pytest.mark.parametrize("code", ["61999", "75056", "14118"])
def test_unknown_commune_is_a_404_problem(api: Any, code: str) -> None:
    response = api({"commune": code})

    assert response["statusCode"] == 404
    assert header(response, "Content-Type") == "application/problem+json"
    problem = body(response)
    validate(problem, "Problem")
    assert problem["type"] == "urn:poche:problem:not-found" and code in problem["detail"]


def test_events_in_a_bbox(api: Any) -> None:
    around_sees = {"bbox": "0.15,48.58,0.20,48.62"}
    assert ids(api(around_sees)) == [V2["closure"]]
    # a box crossing the N12 between its two ends (no vertex inside): found by the segment, not the vertices
    assert ids(api({"bbox": "0.00,48.440,0.02,48.450"})) == [V2["works"], V2["alternate"]]
    # inside the line's bounding box but away from the line: not found
    assert ids(api({"bbox": "0.04,48.445,0.06,48.455"})) == []
    # the whole north-east quarter of the département, one degree wide
    assert ids(api({"bbox": "0.0,48.3,1.0,48.9"})) == [
        V2["accident"],
        V2["snow"],
        V2["closure"],
        V2["works"],
        V2["alternate"],
    ]


def test_commune_and_bbox_together_is_the_intersection(api: Any) -> None:
    assert ids(api({"commune": "61001", "bbox": "0.06,48.42,0.10,48.44"})) == [V2["works"], V2["alternate"]]
    assert ids(api({"commune": "61001", "bbox": "0.50,48.50,0.60,48.55"})) == []  # Mortagne's snow is elsewhere
    assert ids(api({"commune": "61293", "bbox": "0.50,48.50,0.60,48.55"})) == [V2["snow"]]


def test_look_ups_never_scan(api: Any) -> None:
    for query in (
        None,
        {"commune": "61001"},
        {"bbox": "0.15,48.58,0.20,48.62"},
        {"bbox": "-0.6,48.3,0.4,48.9"},
        {"commune": "61464", "bbox": "0.15,48.58,0.20,48.62", "active": "false"},
    ):
        assert api(query)["statusCode"] == 200
    recording = api.recording
    assert "scan" not in recording.operations()
    assert recording.operations() <= {"query", "batch_get_item", "get_item"}
    partitions = {kwargs["ExpressionAttributeValues"][":v"]["S"] for name, kwargs in recording.calls if name == "query"}
    assert {"ALL", "COMMUNE#61001", "COMMUNE#61464"} <= partitions
    cells = {p for p in partitions if p.startswith("CELL#")}
    assert cells and all(len(p) - len("CELL#") in (3, 4, 5) for p in cells)
    per_request = [name for name, _ in recording.calls].count("query")
    assert per_request <= 1 + 1 + 16 + 16 + 1


def test_a_wide_bbox_uses_coarser_cells(api: Any) -> None:
    api({"bbox": "-0.6,48.3,0.4,48.9"})
    queried = [
        kwargs["ExpressionAttributeValues"][":v"]["S"] for name, kwargs in api.recording.calls if name == "query"
    ]

    assert 1 <= len(queried) <= 16
    assert all(len(p) == len("CELL#") + 3 for p in queried)


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"bbox": "0.1,48.4,0.2"}, "bbox", "quatre nombres"),
        ({"bbox": "a,b,c,d"}, "bbox", "quatre nombres"),
        ({"bbox": "0.2,48.4,0.1,48.5"}, "bbox", "minimum"),
        ({"bbox": "0.1,48.5,0.2,48.5"}, "bbox", "minimum"),
        ({"bbox": "-1.0,48.0,1.0,48.5"}, "bbox", "trop grande"),
        ({"bbox": "0.1,48.0,0.2,49.5"}, "bbox", "trop grande"),
        ({"bbox": "nan,48.0,0.2,48.5"}, "bbox", "WGS84"),
        ({"bbox": "0.1,95,0.2,96"}, "bbox", "WGS84"),
        ({"commune": "Alençon"}, "commune", "code INSEE"),
        ({"active": "maybe"}, "active", "true ou false"),
        ({"limit": "0"}, "limit", "entre 1 et 100"),
        ({"cursor": "pas-un-curseur"}, "cursor", "curseur"),
    ],
)
def test_bad_parameters_are_400_naming_them(api: Any, query: dict[str, str], field: str, words: str) -> None:
    response = api(query)

    assert response["statusCode"] == 400
    problem = body(response)
    validate(problem, "Problem")
    assert problem["invalid_params"][0]["name"] == field
    assert words in problem["detail"]
    assert header(response, "Cache-Control") == "no-store"


def test_pages_with_an_opaque_cursor(api: Any) -> None:
    seen: list[str] = []
    query = {"limit": "2", "active": "false"}
    pages = 0
    while True:
        payload = body(api(query))
        pages += 1
        assert len(payload["items"]) <= 2
        seen += [item["id"] for item in payload["items"]]
        if payload["next"] is None:
            break
        query = {"limit": "2", "active": "false", "cursor": payload["next"]}
    assert pages == 4 and len(seen) == 7 == len(set(seen))
    assert seen == ids(api({"active": "false"}))

    first = body(api({"limit": "2", "active": "false"}))["next"]
    tampered = first[:-3] + ("AAA" if not first.endswith("AAA") else "BBB")
    assert api({"limit": "2", "active": "false", "cursor": tampered})["statusCode"] == 400
    other_query = api({"limit": "2", "commune": "61001", "cursor": first})
    assert other_query["statusCode"] == 400 and body(other_query)["invalid_params"][0]["name"] == "cursor"


def test_etag_and_if_none_match(api: Any) -> None:
    first = api({"commune": "61464"})
    etag = header(first, "ETag")
    assert etag

    again = api({"commune": "61464"}, headers={"If-None-Match": etag})
    assert again["statusCode"] == 304 and again["body"] == ""
    assert header(again, "Cache-Control") == "public, max-age=60"


def test_stale_when_the_feed_was_not_read_for_half_an_hour(api: Any, traffic: Traffic) -> None:
    traffic.set_fetched_at("2026-12-02T08:25:00+00:00")

    payload = body(api())

    assert (payload["as_of"], payload["stale"]) == ("2026-12-02T09:25:00+01:00", True)
    assert len(payload["items"]) == 5  # the last good data is still served


def test_before_any_feed_was_read(traffic: Traffic) -> None:
    module = traffic.cloud.load("traffic")
    response = module.handler(http_api_event(EVENTS, "/v1/traffic/events"), traffic.lambda_context)

    assert response["statusCode"] == 200
    assert body(response) == {"items": [], "next": None, "as_of": None, "stale": True}
