"""Issue 9, defect 6: every producer of events may do what its outbox does on its own table, and nothing more.

Moto does not enforce IAM: these assertions are what keeps a deployed producer from an AccessDenied on its outbox.
What the outbox needs (`poche_common.outbox`):
- connectors: stage (PutItem, conditional; GetItem when the id is already staged), confirm (PutItem), read the
  base of their ids (GetItem of their run state), flush (Query of the `OUTBOX` partition, BatchWriteItem deletes);
  real-time connectors stage in a TransactWriteItems of Puts (PutItem);
- the schools admin API: TransactWriteItems of the notice's Put or Delete and the event's Put (PutItem,
  DeleteItem), then BatchWriteItem to delete the sent event;
- all of them: events:PutEvents on the bus, and only there.
"""

from __future__ import annotations

import json
from typing import Any

from support import Synthesized
from test_stacks import PROXIMITY, actions, function_named, resources, role_statements

CONNECTORS = (
    "canteen_menus_scdl",
    "news_rss",
    "traffic_datex2",
    "agenda_openagenda",
    "agenda_datatourisme",
    "agenda_cinema",
    "schools_notices_csv",
    "transit_gtfs",
    "transit_gtfs_rt",
    "transit_siri_lite",
)
FLUSH = {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"}
ADMIN = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def own_table(function: dict[str, Any]) -> str:
    return str(function["Properties"]["Environment"]["Variables"]["TABLE_NAME"]["Ref"])


def granted_on_outbox(synthesized: Synthesized, package: str) -> set[str]:
    """The DynamoDB actions the function may do on its own table's `OUTBOX` partition (the table itself, not an
    index; unconditionally, or under a LeadingKeys condition naming `OUTBOX`)."""
    _, function = function_named(synthesized, package)
    table = own_table(function)
    granted: set[str] = set()
    for statement in role_statements(synthesized, function):
        resource = json.dumps(statement["Resource"])
        if table not in resource or all("/index/" in json.dumps(r) for r in _as_list(statement["Resource"])):
            continue
        condition = statement.get("Condition")
        if condition is not None:
            keys = [v for test in condition.values() for v in test.get("dynamodb:LeadingKeys", [])]
            if "OUTBOX" not in keys and "OUTBOX*" not in keys:
                continue
        granted |= {a for a in actions(statement) if a.startswith("dynamodb:")}
    return granted


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_connector_may_stage_confirm_and_flush_its_outbox(synthesized: Synthesized) -> None:
    for package in CONNECTORS:
        assert granted_on_outbox(synthesized, package) >= FLUSH, package


def test_the_schools_admin_api_may_stage_with_the_notice_and_delete_what_it_sent(synthesized: Synthesized) -> None:
    assert granted_on_outbox(synthesized, "schools_admin") >= ADMIN


def test_producers_put_events_on_the_bus_only(synthesized: Synthesized) -> None:
    for package in [*CONNECTORS, "schools_admin"]:
        _, function = function_named(synthesized, package)
        puts = [s for s in role_statements(synthesized, function) if "events:PutEvents" in actions(s)]
        assert len(puts) == 1 and actions(puts[0]) == {"events:PutEvents"}, package
        assert "pochedevbusarn" in json.dumps(puts[0]["Resource"]), package


def test_the_news_connector_reads_no_other_partition_of_its_table(synthesized: Synthesized) -> None:
    """Its only Query on the table itself (not its `by_tag` index) is the outbox's, under LeadingKeys."""
    _, function = function_named(synthesized, "news_rss")
    table = own_table(function)
    for statement in role_statements(synthesized, function):
        resource = json.dumps(statement["Resource"])
        if "dynamodb:Query" in actions(statement) and table in resource and "/index/" not in resource:
            assert actions(statement) == {"dynamodb:Query"}
            assert statement["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["OUTBOX"]}}


def test_a_connectors_outbox_grace_is_its_timeout_and_a_minute(synthesized: Synthesized) -> None:
    functions = resources(synthesized, PROXIMITY, "AWS::Lambda::Function")
    for package in CONNECTORS:
        logical, function = function_named(synthesized, package)
        grace = function["Properties"]["Environment"]["Variables"]["OUTBOX_GRACE_S"]
        assert int(grace) == functions[logical]["Properties"]["Timeout"] + 60, package
