"""One place for structured logs and metrics, light enough for the cold-start budget.

Logs are JSON lines on stdout (one per event worth knowing) with the fields Powertools uses
(`level`, `location`, `message`, `timestamp`, `service`, `cold_start`, `function_name`,
`function_request_id`, `correlation_id`, `xray_trace_id`); metrics are CloudWatch Embedded
Metric Format lines, namespace `POWERTOOLS_METRICS_NAMESPACE` (`Poche`), dimension `service`.
The same environment variables as Powertools are read (`POWERTOOLS_SERVICE_NAME`,
`POWERTOOLS_LOG_LEVEL`), so Powertools utilities can be adopted where they pay for themselves.

Why not Powertools' Logger here: importing any of `aws_lambda_powertools` loads its Logger, whose
JMESPath helpers import `typing_extensions`; measured here that is ~30 ms, 14 % of the whole
boto3 floor, for two classes we need a fraction of. Tracing is X-Ray active tracing, set on the
function (the Tracer's aws-xray-sdk would cost another ~170 ms).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


class Logger:
    def __init__(self, service: str | None = None) -> None:
        self.service = service or os.environ.get("POWERTOOLS_SERVICE_NAME", "poche")
        level = os.environ.get("POWERTOOLS_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO"
        self.level = LEVELS.get(level.upper(), 20)
        self._keys: dict[str, Any] = {}
        self._cold_start = True

    def append_keys(self, **keys: Any) -> None:
        self._keys.update({k: v for k, v in keys.items() if v is not None})

    def _log(self, level: str, message: str, extra: dict[str, Any] | None, exc: bool = False) -> None:
        if LEVELS[level] < self.level:
            return
        caller = sys._getframe(2)
        record: dict[str, Any] = {
            "level": level,
            "location": f"{caller.f_code.co_name}:{caller.f_lineno}",
            "message": message,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "service": self.service,
            **self._keys,
            **(extra or {}),
        }
        if exc:
            record["exception"] = traceback.format_exc()
        trace = os.environ.get("_X_AMZN_TRACE_ID")
        if trace:
            record["xray_trace_id"] = trace.split(";")[0].removeprefix("Root=")
        print(json.dumps(record, ensure_ascii=False, default=str), file=sys.stdout, flush=True)

    def debug(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._log("DEBUG", message, extra)

    def info(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._log("INFO", message, extra)

    def warning(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._log("WARNING", message, extra)

    def error(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._log("ERROR", message, extra)

    def exception(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._log("ERROR", message, extra, exc=True)

    def inject_lambda_context(
        self, correlation_id_path: str | None = None
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: every line of the invocation carries the function's context and correlation id."""

        def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(handler)
            def wrapper(event: Any, context: Any) -> Any:
                self._keys = {
                    "cold_start": self._cold_start,
                    "function_name": getattr(context, "function_name", None),
                    "function_request_id": getattr(context, "aws_request_id", None),
                }
                self._cold_start = False
                if correlation_id_path == "api" and isinstance(event, dict):
                    self._keys["correlation_id"] = event.get("requestContext", {}).get("requestId")
                return handler(event, context)

            return wrapper

        return decorate


class Metrics:
    """CloudWatch Embedded Metric Format: one JSON line per invocation with its metrics."""

    def __init__(self, namespace: str | None = None, service: str | None = None) -> None:
        self.namespace = namespace or os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Poche")
        self.service = service or os.environ.get("POWERTOOLS_SERVICE_NAME", "poche")
        self._dimensions: dict[str, str] = {}
        self._values: dict[str, tuple[str, float]] = {}

    def add_dimension(self, name: str, value: str) -> None:
        self._dimensions[name] = value

    def add_metric(self, name: str, unit: str, value: float) -> None:
        self._values[name] = (unit, float(value))

    def pending(self) -> dict[str, float]:
        """The metrics added since the last flush, by name."""
        return {name: value for name, (_, value) in self._values.items()}

    def clear(self) -> None:
        self._values, self._dimensions = {}, {}

    def flush(self) -> dict[str, Any] | None:
        if not self._values:
            return None
        dimensions = {"service": self.service, **self._dimensions}
        blob: dict[str, Any] = {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self.namespace,
                        "Dimensions": [sorted(dimensions)],
                        "Metrics": [{"Name": name, "Unit": unit} for name, (unit, _) in self._values.items()],
                    }
                ],
            },
            **dimensions,
            **{name: value for name, (_, value) in self._values.items()},
        }
        print(json.dumps(blob, separators=(",", ":")), file=sys.stdout, flush=True)
        self._values, self._dimensions = {}, {}
        return blob

    def log_metrics(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: flush the invocation's metrics when it ends, even when it fails."""

        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            try:
                return handler(event, context)
            finally:
                self.flush()

        return wrapper


logger = Logger()
metrics = Metrics()
