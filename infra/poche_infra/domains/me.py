"""The citizen's personal side: saved home screen, subscriptions, personal data rights (issue 5).

- Table `personal` (layout in `functions/me/store.py`, docs/me.md): every personal item under `USER#<sub>`,
  the subscribers index `TOPIC#<kind>#<id>` / `USER#<sub>`, and the tombstones `GONE#<sha256(sub)>`.
- Function `me` (functions/me): GET/PUT /v1/me/home/layout, GET /v1/me/home, GET/PUT /v1/me/subscriptions,
  POST/GET /v1/me/devices, DELETE /v1/me/devices/{id}, GET /v1/me/notifications, POST
  /v1/me/notifications/{id}/read, GET /v1/me/export, DELETE /v1/me, behind the citizens' JWT authorizer (401
  without a citizen's token).
- Mobile push: the territory's `push_applications` (SNS platform applications, one per platform, created out of
  band) reach the function as PUSH_APPLICATIONS; it may create endpoints on those applications only, and manage
  endpoints under them. Without them, no SNS grant at all (and `POST /v1/me/devices` answers 503).
- Durable erasure: `DELETE /v1/me` records the erasure (tombstone), queues it on the erasure queue (SQS-managed
  encryption, TLS only) and runs it at once; the worker `me_erasure` (functions/me_erasure) completes what that run
  could not, with retries, then the queue's dead-letter queue and an alarm on it. Both functions share the
  erasure and device ownership code of the `me` domain layer (layers/me: `me_shared`).

Constructed after the domains registering tile types (it reads their projections for `GET /v1/me/home`).
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression
from constructs import Construct

from ..config import Settings
from ..constructs.domain import Domain
from ..constructs.function import PocheFunction
from ..constructs.nag import suppress
from ..constructs.queue import work_queue
from ..constructs.runtime import PhaseRuntime
from ..constructs.table import DomainTable
from ..constructs.tiles import TILES_PATH, TileType
from .home import grant_tile_reads

# Its own table: read the caller's items and the tombstone (BatchGetItem), the caller's partition (Query),
# write them in transactions (TransactWriteItems is authorised as the Put/Update/Delete/ConditionCheck it holds:
# UpdateItem marks an inbox item read), erase and write large index changes in batches (BatchWriteItem), the
# tombstone (PutItem), a device (DeleteItem).
PERSONAL = ("BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem", "BatchWriteItem")
# The transit table: only whether a route exists (`ROUTE#<id>` / `PROFILE`).
TRANSIT_ROUTES = ("GetItem", "BatchGetItem")
# The citizens pool: the caller's record for the export, and its deletion.
COGNITO = ["cognito-idp:AdminGetUser", "cognito-idp:AdminDeleteUser"]
# The erasure worker: the tombstone (PutItem, UpdateItem when done), the partition (Query), the token's owner
# item (UpdateItem: the removal's lease; DeleteItem, also in the transaction removing a device), the items, index
# items and deferred pushes (BatchWriteItem); the Cognito user; the endpoints of its devices.
ERASURE = ("Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
ERASURE_TIMEOUT = cdk.Duration.seconds(60)
ERASURE_RECEIVES = 8  # about 50 minutes of retries (visibility 6 minutes), then the dead-letter queue
GET, PUT, POST, DELETE = (
    apigwv2.HttpMethod.GET,
    apigwv2.HttpMethod.PUT,
    apigwv2.HttpMethod.POST,
    apigwv2.HttpMethod.DELETE,
)
ROUTES = [
    (method, path)
    for path, methods in {
        "/v1/me/home/layout": (GET, PUT),
        "/v1/me/home": (GET,),
        "/v1/me/subscriptions": (GET, PUT),
        "/v1/me/devices": (POST, GET),
        "/v1/me/devices/{device_id}": (DELETE,),
        "/v1/me/notifications": (GET,),
        "/v1/me/notifications/{note_id}/read": (POST,),
        "/v1/me/export": (GET,),
        "/v1/me": (DELETE,),
    }.items()
    for method in methods
]

# Mobile push: endpoints are created on the configured applications, and managed (deleted, read, enabled again)
# under them only.
SNS_APPLICATIONS = ["sns:CreatePlatformEndpoint"]
SNS_ENDPOINTS = ["sns:DeleteEndpoint", "sns:GetEndpointAttributes", "sns:SetEndpointAttributes"]


ENDPOINTS_REASON = (
    "SNS platform endpoints are created at run time, one per registered device (POST /v1/me/devices), so their "
    "ARNs cannot be listed: the grant names the endpoints of the territory's platform applications only "
    "(arn:aws:sns:<region>:<account>:endpoint/<platform>/<application>/*), no topic, no other application."
)
ENDPOINTS_WILDCARD = {"regex": "/^Resource::arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:endpoint\\/[A-Z_]+\\/.+\\/\\*$/g"}


def endpoints_of(application_arn: str) -> str:
    """`arn:aws:sns:<region>:<account>:app/<platform>/<name>` -> the ARN pattern of its endpoints: the one
    pattern every push grant uses (`me` here, the notification functions in domains/notifications.py)."""
    prefix, _, path = application_arn.partition(":app/")
    if not path:
        raise ValueError(f"{application_arn!r} is not an SNS platform application ARN")
    return f"{prefix}:endpoint/{path}/*"


def endpoint_statements(applications: dict[str, str], actions: list[str]) -> list[iam.PolicyStatement]:
    """`actions` on the endpoints of the configured platform applications (none when push is not configured)."""
    arns = sorted(set(applications.values()))
    if not arns:
        return []
    return [iam.PolicyStatement(actions=actions, resources=[endpoints_of(arn) for arn in arns])]


def push_statements(applications: dict[str, str]) -> list[iam.PolicyStatement]:
    """The SNS grants of `me` for the configured platform applications (none when push is not configured)."""
    arns = sorted(set(applications.values()))
    if not arns:
        return []
    return [
        iam.PolicyStatement(actions=SNS_APPLICATIONS, resources=arns),
        *endpoint_statements(applications, SNS_ENDPOINTS),
    ]


def grant_endpoints(function: PocheFunction, statements: list[iam.PolicyStatement]) -> None:
    """Adds push statements to a function's role, with the cdk-nag suppression of the endpoints' wildcard."""
    for statement in statements:
        function.function.add_to_role_policy(statement)
    if statements:
        suppress(
            function.role,
            NagPackSuppression(id="AwsSolutions-IAM5", reason=ENDPOINTS_REASON, applies_to=[ENDPOINTS_WILDCARD]),
        )


class MeDomain(Domain):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        runtime: PhaseRuntime,
        transit_table: DomainTable,
    ) -> None:
        super().__init__(scope, construct_id, settings=settings, runtime=runtime)
        tiles: list[TileType] = list(runtime.tiles)
        if not tiles:
            raise ValueError("MeDomain comes after the domains that register tile types")
        self.table = self.add_table("Personal")
        path = settings.parameter(TILES_PATH)
        me_layer = runtime.domain_layer("me")  # me_shared: the erasure and device ownership, for both functions
        self.erasure_queue = self._erasure_queue(settings, runtime)
        self.service = self.add_service(
            package="me",
            description="Poche personal API (/v1/me: layout, subscriptions, devices, notifications, export, erasure)",
            layers=[runtime.domain_layer("transit"), runtime.domain_layer("home"), me_layer],
            audience="citizens",
            routes=ROUTES,
            environment={
                "TRANSIT_TABLE": transit_table.table_name,
                "TILES_PARAMETER_PATH": path,
                "CITIZEN_USER_POOL_ID": runtime.citizen_user_pool_id,
                # "{}" when not configured; the local platform gives its emulated applications then.
                "PUSH_APPLICATIONS": json.dumps(settings.territory.push_applications, sort_keys=True),
                "ERASURE_QUEUE_URL": self.erasure_queue.queue_url,
            },
        )
        service = self.service
        self.table.grant(service, *PERSONAL)
        transit_table.grant(service, *TRANSIT_ROUTES, leading_keys=["ROUTE#*"])
        service.add_to_role_policy(iam.PolicyStatement(actions=COGNITO, resources=[runtime.citizen_user_pool_arn]))
        grant_endpoints(service, push_statements(settings.territory.push_applications))
        service.add_to_role_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.erasure_queue.queue_arn])
        )
        grant_tile_reads(service, tiles, path)

        # --- the erasure worker ------------------------------------------------------------------------
        self.erasure = self.add_function(
            "Erasure",
            package="me_erasure",
            description="Poche account erasures (queued by DELETE /v1/me: devices, items, Cognito user)",
            layers=[me_layer],
            timeout=ERASURE_TIMEOUT,
            environment={"TABLE_NAME": self.table.table_name, "CITIZEN_USER_POOL_ID": runtime.citizen_user_pool_id},
        )
        worker = self.erasure.function
        worker.add_event_source(
            event_sources.SqsEventSource(self.erasure_queue, batch_size=5, report_batch_item_failures=True)
        )
        self.table.grant(worker, *ERASURE)
        worker.add_to_role_policy(
            iam.PolicyStatement(actions=["cognito-idp:AdminDeleteUser"], resources=[runtime.citizen_user_pool_arn])
        )
        grant_endpoints(self.erasure, endpoint_statements(settings.territory.push_applications, ["sns:DeleteEndpoint"]))

    def _erasure_queue(self, settings: Settings, runtime: PhaseRuntime) -> sqs.Queue:
        """The erasure requests (retained 14 days), their dead-letter queue and an alarm on it."""
        erasures = work_queue(
            self,
            "Erasures",
            settings=settings,
            alarm_topic=runtime.alarm_topic,
            consumer_timeout=ERASURE_TIMEOUT,
            max_receives=ERASURE_RECEIVES,
            retention=cdk.Duration.days(14),
            # DELETE /v1/me runs the erasure itself first: the worker comes a minute later, for what it left.
            delivery_delay=cdk.Duration.seconds(60),
            what="the erasure queue",
            alarm_description="Account erasures that failed repeatedly wait in the dead-letter queue: redrive them",
        )
        self.erasure_dead_letters = erasures.dead_letters
        return erasures.queue
