"""Entry point of `cdk synth` / `cdk deploy` (see cdk.json)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from poche_infra.app import build_app
from poche_infra.config import ConfigError

try:
    app, _ = build_app()
except ConfigError as exc:
    sys.exit(f"poche: configuration error: {exc}")
app.synth()
