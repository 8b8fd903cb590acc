"""Issue 11 §3: what the Payments stack promises finance staff and auditors — an append-only ledger no function may
rewrite, kept whatever happens to the stack; every payments event archived; the phase deployable alone on Core."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import Synthesized
from test_stacks import PAYMENTS, actions, resources

MUTATING = {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:*"}


def ledger(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    tables = resources(synthesized, PAYMENTS, "AWS::DynamoDB::Table")
    return next((logical, t) for logical, t in tables.items() if logical.startswith("PaymentsLedger"))


def _mentions(resource: Any, logical: str) -> bool:
    return logical in json.dumps(resource)


def test_the_ledger_is_kept_whatever_happens_to_the_stack(synthesized: Synthesized) -> None:
    _, table = ledger(synthesized)
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"  # in dev too: accounting records
    properties = table["Properties"]
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert "TimeToLiveSpecification" not in properties  # nothing expires from it
    indexes = {i["IndexName"] for i in properties["GlobalSecondaryIndexes"]}
    assert indexes == {"by_payment", "by_idop", "by_day", "by_closed"}


def test_no_function_may_update_or_delete_a_ledger_item(synthesized: Synthesized) -> None:
    logical, _ = ledger(synthesized)
    granted: set[str] = set()
    for policy in resources(synthesized, PAYMENTS, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if _mentions(statement["Resource"], logical):
                granted |= actions(statement)
                assert not actions(statement) & MUTATING, statement
    assert granted == {"dynamodb:Query", "dynamodb:PutItem"}  # facts are read and put once, never changed


def test_finance_staff_routes_are_behind_the_staff_authorizer(synthesized: Synthesized) -> None:
    routes = resources(synthesized, PAYMENTS, "AWS::ApiGatewayV2::Route").values()
    finance = {
        r["Properties"]["RouteKey"]: r["Properties"] for r in routes if "/finance/" in r["Properties"]["RouteKey"]
    }
    assert set(finance) == {
        "GET /v1/admin/finance/journal",
        "PUT /v1/admin/finance/statements/{date}",
        "GET /v1/admin/finance/reconciliations/{date}",
        "POST /v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution",
    }
    assert {p["AuthorizationType"] for p in finance.values()} == {"JWT"}


def test_append_only_tables_refuse_mutating_grants() -> None:
    import aws_cdk as cdk

    from poche_infra.config import settings_from_context
    from poche_infra.constructs.table import DomainTable

    class Grantee:
        def __init__(self) -> None:
            self.statements: list[Any] = []

        def add_to_role_policy(self, statement: Any) -> None:
            self.statements.append(statement)

    stack = cdk.Stack(cdk.App(), "S")
    table = DomainTable(stack, "Ledger", settings=settings_from_context({}), append_only=True)
    grantee = Grantee()
    for action in ("UpdateItem", "DeleteItem", "BatchWriteItem"):
        with pytest.raises(ValueError, match="append-only"):
            table.grant(grantee, "Query", action)
    assert grantee.statements == []
    table.grant(grantee, "Query", "PutItem")
    assert len(grantee.statements) == 1


def test_every_payments_event_is_archived_for_ten_years(synthesized: Synthesized) -> None:
    (archive,) = resources(synthesized, PAYMENTS, "AWS::Events::Archive").values()
    assert archive["Properties"]["RetentionDays"] >= 3650
    assert archive["Properties"]["EventPattern"] == {"source": ["poche.payments"]}


def test_the_phase_finds_core_through_ssm_only(synthesized: Synthesized) -> None:
    assert "Fn::ImportValue" not in json.dumps(synthesized.templates[PAYMENTS])


def test_the_sweeper_runs_every_five_minutes_and_payfip_settings_come_from_the_territory(
    synthesized: Synthesized,
) -> None:
    schedules = resources(synthesized, PAYMENTS, "AWS::Scheduler::Schedule").values()
    assert "rate(5 minutes)" in {s["Properties"]["ScheduleExpression"] for s in schedules}
    functions = resources(synthesized, PAYMENTS, "AWS::Lambda::Function").values()
    handlers = {f["Properties"]["Handler"]: f["Properties"]["Environment"]["Variables"] for f in functions}
    assert set(handlers) == {
        "payments.handler.handler",
        "payments_notifications.handler.handler",
        "payments_processor.handler.handler",
        "payments_sweeper.handler.handler",
        "payments_debts_csv.handler.handler",
        "payments_finance.handler.handler",
    }
    for handler in ("payments.handler.handler", "payments_processor.handler.handler"):
        variables = handlers[handler]
        assert (variables["PAYFIP_NUMCLI"], variables["PAYFIP_SAISIE"]) == ("000000", "T")
        assert variables["PAYFIP_ENDPOINT"] == "https://www.tipi.budget.gouv.fr/tpa/services/securite"
    notifications = handlers["payments_notifications.handler.handler"]
    assert "PAYFIP_NUMCLI" not in notifications and "TABLE_NAME" not in notifications  # it only queues
