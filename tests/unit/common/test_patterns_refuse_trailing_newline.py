"""Every value checked by a pattern refuses a trailing newline: Python's `$` matches before a final "\n", so
`re.match(r"^x$", "x\n")` succeeds; the patterns end with `\\Z`. Found on the device token and quiet-hours time of
`me/validation.py` (`'abc\n'` and `'22:00\n'` were accepted while the documented pattern refuses them)."""

from __future__ import annotations

import pytest

from me.validation import parse_device, parse_subscriptions
from poche_common.errors import InvalidRequestError


@pytest.mark.parametrize("token", ["abc\n", "abc\r\n"])
def test_a_device_token_ending_in_a_newline_is_refused(token: str) -> None:
    assert parse_device({"platform": "fcm", "token": "abc"}) == ("fcm", "abc")
    with pytest.raises(InvalidRequestError) as error:
        parse_device({"platform": "fcm", "token": token})
    assert error.value.field == "token"


def test_quiet_hours_ending_in_a_newline_are_refused() -> None:
    _, fine = parse_subscriptions({"topics": [], "quiet_hours": {"start": "22:00", "end": "07:00"}})
    _, problems = parse_subscriptions({"topics": [], "quiet_hours": {"start": "22:00\n", "end": "07:00"}})
    assert fine == [] and problems and "quiet_hours" in str(problems[0])


@pytest.mark.parametrize(
    ("module", "name", "value"),
    [
        ("me.validation", "UAI", "0610896T"),
        ("me.validation", "ROUTE_ID", "ligne-1"),
        ("agenda.logic", "EVENT_ID_RE", "openagenda:8001"),
        ("transit.params", "_ID_RE", "STOP:1"),
        ("poche_common.api", "INSEE_RE", "61001"),
        ("poche_common.schools", "UAI_RE", "0610896T"),
        ("home_shared.params", "_ID", "0610896T"),
    ],
)
def test_identifier_patterns_refuse_a_trailing_newline(module: str, name: str, value: str) -> None:
    import importlib

    pattern = getattr(importlib.import_module(module), name)
    assert pattern.match(value) and not pattern.match(value + "\n")
