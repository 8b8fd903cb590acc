"""Reconciliation benchmark: a day of 10,000 PayFiP payments against the accountant's statement.

    .venv/bin/python bench/reconciliation.py [--payments 10000] [--each 7] [--repeat 5]

Builds, deterministically, the ledger's success items of one Paris day (2026-03-29, the day clocks go forward:
payments on both sides of 02:00) and the statement CSV finance staff would upload for it: a third of its lines
carry the idOp, a third only the numauto, a third neither (matched by debt and amount). --each discrepancies of
every kind are injected (payments left off the statement, unknown lines, wrong amounts, second payments with their
DUPLICATE item, attempts pending too long, payments of cancelled debts), plus unreadable lines and a line of
another day. Then `parse_statement` + `reconcile` run --repeat times; the median wall time is printed, and the
report is checked: every injected discrepancy reported exactly once under its expected `exception_id`, nothing
else reported, every other payment matched. That pure mode has no storage.

Then (unless --no-dynamodb) the same day through the real finance service on moto (`moto.mock_aws`): the Debts
and Ledger tables created with the key schema and indexes the stack deploys (read from
`infra/poche_infra/domains/payments.py` without importing the CDK), the day's items written with batch writes (the
successes under SETTLED#<day>, the DUPLICATE items under EXCEPTION#<day>, the pending attempts' `initiated` facts
under OPENED#<UTC date>, the cancelled debts under CANCELLED; not timed), then `payments_finance.handler.handler`
with API Gateway HTTP API v2 events: `PUT /v1/admin/finance/statements/{date}` (the CSV) then
`GET /v1/admin/finance/reconciliations/{date}`, --repeat times each, warm (the dependencies built before the first
timed call). Each call's DynamoDB calls are counted by operation (a `before-call.dynamodb` handler on the client
the finance dependencies built), and the answer is checked as in the pure mode. moto is in-process: its times say
what the handler's own work and the (de)serialization cost, not DynamoDB's latency; the call counts are what AWS
would bill and wait for (moto pages a Query at 1 MB as DynamoDB does).

    .venv/bin/python bench/reconciliation.py [--no-dynamodb] [--json .bench/reconciliation.json]

Prints a table (operation, median wall time, DynamoDB calls by operation name) and writes it to --json.
Exits 1 when a check fails (a wrong reconciliation is a bug, not a slow machine).
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "layers/common/python"), str(ROOT / "layers/payments/python")]

from payments_finance.reconcile import KINDS, exception_id, reconcile  # noqa: E402
from payments_finance.statement import parse_statement  # noqa: E402
from payments_shared import keys  # noqa: E402

PAYMENTS_DOMAIN = ROOT / "infra/poche_infra/domains/payments.py"
REGION = "eu-west-3"
DEBTS_TABLE, LEDGER_TABLE, BUS = "bench-payments-debts", "bench-payments-ledger", "bench-poche"
NOW = dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC)  # the morning after: the pending attempts are long overdue
CLAIMS = {"sub": "bench", "cognito:groups": "[finance]", "token_use": "id"}

DAY = dt.date(2026, 3, 29)
START = dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)  # midnight in Paris
PRODUCTS = ("CANTINE", "TRANSPORT", "PERISCO")


def success(index: int, *, refdet: str | None = None, attempt: int = 1, kind: str = "OUTCOME") -> dict[str, Any]:
    refdet = refdet or f"T{index:08d}"
    paid_at = START + dt.timedelta(seconds=8 * index)  # 10,000 payments within the day's 23 hours
    sk = f"{kind}#{attempt:04d}"
    return {
        "pk": f"DEBT#2026#{refdet}",
        "sk": sk,
        "kind": "succeeded",
        "payment_id": f"{index:032x}",
        "attempt": attempt,
        "exer": "2026",
        "refdet": refdet,
        "objet": f"Facture {refdet}",
        "product": PRODUCTS[index % 3],
        "amount_cents": 500 + (index * 37) % 20000,
        "idop": f"OP{index:010d}",
        "resultrans": "P" if index % 4 else "V",
        "numauto": f"{index % 1_000_000:06d}" if index % 4 else "",
        "paid_at": paid_at.isoformat(),
        "at": (paid_at + dt.timedelta(seconds=3)).isoformat(),
    }


def french(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def statement_line(item: dict[str, Any], index: int, *, amount: int | None = None) -> str:
    """Tier by index: idOp, numauto only (when the payment has one), or neither."""
    tier = index % 3
    idop = item["idop"] if tier == 0 else ""
    numauto = item["numauto"] if tier == 1 else ""
    cents = item["amount_cents"] if amount is None else amount
    return f"29/03/2026;{item['exer']};{item['refdet']};{french(cents)};{numauto};{idop};{item['product']}"


def build(payments: int, each: int) -> tuple[list[dict[str, Any]], bytes, dict[str, Any], Counter[tuple[str, str]]]:
    """(success items, statement bytes, reconcile keywords, expected (kind, exception id) counts)."""
    items: list[dict[str, Any]] = []
    lines = ["Date opération;Exercice;Référence;Montant;N° autorisation;IdOp;Code produit"]
    expected: Counter[tuple[str, str]] = Counter()
    plain = payments - each  # the duplicates' second payments make up the rest
    step = plain // each  # the injected payments spread over the day, every tier among them
    missing = {step * k + 1 for k in range(each)}
    mismatch = {step * k + 2 for k in range(each)}
    cancelled = {step * k + 3 for k in range(each)}
    duplicated = {step * k + 4 for k in range(each)}
    assert len(missing | mismatch | cancelled | duplicated) == 4 * each and max(duplicated) < plain
    for index in range(plain):
        item = success(index)
        items.append(item)
        if index in missing:
            expected["missing_from_statement", exception_id(DAY, "missing_from_statement", item["payment_id"])] += 1
            continue
        if index in mismatch:
            lines.append(statement_line(item, index, amount=item["amount_cents"] + 100))
            expected["amount_mismatch", exception_id(DAY, "amount_mismatch", item["payment_id"])] += 1
            continue
        if index in cancelled:
            expected["paid_after_cancellation", exception_id(DAY, "paid_after_cancellation", item["payment_id"])] += 1
        lines.append(statement_line(item, index))
    for offset, index in enumerate(sorted(duplicated)):
        second = success(plain + offset, refdet=f"T{index:08d}", attempt=2, kind="LATE" if offset % 2 else "OUTCOME")
        items.append(second)
        items.append(
            {"pk": second["pk"], "sk": "DUPLICATE#0002", "payment_id": second["payment_id"], "at": second["at"]}
        )
        lines.append(statement_line(second, plain + offset))
        expected["duplicate", exception_id(DAY, "duplicate", "2026", f"T{index:08d}", 2)] += 1
    for offset in range(each):  # receipts the ledger never heard of, one of each tier
        tier = offset % 3
        idop = f"ZZ{offset:08d}" if tier == 0 else ""
        numauto = f"Z{offset:05d}" if tier == 1 else ""
        lines.append(f"29/03/2026;2026;U{offset:07d};12,50;{numauto};{idop};CANTINE")
        references: tuple[object, ...] = ("idop", idop) if idop else ("ref", "2026", f"U{offset:07d}", numauto, 1250, 1)
        expected["unknown_here", exception_id(DAY, "unknown_here", *references)] += 1
    lines.insert(len(lines) // 2, "29/03/2026;2026;T99999999;douze euros;;;CANTINE")  # an unreadable amount
    lines.insert(len(lines) // 3, "31/02/2026;2026;T99999998;12,50;;;CANTINE")  # an impossible date
    lines.append("28/03/2026;2026;T99999997;12,50;;;CANTINE")  # another day's receipt
    pending = [
        {
            "payment_id": f"{10**9 + offset:032x}",
            "exer": "2026",
            "refdet": f"P{offset:07d}",
            "amount_cents": 4200,
            "created_at": "2026-03-29T08:00:00+00:00",
            "idop": f"PP{offset:08d}",
        }
        for offset in range(each)
    ]
    for waiting in pending:
        expected["pending_too_long", exception_id(DAY, "pending_too_long", waiting["payment_id"])] += 1
    keywords = {
        "pending": pending,
        "cancelled_debts": {("2026", f"T{index:08d}") for index in cancelled},
        "resolved": {},
    }
    return items, ("\r\n".join(lines) + "\r\n").encode("utf-8"), keywords, expected


def check(
    reported: Counter[tuple[str, str]],
    expected: Counter[tuple[str, str]],
    matched: int,
    wanted_matched: int,
    errors: int,
    other_dates: int,
) -> list[str]:
    """What is wrong with a reconciliation's answer (empty when it is right)."""
    problems = []
    if reported != expected:
        problems.append(f"unexpected: {sorted(set(reported) - set(expected))[:5]}")
        problems.append(f"not reported: {sorted(set(expected) - set(reported))[:5]}")
    twice = [key for key, count in reported.items() if count > 1]
    if twice:
        problems.append(f"reported more than once: {twice[:5]}")
    if matched != wanted_matched:
        problems.append(f"{matched} matched, {wanted_matched} expected")
    if errors != 2 or other_dates != 1:
        problems.append(f"{errors} line errors (2 expected), {other_dates} other dates (1)")
    return problems


