"""poche_common.connector: one connector run, recorded; a failed source changes nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from poche_common.connector import MAX_REJECTIONS_KEPT, RUN_HISTORY_DAYS, Outcome, RunLog, RunReport, run_connector
from poche_common.dynamo import from_item
from poche_common.errors import FeedFormatError, FeedUnavailableError
from poche_common.observability import metrics

CONNECTOR = "canteen-menus-scdl"
TABLE = "poche-dev-canteen"
REGION = "eu-west-3"


@pytest.fixture(autouse=True)
def clean_metrics() -> Iterator[None]:
    metrics.clear()
    yield
    metrics.clear()


def metric_values(name: str) -> list[float]:
    pending = metrics.pending()
    return [pending[name]] if name in pending else []


class FakeRuns(RunLog):
    """A RunLog keeping in memory what run_connector records."""

    def __init__(self) -> None:  # no client, no table
        self.reports: list[RunReport] = []

    def record(self, report: RunReport) -> None:
        self.reports.append(report)


class FakeDynamoClient:
    """The subset of the DynamoDB client RunLog uses, applying SET updates on plain dicts."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @staticmethod
    def _key(key: dict[str, Any]) -> tuple[str, str]:
        return key["pk"]["S"], key["sk"]["S"]

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("put_item", kwargs))
        self.items[self._key(kwargs["Item"])] = dict(kwargs["Item"])
        return {}

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("update_item", kwargs))
        item = self.items.setdefault(self._key(kwargs["Key"]), dict(kwargs["Key"]))
        assignments = kwargs["UpdateExpression"].removeprefix("SET ").split(", ")
        for assignment in assignments:
            name, value = (part.strip() for part in assignment.split("="))
            item[kwargs["ExpressionAttributeNames"][name]] = kwargs["ExpressionAttributeValues"][value]
        return {}

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get_item", kwargs))
        item = self.items.get(self._key(kwargs["Key"]))
        return {"Item": item} if item is not None else {}


def fetcher(payloads: dict[str, bytes], calls: list[str]) -> Any:
    def fetch(url: str) -> bytes:
        calls.append(url)
        return payloads[url]

    return fetch


def test_success_report_and_record() -> None:
    fetched: list[str] = []
    ingested: list[list[bytes]] = []
    runs = FakeRuns()

    def ingest(payloads: list[bytes]) -> Outcome:
        ingested.append(payloads)
        return Outcome(read=10, changed=4, rejected=1, rejections=[{"line": 7, "reason": "date invalide"}])

    report = run_connector(
        connector=CONNECTOR,
        sources=["https://user:pw@a.example/1.csv?k=s", "bundled"],
        fetch=fetcher({"https://user:pw@a.example/1.csv?k=s": b"one", "bundled": b"two"}, fetched),
        ingest=ingest,
        runs=runs,
        describe=lambda url: url.split("?")[0].replace("user:pw@", ""),
    )
    assert fetched == ["https://user:pw@a.example/1.csv?k=s", "bundled"]
    assert ingested == [[b"one", b"two"]]
    assert report.connector == CONNECTOR
    assert report.status == "succeeded"
    assert report.error is None
    assert (report.read, report.changed, report.rejected) == (10, 4, 1)
    assert report.rejections == [{"line": 7, "reason": "date invalide"}]
    assert report.sources == ["https://a.example/1.csv", "bundled"]
    started = dt.datetime.fromisoformat(report.started_at)
    finished = dt.datetime.fromisoformat(report.finished_at)
    assert started.utcoffset() == dt.timedelta(0)
    assert started <= finished
    assert runs.reports == [report]
    assert metric_values("ConnectorRunFailed") == [0]
    assert metric_values("RowsRead") == [10]
    assert metric_values("ItemsChanged") == [4]


def test_rejections_kept_are_capped() -> None:
    many = [{"line": i, "reason": "x"} for i in range(MAX_REJECTIONS_KEPT + 20)]
    report = run_connector(
        connector=CONNECTOR,
        sources=["bundled"],
        fetch=lambda url: b"",
        ingest=lambda payloads: Outcome(read=100, rejected=len(many), rejections=many),
        runs=FakeRuns(),
    )
    assert report.rejected == MAX_REJECTIONS_KEPT + 20
    assert report.rejections == many[:MAX_REJECTIONS_KEPT]


