"""`DomainTable`: the DynamoDB table a domain owns, and the only ways its functions are granted access to it.

Every grant names DynamoDB actions by their short name ("GetItem", "Query"...), on the table itself and, for
`Query` only, on the indexes it names. What a connector's run needs of its table (run log, outbox) is written here
once (`CONNECTOR_RUN`); the rest is said by each domain, next to the reason. `Scan` is never granted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import Settings

S = dynamodb.AttributeType.STRING
# The item actions a function may be granted on a table (IAM's names without the `dynamodb:` prefix).
ITEM_ACTIONS = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "ConditionCheckItem",
    "BatchWriteItem",
)
READ_ACTIONS = ("GetItem", "BatchGetItem", "Query")
# What every connector run does on its table (poche_common.connector, poche_common.outbox): its run log (GetItem of
# its state, PutItem of the run, UpdateItem of the state), its events' outbox (PutItem to stage and confirm, GetItem
# of an id already staged, BatchWriteItem to delete what was sent, and a Query of the `OUTBOX` partition only).
CONNECTOR_RUN = ("GetItem", "PutItem", "UpdateItem", "BatchWriteItem")
OUTBOX_PARTITION = "OUTBOX"


class PolicyHolder(Protocol):
    """What a grant is given to: a Lambda function, a `PocheFunction`, a `ScheduledConnector`."""

    def add_to_role_policy(self, statement: iam.PolicyStatement) -> None: ...


# What can change or remove an item: never granted on an append-only table.
MUTATING_ACTIONS = frozenset({"UpdateItem", "DeleteItem", "BatchWriteItem"})


class DomainTable(Construct):
    """On-demand, `pk`/`sk` keys, TTL on `expires_at`, point-in-time recovery, kept in prod.

    `append_only` (a ledger: public accounting keeps its records for 10 years): no TTL, deletion protection and
    `RETAIN` in every stage, and no function is ever granted an action that updates or deletes an item
    (`MUTATING_ACTIONS`): items are put once (`PutItem` with `attribute_not_exists`), never changed."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        indexes: dict[str, tuple[str, str]] | None = None,
        append_only: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.append_only = append_only
        kept = settings.is_prod or append_only
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=S),
            sort_key=dynamodb.Attribute(name="sk", type=S),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=None if append_only else "expires_at",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN if kept else cdk.RemovalPolicy.DESTROY,
            deletion_protection=kept,
        )
        self.index_names = list(indexes or {})
        for name, (partition, sort) in (indexes or {}).items():
            self.table.add_global_secondary_index(
                index_name=name,
                partition_key=dynamodb.Attribute(name=partition, type=S),
                sort_key=dynamodb.Attribute(name=sort, type=S),
                projection_type=dynamodb.ProjectionType.ALL,
            )

    @property
    def table_name(self) -> str:
        return self.table.table_name

    def grant(self, grantee: PolicyHolder, *actions: str, leading_keys: Sequence[str] = ()) -> None:
        """`actions` on the table itself (not its indexes). With `leading_keys`, only on the items whose partition
        key matches one of them (`TOPIC#*`: StringLike when a key holds a wildcard, StringEquals otherwise)."""
        mutating = sorted(MUTATING_ACTIONS.intersection(actions))
        if self.append_only and mutating:
            raise ValueError(f"{self.node.path} is append-only: {', '.join(mutating)} is never granted on it")
        conditions = None
        if leading_keys:
            test = "StringLike" if any("*" in key or "?" in key for key in leading_keys) else "StringEquals"
            conditions = {f"ForAllValues:{test}": {"dynamodb:LeadingKeys": list(leading_keys)}}
        grantee.add_to_role_policy(
            iam.PolicyStatement(actions=_checked(actions), resources=[self.table.table_arn], conditions=conditions)
        )

    def grant_query(self, grantee: PolicyHolder, indexes: Iterable[str]) -> None:
        """`Query` on the named indexes (the only action an index takes besides Scan, which is never granted)."""
        arns = [self.index_arn(name) for name in indexes]
        if arns:
            grantee.add_to_role_policy(iam.PolicyStatement(actions=["dynamodb:Query"], resources=arns))

    def grant_read(self, grantee: PolicyHolder, *actions: str, indexes: Iterable[str] = ()) -> None:
        """A reader: `actions` (of GetItem, BatchGetItem, Query) on the table, and Query on the named indexes."""
        writes = sorted(set(actions) - set(READ_ACTIONS))
        if writes:
            raise ValueError(f"grant_read: {', '.join(writes)} is not a read; use grant() and say why")
        indexes = self._known(indexes)
        if actions:
            self.grant(grantee, *actions)
        self.grant_query(grantee, indexes)

    def grant_connector(self, grantee: PolicyHolder, *actions: str, indexes: Iterable[str] = ()) -> None:
        """A connector: what every run needs (`CONNECTOR_RUN` and the `OUTBOX` partition) plus `actions` on the
        table, and Query on the named indexes. With "Query" among `actions`, the whole table may be queried;
        without it, only the outbox's partition."""
        run = _checked([*CONNECTOR_RUN, *actions])
        indexes = self._known(indexes)
        self.grant(grantee, *(a.removeprefix("dynamodb:") for a in run))
        if "Query" not in actions:
            self.grant(grantee, "Query", leading_keys=[OUTBOX_PARTITION])
        self.grant_query(grantee, indexes)

    def _known(self, indexes: Iterable[str]) -> list[str]:
        names = list(indexes)
        for name in names:
            self.index_arn(name)  # raises for an unknown index, before anything is granted
        return names

    def index_arn(self, name: str) -> str:
        if name not in self.index_names:
            raise ValueError(f"{self.node.path}: no index {name!r} (indexes: {', '.join(self.index_names) or 'none'})")
        return f"{self.table.table_arn}/index/{name}"


def _checked(actions: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(actions))
    unknown = [a for a in names if a not in ITEM_ACTIONS]
    if unknown or not names:
        raise ValueError(
            f"DynamoDB actions {unknown or '(none)'}: grant some of {', '.join(ITEM_ACTIONS)} (never Scan, never "
            "a wildcard; short names, without `dynamodb:`)"
        )
    return [f"dynamodb:{a}" for a in names]
