"""Helpers shared by the tests: real event shapes and small file builders."""

from __future__ import annotations

import base64
import copy
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from poche_local.model import PlatformSpec


def http_api_event(
    route_key: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
    body: str | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event, as sent to a Lambda integration.

    `claims` are what a JWT authorizer passes on (every value a string, as API Gateway renders them)."""
    method = method or route_key.split(" ", 1)[0]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": {
            "host": "api.example.test",
            "user-agent": "pytest",
            **{k.lower(): v for k, v in (headers or {}).items()},
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef123",
            "domainName": "api.example.test",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "pytest",
            },
            "requestId": "req-1",
            "routeKey": route_key,
            "stage": "$default",
            "time": "29/Nov/2026:07:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body
        event["headers"].setdefault("content-type", "application/json")
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def header(response: dict[str, Any], name: str) -> str | None:
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


SCHEDULED_INPUT = {"trigger": "schedule", "connector": "canteen-menus-scdl"}


@dataclass
class Synthesized:
    """The CDK app synthesized once for the whole test session."""

    outdir: Path
    templates: dict[str, dict[str, Any]]  # stack name -> template
    errors: list[str]  # cdk-nag (and other) error annotations
    warnings: list[str]
    missing_context: list[Any]


def fresh_import(module: str) -> Any:
    """Import a handler module anew, with the shared layer, as a new Lambda sandbox would: both read
    the environment of this test at 'cold start'."""
    import importlib

    packages = (module.split(".")[0], "poche_common")

    def stale(name: str) -> bool:  # the function's package, the common layer and the domain layers
        top = name.split(".")[0]
        return top in packages or top.endswith("_shared")

    for name in [m for m in sys.modules if stale(m)]:
        del sys.modules[name]
    loaded = importlib.import_module(module)
    for package in [module.split(".")[0], *(m for m in list(sys.modules) if "." not in m and m.endswith("_shared"))]:
        _import_the_rest(package)
    return loaded


def _import_the_rest(package: str) -> None:
    """The other modules of a function's package (or of a domain layer it uses), imported now with this sandbox's
    common layer: a handler imports some of them on the first request that needs them (a cold start compiles less),
    and by then another test sandbox may have imported the common layer anew, which would give them other classes
    than the handler's (an error the router no longer maps). Not the API shapes (`models`, `openapi`: never on a
    handler's path)."""
    import importlib
    import pkgutil

    root = importlib.import_module(package)
    for found in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if found.name.rsplit(".", 1)[-1] not in ("models", "openapi"):
            importlib.import_module(found.name)


SAMPLE = Path(__file__).resolve().parents[1] / "functions/connectors/canteen_menus_scdl/sample/menus-collectifs.csv"


@dataclass
class Cloud:
    spec: PlatformSpec
    clients: dict[str, Any]
    monkeypatch: pytest.MonkeyPatch
    events_queue_url: str
    snapshots: dict[str, dict[str, dict[Any, Any]]] = field(default_factory=dict)  # the worker's, by seed name

    def function(self, package: str) -> Any:
        return next(f for f in self.spec.functions.values() if f.package == package)

    def load(self, package: str) -> Any:
        """The handler module of a function, imported with that function's deployed environment."""
        spec = self.function(package)
        for key, value in spec.environment.items():
            self.monkeypatch.setenv(key, value)
        return fresh_import(f"{package}.handler")

    def table(self, package: str) -> str:
        return str(self.function(package).environment["TABLE_NAME"])

    def bus_events(self) -> list[dict[str, Any]]:
        """Every event the bus delivered to the test's catch-all rule so far."""
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.clients["sqs"].receive_message(QueueUrl=self.events_queue_url, MaxNumberOfMessages=10)
            if not batch.get("Messages"):
                return messages
            for message in batch["Messages"]:
                messages.append(json.loads(message["Body"]))
                self.clients["sqs"].delete_message(
                    QueueUrl=self.events_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )

    def items(self, package: str) -> list[dict[str, Any]]:
        return table_items(self.table(package))

    def seed(self, name: str, write: Callable[[], None]) -> None:
        """Data a test reads but does not test the writing of: `write` (e.g. a connector run) runs in the first test
        of the worker that asks for `name`, on empty tables; later tests get the same table items back from moto's
        memory instead of running it again. Only DynamoDB items are kept: what `write` sent to the bus is not."""
        from moto.dynamodb.models import dynamodb_backends

        backend = dynamodb_backends[MOTO_ACCOUNT][MOTO_REGION]
        saved = self.snapshots.get(name)
        if saved is None:
            assert not any(table.items for table in backend.tables.values()), f"seed {name!r} is not the first write"
            write()
            self.snapshots[name] = {n: copy.deepcopy(dict(t.items)) for n, t in backend.tables.items() if t.items}
            return
        for table_name, items in saved.items():
            table = backend.get_table(table_name)
            table.items.clear()
            table.items.update(copy.deepcopy(items))


MOTO_ACCOUNT, MOTO_REGION = "123456789012", "eu-west-3"
PROVISIONED: dict[str, Any] = {}  # the `cloud` fixture's provisioned platform, one per process (integration/conftest)


def _wire(value: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB attribute as boto3's client returns it (binary values as bytes)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {kind: base64.b64decode(inner) if isinstance(inner, str) else inner}
    if kind == "BS":
        return {kind: [base64.b64decode(v) if isinstance(v, str) else v for v in inner]}
    if kind == "M":
        return {kind: {k: _wire(v) for k, v in inner.items()}}
    if kind == "L":
        return {kind: [_wire(v) for v in inner]}
    return {kind: inner}


def table_items(table: str) -> list[dict[str, Any]]:
    """Every item of an emulated table, in Scan's order and form (tests may Scan; the functions may not). Read from
    moto's memory: a paginated Scan through boto3 costs seconds per test in moto's serializer."""
    from moto.dynamodb.models import dynamodb_backends

    found = dynamodb_backends[MOTO_ACCOUNT][MOTO_REGION].get_table(table).all_items()
    return [{name: _wire(value) for name, value in item.to_json()["Attributes"].items()} for item in found]


class Recording:
    """Wraps a boto3 client and remembers the operations called through it (to prove what a function
    reads and writes, and that it never Scans)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return call


def tile_items(cloud: Cloud, package: str) -> dict[str, dict[str, Any]]:
    """`<pk>/<sk>` -> item (plain Python) of every `TILE#` item of a function's table (tests may Scan)."""
    from poche_common.dynamo import from_item

    return {
        f"{item['pk']['S']}/{item['sk']['S']}": from_item(item)
        for item in cloud.items(package)
        if item["pk"]["S"].startswith("TILE#")
    }
