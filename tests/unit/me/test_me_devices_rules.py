"""Devices and inbox without AWS: the device request, inbox ids back to their sort keys, deferred-push pointers,
and the views that never show a token or an endpoint."""

from __future__ import annotations

import datetime as dt

import pytest

from me.validation import parse_device
from me.views import device_view, exported_item, note_view
from me_shared.keys import due_key, note_sk
from poche_common.errors import InvalidRequestError

OCCURRED = dt.datetime(2026, 11, 29, 8, 30, 15, tzinfo=dt.UTC)
EVENT = "0b9f6c1e-8d2a-4c5b-9e7f-000000000001"


def test_a_public_id_maps_back_to_the_sort_key_the_sender_wrote() -> None:
    public = f"{int(OCCURRED.timestamp())}-{EVENT}"
    assert note_sk(public) == f"NOTE#2026-11-29T08:30:15+00:00#{EVENT}"
    for wrong in ("", "abc", "123", "-x", "12a-x", "1-a#b", "1-a b", "1" * 12 + "-x"):
        assert note_sk(wrong) is None, wrong


def test_a_due_pointer_names_its_deferred_push() -> None:
    pointer = f"DUE#2026-11-30T06#2026-11-30T06:00:00+00:00#{EVENT}"
    assert due_key(pointer, "sub-1") == ("DUE#2026-11-30T06", f"2026-11-30T06:00:00+00:00#sub-1#{EVENT}")
    assert due_key("DUE#2026-11-30T06", "sub-1") is None
    assert due_key("DUE###", "sub-1") is None


def test_a_device_request_is_a_platform_and_a_visible_ascii_token() -> None:
    assert parse_device({"platform": "apns", "token": "ab12"}) == ("apns", "ab12")
    for body, field in [
        ({"platform": "sms", "token": "t"}, "platform"),
        ({"platform": "fcm"}, "token"),
        ({"platform": "fcm", "token": 12}, "token"),
        ({"platform": "fcm", "token": "a\nb"}, "token"),
        ({"platform": "fcm", "token": "x" * 4097}, "token"),
    ]:
        with pytest.raises(InvalidRequestError) as raised:
            parse_device(body)
        assert raised.value.field == field
    with pytest.raises(InvalidRequestError):
        parse_device(["fcm", "t"])


def test_views_show_paris_times_and_hide_the_endpoint_and_token_digest() -> None:
    device = {
        "pk": "USER#s",
        "sk": "DEVICE#" + "a" * 32,
        "device_id": "a" * 32,
        "platform": "fcm",
        "endpoint_arn": "arn:aws:sns:eu-west-3:123456789012:endpoint/GCM/poche-fcm/x",
        "token_sha256": "f" * 64,
        "created_at": "2026-11-29T08:30:15+00:00",
    }
    assert device_view(device) == {"id": "a" * 32, "platform": "fcm", "created_at": "2026-11-29T09:30:15+01:00"}
    assert set(exported_item(device)) == {"pk", "sk", "device_id", "platform", "created_at"}
    note = {
        "id": "1-e",
        "kind": "emergency",
        "title": "Alerte",
        "body": "Crue",
        "url": "/v1/news",
        "occurred_at": "2026-07-01T08:00:00+00:00",
        "read_at": "2026-07-01T09:00:00+00:00",
    }
    view = note_view(note)
    assert view["topic_id"] is None and view["occurred_at"] == "2026-07-01T10:00:00+02:00"
    assert view["read"] is True and view["read_at"] == "2026-07-01T11:00:00+02:00"
    assert note_view({**note, "read_at": None})["read"] is False
