"""The models stay off the Lambdas' import path: importing a service's handler (its cold start) imports neither its
`models.py` nor pydantic (measured: +0.12x of a function's cold-start floor for pydantic alone)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from poche_infra.openapi import services
from poche_infra.paths import FUNCTIONS, LAYERS

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(f"{name}.handler")
print(json.dumps(sorted(m for m in sys.modules if m == "pydantic" or m.endswith(".models"))))
"""


def test_no_service_handler_imports_pydantic_or_its_models() -> None:
    path = [str(FUNCTIONS), *(str(p) for p in sorted(LAYERS.glob("*/python")))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *services()], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == []
