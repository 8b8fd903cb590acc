"""The API's OpenAPI document, generated from the services' models at build time (`python -m poche_infra.openapi`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from poche_infra.openapi import TITLE, build, main, services


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build()


def test_the_merged_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == TITLE
    validate(document)


def test_every_operation_has_an_id_a_french_summary_and_documented_answers(document: dict[str, Any]) -> None:
    ids = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            ids.append(operation["operationId"])
            assert operation["summary"].strip(), f"{method} {path}"
            assert operation["responses"], f"{method} {path}"
    assert len(ids) == len(set(ids)) >= 35


def test_every_schema_reference_resolves(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    schemas = document["components"]["schemas"]
    for name in {part.split('"')[0] for part in text.split('"#/components/schemas/')[1:]}:
        assert name in schemas, name


def test_every_service_with_routes_describes_them() -> None:
    assert {"canteen", "communes", "me", "schools_admin", "transit"} <= set(services())


def test_the_build_writes_the_document(tmp_path: Path, document: dict[str, Any], capsys: Any) -> None:
    out = tmp_path / "build" / "openapi.json"
    assert main([str(out)]) == 0
    assert json.loads(out.read_text()) == document
    assert "operations" in capsys.readouterr().out
