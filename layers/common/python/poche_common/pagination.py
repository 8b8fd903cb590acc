"""Opaque, tamper-evident list cursors.

A cursor wraps DynamoDB's LastEvaluatedKey with a checksum bound to the query it belongs to
(route and filters). A cursor that was altered, truncated or replayed on another query is
refused with 400. The checksum is not a secret: the key it carries is re-checked against the
query's own partition before use, so a forged cursor can never read outside that query.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from .errors import InvalidRequestError

_BAD = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


def _checksum(scope: str, payload: bytes) -> str:
    return hashlib.sha256(scope.encode() + b"\x00" + payload).hexdigest()[:16]


def encode_cursor(scope: str, last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
    token = _checksum(scope, payload).encode() + b"." + payload
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_cursor(scope: str, cursor: str | None) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        checksum, payload = raw.split(b".", 1)
        if checksum.decode() != _checksum(scope, payload):
            raise ValueError("checksum")
        key = json.loads(payload)
        if not isinstance(key, dict):
            raise ValueError("shape")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequestError(_BAD, field="cursor") from None
    return key


def check_cursor_key(key: dict[str, Any], expected: dict[str, Any]) -> None:
    """Refuse a cursor whose key leaves the query's partition."""
    for name, value in expected.items():
        if key.get(name) != value:
            raise InvalidRequestError(_BAD, field="cursor")
