"""Issue 10 §2: every event on the bus has one definition (`poche_common.eventtypes`), and what each producer emits
is what each consumer reads.

For each producer of each event, its real run on the provisioned stacks (its bundled sample, or a write of the
schools admin API) puts events on the bus; each detail is checked against its definition with pydantic (strict:
no coercion, no field the definition does not name, every required field present), then given to each consumer
the registry names, which must read it (no `MalformedEvent`) and find in it what it needs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from producers import EMITTERS, RUNS, Emitter
from support import Cloud

from poche_common.eventtypes import EVENTS, MATCHER
from poche_infra import events_catalogue


def matcher_reads(event: dict[str, Any]) -> None:
    """The matcher reads the event through its definition and finds the topics of what it announces."""
    from notifications_match.logic import read_detail
    from notifications_match.topics import topics

    detail = read_detail(event)
    assert detail == event["detail"]
    found = topics(event["detail-type"], event["source"], detail)
    announced = _announced(event["detail-type"], detail)
    assert bool(found) == announced, (found, announced)


def _announced(detail_type: str, detail: dict[str, Any]) -> bool:
    """Whether the event announces something a subscriber is told of (the samples' communes, schools and routes
    are all known)."""
    if detail_type == "SchoolNoticePublished":
        return any(n["change"] in ("created", "updated") for n in detail["notices"])
    if detail_type == "NewsPublished":
        return any(tag.isdigit() for tag in detail["tags"])
    if detail_type == "TrafficEventsUpdated":
        return any(c["change"] in ("created", "updated") and c["communes"] for c in detail["changes"])
    if detail_type == "RealtimeUpdated":
        routes = detail.get("alert_routes", {})
        return any(c["change"] != "deleted" and routes.get(c["alert_id"]) for c in detail.get("alert_changes", []))
    if detail_type in ("PaymentSucceeded", "PaymentFailed"):
        return "payer" in detail  # a signed-in payer's receipt; an anonymous payer has PayFiP's e-mail ticket
    raise AssertionError(f"the matcher does not consume {detail_type}")


CONSUMERS: dict[str, Callable[[dict[str, Any]], None]] = {MATCHER: matcher_reads}


@pytest.mark.parametrize("emitter", EMITTERS, ids=[e.id for e in EMITTERS])
def test_what_the_producer_emits_is_its_definition_and_what_its_consumers_read(
    cloud: Cloud, lambda_context: Any, tmp_path: Path, emitter: Emitter
) -> None:
    definition = EVENTS[(emitter.source, emitter.detail_type)]
    emitted = emitter.run(cloud, lambda_context, tmp_path)
    unknown = {(e["source"], e["detail-type"]) for e in emitted} - set(EVENTS)
    assert not unknown, f"events on the bus with no definition in poche_common.eventtypes: {unknown}"
    unsaid = {(e["source"], e["detail-type"]) for e in emitted if emitter.producer not in EVENTS[_key(e)].producers}
    assert not unsaid, f"{emitter.producer} emits {unsaid}: not among their producers in poche_common.eventtypes"
    events = [e for e in emitted if _key(e) == (emitter.source, emitter.detail_type)]
    assert events, f"{emitter.producer} emitted no {emitter.detail_type}"

    details = [event["detail"] for event in events]
    events_catalogue.strict_adapter(definition.detail).validate_python(details)
    assert {d["version"] for d in details} == {definition.version}
    for event in events:
        for consumer in definition.consumers:
            CONSUMERS[consumer](event)


def _key(event: dict[str, Any]) -> tuple[str, str]:
    return event["source"], event["detail-type"]


def test_every_producer_of_the_platform_is_in_the_registry_and_every_consumer_known() -> None:
    assert {name for d in EVENTS.values() for name in d.producers} == set(RUNS)
    assert {c for definition in EVENTS.values() for c in definition.consumers} <= set(CONSUMERS)


def test_the_matchers_rule_routes_the_events_it_consumes() -> None:
    from poche_infra.domains.notifications import EVENTS as RULE

    routed = {(source, detail_type) for source, types in RULE.items() for detail_type in types}
    assert routed == {key for key, definition in EVENTS.items() if MATCHER in definition.consumers}


def test_a_detail_that_is_not_its_definition_is_refused_by_the_contract_and_by_the_matcher() -> None:
    from notifications_match.logic import MalformedEvent, read_detail

    detail: dict[str, Any] = {
        "id": "ev-1",
        "occurred_at": "2026-11-30T08:59:58+00:00",
        "version": 1,
        "connector": "traffic-datex2",
        "event_ids": ["e1"],
        "communes": ["61001"],
        "changes": [{"id": "e1", "change": "created", "type": "closure", "communes": ["61001"]}],
        "truncated": False,
    }
    definition = EVENTS[("poche.traffic", "TrafficEventsUpdated")]
    events_catalogue.strict_adapter(definition.detail).validate_python([detail])
    renamed = {**detail, "changes": [{**detail["changes"][0], "cities": ["61001"]}]}
    del renamed["changes"][0]["communes"]
    with pytest.raises(ValueError, match="communes"):
        events_catalogue.strict_adapter(definition.detail).validate_python([renamed])
    event = {"source": "poche.traffic", "detail-type": "TrafficEventsUpdated", "detail": renamed}
    with pytest.raises(MalformedEvent, match=r"detail\.changes\[0\]\.communes: missing"):
        read_detail(event)
