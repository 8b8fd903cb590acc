"""`ScheduledConnector`: a data connector Lambda, its source parameter, schedule, table grants and alarms."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..config import ConfigError, Settings
from ..paths import CONNECTORS
from .alarms import alarm
from .function import PocheFunction, domain_of
from .runtime import PhaseRuntime
from .schedule import invoke_on_schedule
from .table import DomainTable


class ScheduledConnector(Construct):
    """`name` is part of the operations contract: `POCHE_SOURCE_<NAME>` locally,
    `/poche/<stage>/connectors/<name>/source` in SSM, `connector` dimension of its metrics. Its code is
    `functions/connectors/<name with _>` and its domain the package's first word (`traffic-datex2`: traffic).

    Its schedule is the territory's (`schedules` in `infra/territories/<name>.json`), and only there: a connector
    the territory does not schedule is a configuration error, never a default that could silently differ.
    `table`: the domain's table, TABLE_NAME of the function, granted what every run needs
    (`DomainTable.grant_connector`) plus `uses` on the table and Query on `indexes`.
    `layers`: after the runtime's (common); `powertools` only when the code imports Powertools or pydantic.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        runtime: PhaseRuntime,
        name: str,
        table: DomainTable,
        uses: Sequence[str] = (),
        indexes: Sequence[str] = (),
        layers: Sequence[lambda_.ILayerVersion] = (),
        powertools: bool = False,
        environment: dict[str, str] | None = None,
        timeout: cdk.Duration | None = None,
        memory_mb: int = 512,
        package_dir: Path | None = None,
    ) -> None:
        schedule = settings.territory.schedules.get(name)
        if schedule is None:
            raise ConfigError(
                f"territory {settings.territory.name!r}: no schedule for connector {name!r}; add it to `schedules` "
                f'in infra/territories/{settings.territory.name}.json (e.g. "{name}": "rate(1 hour)")'
            )
        super().__init__(scope, construct_id)
        self.name = name
        timeout = timeout or cdk.Duration.minutes(2)
        self.source_parameter = ssm.StringParameter(
            self,
            "Source",
            parameter_name=settings.parameter(f"connectors/{name}/source"),
            string_value=settings.territory.source(name),
            description=f"Source URL(s) of connector {name}: comma-separated URLs, or 'bundled' for its sample",
        )
        package_dir = package_dir or CONNECTORS / name.replace("-", "_")
        self.handler = PocheFunction(
            self,
            "Connector",
            settings=settings,
            package_dir=package_dir,
            description=f"Poche connector {name}",
            layers=runtime.function_layers(*layers, powertools=powertools),
            alarm_topic=runtime.alarm_topic,
            asynchronous=True,
            memory_mb=memory_mb,
            timeout=timeout,
            environment={
                "TABLE_NAME": table.table_name,
                "POCHE_CONNECTOR": name,
                # A run's staged event not confirmed after this long belongs to a run that died: any flush sends it
                # (poche_common.outbox); its timeout and a minute, so a run still alive is never overtaken.
                "OUTBOX_GRACE_S": str(int(timeout.to_seconds()) + 60),
                "SOURCE_PARAMETER": self.source_parameter.parameter_name,
                "EVENT_BUS_NAME": runtime.bus.event_bus_name,
                **(environment or {}),
            },
        )
        self.function = self.handler.function
        self.source_parameter.grant_read(self.function)
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=["events:PutEvents"], resources=[runtime.bus.event_bus_arn])
        )
        table.grant_connector(self, *uses, indexes=indexes)
        self.schedule = invoke_on_schedule(
            self,
            "Schedule",
            self.function,
            expression=_expression(schedule),
            description=f"Run connector {name}",
            event={"trigger": "schedule", "connector": name},
            dead_letter_queue=self.handler.dead_letter_queue,
            max_event_age=cdk.Duration.hours(1),
            what="the connector function",
            logical_id_hint="Connector",
        )
        failed = cloudwatch.Metric(
            namespace="Poche",
            metric_name="ConnectorRunFailed",
            dimensions_map={"service": domain_of(package_dir.name), "connector": name},
            statistic="Sum",
            period=cdk.Duration.hours(1),
        )
        alarm(
            self,
            "RunFailed",
            failed,
            f"Connector {name}: its source could not be used; the last good data is kept",
            runtime.alarm_topic,
        )

    def add_to_role_policy(self, statement: iam.PolicyStatement) -> None:
        """So a grant (`DomainTable.grant`...) takes the construct itself."""
        self.function.add_to_role_policy(statement)


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
