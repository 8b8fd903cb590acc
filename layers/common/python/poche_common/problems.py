"""RFC 9457 problem details, the one error shape of the public API."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:poche:problem:"


def problem_body(status: int, slug: str, detail: str, **extensions: Any) -> str:
    return json.dumps(problem_dict(status, slug, detail, **extensions), ensure_ascii=False)


def problem_dict(status: int, slug: str, detail: str, **extensions: Any) -> dict[str, Any]:
    """A problem as an object, for answers that carry several (one per tile of a home screen)."""
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_BASE}{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    body.update({key: value for key, value in extensions.items() if value is not None})
    return body
