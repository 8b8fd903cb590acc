"""poche_common.pagination: opaque, tamper-evident cursors bound to their query."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from poche_common.errors import InvalidRequestError
from poche_common.pagination import check_cursor_key, decode_cursor, encode_cursor

SCOPE = "GET /v1/canteens/C1/menus?from=2026-11-30"
KEY: dict[str, Any] = {"pk": "CANTEEN#C1", "sk": "MENU#2026-12-01#lunch", "n": 3}


def _refused(scope: str, cursor: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        decode_cursor(scope, cursor)
    assert caught.value.field == "cursor"
    assert caught.value.detail


@pytest.mark.parametrize(
    "key",
    [
        KEY,
        {"pk": "X", "sk": "é à ç / + = ? &"},
        {"pk": "A", "nested": {"list": [1, 2, None], "flag": True}},
    ],
)
def test_round_trip(key: dict[str, Any]) -> None:
    cursor = encode_cursor(SCOPE, key)
    assert cursor is not None
    assert decode_cursor(SCOPE, cursor) == key


def test_cursor_is_url_safe_and_opaque() -> None:
    cursor = encode_cursor(SCOPE, KEY)
    assert cursor is not None
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert "CANTEEN" not in cursor


def test_same_key_same_cursor_regardless_of_key_order() -> None:
    reordered = dict(reversed(list(KEY.items())))
    assert encode_cursor(SCOPE, KEY) == encode_cursor(SCOPE, reordered)


@pytest.mark.parametrize("last_key", [None, {}])
def test_no_last_key_no_cursor(last_key: dict[str, Any] | None) -> None:
    assert encode_cursor(SCOPE, last_key) is None


def test_no_cursor_no_key() -> None:
    assert decode_cursor(SCOPE, None) is None


def test_cursor_from_another_scope_is_refused() -> None:
    cursor = encode_cursor("GET /v1/canteens/C2/menus", KEY)
    assert cursor is not None
    _refused(SCOPE, cursor)


def _flip(cursor: str, index: int) -> str:
    replacement = "A" if cursor[index] != "A" else "B"
    return cursor[:index] + replacement + cursor[index + 1 :]


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_altered_cursor_is_refused(where: str) -> None:
    cursor = encode_cursor(SCOPE, KEY)
    assert cursor is not None
    index = {"start": 0, "middle": len(cursor) // 2, "end": len(cursor) - 2}[where]
    _refused(SCOPE, _flip(cursor, index))


def test_forged_payload_with_the_old_checksum_is_refused() -> None:
    cursor = encode_cursor(SCOPE, KEY)
    assert cursor is not None
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    forged = raw.replace(b"CANTEEN#C1", b"CANTEEN#C9")
    assert forged != raw
    _refused(SCOPE, base64.urlsafe_b64encode(forged).decode().rstrip("="))


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 10])
def test_truncated_cursor_is_refused(cut: int) -> None:
    cursor = encode_cursor(SCOPE, KEY)
    assert cursor is not None
    _refused(SCOPE, cursor[:-cut])


def _token(scope: str, payload: bytes) -> str:
    """A cursor with a valid checksum around an arbitrary payload."""
    checksum = hashlib.sha256(scope.encode() + b"\x00" + payload).hexdigest()[:16].encode()
    return base64.urlsafe_b64encode(checksum + b"." + payload).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        "!!!!",
        "é",
        "a",
        "Zm9v",  # "foo": no separator
        base64.urlsafe_b64encode(b"\xff\xfe.{}").decode(),
        _token(SCOPE, b"[1, 2]"),  # right checksum, but not an object
        _token(SCOPE, b"{not json"),
    ],
)
def test_garbage_cursor_is_refused(cursor: str) -> None:
    _refused(SCOPE, cursor)


def test_check_cursor_key_accepts_a_key_inside_the_partition() -> None:
    check_cursor_key(KEY, {"pk": "CANTEEN#C1"})
    check_cursor_key(KEY, {})


@pytest.mark.parametrize(
    "expected",
    [{"pk": "CANTEEN#C2"}, {"pk": "CANTEEN#C1", "gsi1pk": "COMMUNE#61001"}, {"pk": "canteen#c1"}],
)
def test_check_cursor_key_refuses_a_key_outside_the_partition(expected: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_cursor_key(KEY, expected)
    assert caught.value.field == "cursor"


# --- forged cursors with a valid checksum (issue 9, defect 9) ----------------------------------
@pytest.mark.parametrize(
    "payload",
    [
        b"[" * 50_000,  # RecursionError escaped `except ValueError`: a 500
        b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
        b'{"pk": {"S": 1}, "sk": {"S": "x"}}',  # botocore ParamValidationError at the Query: a 500
        b'{"pk": {"S": ["a"]}}',
        b'{"pk": {"N": "not a number"}}',
        b'{"pk": {"N": 12}}',
        b'{"pk": {"M": {"S": {"S": "x"}}}}',  # not a key type
        b'{"pk": {"S": "a", "N": "1"}}',  # two types in one value
        b'{"pk": {"BOOL": true}}',
        b'{"pk": {"S": "' + b"x" * 5_000 + b'"}}',  # longer than any DynamoDB key
        b'{"after": NaN}',
        b'{"after": 1e999}',
    ],
)
def test_a_forged_cursor_with_a_valid_checksum_but_an_unusable_key_is_refused(payload: bytes) -> None:
    _refused(SCOPE, _token(SCOPE, payload))


def test_real_keys_of_the_platform_still_round_trip() -> None:
    for key in (
        {"pk": {"S": "CANTEEN#C1"}, "sk": {"S": "PROFILE"}, "gsi2pk": {"S": "CANTEENS"}, "gsi2sk": {"S": "a#C1"}},
        {"general": {"pk": {"S": "A"}, "sk": {"S": "B"}, "gsi1pk": {"S": "TAG#general"}, "gsi1sk": {"S": "C"}}},
        {"general": "END", "61001": None},
        {"after": [12.5, "stop-1"]},
        {"start": "2026-11-30T08:00:00+00:00", "id": "ev-1"},
        {"pk": {"N": "12"}, "sk": {"B": "AAEC"}},
    ):
        cursor = encode_cursor(SCOPE, key)
        assert cursor is not None and decode_cursor(SCOPE, cursor) == key


DYNAMO_KEY: dict[str, Any] = {
    "pk": {"S": "PROFILE#1"},
    "sk": {"S": "PROFILE"},
    "gsi2pk": {"S": "CANTEENS"},
    "gsi2sk": {"S": "cantine#1"},
}


def test_check_cursor_key_accepts_the_table_and_index_key_of_the_query() -> None:
    check_cursor_key(DYNAMO_KEY, {"gsi2pk": {"S": "CANTEENS"}})
    check_cursor_key({"pk": {"S": "USER#a"}, "sk": {"S": "NOTE#1"}}, {"pk": {"S": "USER#a"}})


@pytest.mark.parametrize(
    "key",
    [
        {k: v for k, v in DYNAMO_KEY.items() if k != "sk"},  # DynamoDB: "The provided starting key is invalid"
        {k: v for k, v in DYNAMO_KEY.items() if k != "gsi2sk"},
        {**DYNAMO_KEY, "extra": {"S": "x"}},
        {**DYNAMO_KEY, "gsi1pk": {"S": "COMMUNE#61001"}},
        {**DYNAMO_KEY, "sk": {"N": "1"}},  # the platform's keys are strings
        {**DYNAMO_KEY, "sk": "PROFILE"},  # not an attribute value
        {**DYNAMO_KEY, "sk": {"S": ""}},  # DynamoDB refuses an empty key attribute
        {**DYNAMO_KEY, "gsi2sk": {"S": "é" * 600}},  # 1,200 bytes: over DynamoDB's 1,024 for a sort key
    ],
)
def test_check_cursor_key_refuses_a_key_that_is_not_the_querys_key_schema(key: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_cursor_key(key, {"gsi2pk": {"S": "CANTEENS"}})
    assert caught.value.field == "cursor"