def pure(
    args: argparse.Namespace,
    items: list[dict[str, Any]],
    data: bytes,
    keywords: dict[str, Any],
    expected: Counter[tuple[str, str]],
) -> tuple[list[float], list[str]]:
    """`parse_statement` + `reconcile` --repeat times: (wall times, problems)."""
    times: list[float] = []
    result = None
    statement = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        statement = parse_statement(data)
        result = reconcile(DAY, items, statement, **keywords)
        times.append(time.perf_counter() - started)
    assert result is not None and statement is not None
    reported: Counter[tuple[str, str]] = Counter(
        (exception.kind, exception.exception_id) for exception in result.exceptions
    )
    problems = check(
        reported,
        expected,
        len(result.matched),
        args.payments - 2 * args.each,  # all but the missing and the mismatched
        len(statement.errors),
        len(result.other_dates),
    )
    kinds = Counter(exception.kind for exception in result.exceptions)
    print(f"reconciliation of {result.ledger_count} payments against {len(statement.lines)} statement lines")
    print(f"statement: {len(data) / 1024:.0f} KiB, {len(statement.errors)} unreadable lines, 1 of another day")
    print("exceptions: " + ", ".join(f"{kind} {kinds.get(kind, 0)}" for kind in KINDS))
    print(f"matched: {len(result.matched)}")
    print(
        f"parse + reconcile: median {statistics.median(times) * 1000:.1f} ms "
        f"(min {min(times) * 1000:.1f} ms, {args.repeat} runs)"
    )
    return times, problems


