"""The erasure queue (SQS), as the `Queue` port of `ports.py`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .ports import QueueNotConfiguredError


class ErasureQueue:
    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs = sqs  # created on first use (`me_shared.lazy.LazyClient`)
        self.url = url

    def send(self, message: Mapping[str, Any]) -> None:
        if not self.url:
            raise QueueNotConfiguredError("no erasure queue configured")
        self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps(dict(message)))
