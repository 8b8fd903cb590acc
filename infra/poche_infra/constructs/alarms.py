"""`alarm`: how every alarm of the platform is raised: on the first datapoint at or above 1, quiet without data,
sent to the alarm topic."""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct


def alarm(scope: Construct, construct_id: str, metric: cloudwatch.IMetric, description: str, topic: sns.ITopic) -> None:
    """`<construct_id>` in `scope`: one evaluation period, threshold 1, missing data not breaching, action `topic`."""
    raised = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )
    raised.add_alarm_action(cw_actions.SnsAction(topic))
