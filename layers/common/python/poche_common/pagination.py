"""Opaque, tamper-evident list cursors.

A cursor wraps DynamoDB's LastEvaluatedKey (or a position in a list paged in memory) with a checksum bound to
the query it belongs to (route and filters). A cursor that was altered, truncated or replayed on another query
is refused with 400. The checksum is not a secret: anyone can wrap any JSON with a valid checksum, so what a
cursor carries is checked before use, and every refusal is a 400 naming `cursor`, never a 500:
- `decode_cursor`: at most `MAX_CURSOR` characters of JSON nested at most `MAX_DEPTH` levels (no
  RecursionError), an object; numbers finite; strings bounded; a DynamoDB attribute value (an object whose
  every member is a type descriptor such as `S`) is one key type of the right shape (`S` a string, `N` a
  number's text, `B` base64 text), never a map, a list or two types at once;
- `check_cursor_key`: the key stays in the query's partition, and when the query's values are attribute values
  (an ExclusiveStartKey) the key is exactly the table's key plus the queried index's key (`pk`, `sk`, and
  `gsiNpk` / `gsiNsk` of the index named: the layout of every table, `DomainTable`), every value a string.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from typing import Any

from . import safejson
from .errors import InvalidRequestError

_BAD = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."
MAX_CURSOR = 4096  # characters: a real cursor (4 key attributes per stream, two streams) is far below
MAX_DEPTH = 6  # {tag: {attribute: {"S": value}}} is 3 levels
MAX_STRING = 2048  # a DynamoDB partition key is at most 2048 bytes, a sort key 1024
# Every type descriptor of a DynamoDB AttributeValue; only the key types (S, N, B) may appear in a cursor.
_DESCRIPTORS = frozenset({"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"})
_NUMBER = re.compile(r"^-?[0-9]{1,38}(\.[0-9]{1,38})?([eE][+-]?[0-9]{1,3})?\Z")
_INDEX_PARTITION = re.compile(r"^(gsi[0-9]+)pk\Z")


def _checksum(scope: str, payload: bytes) -> str:
    return hashlib.sha256(scope.encode() + b"\x00" + payload).hexdigest()[:16]


def encode_cursor(scope: str, last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
    token = _checksum(scope, payload).encode() + b"." + payload
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _is_attribute_value(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= _DESCRIPTORS


def _valid_attribute_value(value: dict[str, Any]) -> bool:
    """One key type (S, N or B) of the right shape."""
    if len(value) != 1:
        return False
    [(kind, data)] = value.items()
    if not isinstance(data, str) or len(data) > MAX_STRING:
        return False
    if kind == "S":
        return True
    if kind == "N":
        return bool(_NUMBER.match(data))
    if kind == "B":
        try:
            base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return False
        return True
    return False


def _valid(value: Any) -> bool:
    """What a cursor may carry: bounded strings, finite numbers, booleans, null, lists and objects of those,
    and well-formed key attribute values. (Depth is bounded by the parse.)"""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_STRING
    if isinstance(value, int):
        return abs(value) < 10**38
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_valid(v) for v in value)
    if isinstance(value, dict):
        if _is_attribute_value(value):
            return _valid_attribute_value(value)
        return all(isinstance(k, str) and len(k) <= 255 and _valid(v) for k, v in value.items())
    return False


def decode_cursor(scope: str, cursor: str | None) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("size")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        checksum, payload = raw.split(b".", 1)
        if checksum.decode() != _checksum(scope, payload):
            raise ValueError("checksum")
        key = safejson.loads(payload, max_depth=MAX_DEPTH)
        if not isinstance(key, dict) or not _valid(key):
            raise ValueError("shape")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequestError(_BAD, field="cursor") from None
    return key


def _key_schema(expected: dict[str, Any]) -> set[str] | None:
    """The attribute names of an ExclusiveStartKey for a query whose partition is `expected` (None when the
    values are not attribute values: a position of a list paged in memory)."""
    if not expected or not all(_is_attribute_value(v) for v in expected.values()):
        return None
    names = {"pk", "sk"}
    for name in expected:
        index = _INDEX_PARTITION.match(name)
        names |= {name, f"{index.group(1)}sk"} if index else {name}
    return names


def check_cursor_key(key: dict[str, Any], expected: dict[str, Any]) -> None:
    """Refuse a cursor whose key leaves the query's partition, or is not that query's key."""
    for name, value in expected.items():
        if key.get(name) != value:
            raise InvalidRequestError(_BAD, field="cursor")
    names = _key_schema(expected)
    if names is None:
        return
    if set(key) != names or not all(_key_string(name, value) for name, value in key.items()):
        raise InvalidRequestError(_BAD, field="cursor")


def _key_string(name: str, value: Any) -> bool:
    """A key attribute DynamoDB accepts: a non-empty string of at most 2048 bytes (partition) or 1024 (sort)."""
    if not isinstance(value, dict) or set(value) != {"S"} or not isinstance(value["S"], str) or not value["S"]:
        return False
    return len(value["S"].encode()) <= (1024 if name.endswith("sk") else 2048)
