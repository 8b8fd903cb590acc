"""The emulated AWS account of the fault matrix: one moto account for the whole matrix, each domain's table as
`infra/poche_infra/constructs/table.py` and `infra/poche_infra/domains/*.py` lay it out (pk/sk, the domain's GSIs),
one event bus, and each connector's handler imported once with its deployed environment.

Why not the synthesized stacks (`tests/integration`'s `cloud`): synthesizing and provisioning the whole app costs
~25 s here, more than the matrix itself; the tables are all a connector touches. A GSI missing here is not silent:
the connector's Query fails and so does every cell of that connector.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from support import fresh_import

REGION = "eu-west-3"
BUS = "poche-faults"
EVENT = {"trigger": "schedule"}

# domain -> its table's secondary indexes (name -> attribute prefix), as infra/poche_infra/domains/<domain>.py
TABLES: dict[str, dict[str, str]] = {
    "canteen": {"by_commune": "gsi1", "all_canteens": "gsi2"},
    "transit": {"by_cell": "gsi1", "by_list": "gsi2"},
    "traffic": {"by_cell": "gsi1", "by_area": "gsi2"},
    "agenda": {"by_commune": "gsi1", "by_month": "gsi2"},
    "news": {"by_tag": "gsi1"},
    "schools": {"by_origin": "gsi1"},
    "payments": {"by_payer": "gsi1", "by_origin": "gsi2", "cancelled": "gsi3"},
    "places": {"by_cell": "gsi1", "by_area": "gsi2", "by_commune": "gsi3", "by_origin": "gsi4"},
}

# domain -> the other tables its connector reads, as infra/poche_infra/domains/<domain>.py gives them to it: the
# environment variable naming each -> (its table_name suffix, its secondary indexes). Created empty and left so:
# a fault cell resets the domain's own table only. (payments: the Ledger, `LEDGER_INDEXES`; the connector Queries
# a debt's partition there before it changes the debt, to know whether it was paid online.)
READ_TABLES: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "payments": {
        "LEDGER_TABLE_NAME": (
            "payments-ledger",
            {"by_payment": "gsi1", "by_idop": "gsi2", "by_day": "gsi3", "by_closed": "gsi4"},
        ),
    },
}


# handler package -> the other environment variables infra/poche_infra/domains/<domain>.py gives its function
# (the places connectors: the territory's département, the Orne of the samples)
ENVIRONMENT: dict[str, dict[str, str]] = {
    "places_finess": {"PLACES_DEPARTEMENTS": "61"},
    "places_covoiturage": {"PLACES_DEPARTEMENTS": "61"},
    "places_irve": {"PLACES_DEPARTEMENTS": "61"},
}


def table_name(domain: str) -> str:
    return f"poche-faults-{domain}"


def create_tables(dynamodb: Any) -> None:
    tables = dict(TABLES)
    tables.update(table for others in READ_TABLES.values() for table in others.values())
    for table, indexes in tables.items():
        prefixes = sorted(set(indexes.values()))
        dynamodb.create_table(
            TableName=table_name(table),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ["pk", "sk", *[f"{p}{k}" for p in prefixes for k in ("pk", "sk")]]
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": index,
                    "KeySchema": [
                        {"AttributeName": f"{prefix}pk", "KeyType": "HASH"},
                        {"AttributeName": f"{prefix}sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index, prefix in indexes.items()
            ],
            BillingMode="PAY_PER_REQUEST",
        )


class LambdaContext:
    function_name = "fault-matrix"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:fault-matrix"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


@dataclass
class Table:
    """One table, read and reset through moto's own model rather than its API: a Scan through botocore costs
    seconds per connector here (every item serialized, sent, parsed), a copy of moto's items milliseconds.
    `copy.deepcopy(table.items)` is what moto itself does for a backup and its restore."""

    client: Any
    name: str

    def _model(self) -> Any:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(self.name)

    def items(self) -> list[dict[str, Any]]:
        """Every item, in DynamoDB's wire format."""
        return [item.to_json()["Attributes"] for item in self._model().all_items()]

    def snapshot(self) -> Any:
        return copy.deepcopy(self._model().items)

    def restore(self, snapshot: Any) -> None:
        self._model().items = copy.deepcopy(snapshot)

    def wipe(self) -> None:
        self._model().items.clear()

    def put(self, items: Iterable[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in items]
        for start in range(0, len(requests), 25):
            self.client.batch_write_item(RequestItems={self.name: requests[start : start + 25]})


@dataclass
class Handler:
    """A connector's handler module, imported as a new Lambda sandbox would, and how to invoke it at `now`."""

    module: Any
    table: Table
    clock: Callable[[dt.datetime], None]
    metrics: Any  # the metrics object of the sandbox's own `poche_common` (handlers use it through the runtime)
    emitted: list[dict[str, Any]] = field(default_factory=list)  # EMF blobs of the last invocation

    def invoke(self, now: dt.datetime) -> dict[str, Any]:
        self.clock(now)
        self.emitted.clear()
        metrics = self.metrics
        real_flush = metrics.flush

        def flush() -> dict[str, Any] | None:  # the EMF line still goes to stdout; we keep a copy
            blob: dict[str, Any] | None = real_flush()
            if blob is not None:
                self.emitted.append(blob)
            return blob

        metrics.flush = flush
        try:
            report: dict[str, Any] = self.module.handler(dict(EVENT), LambdaContext())
        finally:
            del metrics.flush
        return report


def load_handler(package: str, domain: str, service: str, monkeypatch: Any, dynamodb: Any) -> Handler:
    """`<package>.handler` imported fresh (a new Lambda sandbox) with the environment infra gives the function."""
    environment = {
        "TABLE_NAME": table_name(domain),
        "EVENT_BUS_NAME": BUS,
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_METRICS_NAMESPACE": "Poche",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POCHE_STAGE": "test",
    }
    environment.update({variable: table_name(name) for variable, (name, _) in READ_TABLES.get(domain, {}).items()})
    environment.update(ENVIRONMENT.get(package, {}))
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOURCE_PARAMETER", raising=False)
    module = fresh_import(f"{package}.handler")

    def clock(now: dt.datetime) -> None:
        module.utc_now = lambda: now

    assert sys.modules[f"{package}.handler"] is module
    metrics = sys.modules["poche_common.observability"].metrics  # this sandbox's (fresh_import renewed the layer)
    return Handler(module, Table(dynamodb, table_name(domain)), clock, metrics)
