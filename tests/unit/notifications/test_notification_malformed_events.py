"""Issue 10 §2: the matcher reads an event through its definition (`poche_common.eventtypes`). A renamed, missing
or mistyped field fails the invocation (logged once, then the dead-letter queue): it is never read as a default,
which would silently notify nobody."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from notifications_match.logic import MalformedEvent, match
from notifications_shared.delivery import Recipient

RACINE = "0610003X"
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def school_event() -> dict[str, Any]:
    return {
        "id": "eb-1",
        "source": "poche.schools",
        "detail-type": "SchoolNoticePublished",
        "time": "2026-11-30T08:59:58Z",
        "detail": {
            "id": "ev-1",
            "occurred_at": "2026-11-30T08:59:58+00:00",
            "version": 1,
            "origin": "school",
            "connector": None,
            "uais": [RACINE],
            "notices": [
                {
                    "uai": RACINE,
                    "notice_id": "n-1",
                    "kind": "closure",
                    "starts": "2026-12-01T07:00:00+00:00",
                    "ends": "2026-12-01T17:00:00+00:00",
                    "change": "created",
                }
            ],
            "truncated": False,
        },
    }


class Subscribers:
    def __init__(self) -> None:
        self.read: list[tuple[str, str | None]] = []

    def first_seen(self, event_id: str, occurred_at: str, expires_at: int) -> str:
        return occurred_at

    def pages(self, kind: str, topic_id: str | None) -> Iterator[list[Recipient]]:
        self.read.append((kind, topic_id))
        yield [{"sub": "sub-a", "mode": "immediate", "quiet_hours": None}]


class Queue:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, bodies: list[str]) -> None:
        self.sent += bodies


def test_a_well_formed_event_notifies() -> None:
    subscribers, queue = Subscribers(), Queue()
    assert match(school_event(), subscribers, queue, NOW)["recipients"] == 1
    assert subscribers.read == [("school", RACINE)] and len(queue.sent) == 1


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["notices"][0].pop("uai"), "detail.notices[0].uai: missing"),
        (lambda d: d["notices"][0].update(school=d["notices"][0].pop("uai")), "detail.notices[0].uai: missing"),
        (lambda d: d.update(uais=RACINE), "detail.uais: a list expected"),
        (lambda d: d["notices"][0].update(change="published"), "detail.notices[0].change: 'published' is none"),
        (lambda d: d.pop("id"), "detail.id: missing"),
        (lambda d: d.update(truncated="no"), "detail.truncated: bool expected"),
    ],
    ids=["missing", "renamed", "mistyped", "unknown value", "no envelope", "truncated as text"],
)
def test_a_malformed_event_fails_and_sends_nothing(change: Any, problem: str) -> None:
    event = school_event()
    change(event["detail"])
    subscribers, queue = Subscribers(), Queue()
    with pytest.raises(MalformedEvent, match=problem.replace("[", r"\[").replace("]", r"\]")) as raised:
        match(event, subscribers, queue, NOW)
    assert str(raised.value).startswith("poche.schools SchoolNoticePublished: ")
    assert subscribers.read == [] and queue.sent == []


def test_an_event_of_no_topic_is_not_read() -> None:
    event = school_event()
    event["detail-type"] = "SchoolNoticeWithdrawn"
    event["detail"] = {"id": "ev-1"}
    assert match(event, Subscribers(), Queue(), NOW)["topics"] == 0


def test_a_field_the_definition_does_not_name_is_accepted() -> None:
    event = copy.deepcopy(school_event())
    event["detail"]["added_later"] = {"any": "thing"}
    assert match(event, Subscribers(), Queue(), NOW)["recipients"] == 1


def test_the_handler_logs_a_malformed_event_once_and_fails(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    from notifications_match import handler as module
    from notifications_match.deps import Deps, dependencies

    event = school_event()
    del event["detail"]["notices"][0]["kind"]
    logged: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(module.logger, "error", lambda message, extra: logged.append((message, extra)))
    with dependencies.override(Deps(Subscribers(), Queue(), lambda: NOW)), pytest.raises(module.MalformedEvent):
        module.handler(event, lambda_context)
    assert logged == [
        (
            "malformed event",
            {
                "event_id": "eb-1",
                "problem": "poche.schools SchoolNoticePublished: detail.notices[0].kind: missing",
            },
        )
    ]
