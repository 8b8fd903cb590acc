"""Unit tests of the shared bounds on feed values: ids, times, URLs; JSON and XML nesting."""

from __future__ import annotations

import datetime as dt

import pytest

from poche_common import bounds, safejson
from poche_common.errors import FeedFormatError
from poche_common.safexml import parse_xml


def test_check_id_refuses_long_empty_and_control_characters() -> None:
    assert bounds.check_id("  stop-1 ", "stop_id") == "stop-1"
    for bad, reason in [("", "vide"), ("x" * 1500, "trop long"), ("a\x00b", "contrôle"), ("a\x85b", "contrôle")]:
        with pytest.raises(ValueError, match=reason):
            bounds.check_id(bad, "stop_id")


def test_check_id_refuses_lone_surrogates_and_too_many_bytes() -> None:
    """A JSON `\\ud800` escape gives a lone surrogate: boto3 cannot encode it, the write fails halfway."""
    with pytest.raises(ValueError, match="invalide"):
        bounds.check_id("a\ud800b", "trip_id")
    with pytest.raises(ValueError, match="octets"):
        bounds.check_id("😀" * 150, "trip_id")  # 150 characters but 600 bytes of UTF-8
    assert bounds.is_id("é" * 150)


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1999-12-31T23:59:59+00:00", "2100-01-01T00:00Z"]
)
def test_parse_moment_bounds_times_to_2000_2100(text: str) -> None:
    with pytest.raises(ValueError, match="bornes"):
        bounds.parse_moment(text)


def test_check_moment_takes_a_naive_time_in_the_given_zone() -> None:
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    assert bounds.check_moment(dt.datetime(2026, 7, 1, 12), zone=paris) == dt.datetime(2026, 7, 1, 10, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="bornes"):
        bounds.check_moment(dt.datetime(1, 1, 1), zone=paris)


def test_web_url() -> None:
    assert bounds.web_url(" https://a.example/x ") == "https://a.example/x"
    for bad in ("javascript:alert(1)", "https://a.example/" + "x" * 3000, "https://a.example/a b", "//a.example", ""):
        assert bounds.web_url(bad) is None


def test_safejson_turns_deep_nesting_and_huge_numbers_into_value_errors() -> None:
    with pytest.raises(safejson.JSONDepthError):
        safejson.loads("[" * 100_000)
    with pytest.raises(safejson.JSONDepthError):
        safejson.loads("[" * 70 + "]" * 70, max_depth=64)
    with pytest.raises(ValueError):
        safejson.loads("1" * 5000)  # more digits than Python converts
    assert safejson.loads('{"a": [1]}', max_depth=2) == {"a": [1]}


def test_safexml_refuses_documents_nested_too_deep() -> None:
    """An Atom `xhtml` content nested 5,000 levels made `ElementTree.tostring` raise RecursionError."""
    with pytest.raises(FeedFormatError, match="profond"):
        parse_xml(b"<a>" * 100_000 + b"</a>" * 100_000)
    assert parse_xml(b"<a>" * 100 + b"</a>" * 100).tag == "a"
    with pytest.raises(FeedFormatError, match="profond"):
        parse_xml(b"<a>" * 20 + b"</a>" * 20, max_depth=10)


def test_excerpt_cuts_and_shows_unprintable_characters() -> None:
    assert bounds.excerpt("court") == "court"
    assert bounds.excerpt("x" * 10_000, 40) == "x" * 39 + "…"
    assert bounds.excerpt("a\x00b\ud800") == "a\\x00b\\ud800"
    assert bounds.excerpt(["liste", 1]) == "['liste', 1]"