# --- through the finance service on moto ----------------------------------------------------------------------------
def deployed_indexes() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """(Debts indexes, Ledger indexes), index name -> (partition, sort) attribute, as `PaymentsDomain` declares
    them: `LEDGER_INDEXES` and the keywords of `add_table("Debts", ...)`, read from the source (no CDK import)."""
    tree = ast.parse(PAYMENTS_DOMAIN.read_text(encoding="utf-8"))
    ledger: dict[str, tuple[str, str]] | None = None
    debts: dict[str, tuple[str, str]] | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "LEDGER_INDEXES" for target in node.targets
        ):
            ledger = ast.literal_eval(node.value)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_table"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "Debts"
        ):
            debts = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    if ledger is None or debts is None:
        raise SystemExit(f"{PAYMENTS_DOMAIN}: LEDGER_INDEXES or add_table('Debts', ...) not found")
    # the names the code queries (payments_shared.keys) must be the ones deployed
    assert debts[keys.CANCELLED_INDEX] == (keys.CANCELLED_PK, keys.CANCELLED_SK), debts
    assert debts[keys.BY_ORIGIN_INDEX] == (keys.BY_ORIGIN_PK, keys.BY_ORIGIN_SK), debts
    assert debts[keys.BY_PAYER_INDEX] == (keys.BY_PAYER_PK, keys.BY_PAYER_SK), debts
    assert ledger[keys.BY_DAY_INDEX] == (keys.BY_DAY_PK, keys.BY_DAY_SK), ledger
    assert ledger[keys.BY_CLOSED_INDEX] == (keys.BY_CLOSED_PK, keys.BY_CLOSED_SK), ledger
    assert ledger[keys.BY_PAYMENT_INDEX] == (keys.BY_PAYMENT_PK, keys.BY_PAYMENT_SK), ledger
    assert ledger[keys.BY_IDOP_INDEX] == (keys.BY_IDOP_PK, keys.BY_IDOP_SK), ledger
    return debts, ledger


