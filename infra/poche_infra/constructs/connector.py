"""`ScheduledConnector`: a data connector Lambda, its source parameter, schedule and alarms."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_ssm as ssm
from cdk_nag import NagPackSuppression
from constructs import Construct

from ..config import Settings
from .function import PocheFunction
from .nag import suppress
from .runtime import PhaseRuntime


class ScheduledConnector(Construct):
    """`name` is part of the operations contract: `POCHE_SOURCE_<NAME>` locally,
    `/poche/<stage>/connectors/<name>/source` in SSM, `connector` dimension of its metrics."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        runtime: PhaseRuntime,
        name: str,
        package_dir: Path,
        domain: str,
        schedule: str,
        environment: dict[str, str],
        timeout: cdk.Duration | None = None,
        memory_mb: int = 512,
    ) -> None:
        super().__init__(scope, construct_id)
        self.name = name
        self.source_parameter = ssm.StringParameter(
            self,
            "Source",
            parameter_name=settings.parameter(f"connectors/{name}/source"),
            string_value=settings.territory.source(name),
            description=f"Source URL(s) of connector {name}: comma-separated URLs, or 'bundled' for its sample",
        )
        self.handler = PocheFunction(
            self,
            "Connector",
            settings=settings,
            package_dir=package_dir,
            domain=domain,
            description=f"Poche connector {name}",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
            asynchronous=True,
            memory_mb=memory_mb,
            timeout=timeout or cdk.Duration.minutes(2),
            environment={
                "POCHE_CONNECTOR": name,
                # A run's staged event not confirmed after this long belongs to a run that died: any flush sends it
                # (poche_common.outbox); its timeout and a minute, so a run still alive is never overtaken.
                "OUTBOX_GRACE_S": str(int((timeout or cdk.Duration.minutes(2)).to_seconds()) + 60),
                "SOURCE_PARAMETER": self.source_parameter.parameter_name,
                "EVENT_BUS_NAME": runtime.bus.event_bus_name,
                **environment,
            },
        )
        self.function = self.handler.function
        self.source_parameter.grant_read(self.function)
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=["events:PutEvents"], resources=[runtime.bus.event_bus_arn])
        )
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            description=f"Run connector {name}",
            schedule=_expression(schedule),
            target=targets.LambdaInvoke(
                self.function,
                input=scheduler.ScheduleTargetInput.from_object({"trigger": "schedule", "connector": name}),
                dead_letter_queue=self.handler.dead_letter_queue,
                retry_attempts=2,
                max_event_age=cdk.Duration.hours(1),
            ),
        )
        suppress(
            cdk.Stack.of(self),
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="The scheduler's role may invoke the connector function and its versions (<arn>:*), "
                "nothing else; CDK's LambdaInvoke target grants exactly that.",
                applies_to=[{"regex": "/^Resource::<.*Connector.*\\.Arn>:\\*$/g"}],
            ),
        )
        failed = cloudwatch.Metric(
            namespace="Poche",
            metric_name="ConnectorRunFailed",
            dimensions_map={"service": domain, "connector": name},
            statistic="Sum",
            period=cdk.Duration.hours(1),
        )
        alarm = cloudwatch.Alarm(
            self,
            "RunFailed",
            metric=failed,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"Connector {name}: its source could not be used; the last good data is kept",
        )
        alarm.add_alarm_action(cw_actions.SnsAction(runtime.alarm_topic))


def _expression(expression: str) -> scheduler.ScheduleExpression:
    """`rate(...)` or `cron(...)` from the territory file; cron runs in Europe/Paris time."""
    if expression.startswith("rate(") or expression.startswith("cron("):
        inner = expression[expression.index("(") + 1 : -1]
        if expression.startswith("rate("):
            amount, unit = inner.split()
            unit = unit.rstrip("s")
            duration = {"minute": cdk.Duration.minutes, "hour": cdk.Duration.hours, "day": cdk.Duration.days}[unit]
            return scheduler.ScheduleExpression.rate(duration(int(amount)))
        return scheduler.ScheduleExpression.expression(expression, cdk.TimeZone.EUROPE_PARIS)
    raise ValueError(f"schedule {expression!r} is neither rate(...) nor cron(...)")
