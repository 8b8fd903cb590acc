"""The API's OpenAPI document, generated at build time from each service's models (`functions/<service>/models.py`
through its `openapi.py`): `python -m poche_infra.openapi [OUT]` writes it (default `build/openapi.json`).

The local platform builds the same document from the deployed code assets (`poche_local.platform.document`); both
merge with `poche_local.docs.merge`. Nothing here runs in a Lambda.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from .paths import CONNECTORS, FUNCTIONS, LAYERS, ROOT

TITLE = "Poche: API publique"
VERSION = "1"


def services() -> list[str]:
    """The services that describe routes: those with an `openapi.py`."""
    return sorted(path.parent.name for path in FUNCTIONS.glob("*/openapi.py"))


def _importable() -> None:
    """The services' packages and the layers' code, as the tests see them (pyproject's pytest `pythonpath`)."""
    wanted = [str(FUNCTIONS), str(CONNECTORS), *(str(p) for p in sorted(LAYERS.glob("*/python")))]
    sys.path[:0] = [path for path in wanted if path not in sys.path]


def build() -> dict[str, Any]:
    from poche_local.docs import merge

    _importable()
    documents = [importlib.import_module(f"{name}.openapi").document() for name in services()]
    return merge(documents, TITLE, VERSION)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else ROOT / "build" / "openapi.json"
    document = build()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    operations = sum(len(methods) for methods in document["paths"].values())
    print(f"{out}: {operations} operations, {len(document['components']['schemas'])} schemas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
