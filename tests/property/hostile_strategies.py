"""Strategies shared by the property tests: hostile values of every kind a feed may hold, and the checks every
parsed item must pass whatever the input (`assert_*`)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from hypothesis import strategies as st

from poche_common import bounds

TAG_START = re.compile(r"<[A-Za-z!/?]")
MAX_REASON = 1_000  # a rejection reason quotes values cut short: never the 10 MB field itself

# ---------------------------------------------------------------- texts

HOSTILE_SNIPPETS = [
    "&lt;img src=x onerror=alert(1)&gt;",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
    "&amp;amp;amp;lt;script&amp;amp;amp;gt;",
    "<script>alert(1)</script>",
    "<b>gras</b>",
    "<![CDATA[x]]>",
    "<![<![",
    "<!--",
    "<a<a<a",
    "</",
    "<?xml",
    "&#60;svg onload=alert(1)&#62;",
    "&ltimg src=x&gt",
    "[lien](javascript:alert(1))",
    "\x00",
    "\x07",
    "\x85",
    "\u202e",
    "😀",
    "é",
    "\n\n",
    " ",
    "&",
    "<",
    ">",
]


def texts(*, surrogates: bool = False, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text mixing ordinary characters with hostile snippets (markup, escaped markup, controls, emoji)."""
    characters = st.characters(codec=None if surrogates else "utf-8")
    ordinary = st.text(characters, max_size=max_size)
    pieces = st.lists(st.one_of(ordinary, st.sampled_from(HOSTILE_SNIPPETS)), max_size=6)
    return st.one_of(ordinary, pieces.map("".join), st.sampled_from(["x" * 1500, "<" * 3000, "a" * 6000]))


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Hostile texts that XML 1.0 can carry (no C0 control but tab and newlines, no surrogate)."""
    return texts(max_size=max_size).map(lambda text: _NOT_XML.sub("", text))


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ---------------------------------------------------------------- ids

VALID_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,30}", fullmatch=True)


def ids(*, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Mostly usable ids, and ids no key can hold: too long (characters or bytes), control characters, empty."""
    bad = st.sampled_from(["x" * 1500, "😀" * 150, "a\x00b", "a\x85b", "a\tb", "", "  "])
    if surrogates:
        bad = bad | st.just("a\ud800b")
    return st.one_of(VALID_IDS, VALID_IDS, bad, texts(surrogates=surrogates, max_size=20))


# ---------------------------------------------------------------- times

OFFSETS = st.sampled_from(["Z", "+00:00", "+01:00", "+02:00", "-01:00", "+14:00", "-12:00", ""])
EXTREME_MOMENTS = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00-01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59+01:00",
    "1970-01-01T00:00:00Z",
    "1999-12-31T23:59:59+00:00",
    "2100-01-01T00:00:00Z",
    "2026-02-30T10:00:00+01:00",
    "2026-11-30T25:00:00+01:00",
    "demain",
    "",
]
GOOD_MOMENTS = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2098, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)


def iso_moments() -> st.SearchStrategy[str]:
    """ISO 8601 times: in range, at the extremes of `datetime`, out of 2000..2100, malformed."""
    anywhere = st.builds(
        lambda moment, offset: moment.replace(microsecond=0).isoformat() + offset, st.datetimes(), OFFSETS
    )
    in_range = st.builds(lambda moment, offset: moment.isoformat() + offset, GOOD_MOMENTS, OFFSETS)
    return st.one_of(in_range, anywhere, st.sampled_from(EXTREME_MOMENTS), texts(max_size=30))


def days() -> st.SearchStrategy[dt.date]:
    return st.dates()


# ---------------------------------------------------------------- JSON

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    texts(surrogates=True, max_size=20),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# ---------------------------------------------------------------- checks on what a parser returns


def settled(text: str) -> str:
    for _ in range(50):
        unescaped = html.unescape(text)
        if unescaped == text:
            return text
        text = unescaped
    raise AssertionError(f"unescaping did not settle: {text[:80]!r}")


def assert_text(text: str | None, limit: int) -> None:
    """A stored text: at most `limit` characters, no markup even once unescaped, no control character."""
    if text is None:
        return
    assert isinstance(text, str)
    assert len(text) <= limit, (len(text), limit)
    assert not TAG_START.search(text) and not TAG_START.search(settled(text)), text[:200]
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", text), text[:200]


def assert_id(value: str) -> None:
    assert bounds.is_id(value), value[:80]
    assert bounds.check_id(value, "id") == value
    value.encode("utf-8")  # a key boto3 can encode


def assert_moment(moment: dt.datetime | str | None) -> None:
    if moment is None:
        return
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    assert moment.tzinfo is not None
    assert bounds.EARLIEST <= moment.astimezone(dt.UTC) < bounds.LATEST, moment


def assert_day(day: dt.date | str) -> None:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    assert bounds.EARLIEST_DATE <= day < bounds.LATEST_DATE, day


def assert_reason(reason: Any) -> None:
    assert isinstance(reason, str) and 0 < len(reason) <= MAX_REASON, str(reason)[:200]
