"""Readable log lines from the functions' JSON logs (Powertools) and metrics (EMF)."""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

_lock = threading.Lock()
HIDDEN = {
    "level",
    "message",
    "timestamp",
    "service",
    "location",
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
    "xray_trace_id",
    "sampling_rate",
    "correlation_id",
}


def emit(line: str) -> None:
    with _lock:
        print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)
        sys.stdout.flush()


def function_line(label: str, line: str) -> None:
    try:
        record: Any = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        emit(f"[{label}] {line}")
        return
    if "_aws" in record:  # an EMF metrics blob
        names = [m["Name"] for d in record["_aws"].get("CloudWatchMetrics", []) for m in d.get("Metrics", [])]
        values = " ".join(f"{name}={record.get(name)}" for name in names)
        if values:
            emit(f"[{label}] metrics {values}")
        return
    extra = {k: v for k, v in record.items() if k not in HIDDEN}
    suffix = f" {json.dumps(extra, ensure_ascii=False, default=str)}" if extra else ""
    emit(f"[{label}] {record.get('level', 'INFO'):<7} {record.get('message', '')}{suffix}")
