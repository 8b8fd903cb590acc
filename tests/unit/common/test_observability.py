"""poche_common.observability: JSON log lines and CloudWatch EMF metrics."""

from __future__ import annotations

import json
from typing import Any

import pytest

from poche_common.observability import Logger, Metrics


class Context:
    function_name = "poche-dev-canteen"
    aws_request_id = "req-42"


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_log_lines_are_json_with_service_location_and_extra(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger(service="canteen")
    logger.info("connector run succeeded", extra={"read": 3})
    (record,) = lines(capsys)
    assert record["level"] == "INFO" and record["message"] == "connector run succeeded"
    assert record["service"] == "canteen" and record["read"] == 3
    assert record["location"].startswith("test_log_lines_are_json_with_service_location_and_extra:")
    assert record["timestamp"].endswith("+00:00")


def test_level_filter(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    logger = Logger(service="canteen")
    logger.info("hidden")
    logger.warning("shown")
    assert [r["message"] for r in lines(capsys)] == ["shown"]


def test_exception_carries_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger(service="canteen")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("unexpected error")
    (record,) = lines(capsys)
    assert record["level"] == "ERROR" and "ValueError: boom" in record["exception"]


def test_context_and_correlation_id_and_cold_start(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger(service="canteen")

    @logger.inject_lambda_context(correlation_id_path="api")
    def handler(event: dict[str, Any], context: Any) -> str:
        logger.info("answering")
        return "ok"

    event = {"requestContext": {"requestId": "abc"}}
    assert handler(event, Context()) == "ok"
    handler(event, Context())
    first, second = lines(capsys)
    assert first["cold_start"] is True and second["cold_start"] is False
    assert first["function_name"] == "poche-dev-canteen" and first["function_request_id"] == "req-42"
    assert first["correlation_id"] == "abc"


def test_emf_blob(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = Metrics(namespace="Poche", service="canteen")
    metrics.add_dimension("connector", "canteen-menus-scdl")
    metrics.add_metric("RowsRead", "Count", 257)
    blob = metrics.flush()
    assert blob is not None
    (printed,) = lines(capsys)
    assert printed == blob
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Poche"
    assert directive["Dimensions"] == [["connector", "service"]]
    assert directive["Metrics"] == [{"Name": "RowsRead", "Unit": "Count"}]
    assert blob["RowsRead"] == 257.0 and blob["service"] == "canteen" and blob["connector"] == "canteen-menus-scdl"
    assert metrics.pending() == {} and metrics.flush() is None  # flushed once, then empty


def test_metrics_are_flushed_even_when_the_handler_fails(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = Metrics(namespace="Poche", service="canteen")

    @metrics.log_metrics
    def handler(event: Any, context: Any) -> None:
        metrics.add_metric("ConnectorRunFailed", "Count", 1)
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        handler({}, Context())
    (blob,) = lines(capsys)
    assert blob["ConnectorRunFailed"] == 1.0
