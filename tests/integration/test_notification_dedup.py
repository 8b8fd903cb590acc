"""Issue 9, defect 6 (consumers): the notification pipeline deduplicates on `detail.id`, and on it alone.

The inbox key is `NOTE#<occurred_at>#<event_id>`: the same event id sent again with another `occurred_at` (a
producer redoing a run from the same base after its staged event was sent, an operator replaying an event)
must still give one notification and one push, so the matcher fixes an id's `occurred_at` at its first
delivery."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support import Cloud
from test_notifications import RACINE, Pipeline, school_event


@pytest.fixture
def pipeline(cloud: Cloud, lambda_context: Any) -> Pipeline:
    return Pipeline(cloud, lambda_context)


def test_the_same_event_id_with_another_occurred_at_gives_one_notification_and_one_push(pipeline: Pipeline) -> None:
    pipeline.subscribe("sub-a", "school", RACINE)
    phone = pipeline.device("sub-a")
    first = school_event("ev-1", [RACINE])
    pipeline.publish(first)
    pipeline.deliver(pipeline.queued())

    again = copy.deepcopy(first)
    again["detail"]["occurred_at"] = "2026-11-30T09:14:02+00:00"  # sent again later, same id
    again["id"] = "eb-another-delivery"
    pipeline.publish(again)
    pipeline.deliver(pipeline.queued())

    [note] = pipeline.notes("sub-a")
    assert note["sk"] == "NOTE#2026-11-30T08:59:58+00:00#ev-1"  # the first delivery's time
    assert len(pipeline.pushes(phone)) == 1


def test_another_event_id_is_another_notification(pipeline: Pipeline) -> None:
    pipeline.subscribe("sub-a", "school", RACINE)
    pipeline.publish(school_event("ev-1", [RACINE]))
    pipeline.publish(school_event("ev-2", [RACINE]))
    pipeline.deliver(pipeline.queued())
    assert len(pipeline.notes("sub-a")) == 2


def test_an_event_that_notifies_nobody_writes_nothing(pipeline: Pipeline) -> None:
    withdrawn = school_event("ev-1", [RACINE])
    withdrawn["detail-type"] = "SchoolNoticeWithdrawn"  # no topic: nothing read, nothing written
    assert pipeline.publish(withdrawn)["topics"] == 0
    assert [i for i in pipeline.cloud.items("notifications_match") if i["pk"]["S"].startswith("EVENT#")] == []
    pipeline.publish(school_event("ev-2", [RACINE]))
    markers = [i for i in pipeline.cloud.items("notifications_match") if i["pk"]["S"].startswith("EVENT#")]
    assert [m["pk"]["S"] for m in markers] == ["EVENT#ev-2"] and "expires_at" in markers[0]
