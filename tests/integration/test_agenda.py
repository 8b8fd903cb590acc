"""The agenda-openagenda connector and the agenda service against moto.

On the `cloud` fixture: the table, the bus and the source parameter are those of the synthesized templates
(`infra/poche_infra/domains/agenda.py`), each function imported with its deployed environment. Time is injected:
never today's date.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import Cloud, Recording, body, header, http_api_event, table_items

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "functions/connectors/agenda_openagenda/sample"
CONNECTOR = "agenda_openagenda"
SCHEDULED = {"trigger": "schedule", "connector": "agenda-openagenda"}
LIST = "GET /v1/events"
DETAIL = "GET /v1/events/{event_id}"
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 10:00 in Paris
FETCHED_AT = "2026-12-01T08:30:00+00:00"


class Agenda:
    """The agenda domain of the provisioned platform, and how to run its OpenAgenda connector."""

    def __init__(self, cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
        self.cloud = cloud
        self.clients = cloud.clients
        self.lambda_context = lambda_context
        self.tmp_path = tmp_path
        self.table = cloud.table(CONNECTOR)

    def run(self, source: str | None = None, now: dt.datetime = NOW) -> dict[str, Any]:
        if source is not None:
            self.cloud.monkeypatch.setenv("POCHE_SOURCE_AGENDA_OPENAGENDA", source)
        module = self.cloud.load(CONNECTOR)
        module.utc_now = lambda: now
        report: dict[str, Any] = module.handler(dict(SCHEDULED), self.lambda_context)
        self.cloud.monkeypatch.delenv("POCHE_SOURCE_AGENDA_OPENAGENDA", raising=False)
        return report

    def pages(self) -> list[dict[str, Any]]:
        return [json.loads((SAMPLES / f"events-page{n}.json").read_text()) for n in (1, 2)]

    def write_single_page(self, events: list[dict[str, Any]], name: str = "feed.json") -> str:
        path = self.tmp_path / name
        path.write_text(json.dumps({"total": len(events), "events": events, "after": None}), encoding="utf-8")
        return path.as_uri()

    def bus_events(self) -> list[dict[str, Any]]:
        return self.cloud.bus_events()

    def items(self) -> list[dict[str, Any]]:
        return table_items(self.table)

    def data(self) -> set[str]:
        return {json.dumps(i, sort_keys=True) for i in self.items() if not i["pk"]["S"].startswith("FEED#")}

    def set_fetched_at(self, value: str) -> None:
        self.clients["dynamodb"].update_item(
            TableName=self.table,
            Key={"pk": {"S": "FEED#agenda-openagenda"}, "sk": {"S": "STATE"}},
            UpdateExpression="SET fetched_at = :f",
            ExpressionAttributeValues={":f": {"S": value}},
        )


@pytest.fixture
def agenda(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> Agenda:
    return Agenda(cloud, lambda_context, tmp_path)


@pytest.fixture
def api(agenda: Agenda) -> Any:
    """The service over the bundled sample, read at FETCHED_AT; answers at NOW."""

    def write() -> None:
        assert agenda.run()["status"] == "succeeded"
        agenda.set_fetched_at(FETCHED_AT)

    agenda.cloud.seed(f"agenda-openagenda bundled sample run at {NOW.isoformat()}, fetched_at {FETCHED_AT}", write)
    agenda.bus_events()
    module = agenda.cloud.load("agenda")
    module.utc_now = lambda: NOW
    reader = module.dependencies.get().reader
    recording = Recording(reader.client)
    reader.client = recording

    def call(query: dict[str, str] | None = None, event_id: str | None = None, **kw: Any) -> dict[str, Any]:
        if event_id is None:
            event = http_api_event(LIST, "/v1/events", query=query, **kw)
        else:
            event = http_api_event(
                DETAIL, f"/v1/events/{event_id}", path_parameters={"event_id": event_id}, query=query, **kw
            )
        response: dict[str, Any] = module.handler(event, agenda.lambda_context)
        return response

    call.recording = recording  # type: ignore[attr-defined]
    return call


def validate(payload: Any, schema_name: str) -> None:
    from agenda.openapi import SCHEMAS
    from poche_common.openapi import PROBLEM_SCHEMA

    schemas = {**SCHEMAS, "Problem": PROBLEM_SCHEMA}
    jsonschema.validate(payload, {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}})


def listed(response: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["event_id"].split(":")[1], item["begin"][:16]) for item in body(response)["items"]]


# ------------------------------------------------------------------------------------------------ connector


def test_bundled_run_follows_both_pages_stores_and_announces(agenda: Agenda) -> None:
    report = agenda.run()
    assert report["status"] == "succeeded"
    assert (report["read"], report["rejected"], report["changed"]) == (12, 1, 11)
    assert report["rejections"] == [{"event": "event 7 (uid 8007)", "reason": "no timings"}]
    assert report["sources"] == ["bundled"]
    profiles = {i["pk"]["S"] for i in agenda.items() if i["sk"]["S"] == "PROFILE"}
    assert len(profiles) == 11 and "EVENT#openagenda:8012" in profiles and "EVENT#openagenda:8007" not in profiles
    (message,) = agenda.bus_events()
    assert (message["source"], message["detail-type"]) == ("poche.agenda", "EventsUpdated")
    detail = message["detail"]
    assert detail["connector"] == "agenda-openagenda" and detail["version"] == 1
    assert len(detail["event_ids"]) == 11 and "openagenda:8003" in detail["event_ids"]
    assert {"61001", "61169", "61006", "61293", "61447"} <= set(detail["communes"])
    assert {c["change"] for c in detail["changes"]} == {"created"} and detail["truncated"] is False


def test_an_unchanged_feed_writes_nothing_and_announces_nothing(agenda: Agenda) -> None:
    agenda.run()
    agenda.bus_events()
    before = agenda.data()
    report = agenda.run(now=NOW + dt.timedelta(hours=1))
    assert report["status"] == "succeeded" and report["changed"] == 0
    assert agenda.data() == before and agenda.bus_events() == []


def test_changes_updates_and_withdrawals_with_a_rejected_event_kept(agenda: Agenda) -> None:
    agenda.run()
    agenda.bus_events()
    events = [e for page in agenda.pages() for e in page["events"]]
    by_uid = {e["uid"]: copy.deepcopy(e) for e in events}
    by_uid[8001]["status"] = 6  # concert cancelled
    by_uid[8002]["timings"] = by_uid[8002]["timings"][:1]  # second performance withdrawn
    by_uid[8004]["timings"] = []  # became malformed: keeps its last good version
    del by_uid[8010]  # withdrawn from the agenda
    report = agenda.run(agenda.write_single_page(list(by_uid.values())))
    assert report["status"] == "succeeded" and report["rejected"] == 2
    (message,) = agenda.bus_events()
    changes = {(c["event_id"], c["change"]) for c in message["detail"]["changes"]}
    assert changes == {
        ("openagenda:8001", "updated"),
        ("openagenda:8002", "updated"),
        ("openagenda:8010", "deleted"),
    }
    keys = {(i["pk"]["S"], i["sk"]["S"]) for i in agenda.items()}
    assert not any(pk == "EVENT#openagenda:8010" for pk, _ in keys)
    assert ("EVENT#openagenda:8002", "OCC#2027-01-16T19:30:00+00:00") not in keys
    assert ("EVENT#openagenda:8002", "OCC#2027-01-15T19:30:00+00:00") in keys
    assert ("EVENT#openagenda:8004", "OCC#2026-12-12T09:00:00+00:00") in keys


def test_a_feed_not_read_to_its_end_deletes_nothing(agenda: Agenda) -> None:
    agenda.run()
    agenda.bus_events()
    module = agenda.cloud.load(CONNECTOR)
    first_page = agenda.pages()[0]
    payload = json.dumps({"events": first_page["events"], "complete": False}).encode()
    outcome = module.ingest([payload], module.dependencies.get().store, module.dependencies.get().outbox, NOW)
    assert outcome.changed == 0
    assert any(i["pk"]["S"] == "EVENT#openagenda:8012" for i in agenda.items())


@pytest.mark.parametrize("content", [b"<html>maintenance</html>", b'{"error": "invalid key"}'])
def test_a_broken_feed_keeps_the_data(agenda: Agenda, content: bytes) -> None:
    agenda.run()
    agenda.bus_events()
    before = agenda.data()
    broken = agenda.tmp_path / "broken.json"
    broken.write_bytes(content)
    report = agenda.run(broken.as_uri())
    assert report["status"] == "failed" and agenda.data() == before and agenda.bus_events() == []


def test_the_api_key_is_never_recorded(agenda: Agenda, caplog: pytest.LogCaptureFixture) -> None:
    url = "http://127.0.0.1:9/v2/agendas/123/events?detailed=1&key=TOPSECRET"
    report = agenda.run(url)
    assert report["status"] == "failed"
    assert "TOPSECRET" not in json.dumps(report)
    assert "TOPSECRET" not in json.dumps(agenda.items())


def test_past_occurrences_are_not_stored_and_expire(agenda: Agenda) -> None:
    agenda.run(now=dt.datetime(2027, 1, 5, tzinfo=UTC))
    exhibition = [
        i for i in agenda.items() if i["pk"]["S"] == "EVENT#openagenda:8003" and i["sk"]["S"].startswith("OCC#")
    ]
    begins = sorted(i["sk"]["S"][4:] for i in exhibition)
    assert begins[0] >= "2026-12-06"  # ended more than 30 days before 5 January: not written
    for item in exhibition:
        end = dt.datetime.fromisoformat(item["end"]["S"])
        assert int(item["expires_at"]["N"]) == int((end + dt.timedelta(days=30)).timestamp())


# ------------------------------------------------------------------------------------------------ service


def test_list_by_commune_in_date_order_with_freshness(api: Any) -> None:
    response = api({"commune": "61001"})
    assert response["statusCode"] == 200
    assert header(response, "Cache-Control") == "public, max-age=900"
    payload = body(response)
    validate(payload, "AgendaOccurrenceList")
    assert listed(response) == [
        ("8001", "2026-12-04T20:30"),
        ("8009", "2026-12-16T14:30"),
        ("8009", "2026-12-23T14:30"),
    ]
    assert payload["as_of"] == "2026-12-01T09:30:00+01:00" and payload["stale"] is False
    assert payload["next"] is None
    first = payload["items"][0]
    assert first["begin"] == "2026-12-04T20:30:00+01:00" and first["end"] == "2026-12-04T22:30:00+01:00"
    assert first["location"] == {
        "name": "Scène nationale 61 — Théâtre d'Alençon",
        "address": "2 avenue de Basingstoke, 61000 Alençon",
        "commune": "61001",
        "lat": 48.4322,
        "lon": 0.0895,
    }
    assert first["accessibility"] == ["hearing", "motor"] and first["free"] is False
    assert first["image"] == "https://cdn.openagenda.com/main/event-8001.jpg"
    assert "Scan" not in api.recording.calls


def test_list_of_the_territory_pages_through_months_in_order(api: Any) -> None:
    query = {"from": "2026-12-01", "to": "2027-01-31"}
    everything = body(api(query))
    assert everything["next"] is None
    begins = [item["begin"] for item in everything["items"]]
    # 28 afternoons of the exhibition left from 1 December + 15 other occurrences, the cancelled one included
    assert begins == sorted(begins) and len(begins) == 43
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        response = api({**query, "limit": "7", **({"cursor": cursor} if cursor else {})})
        payload = body(response)
        validate(payload, "AgendaOccurrenceList")
        pages += payload["items"]
        cursor = payload["next"]
        if cursor is None:
            break
    assert [(i["event_id"], i["begin"]) for i in pages] == [(i["event_id"], i["begin"]) for i in everything["items"]]
    assert "Scan" not in api.recording.calls


def test_category_and_title_filters(api: Any) -> None:
    markets = api({"category": "marche"})
    assert listed(markets) == [("8004", "2026-12-12T10:00"), ("8004", "2026-12-13T10:00")]
    assert body(markets)["items"][0]["free"] is True
    scapin = api({"q": "fourberies", "from": "2027-01-01", "to": "2027-01-31"})
    assert listed(scapin) == [("8002", "2027-01-15T20:30"), ("8002", "2027-01-16T20:30")]
    accents = api({"q": "MARCHE DE NOEL"})
    assert {e for e, _ in listed(accents)} == {"8004"}
    young = api({"category": "jeune_public", "commune": "61001"})
    assert {e for e, _ in listed(young)} == {"8009"}


def test_event_resolved_from_its_postcode_is_listed_under_its_commune(api: Any) -> None:
    assert listed(api({"commune": "61447"})) == [("8006", "2026-12-06T09:00")]


def test_cancelled_events_stay_listed_with_their_status(api: Any) -> None:
    (item,) = body(api({"commune": "61464", "to": "2026-12-10"}))["items"]
    assert (item["event_id"], item["status"], item["status_label"]) == ("openagenda:8005", "cancelled", "Annulé")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"category": "opera"}, "category"),
        ({"from": "2026-12-01", "to": "2027-03-04"}, "to"),
        ({"from": "2026-12-10", "to": "2026-12-01"}, "to"),
        ({"from": "01/12/2026"}, "from"),
        ({"commune": "Alençon"}, "commune"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
def test_bad_parameters_are_400_naming_them(api: Any, query: dict[str, str], name: str) -> None:
    response = api(query)
    assert response["statusCode"] == 400
    problem = body(response)
    validate(problem, "Problem")
    assert problem["invalid_params"][0]["name"] == name
    if name == "category":
        assert "concert" in problem["detail"] and "jeune_public" in problem["detail"]


def test_a_cursor_of_another_query_is_refused(api: Any) -> None:
    first = body(api({"from": "2026-12-01", "to": "2027-01-31", "limit": "2"}))
    other = api({"from": "2026-12-01", "to": "2027-01-30", "limit": "2", "cursor": first["next"]})
    assert other["statusCode"] == 400


def test_unknown_commune_is_404(api: Any) -> None:
    response = api({"commune": "75056"})
    assert response["statusCode"] == 404


def test_event_detail_with_description_and_next_occurrences(api: Any) -> None:
    response = api(event_id="openagenda:8003")
    assert response["statusCode"] == 200
    assert header(response, "Cache-Control") == "public, max-age=900"
    payload = body(response)
    validate(payload, "AgendaEvent")
    assert payload["title"] == "Paysages de l'Orne — peintures et photographies"
    assert payload["description"] == "Peintures, gravures et photographies.\nVisite commentée le samedi à 15 h."
    assert payload["categories"] == ["exposition"] and payload["free"] is True and payload["price"] == "Entrée libre"
    assert payload["occurrences"][0] == {"begin": "2026-12-01T14:00:00+01:00", "end": "2026-12-01T18:00:00+01:00"}
    assert len(payload["occurrences"]) == 28 and payload["as_of"] == "2026-12-01T09:30:00+01:00"
    assert payload["source"] == "openagenda"


def test_detail_etag_and_304(api: Any) -> None:
    first = api(event_id="openagenda:8001")
    again = api(event_id="openagenda:8001", headers={"If-None-Match": header(first, "ETag") or ""})
    assert again["statusCode"] == 304 and again["body"] == ""


@pytest.mark.parametrize("event_id", ["openagenda:9999", "openagenda:8007", "nonsense", "openagenda:8001%20x"])
def test_unknown_event_is_404(api: Any, event_id: str) -> None:
    response = api(event_id=event_id)
    assert response["statusCode"] == 404
    validate(body(response), "Problem")


def test_expired_occurrences_are_not_listed_before_ttl_deletes_them(api: Any, agenda: Agenda) -> None:
    agenda.clients["dynamodb"].update_item(
        TableName=agenda.table,
        Key={"pk": {"S": "EVENT#openagenda:8001"}, "sk": {"S": "OCC#2026-12-04T19:30:00+00:00"}},
        UpdateExpression="SET expires_at = :e",
        ExpressionAttributeValues={":e": {"N": str(int(NOW.timestamp()) - 1)}},
    )
    assert ("8001", "2026-12-04T20:30") not in listed(api({"commune": "61001"}))


def test_stale_when_not_refreshed(api: Any, agenda: Agenda) -> None:
    agenda.set_fetched_at("2026-12-01T05:00:00+00:00")
    assert body(api({"commune": "61001"}))["stale"] is True