def create_table(client: Any, name: str, indexes: dict[str, tuple[str, str]]) -> None:
    """pk/sk (strings) and each index (projection ALL, on-demand), as `constructs/table.py` makes a domain table."""
    attributes = sorted({"pk", "sk", *(attribute for pair in indexes.values() for attribute in pair)})
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": "S"} for attribute in attributes],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": partition, "KeyType": "HASH"},
                    {"AttributeName": sort, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, (partition, sort) in indexes.items()
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def ledger_items(items: list[dict[str, Any]], keywords: dict[str, Any]) -> list[dict[str, Any]]:
    """The day's items as the ledger holds them: index keys added as `payments_shared.record` writes them."""
    day = DAY.isoformat()
    stored: list[dict[str, Any]] = []
    for item in items:
        sk = str(item["sk"])
        if sk.startswith(keys.DUPLICATE):  # `record.apply`'s duplicate marker
            indexed = {keys.BY_DAY_PK: keys.exception_gsi(day), keys.BY_DAY_SK: f"{item['at']}#{item['pk']}"}
        else:  # a success (OUTCOME# succeeded, LATE#): `record._success`
            indexed = {keys.BY_DAY_PK: keys.settled_gsi(day), keys.BY_DAY_SK: f"{item['paid_at']}#{item['idop']}"}
        stored.append({**item, **indexed})
    for waiting in keywords["pending"]:  # `record.initiated`: an attempt that never closed
        created = dt.datetime.fromisoformat(waiting["created_at"])
        pk = keys.debt_pk(waiting["exer"], waiting["refdet"])
        stored.append(
            {
                "pk": pk,
                "sk": keys.fact_sk(1, "initiated"),
                "payment_id": waiting["payment_id"],
                "attempt": 1,
                "exer": waiting["exer"],
                "refdet": waiting["refdet"],
                "amount_cents": waiting["amount_cents"],
                "idop": waiting["idop"],
                "at": waiting["created_at"],
                keys.BY_IDOP_PK: keys.idop_gsi(waiting["idop"]),
                keys.BY_IDOP_SK: "IDOP",
                keys.BY_DAY_PK: keys.opened_gsi(created.astimezone(dt.UTC).date().isoformat()),
                keys.BY_DAY_SK: f"{waiting['created_at']}#{pk}#{keys.attempt_number(1)}",
            }
        )
    return stored


def cancelled_debt_items(keywords: dict[str, Any]) -> list[dict[str, Any]]:
    """The cancelled debts of the Debts table (sparse `cancelled` index), as the debts connector writes them."""
    return [
        {
            "pk": keys.debt_pk(exer, refdet),
            "sk": keys.DEBT_SK,
            "exer": exer,
            "refdet": refdet,
            "objet": f"Facture {refdet}",
            "amount_cents": 1000,
            "product": "CANTINE",
            "due_date": "2026-03-31",
            "status": "cancelled",
            "origin": keys.CONNECTOR,
            keys.BY_ORIGIN_PK: keys.origin_gsi(),
            keys.BY_ORIGIN_SK: f"{exer}#{refdet}",
            keys.CANCELLED_PK: keys.CANCELLED_DEBTS,
            keys.CANCELLED_SK: f"{exer}#{refdet}",
        }
        for exer, refdet in sorted(keywords["cancelled_debts"])
    ]


class LambdaContext:
    function_name = "bench-payments-finance"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:bench-payments-finance"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


def http_event(method: str, route: str, day: str, *, body: bytes | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API payload 2.0 event (as `tests/support.http_api_event`), finance staff's claims."""
    path = route.replace("{date}", day)
    headers = {"host": "api.example.test", "user-agent": "bench"}
    if body is not None:
        headers["content-type"] = "text/csv"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {route}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "api.example.test",
            "domainPrefix": "api",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "requestId": "bench",
            "routeKey": f"{method} {route}",
            "stage": "$default",
            "time": "30/Mar/2026:09:00:00 +0000",
            "timeEpoch": int(NOW.timestamp() * 1000),
            "authorizer": {"jwt": {"claims": dict(CLAIMS), "scopes": None}},
        },
        "pathParameters": {"date": day},
        "isBase64Encoded": body is not None,
    }
    if body is not None:
        event["body"] = base64.b64encode(body).decode("ascii")  # as API Gateway passes an uploaded file
    return event


