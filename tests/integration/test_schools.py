"""The schools domain on moto, provisioned from the synthesized stacks: the admin API with real payload 2.0
events and authorizer claims, the public service, the département's connector, events and tile projections."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import Cloud, body, header, http_api_event

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 30 November 2026, 10:00 in Paris
RACINE = "0610003X"  # Collège Jean Racine, Alençon
MOLIERE = "0610745D"  # Collège Molière, L'Aigle
STAFF = {
    "sub": "4a1b-not-stored",
    "email": "principal@example.test",
    "cognito:groups": "[school-staff]",
    "custom:schools": f"{RACINE},0610010E",
    "token_use": "id",
}
NOTICE = {
    "title": "Conseil de classe : fin des cours à 15 h",
    "body": "Les cours de l'après-midi s'arrêtent à 15 h jeudi.",
    "kind": "timetable_change",
    "starts": "2026-12-03T15:00:00+01:00",
    "ends": "2026-12-03T17:30:00+01:00",
}
SCHEDULED = {"trigger": "schedule", "connector": "schools-notices-csv"}


class Schools:
    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.context = lambda_context
        self.admin = cloud.load("schools_admin")
        self.admin.utc_now = lambda: NOW
        ids = iter(f"n{i:015d}" for i in range(1, 100))
        self.admin.new_id = lambda: next(ids)
        self.public = cloud.load("schools")
        self.public.utc_now = lambda: NOW
        self.table = cloud.table("schools")

    def call(self, method: str, path: str, route: str, params: dict[str, str], **kwargs: Any) -> dict[str, Any]:
        module = self.public if method == "GET" and not path.startswith("/v1/admin/") else self.admin
        event = http_api_event(f"{method} {route}", path, path_parameters=params, **kwargs)
        result: dict[str, Any] = module.handler(event, self.context)
        return result

    def post(
        self, uai: str = RACINE, notice: dict[str, Any] | None = None, claims: dict[str, str] | None = STAFF
    ) -> Any:
        return self.call(
            "POST",
            f"/v1/admin/schools/{uai}/notices",
            "/v1/admin/schools/{uai}/notices",
            {"uai": uai},
            body=json.dumps(notice if notice is not None else NOTICE),
            claims=claims,
        )

    def patch(self, notice_id: str, change: dict[str, Any], uai: str = RACINE, claims: dict[str, str] = STAFF) -> Any:
        return self.call(
            "PATCH",
            f"/v1/admin/schools/{uai}/notices/{notice_id}",
            "/v1/admin/schools/{uai}/notices/{notice_id}",
            {"uai": uai, "notice_id": notice_id},
            body=json.dumps(change),
            claims=claims,
        )

    def delete(self, notice_id: str, uai: str = RACINE, claims: dict[str, str] = STAFF) -> Any:
        return self.call(
            "DELETE",
            f"/v1/admin/schools/{uai}/notices/{notice_id}",
            "/v1/admin/schools/{uai}/notices/{notice_id}",
            {"uai": uai, "notice_id": notice_id},
            claims=claims,
        )

    def notices(self, uai: str = RACINE) -> Any:
        return self.call("GET", f"/v1/schools/{uai}/notices", "/v1/schools/{uai}/notices", {"uai": uai})

    def tile(self, uai: str = RACINE) -> dict[str, Any] | None:
        from poche_common.dynamo import from_item

        key = {"pk": {"S": f"TILE#school-notices#{uai}"}, "sk": {"S": "CONTENT"}}
        item = self.cloud.clients["dynamodb"].get_item(TableName=self.table, Key=key).get("Item")
        return from_item(item) if item else None

    def run(self, source: Path | None = None, now: dt.datetime = NOW) -> dict[str, Any]:
        if source is not None:
            self.cloud.monkeypatch.setenv("POCHE_SOURCE_SCHOOLS_NOTICES_CSV", source.as_uri())
        connector = self.cloud.load("schools_notices_csv")
        connector.utc_now = lambda: now
        report: dict[str, Any] = connector.handler(dict(SCHEDULED), self.context)
        self.cloud.monkeypatch.delenv("POCHE_SOURCE_SCHOOLS_NOTICES_CSV", raising=False)
        return report

    def data(self) -> set[str]:
        return {
            json.dumps(i, sort_keys=True) for i in self.cloud.items("schools") if not i["pk"]["S"].startswith("FEED#")
        }


@pytest.fixture
def domain(cloud: Cloud, lambda_context: Any) -> Schools:
    return Schools(cloud, lambda_context)


def validate(payload: Any, schema: str) -> None:
    from poche_common.openapi import PROBLEM_SCHEMA
    from schools.openapi import SCHEMAS

    jsonschema.validate(
        payload,
        {"$ref": f"#/components/schemas/{schema}", "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}},
    )


def test_publish_then_read_change_and_withdraw(domain: Schools) -> None:
    created = domain.post()
    assert created["statusCode"] == 201, created["body"]
    notice = body(created)
    assert header(created, "Location") == f"/v1/admin/schools/{RACINE}/notices/{notice['id']}"
    assert notice["starts"] == "2026-12-03T15:00:00+01:00" and notice["origin"] == "school"

    listed = domain.notices()
    assert listed["statusCode"] == 200
    payload = body(listed)
    validate(payload, "SchoolNoticeList")
    assert payload["school"]["name"] == "Collège Jean Racine" and payload["items"] == [notice]
    assert payload["as_of"] == "2026-11-30T10:00:00+01:00"

    changed = domain.patch(notice["id"], {"title": "Conseil de classe : fin des cours à 14 h"})
    assert changed["statusCode"] == 200 and body(changed)["title"].endswith("14 h")
    assert body(changed)["kind"] == "timetable_change"
    unchanged = domain.patch(notice["id"], {"title": "Conseil de classe : fin des cours à 14 h"})
    assert unchanged["statusCode"] == 200

    withdrawn = domain.delete(notice["id"])
    assert withdrawn["statusCode"] == 204 and withdrawn["body"] == ""
    assert body(domain.notices())["items"] == []
    assert domain.delete(notice["id"])["statusCode"] == 404

    events = domain.cloud.bus_events()
    kinds = [(e["source"], e["detail-type"], e["detail"]["change"]) for e in events]
    assert kinds == [
        ("poche.schools", "SchoolNoticePublished", "created"),
        ("poche.schools", "SchoolNoticePublished", "updated"),  # the unchanged PATCH sent nothing
        ("poche.schools", "SchoolNoticeWithdrawn", "withdrawn"),
    ]
    detail = events[0]["detail"]
    assert detail["version"] == 1 and detail["uai"] == RACINE and detail["notice_id"] == notice["id"]
    assert detail["notices"] == [
        {
            "uai": RACINE,
            "notice_id": notice["id"],
            "kind": "timetable_change",
            "title": "Conseil de classe : fin des cours à 15 h",  # what the notification says (issue 9)
            "starts": "2026-12-03T14:00:00+00:00",
            "ends": "2026-12-03T16:30:00+00:00",
            "change": "created",
        }
    ]
    everything = json.dumps(events) + json.dumps(list(domain.cloud.items("schools")))
    assert "principal@example.test" not in everything and "4a1b-not-stored" not in everything


def test_each_write_rewrites_the_school_tile(domain: Schools) -> None:
    notice = body(domain.post())
    tile = domain.tile()
    assert tile is not None
    assert tile["params"] == {"uai": RACINE}
    assert tile["head"] == {"school": {"uai": RACINE, "name": "Collège Jean Racine", "commune": "61001"}}
    (entry,) = tile["entries"]
    assert entry == {
        "id": notice["id"],
        "order": "2026-12-03T14:00:00+00:00",
        "until": "2026-12-03T16:30:00+00:00",
        "view": notice,
    }
    domain.delete(notice["id"])
    emptied = domain.tile()
    assert emptied is not None and emptied["entries"] == []  # emptied, never deleted


def test_only_school_staff_of_that_school(domain: Schools) -> None:
    for claims in (
        {**STAFF, "cognito:groups": "[editors]"},
        {**STAFF, "cognito:groups": "editors"},
        {**STAFF, "custom:schools": MOLIERE},
        {k: v for k, v in STAFF.items() if k != "custom:schools"},
        None,  # no authorizer context at all
    ):
        refused = domain.post(claims=claims)
        assert refused["statusCode"] == 403, claims
        assert header(refused, "Content-Type") == "application/problem+json"
        assert body(refused)["type"] == "urn:poche:problem:forbidden"
    assert domain.post(uai=MOLIERE)["statusCode"] == 403  # another school
    assert domain.post(uai="0619999Z", claims={**STAFF, "custom:schools": "0619999Z"})["statusCode"] == 404
    notice = body(domain.post())
    other = {**STAFF, "custom:schools": MOLIERE}
    assert domain.patch(notice["id"], {"title": "x"}, claims=other)["statusCode"] == 403
    assert domain.delete(notice["id"], claims=other)["statusCode"] == 403
    assert domain.patch("n999", {"title": "x"})["statusCode"] == 404
    assert [i for i in domain.cloud.items("schools") if i["sk"]["S"].startswith("NOTICE#")].__len__() == 1


def test_bad_bodies_are_400_naming_the_field(domain: Schools) -> None:
    for notice, field in [
        ({**NOTICE, "title": "x" * 121}, "title"),
        ({**NOTICE, "kind": "neige"}, "kind"),
        ({**NOTICE, "starts": "2026-12-03T15:00:00"}, "starts"),
        ({**NOTICE, "ends": "2026-12-03T14:00:00+01:00"}, "ends"),
        ({**NOTICE, "starts": "2026-11-01T08:00:00+01:00", "ends": "2026-11-02T08:00:00+01:00"}, "ends"),
    ]:
        refused = domain.post(notice=notice)
        assert refused["statusCode"] == 400
        problem = body(refused)
        assert problem["invalid_params"][0]["name"] == field and problem["detail"]
    broken = domain.call(
        "POST",
        f"/v1/admin/schools/{RACINE}/notices",
        "/v1/admin/schools/{uai}/notices",
        {"uai": RACINE},
        body="{not json",
        claims=STAFF,
    )
    assert broken["statusCode"] == 400 and body(broken)["invalid_params"][0]["name"] == "body"
    assert domain.cloud.bus_events() == []


def test_schools_list_by_commune_paginated(domain: Schools) -> None:
    first = domain.call("GET", "/v1/schools", "/v1/schools", {}, query={"commune": "61001", "limit": "4"})
    page = body(first)
    validate(page, "SchoolList")
    assert len(page["items"]) == 4 and page["next"] and page["stale"] is False
    assert page["as_of"] == "2025-04-22T00:00:00+02:00"
    seen = [s["uai"] for s in page["items"]]
    while page["next"]:
        page = body(
            domain.call(
                "GET",
                "/v1/schools",
                "/v1/schools",
                {},
                query={"commune": "61001", "limit": "4", "cursor": page["next"]},
            )
        )
        seen += [s["uai"] for s in page["items"]]
    assert len(seen) == len(set(seen)) == 10 and RACINE in seen
    assert domain.call("GET", "/v1/schools", "/v1/schools", {}, query={"commune": "61999"})["statusCode"] == 404
    assert domain.call("GET", "/v1/schools", "/v1/schools", {}, query={"commune": "abc"})["statusCode"] == 400
    everything = body(domain.call("GET", "/v1/schools", "/v1/schools", {}, query={"limit": "100"}))
    assert len(everything["items"]) == 60 and everything["next"] is None
    assert domain.notices("0619999Z")["statusCode"] == 404


def test_connector_publishes_withdraws_and_keeps_data_on_a_broken_feed(domain: Schools, tmp_path: Path) -> None:
    report = domain.run()  # the bundled sample
    assert report["status"] == "succeeded", report
    assert (report["read"], report["rejected"], report["changed"]) == (5, 1, 72)
    assert report["rejections"][0]["line"] == 7
    events = domain.cloud.bus_events()
    assert [e["detail-type"] for e in events] == ["SchoolNoticePublished"]
    assert events[0]["detail"]["origin"] == "departement" and len(events[0]["detail"]["uais"]) == 60
    racine = body(domain.notices())["items"]
    assert [n["kind"] for n in racine] == ["transport_suspended", "strike", "exam"]
    assert racine[0]["origin"] == "departement" and racine[0]["origin_label"] == "Département de l'Orne"
    assert [e["view"]["title"] for e in (domain.tile() or {})["entries"]] == [n["title"] for n in racine]
    assert domain.tile(MOLIERE) is not None

    before = domain.data()
    again = domain.run()
    assert again["changed"] == 0 and domain.data() == before and domain.cloud.bus_events() == []

    feed = tmp_path / "notices.csv"
    lines = (ROOT / "functions/connectors/schools_notices_csv/sample/notices.csv").read_bytes().split(b"\r\n")
    feed.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"arrete-")))  # snow order removed
    changed = domain.run(feed)
    assert changed["changed"] == 60
    (withdrawn,) = domain.cloud.bus_events()
    assert withdrawn["detail-type"] == "SchoolNoticeWithdrawn"
    assert {n["change"] for n in withdrawn["detail"]["notices"]} == {"withdrawn"}
    assert [n["kind"] for n in body(domain.notices())["items"]] == ["strike", "exam"]
    assert [n["kind"] for n in body(domain.notices(MOLIERE))["items"]] == ["closure"]

    staff_notice = body(domain.post())
    feed_notice = next(n for n in body(domain.notices())["items"] if n["origin"] == "departement")
    refused = domain.delete(feed_notice["id"])
    assert refused["statusCode"] == 409  # a feed notice belongs to the feed
    domain.cloud.bus_events()

    kept = domain.data()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"this is not the notices file\r\n1,2,3\r\n")
    failed = domain.run(broken)
    assert failed["status"] == "failed" and domain.data() == kept and domain.cloud.bus_events() == []
    titles = [n["title"] for n in body(domain.notices())["items"]]
    assert staff_notice["title"] in titles and len(titles) == 3


def test_notices_are_stale_when_the_feed_is_not_read(domain: Schools) -> None:
    assert body(domain.notices())["stale"] is True  # never read
    domain.run()

    def fetched(at: dt.datetime) -> None:
        domain.cloud.clients["dynamodb"].update_item(
            TableName=domain.table,
            Key={"pk": {"S": "FEED#schools-notices-csv"}, "sk": {"S": "STATE"}},
            UpdateExpression="SET fetched_at = :f",
            ExpressionAttributeValues={":f": {"S": at.isoformat()}},
        )

    fetched(NOW - dt.timedelta(minutes=20))
    assert body(domain.notices())["stale"] is False
    fetched(NOW - dt.timedelta(hours=2))
    assert body(domain.notices())["stale"] is True