def test_unavailable_source_fails_the_run_without_ingesting() -> None:
    ingested: list[list[bytes]] = []
    runs = FakeRuns()

    def fetch(url: str) -> bytes:
        raise FeedUnavailableError(f"HTTP 503 from {url}")

    def ingest(payloads: list[bytes]) -> Outcome:
        ingested.append(payloads)
        return Outcome()

    report = run_connector(
        connector=CONNECTOR, sources=["https://a.example/f.csv"], fetch=fetch, ingest=ingest, runs=runs
    )
    assert ingested == []
    assert report.status == "failed"
    assert report.error == "HTTP 503 from https://a.example/f.csv"
    assert (report.read, report.changed, report.rejected) == (0, 0, 0)
    assert runs.reports == [report]
    assert metric_values("ConnectorRunFailed") == [1]


def test_second_source_failing_fails_the_run() -> None:
    ingested: list[list[bytes]] = []

    def fetch(url: str) -> bytes:
        if url == "b":
            raise FeedUnavailableError("b is down")
        return b"a"

    def ingest(payloads: list[bytes]) -> Outcome:
        ingested.append(payloads)
        return Outcome()

    report = run_connector(connector=CONNECTOR, sources=["a", "b"], fetch=fetch, ingest=ingest, runs=FakeRuns())
    assert report.status == "failed"
    assert report.error == "b is down"
    assert ingested == []


def test_format_error_fails_the_run() -> None:
    def ingest(payloads: list[bytes]) -> Outcome:
        raise FeedFormatError("colonne menuDate absente")

    runs = FakeRuns()
    report = run_connector(connector=CONNECTOR, sources=["bundled"], fetch=lambda u: b"x", ingest=ingest, runs=runs)
    assert report.status == "failed"
    assert report.error == "colonne menuDate absente"
    assert runs.reports == [report]


@pytest.mark.parametrize("where", ["fetch", "ingest"])
def test_other_exceptions_propagate_and_nothing_is_recorded(where: str) -> None:
    def fetch(url: str) -> bytes:
        if where == "fetch":
            raise KeyError("bug")
        return b""

    def ingest(payloads: list[bytes]) -> Outcome:
        raise ConnectionError("DynamoDB unreachable")

    runs = FakeRuns()
    expected = KeyError if where == "fetch" else ConnectionError
    with pytest.raises(expected):
        run_connector(connector=CONNECTOR, sources=["bundled"], fetch=fetch, ingest=ingest, runs=runs)
    assert runs.reports == []


# --- RunLog over a fake client ---------------------------------------------------------------------


def _run(log: RunLog, fetch: Any, ingest: Any) -> RunReport:
    return run_connector(connector=CONNECTOR, sources=["bundled"], fetch=fetch, ingest=ingest, runs=log)


def _fail(url: str) -> bytes:
    raise FeedUnavailableError("down")


def test_runlog_success_then_failure_keeps_fetched_at() -> None:
    client = FakeDynamoClient()
    log = RunLog(client, TABLE, CONNECTOR)
    assert log.state() is None
    ok = _run(log, lambda u: b"x", lambda p: Outcome(read=2, changed=2))
    state = log.state()
    assert state is not None
    assert state["fetched_at"] == ok.finished_at
    assert state["last_run"]["status"] == "succeeded"

    _run(log, _fail, lambda p: Outcome())
    state = log.state()
    assert state is not None
    assert state["fetched_at"] == ok.finished_at
    assert state["last_run"]["status"] == "failed"
    assert state["last_run"]["error"] == "down"
    failed_update = [kw for name, kw in client.calls if name == "update_item"][-1]
    assert "fetched_at" not in failed_update["ExpressionAttributeNames"].values()
    assert ":fetched" not in failed_update["ExpressionAttributeValues"]
    runs = [from_item(item) for (_, sk), item in client.items.items() if sk.startswith("RUN#")]
    assert sorted(run["status"] for run in runs) == ["failed", "succeeded"]  # both kept, even in the same second