@contextlib.contextmanager
def finance_environment() -> Iterator[None]:
    """The finance function's environment (fake credentials: moto answers everything), restored afterwards."""
    values = {
        "TABLE_NAME": DEBTS_TABLE,
        "LEDGER_TABLE_NAME": LEDGER_TABLE,
        "EVENT_BUS_NAME": BUS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "payments-finance",
        "POWERTOOLS_METRICS_NAMESPACE": "Poche",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POCHE_STAGE": "bench",
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class CallCounter:
    """DynamoDB calls by operation name, from the client's `before-call.dynamodb` events (`calls`), and by
    operation and the table or index they read or write, from `before-parameter-build.dynamodb` (`detail`)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.detail: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def on_parameters(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if "IndexName" in params:
            where = f"{params['TableName']}.{params['IndexName']}"
        elif "TableName" in params:
            where = str(params["TableName"])
        else:  # TransactWriteItems, BatchWriteItem...: the tables of its items
            names = {
                str(next(iter(action.values())).get("TableName", "?")) for action in params.get("TransactItems", [])
            }
            names |= set(params.get("RequestItems", {}))
            where = "+".join(sorted(names)) or "?"
        self.detail[f"{model.name} {where}"] += 1

    def reset(self) -> None:
        self.calls = Counter()
        self.detail = Counter()


def measured(
    invoke: Callable[[], dict[str, Any]], counter: CallCounter, repeat: int
) -> tuple[list[float], list[Counter[str]], dict[str, Any]]:
    """`invoke` --repeat times: (wall times, DynamoDB calls of each, the last response)."""
    times: list[float] = []
    calls: list[Counter[str]] = []
    answer: dict[str, Any] = {}
    for _ in range(repeat):
        counter.reset()
        with contextlib.redirect_stdout(io.StringIO()):  # the EMF metrics line of each invocation
            started = time.perf_counter()
            answer = invoke()
            times.append(time.perf_counter() - started)
        calls.append(counter.calls)
    return times, calls, answer


def through_dynamodb(
    args: argparse.Namespace,
    items: list[dict[str, Any]],
    data: bytes,
    keywords: dict[str, Any],
    expected: Counter[tuple[str, str]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The same day through `payments_finance.handler` on moto: (one row per operation, problems)."""
    import boto3
    from moto import mock_aws

    from poche_common.dynamo import batch_write, to_item

    debts_indexes, ledger_indexes = deployed_indexes()
    day = DAY.isoformat()
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    with finance_environment(), mock_aws():
        writer = boto3.client("dynamodb", region_name=REGION)
        create_table(writer, DEBTS_TABLE, debts_indexes)
        create_table(writer, LEDGER_TABLE, ledger_indexes)
        boto3.client("events", region_name=REGION).create_event_bus(Name=BUS)
        started = time.perf_counter()
        stored = ledger_items(items, keywords)
        batch_write(writer, LEDGER_TABLE, ({"PutRequest": {"Item": to_item(item)}} for item in stored))
        debts = cancelled_debt_items(keywords)
        batch_write(writer, DEBTS_TABLE, ({"PutRequest": {"Item": to_item(item)}} for item in debts))
        print(
            f"moto: {len(stored)} ledger items and {len(debts)} cancelled debts written in "
            f"{time.perf_counter() - started:.1f} s (not timed below)"
        )

        from payments_finance import handler as finance
        from payments_finance.store import FinanceStore

        moments = (NOW + dt.timedelta(milliseconds=k) for k in range(1_000_000))
        finance.utc_now = lambda: next(moments)  # each upload its own instant
        store = finance.dependencies.get().ledger  # a warm sandbox: clients built before the first timed call
        assert isinstance(store, FinanceStore)  # the one client of the store and the outbox (deps.build)
        counter = CallCounter()
        store.client.meta.events.register("before-call.dynamodb", counter)
        store.client.meta.events.register("before-parameter-build.dynamodb", counter.on_parameters)
        context = LambdaContext()
        put_route = "/v1/admin/finance/statements/{date}"
        get_route = "/v1/admin/finance/reconciliations/{date}"

        def put() -> dict[str, Any]:
            answer: dict[str, Any] = finance.handler(http_event("PUT", put_route, day, body=data), context)
            return answer

        def get() -> dict[str, Any]:
            answer: dict[str, Any] = finance.handler(http_event("GET", get_route, day), context)
            return answer

        for label, invoke, status in ((f"PUT {put_route}", put, 201), (f"GET {get_route}", get, 200)):
            times, calls, answer = measured(invoke, counter, args.repeat)
            if answer.get("statusCode") != status:
                problems.append(f"{label}: {answer.get('statusCode')} {str(answer.get('body'))[:200]}")
            if any(each != calls[-1] for each in calls):
                problems.append(f"{label}: DynamoDB calls differ between runs: {[dict(each) for each in calls]}")
            rows.append(
                {
                    "operation": label,
                    "status": answer.get("statusCode"),
                    "median_ms": round(statistics.median(times) * 1000, 1),
                    "min_ms": round(min(times) * 1000, 1),
                    "runs": len(times),
                    "response_bytes": len(str(answer.get("body", ""))),
                    "dynamodb_calls": dict(sorted(calls[-1].items())),
                    "dynamodb_calls_by_target": dict(sorted(counter.detail.items())),
                }
            )
            for target, count in sorted(counter.detail.items()):
                print(f"  {label}: {count} x {target}")
            if label.startswith("GET") and answer.get("statusCode") == 200:
                problems += check_answer(json.loads(answer["body"]), args, expected)
    return rows, problems


def check_answer(body: dict[str, Any], args: argparse.Namespace, expected: Counter[tuple[str, str]]) -> list[str]:
    """The handler's reconciliation JSON checked as the pure mode's result is."""
    reported = Counter((exception["kind"], exception["exception_id"]) for exception in body["exceptions"])
    summary = body["summary"]
    problems = check(
        reported,
        expected,
        len(body.get("matched", [])),
        args.payments - 2 * args.each,
        len(body["statement_errors"]),
        len(body["other_dates"]),
    )
    if summary["matched"] != len(body.get("matched", [])):
        problems.append(f"summary says {summary['matched']} matched, {len(body.get('matched', []))} listed")
    if summary["ledger"]["count"] != args.payments:
        problems.append(f"ledger count {summary['ledger']['count']}, {args.payments} expected")
    return problems


def print_table(rows: list[dict[str, Any]]) -> None:
    operations = sorted({name for row in rows for name in row["dynamodb_calls"]})
    header = ["operation", "median ms", "min ms", *operations, "total calls"]
    lines = [
        [
            row["operation"],
            f"{row['median_ms']:.1f}",
            f"{row['min_ms']:.1f}",
            *(str(row["dynamodb_calls"].get(name, 0)) for name in operations),
            str(sum(row["dynamodb_calls"].values())),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--each", type=int, default=7, help="discrepancies injected of every kind")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--no-dynamodb",
        dest="dynamodb",
        action="store_false",
        help="skip the run through the finance service on moto (pure parse + reconcile only)",
    )
    parser.add_argument("--json", type=Path, default=ROOT / ".bench/reconciliation.json")
    args = parser.parse_args()
    items, data, keywords, expected = build(args.payments, args.each)
    times, problems = pure(args, items, data, keywords, expected)
    rows: list[dict[str, Any]] = [
        {
            "operation": "parse_statement + reconcile (pure)",
            "status": None,
            "median_ms": round(statistics.median(times) * 1000, 1),
            "min_ms": round(min(times) * 1000, 1),
            "runs": len(times),
            "dynamodb_calls": {},
        }
    ]
    if args.dynamodb:
        found, failed = through_dynamodb(args, items, data, keywords, expected)
        rows += found
        problems += failed
    print()
    print_table(rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "payments": args.payments,
                "each": args.each,
                "repeat": args.repeat,
                "statement_bytes": len(data),
                "dynamodb": args.dynamodb,
                "operations": rows,
                "check": "failed" if problems else "ok",
                "problems": problems,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"results written to {args.json}")
    if problems:
        print("CHECK FAILED: " + "; ".join(problems))
        return 1
    where = " (pure and through the finance service)" if args.dynamodb else ""
    print(f"CHECK OK: each of the {sum(expected.values())} injected discrepancies reported exactly once{where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
