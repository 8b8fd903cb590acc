"""The notices CSV against hostile rows: a time out of bounds rejects its row (a year-1 time would have failed
the store's conversion to UTC), texts carry no markup (issue 9, defects 2 and 10)."""

from __future__ import annotations

import pytest

from poche_common.errors import FeedFormatError
from schools_notices_csv.parser import parse_feed

HEADER = "reference;target;kind;title;body;starts;ends"


def csv(*lines: str) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode()


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("0001-01-01T00:00:00+01:00", "2026-12-14T23:59:00+01:00"),
        ("2026-12-14T00:00:00+01:00", "9999-12-31T23:59:59-01:00"),
        ("1999-12-14T00:00:00+01:00", "1999-12-15T00:00:00+01:00"),
    ],
)
def test_a_time_out_of_bounds_rejects_its_row_only(starts: str, ends: str) -> None:
    feed = parse_feed(
        csv(
            f"bad;0610003X;closure;Fermeture;;{starts};{ends}",
            "good;0610003X;closure;Fermeture;;2026-12-14T00:00:00+01:00;2026-12-14T23:59:00+01:00",
        )
    )
    assert [r.reference for r in feed.rows] == ["good"]
    assert [(r.line, r.reference) for r in feed.rejected] == [(2, "bad")]


def test_title_and_body_carry_no_markup_nor_control_characters() -> None:
    feed = parse_feed(
        csv(
            'r1;0610003X;closure;<b>Fermeture</b>\x07;"&lt;img src=x onerror=alert(1)&gt;Le collège est fermé.";'
            "2026-12-14T00:00:00+01:00;2026-12-14T23:59:00+01:00"
        )
    )
    [row] = feed.rows
    assert (row.title, row.body) == ("Fermeture", "Le collège est fermé.")


def test_a_field_beyond_the_csv_modules_limit_is_a_format_error_not_a_crash() -> None:
    """The csv module raises `csv.Error` past 128 KiB in one field (a decompression bomb's text, a runaway quote): it
    cannot skip that row, so the file is unusable as a whole, and the run is recorded as failed."""
    huge = "x" * 200_000
    with pytest.raises(FeedFormatError, match="ligne 2"):
        parse_feed(csv(f"bad;0610003X;closure;Fermeture;{huge};2026-12-14T00:00:00+01:00;2026-12-14T23:59:00+01:00"))
