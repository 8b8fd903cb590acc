"""The `pattern`s of the API document say exactly what the code accepts (else the API fuzzing finds a valid request
refused, or an invalid one accepted)."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from poche_common.api import INSEE_RE
from poche_common.openapi import INSEE_PATTERN, LATITUDE_PATTERN, LONGITUDE_PATTERN
from transit.openapi import _NEAR  # at collection: it builds the schemas (pydantic), too slow for a deadline


@given(st.text(alphabet="0123456789ABabCz ", max_size=7))
def test_the_insee_pattern_accepts_what_query_commune_accepts(code: str) -> None:
    assert bool(re.fullmatch(INSEE_PATTERN, code)) == bool(INSEE_RE.match(code.upper()))


@given(st.decimals(min_value=-400, max_value=400, places=4, allow_nan=False, allow_infinity=False))
def test_the_coordinate_patterns_accept_the_wgs84_ranges(value: Decimal) -> None:
    text = f"{value:f}"
    assert bool(re.fullmatch(LONGITUDE_PATTERN, text)) == (-180 <= value <= 180)
    assert bool(re.fullmatch(LATITUDE_PATTERN, text)) == (-90 <= value <= 90)


@given(
    st.decimals(min_value=-100, max_value=100, places=3, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-200, max_value=200, places=2, allow_nan=False, allow_infinity=False),
)
def test_the_transit_near_pattern_accepts_the_positions_searched(lat: Decimal, lon: Decimal) -> None:
    from transit.policy import MAX_NEAR_LATITUDE

    expected = abs(lat) <= MAX_NEAR_LATITUDE and abs(lon) <= 180
    assert bool(re.fullmatch(_NEAR["pattern"], f"{lat:f},{lon:f}")) == expected
