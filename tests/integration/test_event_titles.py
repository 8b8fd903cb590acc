"""Issue 9, defect 14: the events carry what their items say (bounded), so that a notification can say it too.

Each producer whose events notify people runs its bundled sample on moto; its event's entries carry a `title`:
a notice's title (schools admin, the département's feed), an article's headline (news), a traffic event's
description, an alert's header (GTFS-RT). Then the issue's own case end to end: staff publish "Sortie avancée
à 15h", and the parent's inbox item and push say it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from support import Cloud, http_api_event
from test_notifications import Pipeline

from poche_common.events import HEADLINE_MAX

UTC = dt.UTC
RACINE = "0610003X"  # Collège Jean Racine, Alençon
STAFF = {"sub": "staff-not-stored", "cognito:groups": "[school-staff]", "custom:schools": RACINE, "token_use": "id"}
NOTICE = {
    "title": "Sortie avancée à 15h",
    "body": "Les cours de l'après-midi s'arrêtent à 15 h jeudi.",
    "kind": "timetable_change",
    "starts": "2026-12-03T15:00:00+01:00",
    "ends": "2026-12-03T17:30:00+01:00",
}
CASES = [  # (package, connector, now, entries of the event, entries that must say something)
    ("schools_notices_csv", "schools-notices-csv", dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "notices", None),
    ("news_rss", "news-rss", dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC), "items", None),
    ("traffic_datex2", "traffic-datex2", dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC), "changes", "created"),
    ("transit_gtfs_rt", "transit-gtfs-rt", dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=UTC), "alert_changes", None),
]


def run_connector(cloud: Cloud, lambda_context: Any, package: str, connector: str, now: dt.datetime) -> None:
    module = cloud.load(package)
    module.utc_now = lambda: now
    module.handler({"trigger": "schedule", "connector": connector}, lambda_context)


@pytest.mark.parametrize(("package", "connector", "now", "entries", "change"), CASES, ids=[c[1] for c in CASES])
def test_each_entry_of_an_event_that_notifies_carries_its_title(
    cloud: Cloud, lambda_context: Any, package: str, connector: str, now: dt.datetime, entries: str, change: str | None
) -> None:
    run_connector(cloud, lambda_context, package, connector, now)
    [event] = [e for e in cloud.bus_events() if e["detail"].get("connector") == connector and entries in e["detail"]]
    listed = [e for e in event["detail"][entries] if change is None or e["change"] == change]
    assert listed
    for entry in listed:
        title = entry.get("title")
        assert isinstance(title, str) and title.strip() == title and 0 < len(title) <= HEADLINE_MAX, entry
        assert "\n" not in title


def test_the_notices_titles_are_the_notices_own(cloud: Cloud, lambda_context: Any) -> None:
    run_connector(cloud, lambda_context, *CASES[0][:3])
    [event] = cloud.bus_events()
    stored = {
        item["id"]["S"]: item["title"]["S"]
        for item in cloud.items("schools")
        if item["pk"]["S"].startswith("SCHOOL#") and "title" in item
    }
    assert {n["notice_id"]: n["title"] for n in event["detail"]["notices"]} == {
        n["notice_id"]: stored[n["notice_id"]] for n in event["detail"]["notices"]
    }


def test_staff_publish_a_notice_and_the_parents_notification_says_its_title(cloud: Cloud, lambda_context: Any) -> None:
    pipeline = Pipeline(cloud, lambda_context)
    pipeline.subscribe("sub-parent", "school", RACINE)
    phone = pipeline.device("sub-parent")
    admin = cloud.load("schools_admin")
    admin.utc_now = lambda: dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    event = http_api_event(
        "POST /v1/admin/schools/{uai}/notices",
        f"/v1/admin/schools/{RACINE}/notices",
        path_parameters={"uai": RACINE},
        body=json.dumps(NOTICE),
        claims=STAFF,
    )
    assert admin.handler(event, lambda_context)["statusCode"] == 201
    [published] = cloud.bus_events()

    pipeline.publish(published)
    pipeline.deliver(pipeline.queued())
    [note] = pipeline.notes("sub-parent")
    assert note["title"] == "Collège Jean Racine : nouvelle information"
    assert note["body"].startswith("Sortie avancée à 15h — Changement d'emploi du temps, du 03/12/2026 à 15:00")
    [push] = pipeline.pushes(phone)
    assert json.loads(push["GCM"])["notification"]["body"] == note["body"]
