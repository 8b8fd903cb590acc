"""A function invoked on a schedule by EventBridge Scheduler: retried, its failures to its dead-letter queue, and the
scheduler role's one wildcard (the function's versions) justified for cdk-nag. Used by the connectors and by the
scheduled workers (deferred pushes, the payments sweeper)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression
from constructs import Construct

from .nag import suppress


def invoke_on_schedule(
    scope: Construct,
    construct_id: str,
    function: lambda_.IFunction,
    *,
    expression: scheduler.ScheduleExpression,
    description: str,
    event: dict[str, Any],
    dead_letter_queue: sqs.IQueue | None,
    max_event_age: cdk.Duration,
    what: str,
    logical_id_hint: str,
) -> scheduler.Schedule:
    """The schedule `construct_id` in `scope` invoking `function` with `event` (two retries, then
    `dead_letter_queue`). `what` names the function in the nag reason; `logical_id_hint` is a word of its logical id
    (`Connector`, `Sweeper`...), so the suppression covers that function's versions only."""
    schedule = scheduler.Schedule(
        scope,
        construct_id,
        description=description,
        schedule=expression,
        target=targets.LambdaInvoke(
            function,
            input=scheduler.ScheduleTargetInput.from_object(event),
            dead_letter_queue=dead_letter_queue,
            retry_attempts=2,
            max_event_age=max_event_age,
        ),
    )
    suppress(
        cdk.Stack.of(scope),
        NagPackSuppression(
            id="AwsSolutions-IAM5",
            reason=f"The scheduler's role may invoke {what} and its versions (<arn>:*), nothing else; CDK's "
            "LambdaInvoke target grants exactly that.",
            applies_to=[{"regex": f"/^Resource::<.*{logical_id_hint}.*\\.Arn>:\\*$/g"}],
        ),
    )
    return schedule
