"""`DomainTable`: the DynamoDB table a domain owns."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from ..config import Settings

S = dynamodb.AttributeType.STRING


class DomainTable(Construct):
    """On-demand, `pk`/`sk` keys, TTL on `expires_at`, point-in-time recovery, kept in prod."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        indexes: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=S),
            sort_key=dynamodb.Attribute(name="sk", type=S),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expires_at",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN if settings.is_prod else cdk.RemovalPolicy.DESTROY,
            deletion_protection=settings.is_prod,
        )
        self.index_names = list(indexes or {})
        for name, (partition, sort) in (indexes or {}).items():
            self.table.add_global_secondary_index(
                index_name=name,
                partition_key=dynamodb.Attribute(name=partition, type=S),
                sort_key=dynamodb.Attribute(name=sort, type=S),
                projection_type=dynamodb.ProjectionType.ALL,
            )

    def arns(self, with_indexes: bool = False) -> list[str]:
        arns = [self.table.table_arn]
        if with_indexes:
            arns += [f"{self.table.table_arn}/index/{name}" for name in self.index_names]
        return arns
