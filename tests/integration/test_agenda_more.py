"""agenda-datatourisme (with de-duplication against OpenAgenda), agenda-cinema and the cinema routes, on moto.

On the `cloud` fixture, as `test_agenda.py`: the agenda table, the bus and the source parameters of the synthesized
templates (`infra/poche_infra/domains/agenda.py`), each function imported with its deployed environment. Time is
injected: never today's date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import Cloud, Recording, body, header, http_api_event

ROOT = Path(__file__).resolve().parents[2]
CINEMA_SAMPLE = ROOT / "functions/connectors/agenda_cinema/sample/seances.csv"
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 10:00 in Paris
ORCHESTRA = "datatourisme:a1f0c2d4-0001-4e6a-9b1e-orchestre"
SCAPIN = "datatourisme:d4a3f5e7-0004-4b9d-8e4b-scapin-matinee"
MARKET = "datatourisme:c3f2e4d6-0003-4a8c-9d3a-marche-argentan"
PACKAGES = {
    "agenda-openagenda": "agenda_openagenda",
    "agenda-datatourisme": "agenda_datatourisme",
    "agenda-cinema": "agenda_cinema",
}


class Agenda:
    """The agenda domain of the provisioned platform, and how to run its connectors and its service."""

    def __init__(self, cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
        self.cloud = cloud
        self.clients = cloud.clients
        self.lambda_context = lambda_context
        self.tmp_path = tmp_path
        self.table = cloud.table("agenda")

    def run(self, connector: str, source: str | None = None, now: dt.datetime = NOW) -> dict[str, Any]:
        """A scheduled run; its deployed source parameter (`bundled`) unless `source` overrides it."""
        variable = "POCHE_SOURCE_" + connector.upper().replace("-", "_")
        if source is not None:
            self.cloud.monkeypatch.setenv(variable, source)
        module = self.cloud.load(PACKAGES[connector])
        module.utc_now = lambda: now
        recording = Recording(module.dependencies.get().store.client)
        module.dependencies.get().store.client = recording
        report: dict[str, Any] = module.handler({"trigger": "schedule", "connector": connector}, self.lambda_context)
        report["calls"] = recording.calls
        self.cloud.monkeypatch.delenv(variable, raising=False)
        return report

    def write(self, name: str, text: str) -> str:
        path = self.tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path.as_uri()

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = (
            self.clients["dynamodb"].get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
        )
        return found

    def partition(self, pk: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.clients["dynamodb"].query(
            TableName=self.table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": pk}}
        )["Items"]
        return items

    def bus_events(self) -> list[dict[str, Any]]:
        return self.cloud.bus_events()

    def service(self, now: dt.datetime = NOW) -> Any:
        module = self.cloud.load("agenda")
        module.utc_now = lambda: now
        reader = module.dependencies.get().reader
        recording = Recording(reader.client)
        reader.client = recording

        def call(route: str, path: str, **kw: Any) -> dict[str, Any]:
            response: dict[str, Any] = module.handler(http_api_event(route, path, **kw), self.lambda_context)
            return response

        call.recording = recording  # type: ignore[attr-defined]
        return call


@pytest.fixture
def agenda(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> Agenda:
    return Agenda(cloud, lambda_context, tmp_path)


def validate(payload: Any, schema_name: str) -> None:
    from agenda.openapi import SCHEMAS
    from poche_common.openapi import PROBLEM_SCHEMA

    schemas = {**SCHEMAS, "Problem": PROBLEM_SCHEMA}
    jsonschema.validate(payload, {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}})


def event_ids(response: dict[str, Any]) -> set[str]:
    return {item["event_id"] for item in body(response)["items"]}


# ------------------------------------------------------------------------------------------- datatourisme


def test_datatourisme_after_openagenda_marks_the_duplicate_and_lists_it_once(agenda: Agenda) -> None:
    assert agenda.run("agenda-openagenda")["status"] == "succeeded"
    agenda.bus_events()
    report = agenda.run("agenda-datatourisme")
    assert report["status"] == "succeeded"
    assert (report["read"], report["rejected"], report["changed"]) == (5, 1, 4)
    assert report["rejections"][0]["reason"] == "no takesPlaceAt"
    assert "scan" not in report["calls"]
    profile = agenda.item(f"EVENT#{ORCHESTRA}", "PROFILE")
    assert profile is not None and profile["duplicate_of"] == {"S": "openagenda:8001"}
    occurrences = [i for i in agenda.partition(f"EVENT#{ORCHESTRA}") if i["sk"]["S"].startswith("OCC#")]
    assert occurrences and not any("gsi1pk" in i or "gsi2pk" in i for i in occurrences)
    scapin = agenda.item(f"EVENT#{SCAPIN}", "PROFILE")
    assert scapin is not None and "duplicate_of" not in scapin  # same title, 2 days later: not a duplicate
    (announced,) = agenda.bus_events()
    assert announced["detail-type"] == "EventsUpdated" and announced["source"] == "poche.agenda"
    assert announced["detail"]["source"] == "datatourisme" and ORCHESTRA in announced["detail"]["event_ids"]

    call = agenda.service()
    alencon = call("GET /v1/events", "/v1/events", query={"commune": "61001", "from": "2026-12-04", "to": "2026-12-04"})
    assert "openagenda:8001" in event_ids(alencon) and ORCHESTRA not in event_ids(alencon)
    territory = call("GET /v1/events", "/v1/events", query={"from": "2026-12-04", "to": "2026-12-04"})
    assert "openagenda:8001" in event_ids(territory) and ORCHESTRA not in event_ids(territory)
    flers = call("GET /v1/events", "/v1/events", query={"commune": "61169", "from": "2027-01-17", "to": "2027-01-17"})
    assert event_ids(flers) == {SCAPIN}
    argentan = call(
        "GET /v1/events", "/v1/events", query={"commune": "61006", "from": "2026-12-01", "to": "2026-12-31"}
    )
    assert event_ids(argentan) >= {MARKET}
    detail = call("GET /v1/events/{event_id}", f"/v1/events/{ORCHESTRA}", path_parameters={"event_id": ORCHESTRA})
    assert detail["statusCode"] == 200 and body(detail)["source"] == "datatourisme"
    assert "scan" not in call.recording.calls

    again = agenda.run("agenda-datatourisme")
    assert again["changed"] == 0 and "batch_write_item" not in again["calls"]
    assert agenda.bus_events() == []


def test_a_duplicate_found_later_is_hidden_at_the_next_run_and_shown_again_when_the_other_goes(
    agenda: Agenda,
) -> None:
    agenda.run("agenda-datatourisme")
    call = agenda.service()
    query = {"commune": "61001", "from": "2026-12-04", "to": "2026-12-04"}
    assert ORCHESTRA in event_ids(call("GET /v1/events", "/v1/events", query=query))
    agenda.run("agenda-openagenda")
    report = agenda.run("agenda-datatourisme")
    assert report["changed"] == 1
    listed = event_ids(call("GET /v1/events", "/v1/events", query=query))
    assert "openagenda:8001" in listed and ORCHESTRA not in listed
    agenda.run("agenda-openagenda", source=agenda.write("empty.json", '{"events": [], "after": null}'))
    assert agenda.run("agenda-datatourisme")["changed"] == 1
    assert ORCHESTRA in event_ids(call("GET /v1/events", "/v1/events", query=query))


def test_a_broken_datatourisme_export_keeps_the_stored_events(agenda: Agenda) -> None:
    agenda.run("agenda-datatourisme")
    report = agenda.run("agenda-datatourisme", source=agenda.write("broken.json", '{"not": "an export"}'))
    assert report["status"] == "failed" and "@graph" in report["error"]
    assert agenda.item(f"EVENT#{MARKET}", "PROFILE") is not None


# ------------------------------------------------------------------------------------------------- cinema


def test_cinema_bundled_run_stores_cinemas_and_sessions_and_reports_the_bad_line(agenda: Agenda) -> None:
    report = agenda.run("agenda-cinema")
    assert report["status"] == "succeeded"
    assert (report["read"], report["rejected"]) == (36, 1)
    assert report["rejections"] == [
        {"line": 10, "reason": "start « 2026-12-03 25:00 » n'est pas une date et heure valide"}
    ]
    assert report["changed"] == 37  # 2 profiles, 35 sessions
    assert "scan" not in report["calls"]
    (announced,) = agenda.bus_events()
    assert announced["detail-type"] == "SessionsUpdated"
    assert announced["detail"]["cinema_ids"] == ["normandy-flers", "planet-alencon"]
    assert announced["detail"]["communes"] == ["61001", "61169"]
    assert len(announced["detail"]["days"]["planet-alencon"]) == 7
    session = agenda.item("CINEMA#planet-alencon", "SESSION#2026-12-02T19:45:00+00:00#midnight-harbour#vost")
    assert session is not None
    assert session["expires_at"] == {"N": str(int(dt.datetime(2026, 12, 4, 19, 45, tzinfo=UTC).timestamp()))}
    again = agenda.run("agenda-cinema")
    assert again["changed"] == 0 and "batch_write_item" not in again["calls"]
    assert agenda.bus_events() == []


def test_a_file_replaces_the_sessions_of_each_day_it_contains_only(agenda: Agenda) -> None:
    agenda.run("agenda-cinema")
    agenda.bus_events()
    csv = (
        "cinema_id;cinema_name;commune_insee;film_title;start;version\n"
        "planet-alencon;Cinéma Planet;61001;Midnight Harbour;2026-12-02 22:00;VOST\n"
    )
    report = agenda.run("agenda-cinema", source=agenda.write("day.csv", csv))
    assert report["changed"] == 5  # 1 new session, 4 withdrawn of 2026-12-02; the profile is unchanged
    day = [i for i in agenda.partition("CINEMA#planet-alencon") if i["sk"]["S"].startswith("SESSION#2026-12-02")]
    assert [i["sk"]["S"] for i in day] == ["SESSION#2026-12-02T21:00:00+00:00#midnight-harbour#vost"]
    other_days = [i for i in agenda.partition("CINEMA#planet-alencon") if i["sk"]["S"] >= "SESSION#2026-12-03"]
    assert len(other_days) == 6 * 3 + 2  # untouched
    assert len(agenda.partition("CINEMA#normandy-flers")) == 1 + 7 + 4  # untouched
    (announced,) = agenda.bus_events()
    assert announced["detail"]["days"] == {"planet-alencon": ["2026-12-02"]}


def test_a_rejected_row_never_deletes_the_sessions_of_its_day(agenda: Agenda) -> None:
    agenda.run("agenda-cinema")

    def day_of(cinema: str, day: str) -> list[str]:
        return [i["sk"]["S"] for i in agenda.partition(f"CINEMA#{cinema}") if i["sk"]["S"].startswith(f"SESSION#{day}")]

    before = day_of("planet-alencon", "2026-12-02")
    header = "cinema_id;cinema_name;commune_insee;film_title;start;version\n"
    csv = (
        header + "planet-alencon;Cinéma Planet;61001;Midnight Harbour;2026-12-02 22:00;VOST\n"
        "planet-alencon;Cinéma Planet;61001;Le Voyage de Pim;2026-12-02 16:15;VX\n"  # bad version: rejected
    )
    report = agenda.run("agenda-cinema", source=agenda.write("day.csv", csv))
    assert report["rejected"] == 1 and report["changed"] == 1  # the new session; nothing of that day deleted
    assert set(before) < set(day_of("planet-alencon", "2026-12-02"))

    flers = day_of("normandy-flers", "2026-12-0")
    unsure = header + "normandy-flers;Normandy;61169;Film;2026-12-03 20:00;VF\nnot;enough;columns\n"
    report = agenda.run("agenda-cinema", source=agenda.write("unsure.csv", unsure))
    assert report["rejected"] == 1
    assert set(flers) <= set(day_of("normandy-flers", "2026-12-0"))  # a row saying no day protects every day


def test_a_file_without_the_required_columns_changes_nothing(agenda: Agenda) -> None:
    agenda.run("agenda-cinema")
    report = agenda.run("agenda-cinema", source=agenda.write("bad.csv", "cinema;film\na;b\n"))
    assert report["status"] == "failed" and "Colonnes obligatoires absentes" in report["error"]
    assert len(agenda.partition("CINEMA#planet-alencon")) == 1 + 24


def test_cinema_routes(agenda: Agenda) -> None:
    agenda.run("agenda-cinema", now=dt.datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    agenda.clients["dynamodb"].update_item(
        TableName=agenda.table,
        Key={"pk": {"S": "FEED#agenda-cinema"}, "sk": {"S": "STATE"}},
        UpdateExpression="SET fetched_at = :f",
        ExpressionAttributeValues={":f": {"S": "2026-12-01T08:30:00+00:00"}},
    )
    call = agenda.service(now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC))

    listed = call("GET /v1/cinemas", "/v1/cinemas", query={"commune": "61001"})
    assert listed["statusCode"] == 200
    assert header(listed, "cache-control") == "public, max-age=900"
    payload = body(listed)
    validate(payload, "CinemaList")
    assert payload["items"] == [{"cinema_id": "planet-alencon", "name": "Cinéma Planet", "commune": "61001"}]
    assert payload["as_of"] == "2026-12-01T09:30:00+01:00" and payload["stale"] is True  # read 24 h ago

    everything = body(call("GET /v1/cinemas", "/v1/cinemas"))
    assert [c["cinema_id"] for c in everything["items"]] == ["planet-alencon", "normandy-flers"]  # by name
    first = body(call("GET /v1/cinemas", "/v1/cinemas", query={"limit": "1"}))
    assert [c["cinema_id"] for c in first["items"]] == ["planet-alencon"] and first["next"]
    second = body(call("GET /v1/cinemas", "/v1/cinemas", query={"limit": "1", "cursor": first["next"]}))
    assert [c["cinema_id"] for c in second["items"]] == ["normandy-flers"] and second["next"] is None
    assert body(call("GET /v1/cinemas", "/v1/cinemas", query={"commune": "61214"}))["items"] == []
    unknown = call("GET /v1/cinemas", "/v1/cinemas", query={"commune": "75056"})
    assert unknown["statusCode"] == 404
    validate(body(unknown), "Problem")
    assert call("GET /v1/cinemas", "/v1/cinemas", query={"commune": "alencon"})["statusCode"] == 400

    route = "GET /v1/cinemas/{cinema_id}/sessions"
    today = call(route, "/v1/cinemas/planet-alencon/sessions", path_parameters={"cinema_id": "planet-alencon"})
    assert today["statusCode"] == 200 and header(today, "cache-control") == "public, max-age=900"
    day = body(today)
    validate(day, "CinemaSessions")
    assert (day["cinema_id"], day["name"], day["date"]) == ("planet-alencon", "Cinéma Planet", "2026-12-02")
    assert [(f["film_title"], f["version"], f["times"]) for f in day["items"]] == [
        ("Les Hirondelles de l'Orne", "VF", ["2026-12-02T14:00:00+01:00", "2026-12-02T20:30:00+01:00"]),
        ("Le Voyage de Pim", "VF", ["2026-12-02T16:15:00+01:00"]),
        ("Midnight Harbour", "VOST", ["2026-12-02T20:45:00+01:00"]),
    ]
    assert day["items"][0]["accessibility"] == ["audiodescription", "sous_titres_sourds"]
    assert day["items"][0]["duration_min"] == 105 and day["items"][0]["rating"] == "tous publics"
    other = body(
        call(
            route,
            "/v1/cinemas/planet-alencon/sessions",
            path_parameters={"cinema_id": "planet-alencon"},
            query={"date": "2026-12-04"},
        )
    )
    assert [f["film_title"] for f in other["items"]] == ["Les Hirondelles de l'Orne", "Midnight Harbour"]
    empty = body(
        call(
            route,
            "/v1/cinemas/planet-alencon/sessions",
            path_parameters={"cinema_id": "planet-alencon"},
            query={"date": "2026-12-20"},
        )
    )
    assert empty["items"] == []
    missing = call(route, "/v1/cinemas/nowhere/sessions", path_parameters={"cinema_id": "nowhere"})
    assert missing["statusCode"] == 404
    validate(body(missing), "Problem")
    assert call(route, "/v1/cinemas/NO%20PE/sessions", path_parameters={"cinema_id": "NO%20PE"})["statusCode"] == 404
    bad_date = call(
        route,
        "/v1/cinemas/planet-alencon/sessions",
        path_parameters={"cinema_id": "planet-alencon"},
        query={"date": "02/12/2026"},
    )
    assert bad_date["statusCode"] == 400 and "date" in json.dumps(body(bad_date))
    assert "scan" not in call.recording.calls