def test_runlog_first_run_failing_leaves_no_fetched_at() -> None:
    client = FakeDynamoClient()
    log = RunLog(client, TABLE, CONNECTOR)
    _run(log, _fail, lambda p: Outcome())
    state = log.state()
    assert state is not None
    assert "fetched_at" not in state
    assert state["last_run"]["status"] == "failed"


# --- RunLog against moto ---------------------------------------------------------------------------


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def test_runlog_on_moto(dynamodb: Any) -> None:
    log = RunLog(dynamodb, TABLE, CONNECTOR)
    assert log.state() is None

    succeeded = RunReport(
        CONNECTOR,
        "succeeded",
        "2026-11-30T05:30:00+00:00",
        "2026-11-30T05:30:04+00:00",
        ["https://a.example/f.csv"],
        read=12,
        changed=3,
        rejected=1,
        rejections=[{"line": 4, "reason": "date invalide"}],
    )
    log.record(succeeded)
    state = log.state()
    assert state is not None
    assert state["pk"] == f"FEED#{CONNECTOR}" and state["sk"] == "STATE"
    assert state["fetched_at"] == "2026-11-30T05:30:04+00:00"
    assert state["last_run"] == succeeded.as_dict()

    runs = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :run)",
        ExpressionAttributeValues={":pk": {"S": f"FEED#{CONNECTOR}"}, ":run": {"S": "RUN#2026-11-30T05:30:00+00:00#"}},
    )["Items"]
    assert len(runs) == 1  # keyed by start time plus a random suffix: runs in the same second never collide
    stored = from_item(runs[0])
    assert stored["status"] == "succeeded"
    assert stored["read"] == 12
    expected_expiry = dt.datetime(2026, 11, 30, 5, 30, tzinfo=dt.UTC) + dt.timedelta(days=RUN_HISTORY_DAYS)
    assert stored["expires_at"] == int(expected_expiry.timestamp())
    assert "error" not in stored

    failed = RunReport(
        CONNECTOR, "failed", "2026-12-01T05:30:00+00:00", "2026-12-01T05:30:20+00:00", ["bundled"], error="HTTP 500"
    )
    log.record(failed)
    state = log.state()
    assert state is not None
    assert state["fetched_at"] == "2026-11-30T05:30:04+00:00"
    assert state["last_run"]["status"] == "failed"
    assert state["last_run"]["error"] == "HTTP 500"
    items = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :run)",
        ExpressionAttributeValues={":pk": {"S": f"FEED#{CONNECTOR}"}, ":run": {"S": "RUN#"}},
    )["Items"]
    assert [from_item(i)["status"] for i in items] == ["succeeded", "failed"]


def test_runlog_is_per_connector(dynamodb: Any) -> None:
    RunLog(dynamodb, TABLE, "a").record(
        RunReport("a", "succeeded", "2026-11-30T05:30:00+00:00", "2026-11-30T05:30:01+00:00", ["bundled"])
    )
    assert RunLog(dynamodb, TABLE, "b").state() is None
    state = RunLog(dynamodb, TABLE, "a").state()
    assert state is not None and state["fetched_at"] == "2026-11-30T05:30:01+00:00"


def test_run_history_retention_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUN_HISTORY_DAYS", "2")
    assert RunLog(object(), TABLE, CONNECTOR).history_days == 2
    monkeypatch.delenv("RUN_HISTORY_DAYS")
    assert RunLog(object(), TABLE, CONNECTOR).history_days == RUN_HISTORY_DAYS


def test_watch_freshness_gives_the_age_and_warns_when_unknown_stale_or_in_the_future(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from poche_common.connector import watch_freshness

    now = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)

    def watched(stamp: str | None) -> tuple[int | None, str]:
        age = watch_freshness("src", stamp, now, kind="GTFS-RT", stamp="header timestamp", stale_after_s=65)
        return age, capsys.readouterr().out

    assert watched("2026-11-30T06:59:30+00:00") == (30, "")
    age, out = watched("2026-11-30T06:50:00+00:00")
    assert age == 600 and "GTFS-RT feed is stale (header timestamp older than 65 s)" in out
    age, out = watched("2026-11-30T08:00:00+00:00")
    assert age == -3600 and "GTFS-RT header timestamp is in the future" in out
    age, out = watched(None)
    assert age is None and "freshness unknown" in out
