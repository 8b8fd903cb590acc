"""A work queue consumed by a function: encrypted, TLS only, with its dead-letter queue and an alarm on it."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression
from constructs import Construct

from ..config import Settings
from .alarms import alarm
from .nag import suppress


@dataclass(frozen=True)
class WorkQueue:
    queue: sqs.Queue
    dead_letters: sqs.Queue


def work_queue(
    scope: Construct,
    name: str,
    *,
    settings: Settings,
    alarm_topic: sns.ITopic,
    consumer_timeout: cdk.Duration,
    max_receives: int,
    retention: cdk.Duration,
    what: str,
    alarm_description: str,
    delivery_delay: cdk.Duration | None = None,
) -> WorkQueue:
    """`<name>` (SQS-managed encryption, TLS only, visibility six times the consumer's timeout as Lambda advises),
    `<name>DeadLetters` after `max_receives` receives (kept 14 days, for a redrive) and `<name>DeadLettersAlarm` on
    the alarm topic as soon as one message lands there. `what` names the queue in the nag reason ("the erasure
    queue"). The ids are the scope's own, so the logical ids of the resources do not depend on this helper."""
    removal = cdk.RemovalPolicy.RETAIN if settings.is_prod else cdk.RemovalPolicy.DESTROY
    dead_letters = sqs.Queue(
        scope,
        f"{name}DeadLetters",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
        removal_policy=removal,
    )
    suppress(
        dead_letters, NagPackSuppression(id="AwsSolutions-SQS3", reason=f"This queue is {what}'s dead-letter queue.")
    )
    queue = sqs.Queue(
        scope,
        name,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        visibility_timeout=cdk.Duration.seconds(6 * consumer_timeout.to_seconds()),
        retention_period=retention,
        delivery_delay=delivery_delay,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=max_receives),
        removal_policy=removal,
    )
    alarm(
        scope,
        f"{name}DeadLettersAlarm",
        dead_letters.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(5)),
        alarm_description,
        alarm_topic,
    )
    return WorkQueue(queue, dead_letters)
