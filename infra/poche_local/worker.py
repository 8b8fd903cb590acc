"""A function's execution environment: one process per function, like a Lambda sandbox.

Started by `FunctionPool` with the function's own environment and `PYTHONPATH` (its code asset,
then its layers). Reads one JSON request per line on stdin, answers one JSON line on the
protocol pipe; whatever the function prints goes to stderr (its logs). The handler module is
imported on the first invocation: that is the cold start.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any


class LocalContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    def __init__(self, deadline: float) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = (
            f"arn:aws:lambda:{os.environ['AWS_REGION']}:123456789012:function:{self.function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the function's own prints and logs go to stderr
    handler_path = os.environ["_HANDLER"]
    timeout = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    handler: Any = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "openapi":
                package = handler_path.rsplit(".", 2)[0]
                try:
                    module = importlib.import_module(f"{package}.openapi")
                except ModuleNotFoundError:
                    answer: dict[str, Any] = {"ok": True, "result": None}
                else:
                    answer = {"ok": True, "result": module.document()}
            else:
                if handler is None:
                    module_name, attribute = handler_path.rsplit(".", 1)
                    handler = getattr(importlib.import_module(module_name), attribute)
                context = LocalContext(time.monotonic() + timeout)
                answer = {"ok": True, "result": handler(request["event"], context)}
        except Exception as exc:  # the function failed: report it as Lambda does
            traceback.print_exc()
            answer = {"ok": False, "error": {"errorType": type(exc).__name__, "errorMessage": str(exc)}}
        protocol.write(json.dumps(answer, default=str) + "\n")


if __name__ == "__main__":
    main()
