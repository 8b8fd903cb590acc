"""The handlers' shared wiring: `connector.scheduled_handler` / `source_fetch` / `TiledStores`,
`realtime.LedgerWriter`, `wiring.on_table` / `ReaderDeps.ask`."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import Any

import pytest

from poche_common import connector as connector_module
from poche_common.connector import Connection, Outcome, RunLog, RunReport, TiledStores, scheduled_handler, source_fetch
from poche_common.outbox import Outbox
from poche_common.realtime import LedgerWriter
from poche_common.wiring import Provider, ReaderDeps, on_table

NOW = dt.datetime(2026, 12, 12, 10, 0, tzinfo=dt.UTC)


class Runs(RunLog):
    def __init__(self) -> None:  # no client, no table
        self.reports: list[RunReport] = []

    def record(self, report: RunReport) -> None:
        self.reports.append(report)


class Context:
    function_name = "poche-dev-test-connector"
    aws_request_id = "req-1"


def test_scheduled_handler_fetches_each_source_and_ingests_with_the_clock_of_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_module, "configured_sources", lambda name: ["one", "two"])
    runs = Runs()
    store = object()
    outbox: Any = None  # run_scheduled gives the connection's outbox to run_connector
    connection = Connection("test-connector", None, "table", runs, outbox, store)
    calls: list[tuple[list[bytes], object, dt.datetime]] = []

    def ingest(payloads: list[bytes], got_store: object, got_outbox: Outbox, now: dt.datetime) -> Outcome:
        calls.append((payloads, got_store, now))
        return Outcome(read=len(payloads))

    clock_reads: list[dt.datetime] = []

    def clock() -> dt.datetime:
        clock_reads.append(NOW)
        return NOW

    handler = scheduled_handler(Provider(lambda: connection), ingest, fetch=lambda url: url.encode(), clock=clock)
    report = handler({}, Context())

    assert report["status"] == "succeeded" and report["read"] == 2
    assert calls == [([b"one", b"two"], store, NOW)]
    assert len(clock_reads) == 1
    assert [r.status for r in runs.reports] == ["succeeded"]


def test_source_fetch_passes_the_bundled_sample_and_only_the_limits_given(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def fake_fetch(url: str, **options: Any) -> bytes:
        seen.append((url, options))
        return b"x"

    # the runtime imports `poche_common.sources` when it fetches: the module `sys.modules` holds then (another test
    # may have imported the layer anew since this module was imported)
    monkeypatch.setattr(importlib.import_module("poche_common.sources"), "fetch", fake_fetch)
    sample = Path("/nowhere/sample.csv")
    assert source_fetch(sample)("bundled") == b"x"
    assert source_fetch(sample, max_bytes=5, timeout=2.0)("https://example.org/f")
    assert seen == [
        ("bundled", {"bundled": sample}),
        ("https://example.org/f", {"bundled": sample, "max_bytes": 5, "timeout": 2.0}),
    ]
    own = source_fetch(None, lambda url: b"own")
    assert own("u") == b"own"
    with pytest.raises(TypeError):
        source_fetch(None)


class Writer:
    def __init__(self, client: Any, table: str) -> None:
        self.client, self.table = client, table


class Projector(Writer):
    pass


class Stores(TiledStores[Writer, Projector]):
    writer_type, projector_type = Writer, Projector


def test_tiled_stores_build_writer_and_projector_over_one_client_and_table() -> None:
    stores = Stores.over("client", "table")
    assert isinstance(stores, Stores)
    assert isinstance(stores.writer, Writer) and isinstance(stores.projector, Projector)
    assert (stores.writer.client, stores.projector.table) == ("client", "table")


def test_ledger_writer_keys_its_state_by_connector() -> None:
    writer = LedgerWriter(None, "table", "transit-siri-lite")
    assert writer.feed_pk == "FEED#transit-siri-lite"
    assert writer.ledger.pk == writer.feed_pk


def test_on_table_builds_on_first_use_with_the_table_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "poche-dev-x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    built: list[str] = []

    def build(client: Any, table: str) -> str:
        built.append(table)
        return table

    provider = on_table(build)
    assert built == []
    assert provider.get() == "poche-dev-x" and provider.get() == "poche-dev-x"
    assert built == ["poche-dev-x"]


def test_reader_deps_ask_gives_a_rule_the_reader_staleness_and_now() -> None:
    def rule(reader: str, stale_after_s: int, now: dt.datetime, *, limit: int) -> tuple[str, int, dt.datetime, int]:
        return reader, stale_after_s, now, limit

    assert ReaderDeps("reader", 1800).ask(rule, NOW, limit=3) == ("reader", 1800, NOW, 3)
