"""cdk-nag suppressions, each with the rule and a reason a security reviewer can accept."""

from __future__ import annotations

from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import IConstruct

XRAY_WILDCARD = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level "
    "permission, so AWS requires Resource '*' for them; no other action of the role uses a wildcard.",
    applies_to=["Resource::*"],
)


def suppress(construct: IConstruct, *suppressions: NagPackSuppression, children: bool = True) -> None:
    NagSuppressions.add_resource_suppressions(construct, list(suppressions), apply_to_children=children)


LOG_STREAMS = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="Lambda names a new log stream per execution environment, so writing logs needs "
    "'<own log group>:log-stream:*'; the wildcard stays inside the function's own log group.",
    applies_to=[{"regex": "/^Resource::<.*Logs.*\\.Arn>:log-stream:\\*$/g"}],
)
