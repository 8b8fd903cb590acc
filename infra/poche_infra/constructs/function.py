"""`PocheFunction`: how every Lambda of the platform is built.

arm64, one pinned Python runtime, X-Ray active tracing, JSON logs in its own log group with a
retention, its own role holding only what it is granted, and for asynchronously invoked
functions (schedules, events) a dead-letter queue and an alarm on it.

The code asset is the function's own package folder, copied under its package name without
Docker (CDK local bundling), so the handler is `<package>.handler.handler` and two functions can
never shadow each other's modules. Shared code comes from the `common` layer.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression
from constructs import Construct

from ..config import PYTHON_RUNTIME, Settings
from .alarms import alarm
from .nag import LOG_STREAMS, XRAY_WILDCARD, suppress

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")


@jsii.implements(cdk.ILocalBundling)
class _CopyPackage:
    """Local bundling: the asset is `<package>/...`, copied as is (pure Python, no Docker)."""

    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir

    def try_bundle(self, output_dir: str, *args: Any, **kwargs: Any) -> bool:
        shutil.copytree(self.package_dir, Path(output_dir) / self.package_dir.name, ignore=IGNORED)
        return True


def package_code(package_dir: Path) -> lambda_.Code:
    if not (package_dir / "handler.py").exists():
        raise FileNotFoundError(f"{package_dir}/handler.py: every function package needs a handler module")
    return lambda_.Code.from_asset(
        str(package_dir),
        exclude=["__pycache__", "*.pyc"],
        bundling=cdk.BundlingOptions(
            image=cdk.DockerImage.from_registry("docker-is-not-used"),
            local=_CopyPackage(package_dir),
        ),
    )


RUNTIME = lambda_.Runtime(PYTHON_RUNTIME, lambda_.RuntimeFamily.PYTHON)


def domain_of(package: str) -> str:
    """The domain of a function package: its name up to the first `_` (`schools_admin` -> `schools`,
    `canteen_menus_scdl` -> `canteen`). It names the service in logs and metrics (POWERTOOLS_SERVICE_NAME)."""
    return package.split("_", 1)[0]


class PocheFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        package_dir: Path,
        description: str,
        layers: list[lambda_.ILayerVersion],
        alarm_topic: sns.ITopic,
        domain: str | None = None,
        environment: dict[str, str] | None = None,
        asynchronous: bool = False,
        memory_mb: int = 256,
        timeout: cdk.Duration | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        removal = cdk.RemovalPolicy.RETAIN if settings.is_prod else cdk.RemovalPolicy.DESTROY
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.SIX_MONTHS if settings.is_prod else logs.RetentionDays.ONE_MONTH,
            removal_policy=removal,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{description} (least privilege: only what this function is granted)",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn, f"{self.log_group.log_group_arn}:log-stream:*"],
            )
        )
        self.dead_letter_queue: sqs.Queue | None = None
        if asynchronous:
            self.dead_letter_queue = sqs.Queue(
                self,
                "DeadLetters",
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=cdk.Duration.days(14),
                removal_policy=removal,
            )
            suppress(
                self.dead_letter_queue,
                NagPackSuppression(
                    id="AwsSolutions-SQS3", reason="This queue is itself the dead-letter queue of the function."
                ),
            )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            code=package_code(package_dir),
            handler=f"{package_dir.name}.handler.handler",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            memory_size=memory_mb,
            timeout=timeout or cdk.Duration.seconds(10),
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=self.log_group,
            role=self.role,
            layers=layers,
            dead_letter_queue=self.dead_letter_queue,
            retry_attempts=2 if asynchronous else None,
            environment={
                "POWERTOOLS_SERVICE_NAME": domain or domain_of(package_dir.name),
                "POWERTOOLS_METRICS_NAMESPACE": "Poche",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "POCHE_STAGE": settings.stage,
                **(environment or {}),
            },
        )
        suppress(self.role, XRAY_WILDCARD, LOG_STREAMS)
        suppress(
            self.function,
            NagPackSuppression(
                id="AwsSolutions-L1",
                reason=f"Pinned to {PYTHON_RUNTIME}, the newest runtime for which the pinned Powertools layer "
                "is published and tested here; upgrading is one line in poche_infra/config.py.",
            ),
        )
        alarm(
            self,
            "Errors",
            self.function.metric_errors(period=cdk.Duration.minutes(5), statistic="Sum"),
            f"{description}: invocation errors",
            alarm_topic,
        )
        if self.dead_letter_queue is not None:
            alarm(
                self,
                "DeadLettersAlarm",
                self.dead_letter_queue.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(5)),
                f"{description}: failed invocations waiting in the dead-letter queue",
                alarm_topic,
            )

    def add_to_role_policy(self, statement: iam.PolicyStatement) -> None:
        """So a grant (`DomainTable.grant_read`...) takes the construct itself."""
        self.function.add_to_role_policy(statement)
