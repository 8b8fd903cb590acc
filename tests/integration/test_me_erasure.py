"""Durable erasure (issue 9, defect 11), on moto: `DELETE /v1/me` records the erasure (tombstone), queues it and
runs it at once; what that run cannot finish, the erasure queue's worker (`me_erasure`) completes, with retries.

Before the fix the Cognito user went first, then the items: when deleting the items failed, the caller got a 500
and could not try again (no account left to sign in with), devices and subscriptions stayed and pushes went on."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError
from support import Cloud, body
from test_me import NOW, RACINE, Citizen, Me, every_item, save_everything
from test_me_devices import deferred, endpoints, event_id, note, put
from test_notifications import Pipeline, school_event

if TYPE_CHECKING:  # the function's modules are imported by `cloud.load`, with its environment
    from me_shared.erasure import Erasure
    from me_shared.identity import CognitoIdentity


TOKEN = "fcm-token-of-alices-phone:APA91bH-erasure-0001"
ROUTES = [
    ("GET", "/v1/me/home/layout"),
    ("GET", "/v1/me/subscriptions"),
    ("GET", "/v1/me/devices"),
    ("GET", "/v1/me/notifications"),
    ("GET", "/v1/me/export"),
]


class FailingSNS:
    """An SNS client whose DeleteEndpoint fails `times` times (a throttled or unreachable SNS)."""

    def __init__(self, real: Any, times: int = 1_000) -> None:
        self.real = real
        self.left = times

    def delete_endpoint(self, **kwargs: Any) -> Any:
        if self.left > 0:
            self.left -= 1
            raise ClientError({"Error": {"Code": "InternalError", "Message": "unavailable"}}, "DeleteEndpoint")
        return self.real.delete_endpoint(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class FailingCognito:
    def __init__(self, real: Any, times: int = 1) -> None:
        self.real = real
        self.left = times
        self.exceptions = real.exceptions

    def admin_delete_user(self, **kwargs: Any) -> Any:
        if self.left > 0:
            self.left -= 1
            raise ClientError(
                {"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "AdminDeleteUser"
            )
        return self.real.admin_delete_user(**kwargs)


class UnreachableQueue:
    def send(self, message: Any) -> None:
        raise ConnectionError("SQS unreachable")


class Worker:
    """The erasure queue and its worker, as Lambda's event source mapping runs them."""

    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.context = lambda_context
        self.queue_url = cloud.function("me").environment["ERASURE_QUEUE_URL"]
        self.module = cloud.load("me_erasure")
        self.module.dependencies.reset()  # built anew, from this function's environment, on this test's moto
        self.deps = self.module.dependencies.get()
        self.deps.clock = lambda: NOW + dt.timedelta(minutes=1)

    @property
    def identity(self) -> CognitoIdentity:
        """The worker's user pool adapter."""
        return cast("CognitoIdentity", cast("Erasure", self.deps.erasure).identity)

    def received(self) -> list[dict[str, Any]]:
        """The queued messages as SQS records (received: invisible until deleted or their visibility ends)."""
        sqs = self.cloud.clients["sqs"]
        found: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return found
            found += [
                {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"]} for m in batch
            ]

    def run(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        answer: dict[str, Any] = self.module.handler({"Records": records}, self.context)
        return answer


@pytest.fixture
def me(cloud: Cloud, lambda_context: Any) -> Me:
    return Me(cloud, lambda_context)


@pytest.fixture
def worker(cloud: Cloud, lambda_context: Any) -> Worker:
    return Worker(cloud, lambda_context)


def tombstones(cloud: Cloud) -> list[dict[str, Any]]:
    return [i for i in every_item(cloud) if str(i["pk"]).startswith("GONE#")]


def held(cloud: Cloud, who: Citizen) -> list[dict[str, Any]]:
    return [i for i in every_item(cloud) if who.sub in json.dumps(i, default=str) or who.email in json.dumps(i)]


def user_exists(me: Me, who: Citizen) -> bool:
    cognito = me.cloud.clients["cognito-idp"]
    try:
        cognito.admin_get_user(UserPoolId=me.pool_id, Username=who.username)
    except cognito.exceptions.UserNotFoundException:
        return False
    return True


def everything(me: Me, who: Citizen) -> str:
    """A citizen with a layout, subscriptions, a device, an inbox item and a deferred push; their endpoint."""
    save_everything(me, who)
    assert me.call("POST", "/v1/me/devices", who, {"platform": "fcm", "token": TOKEN})["statusCode"] == 201
    put(me.cloud, note(who.sub, NOW, event_id(1), "Avis"), *deferred(who.sub, event_id(1)))
    [endpoint] = endpoints(me.cloud)
    return endpoint


def test_a_failure_mid_erasure_is_retried_by_the_queue_and_completes(me: Me, worker: Worker, cloud: Cloud) -> None:
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    endpoint = everything(me, alice)
    save_everything(me, bob)
    devices = me.devices
    devices.sns = FailingSNS(devices.sns)  # SNS fails during the request's run

    erased = me.call("DELETE", "/v1/me", alice)

    assert erased["statusCode"] == 204 and erased["body"] == ""  # recorded: the rest is the queue's
    for method, path in ROUTES:
        assert me.call(method, path, alice)["statusCode"] == 401, path
    [tombstone] = tombstones(cloud)
    assert tombstone["state"] == "pending" and "expires_at" not in tombstone  # kept until the erasure completes
    # What needs DynamoDB only went first: no subscription, no inbox item, no deferred push is left to notify.
    assert {str(i["sk"]).split("#")[0] for i in held(cloud, alice)} == {"DEVICE", "OWNER"}
    assert endpoint in endpoints(cloud) and user_exists(me, alice)

    [record] = worker.received()
    assert set(json.loads(record["body"])) == {"sub", "username", "requested_at"}  # no e-mail
    worker.identity.client = FailingCognito(cloud.clients["cognito-idp"])  # fails once more
    assert worker.run([record]) == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    assert user_exists(me, alice)

    assert worker.run([record]) == {"batchItemFailures": []}  # the redelivery completes it
    assert held(cloud, alice) == [] and endpoint not in endpoints(cloud)
    assert not user_exists(me, alice)
    [tombstone] = tombstones(cloud)
    assert tombstone["state"] == "done"
    assert tombstone["expires_at"] == int((NOW + dt.timedelta(minutes=1, days=1)).timestamp())
    assert me.call("DELETE", "/v1/me", alice)["statusCode"] == 401
    assert body(me.call("GET", "/v1/me/home/layout", bob))["tiles"]  # Bob untouched
    assert worker.run([record]) == {"batchItemFailures": []}  # a late redelivery changes nothing


def test_an_erased_account_receives_no_push_afterwards(
    me: Me, worker: Worker, cloud: Cloud, lambda_context: Any
) -> None:
    alice = me.citizen("alice@example.org")
    endpoint = everything(me, alice)  # subscribed to Racine, immediate; a push deferred to 07:00
    pipeline = Pipeline(cloud, lambda_context)
    devices = me.devices
    devices.sns = FailingSNS(devices.sns)
    assert me.call("DELETE", "/v1/me", alice)["statusCode"] == 204  # the endpoint could not be deleted yet

    pipeline.publish(school_event("ev-after-erasure", [RACINE]))
    assert pipeline.deliver(pipeline.queued()) == {"batchItemFailures": []}
    pipeline.now = dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)  # the deferred push is due
    pipeline.deferred.handler({}, lambda_context)
    assert pipeline.pushes(endpoint) == []

    assert worker.run(worker.received()) == {"batchItemFailures": []}
    assert endpoint not in endpoints(cloud)
    pipeline.publish(school_event("ev-later", [RACINE]))
    assert pipeline.deliver(pipeline.queued()) == {"batchItemFailures": []}
    assert pipeline.pushes(endpoint) == [] and held(cloud, alice) == []


def test_without_queue_and_run_the_caller_is_told_to_repeat_and_a_repeat_completes(me: Me, cloud: Cloud) -> None:
    alice = me.citizen("alice@example.org")
    endpoint = everything(me, alice)
    devices = me.devices
    real = devices.sns
    devices.sns = FailingSNS(real)
    me.deps.erasure_queue = UnreachableQueue()  # the queue unreachable too

    refused = me.call("DELETE", "/v1/me", alice)
    assert refused["statusCode"] == 503 and body(refused)["type"].endswith("erasure-pending")
    assert me.call("GET", "/v1/me/home/layout", alice)["statusCode"] == 401  # recorded all the same

    devices.sns = real
    assert me.call("DELETE", "/v1/me", alice)["statusCode"] == 204  # a pending erasure is repeated
    assert held(cloud, alice) == [] and endpoint not in endpoints(cloud) and not user_exists(me, alice)
    assert me.call("DELETE", "/v1/me", alice)["statusCode"] == 401


def test_the_worker_refuses_what_is_not_an_erasure_request_and_logs_no_account(
    me: Me, worker: Worker, cloud: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = me.citizen("alice@example.org")
    everything(me, alice)
    assert me.call("DELETE", "/v1/me", alice)["statusCode"] == 204
    [record] = worker.received()
    capsys.readouterr()
    answer = worker.run(
        [
            record,  # done already by the request: acknowledged
            {"messageId": "m-1", "body": "[" * 10_000},
            {"messageId": "m-2", "body": json.dumps({"sub": "../USER#x", "username": "u"})},
            {"messageId": "m-3", "body": json.dumps({"sub": alice.sub})},
        ]
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": m} for m in ("m-1", "m-2", "m-3")]}
    logged = capsys.readouterr()
    text = logged.out + logged.err
    assert text and alice.sub not in text and alice.email not in text and TOKEN not in text


def test_the_local_platform_hands_the_erasure_queue_to_the_worker(cloud: Cloud, worker: Worker) -> None:
    """`poche run` relays the templates' SQS event source mappings: the erasure queue reaches `me_erasure`."""
    [source] = [q for q in cloud.spec.queue_sources if q.function == cloud.function("me_erasure").name]
    assert worker.queue_url.rsplit("/", 1)[-1] == source.queue
    assert source.report_failures and not source.relay
