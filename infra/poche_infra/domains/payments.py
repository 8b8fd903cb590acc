"""Payments domain (phase 3): the département's debts paid online through PayFiP (DGFiP), the append-only
ledger of every payment fact, and finance staff's journal and reconciliation.

- `Debts` table: what can be paid (connector `payments-debts-csv`, the finance software's export), the per-caller
  throttle counters and the domain's outbox (`payments_shared.keys`).
- `Ledger` table, append-only: every fact about every payment, put once, never updated nor deleted (no function is
  granted UpdateItem, DeleteItem or BatchWriteItem on it; deletion protection and RETAIN in every stage).
- `Service` (functions/payments): find a debt by reference and amount, start a payment (PayFiP's
  `creerPaiementSecurise`), its status; a signed-in citizen's debts and payments (`/v1/me/...`).
- `Notifications` (functions/payments_notifications): PayFiP's unsigned `urlnotif`: the idOp onto a queue, at once.
- `Processor` (functions/payments_processor): the queue's consumer; PayFiP's authoritative detail, recorded.
- `Sweeper` (functions/payments_sweeper): every 5 minutes, settles the attempts whose notification never came, and
  sends the events the bus refused earlier.
- `Finance` (functions/payments_finance): finance staff's routes under /v1/admin/finance (staff pool, group
  `finance`).
- An EventBridge archive of every `poche.payments` event (10 years), so a day can be replayed.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_scheduler as scheduler

from ..constructs.domain import Domain
from ..constructs.queue import work_queue
from ..constructs.routes import AuthorizedRoutes
from ..constructs.runtime import CONTRACT_API_URL
from ..constructs.schedule import invoke_on_schedule
from ..constructs.table import DomainTable, PolicyHolder

GET, POST, PUT = apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST, apigwv2.HttpMethod.PUT
CONNECTOR = "payments-debts-csv"
SOURCE = "poche.payments"
PROCESSOR_TIMEOUT = cdk.Duration.seconds(30)
ARCHIVE_RETENTION = cdk.Duration.days(3653)  # ten years: public accounting's retention of its records
LEDGER_INDEXES = {
    "by_payment": ("gsi1pk", "gsi1sk"),
    "by_idop": ("gsi2pk", "gsi2sk"),
    "by_day": ("gsi3pk", "gsi3sk"),
    "by_closed": ("gsi4pk", "gsi4sk"),
}


class PaymentsDomain(Domain):
    def declare(self) -> None:
        settings, runtime = self.settings, self.runtime
        payfip = settings.territory.payfip
        if payfip is None:  # Settings refuses the payments phase without it; this keeps mypy and readers sure
            raise ValueError("the payments domain needs the territory's payfip settings")
        self.table = self.add_table(
            "Debts", by_payer=("gsi1pk", "gsi1sk"), by_origin=("gsi2pk", "gsi2sk"), cancelled=("gsi3pk", "gsi3sk")
        )
        self.ledger = DomainTable(self, "Ledger", settings=settings, indexes=LEDGER_INDEXES, append_only=True)
        layer = runtime.domain_layer("payments")
        api_url = runtime.contract(CONTRACT_API_URL)
        payfip_environment = {
            "LEDGER_TABLE_NAME": self.ledger.table_name,
            "EVENT_BUS_NAME": runtime.bus.event_bus_name,
            "PAYFIP_ENDPOINT": payfip.endpoint,
            "PAYFIP_PAGE_URL": payfip.page_url,
            "PAYFIP_NUMCLI": payfip.numcli,
            "PAYFIP_SAISIE": payfip.saisie,
        }
        put_events = iam.PolicyStatement(actions=["events:PutEvents"], resources=[runtime.bus.event_bus_arn])

        # --- the service ------------------------------------------------------------------------------
        self.service = self.add_service(
            package="payments",
            description="Poche payments service (debts, payments through PayFiP)",
            layers=[layer],
            reads=("GetItem",),  # a debt by its reference
            indexes=("by_payer",),  # a signed-in payer's debts
            environment={
                **payfip_environment,
                "PUBLIC_API_URL": api_url,
                **({"PAYFIP_RETURN_URL": payfip.return_url} if payfip.return_url else {}),
            },
            public=["/v1/payments/debts/{refdet}", "/v1/payments/{payment_id}", "/v1/payments/payfip/return"],
            anonymous_writes=[
                (
                    POST,
                    "/v1/payments",
                    "Anyone holding a bill may pay it without an account (reference and amount must match; "
                    "throttled per caller and at the stage).",
                )
            ],
        )
        AuthorizedRoutes(
            self,
            "MeRoutes",
            runtime=runtime,
            audience="citizens",
            function=self.service.function,
            routes=[(GET, "/v1/me/debts"), (POST, "/v1/me/payments")],
        )
        # The per-caller throttle counters (UpdateItem ADD) and the outbox of the payment events (PutItem in the
        # ledger's transactions; BatchWriteItem deletes what was sent), in their own partitions only.
        self.table.grant(self.service, "UpdateItem", leading_keys=["THROTTLE#*"])
        self.table.grant(self.service, "PutItem", "BatchWriteItem", leading_keys=["OUTBOX"])
        # The ledger: a debt's facts (Query), an attempt by payment id or idOp (the indexes), new facts (PutItem,
        # conditional, in TransactWriteItems).
        self.ledger.grant(self.service, "Query", "PutItem")
        self.ledger.grant_query(self.service, ["by_payment", "by_idop"])
        self.service.add_to_role_policy(put_events)

        # --- PayFiP's notifications: a queue, its receiver, its processor ---------------------------------
        queue = work_queue(
            self,
            "NotificationQueue",
            settings=settings,
            alarm_topic=runtime.alarm_topic,
            consumer_timeout=PROCESSOR_TIMEOUT,
            max_receives=8,
            retention=cdk.Duration.days(1),  # PayFiP purges an idOp after about a day: the sweeper's horizon
            what="the PayFiP notifications queue",
            alarm_description="PayFiP notifications could not be processed (PayFiP unreachable for a long time?)",
        )
        self.notification_queue = queue.queue
        self.notifications = self.add_service(
            "Notifications",
            package="payments_notifications",
            description="Poche PayFiP notifications (urlnotif): the idOp onto the processing queue",
            layers=[layer],  # the idOp's pattern (payments_shared.keys), spelled once
            table=None,
            environment={"QUEUE_URL": queue.queue.queue_url},
            anonymous_writes=[
                (
                    POST,
                    "/v1/payments/payfip/notifications",
                    "PayFiP's notification (urlnotif) is an unsigned form POST: it is only queued, and the "
                    "processor asks PayFiP itself for the result, so a forged idOp credits nothing.",
                )
            ],
        )
        queue.queue.grant_send_messages(self.notifications.function)

        self.processor = self.add_function(
            "Processor",
            package="payments_processor",
            description="Poche PayFiP notification processor (the authoritative result, recorded in the ledger)",
            layers=[layer],
            timeout=PROCESSOR_TIMEOUT,
            environment={"TABLE_NAME": self.table.table_name, **payfip_environment},
        )
        self.processor.function.add_event_source(
            event_sources.SqsEventSource(queue.queue, batch_size=5, report_batch_item_failures=True)
        )
        self._settler_grants(self.processor, ["by_idop"])
        self.processor.add_to_role_policy(put_events)

        # --- the sweeper ------------------------------------------------------------------------------
        self.sweeper = self.add_function(
            "Sweeper",
            package="payments_sweeper",
            description="Poche payments sweeper (attempts whose notification never came; the outbox)",
            layers=[layer],
            asynchronous=True,
            timeout=cdk.Duration.minutes(4),
            environment={"TABLE_NAME": self.table.table_name, **payfip_environment},
        )
        self._settler_grants(self.sweeper, ["by_day", "by_closed"])
        self.table.grant(self.sweeper, "Query", leading_keys=["OUTBOX"])  # the outbox's flush reads it
        self.sweeper.add_to_role_policy(put_events)
        invoke_on_schedule(
            self,
            "SweeperSchedule",
            self.sweeper.function,
            expression=scheduler.ScheduleExpression.rate(cdk.Duration.minutes(5)),
            description="Payments sweeper: every 5 minutes",
            event={"trigger": "schedule"},
            dead_letter_queue=self.sweeper.dead_letter_queue,
            max_event_age=cdk.Duration.minutes(5),
            what="the payments sweeper",
            logical_id_hint="Sweeper",
        )

        # --- finance staff ----------------------------------------------------------------------------
        self.finance = self.add_service(
            "Finance",
            package="payments_finance",
            description="Poche finance staff API (journal, statements, reconciliation)",
            layers=[layer],
            table=None,
            environment={
                "TABLE_NAME": self.table.table_name,
                "LEDGER_TABLE_NAME": self.ledger.table_name,
                "EVENT_BUS_NAME": runtime.bus.event_bus_name,
            },
            audience="staff",
            routes=[
                (GET, "/v1/admin/finance/journal"),
                (PUT, "/v1/admin/finance/statements/{date}"),
                (GET, "/v1/admin/finance/reconciliations/{date}"),
                (POST, "/v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution"),
            ],
            memory_mb=512,
            timeout=cdk.Duration.seconds(29),  # API Gateway's own limit: a day of 10,000 payments fits well within
        )
        # A day's statements and resolutions (Query, PutItem in their RECON# partition only); the day's payments,
        # attempts opened and closed (the ledger's indexes); the cancelled debts (the Debts table's sparse index);
        # the outbox of the resolution events.
        self.ledger.grant(self.finance, "Query", "PutItem", leading_keys=["RECON#*"])
        self.ledger.grant_query(self.finance, ["by_day", "by_closed"])
        self.table.grant_query(self.finance, ["cancelled"])
        self.table.grant(self.finance, "PutItem", "BatchWriteItem", leading_keys=["OUTBOX"])
        self.finance.add_to_role_policy(put_events)

        # --- the debts connector ----------------------------------------------------------------------
        # Its debts through `by_origin` (Query), debts written and withdrawn in batches (BatchWriteItem); the
        # ledger of the debts a file would change (Query), so a debt paid online is never reopened.
        self.connector = self.add_connector(
            "DebtsCsv",
            name=CONNECTOR,
            uses=("BatchWriteItem",),
            indexes=("by_origin",),
            layers=[layer],
            environment={"LEDGER_TABLE_NAME": self.ledger.table_name},
        )
        self.ledger.grant(self.connector, "Query")

        # --- the archive of every payments event ------------------------------------------------------
        self.archive = events.Archive(
            self,
            "EventArchive",
            source_event_bus=runtime.bus,
            event_pattern=events.EventPattern(source=[SOURCE]),
            retention=ARCHIVE_RETENTION,
            description="Every poche.payments event, kept ten years: a day can be replayed",
        )

    def _settler_grants(self, function: PolicyHolder, indexes: list[str]) -> None:
        """What recording PayFiP's answers needs: the ledger's facts (Query, PutItem in transactions, the
        `indexes`), and the outbox partition of the Debts table (PutItem staged with the facts, BatchWriteItem
        deleting what was sent)."""
        self.ledger.grant(function, "Query", "PutItem")
        self.ledger.grant_query(function, indexes)
        self.table.grant(function, "PutItem", "BatchWriteItem", leading_keys=["OUTBOX"])
