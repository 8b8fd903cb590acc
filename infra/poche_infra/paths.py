"""Where the runtime code lives in the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
CONNECTORS = FUNCTIONS / "connectors"
LAYERS = ROOT / "layers"
