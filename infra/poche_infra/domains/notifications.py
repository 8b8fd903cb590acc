"""Notifications (issue 5 §3): domain events → subscribers → inbox items and mobile pushes.

- Matcher (functions/notifications_match): an EventBridge rule on the bus for `SchoolNoticePublished`,
  `NewsPublished`, `TrafficEventsUpdated` and `RealtimeUpdated`; it reads the subscribers of each topic by Query
  on `TOPIC#...` of the `personal` table and sends messages of at most 100 recipients to the delivery queue.
- Delivery queue (SQS-managed encryption, TLS only) with its dead-letter queue and an alarm on it.
- Sender (functions/notifications_send): on the queue (batch 10, partial batch failures), writes the inbox
  items and the deferred pushes, publishes to the SNS platform endpoints of the users' devices.
- Deferred pushes (functions/notifications_deferred): every 15 minutes, the pushes whose quiet hours or digest
  time came.

Constructed after `MeDomain`: it is given the `personal` table (docs/notifications.md).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from ..config import Settings
from ..constructs.domain import Domain
from ..constructs.queue import work_queue
from ..constructs.runtime import PhaseRuntime
from ..constructs.schedule import invoke_on_schedule
from .me import MeDomain, endpoint_statements, grant_endpoints

EVENTS = {
    "poche.schools": ["SchoolNoticePublished"],
    "poche.news": ["NewsPublished"],
    "poche.traffic": ["TrafficEventsUpdated"],
    "poche.transit": ["RealtimeUpdated"],
    "poche.payments": ["PaymentSucceeded", "PaymentFailed"],  # a signed-in payer's receipt (phase 3)
}
SENDER_TIMEOUT = cdk.Duration.seconds(60)
MAX_RECEIVES = 5  # then the dead-letter queue
# Pushes: publish to, and delete (when SNS reports them disabled), the endpoints of the territory's platform
# applications only (the ARN pattern of `endpoints_of`, shared with `me`); nothing when push is not configured.
PUSH = ["sns:Publish", "sns:DeleteEndpoint"]


class NotificationsDomain(Domain):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        runtime: PhaseRuntime,
        me: MeDomain,
    ) -> None:
        super().__init__(scope, construct_id, settings=settings, runtime=runtime)
        personal_table = me.table  # the `personal` table of MeDomain
        applications = settings.territory.push_applications
        table_name = personal_table.table_name

        # --- the delivery queue ---------------------------------------------------------------------
        deliveries = work_queue(
            self,
            "Deliveries",
            settings=settings,
            alarm_topic=runtime.alarm_topic,
            consumer_timeout=SENDER_TIMEOUT,
            max_receives=MAX_RECEIVES,
            retention=cdk.Duration.days(4),
            what="the delivery queue",
            alarm_description="Notifications: deliveries that failed 5 times wait in the dead-letter queue",
        )
        self.queue, self.dead_letters = deliveries.queue, deliveries.dead_letters

        # --- the matcher -----------------------------------------------------------------------------
        self.matcher = self.add_function(
            "Matcher",
            package="notifications_match",
            description="Poche notifications matcher (bus events -> subscribers -> delivery queue)",
            asynchronous=True,
            memory_mb=512,
            timeout=cdk.Duration.minutes(5),
            environment={"TABLE_NAME": table_name, "QUEUE_URL": self.queue.queue_url},
        )
        personal_table.grant(self.matcher, "Query", leading_keys=["TOPIC#*"])  # a topic's subscribers
        # Deduplication on the event id (issue 9): `EVENT#<id> / FIRST` records an id's first `occurred_at`
        # (conditional PutItem, GetItem when it exists); nothing else of the table.
        personal_table.grant(self.matcher, "PutItem", "GetItem", leading_keys=["EVENT#*"])
        self.matcher.function.add_to_role_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.queue.queue_arn])
        )
        self.rule = events.Rule(
            self,
            "Events",
            event_bus=runtime.bus,
            description="Domain events that may notify subscribers",
            event_pattern=events.EventPattern(
                source=sorted(EVENTS), detail_type=sorted({t for types in EVENTS.values() for t in types})
            ),
        )
        self.rule.add_target(
            events_targets.LambdaFunction(
                self.matcher.function,
                dead_letter_queue=self.matcher.dead_letter_queue,
                retry_attempts=4,
                max_event_age=cdk.Duration.hours(2),
            )
        )

        # --- the sender ------------------------------------------------------------------------------
        self.sender = self.add_function(
            "Sender",
            package="notifications_send",
            description="Poche notifications sender (inbox items, mobile pushes)",
            layers=[runtime.domain_layer("notifications")],
            timeout=SENDER_TIMEOUT,
            environment={"TABLE_NAME": table_name},
        )
        sender = self.sender.function
        sender.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True)
        )
        # Inbox and deferred pushes (TransactWriteItems: Put + ConditionCheck on the tombstone), the push state
        # (UpdateItem), the devices (Query) and a disabled device's deletion (DeleteItem, with its token's owner item
        # TOKEN#<sha256>/OWNER when it still names the device): the user's partition, the tombstone, the DUE#
        # partitions and the token owners only.
        personal_table.grant(
            sender,
            *("Query", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"),
            leading_keys=["USER#*", "GONE#*", "DUE#*", "TOKEN#*"],
        )
        grant_endpoints(self.sender, endpoint_statements(applications, PUSH))

        # --- deferred pushes -------------------------------------------------------------------------
        self.deferred = self.add_function(
            "Deferred",
            package="notifications_deferred",
            description="Poche deferred pushes (quiet hours ended, digest time)",
            layers=[runtime.domain_layer("notifications")],
            asynchronous=True,
            timeout=cdk.Duration.minutes(5),
            environment={"TABLE_NAME": table_name},
        )
        deferred = self.deferred.function
        # The DUE# partitions (Query, BatchWriteItem deletions), the user's devices (Query) and pointers
        # (BatchWriteItem deletions), a disabled device's deletion (DeleteItem, with its token's owner item).
        personal_table.grant(
            deferred, "Query", "DeleteItem", "BatchWriteItem", leading_keys=["USER#*", "DUE#*", "TOKEN#*"]
        )
        grant_endpoints(self.deferred, endpoint_statements(applications, PUSH))
        self.schedule = invoke_on_schedule(
            self,
            "DeferredSchedule",
            deferred,
            expression=scheduler.ScheduleExpression.rate(cdk.Duration.minutes(15)),
            description="Deferred pushes: every 15 minutes",
            event={"trigger": "schedule"},
            dead_letter_queue=self.deferred.dead_letter_queue,
            max_event_age=cdk.Duration.minutes(15),
            what="the deferred pushes function",
            logical_id_hint="Deferred",
        )
