"""Properties of the shared text and bounds helpers every parser relies on."""

from __future__ import annotations

import contextlib
import datetime as dt

from hostile_strategies import assert_moment, assert_text, ids, iso_moments, texts
from hypothesis import example, given
from hypothesis import strategies as st

from poche_common import bounds, safejson
from poche_common.plaintext import MAX_HTML, extract, html_to_text, no_markup, plain


@given(texts(surrogates=True, max_size=200))
@example("&amp;lt;img src=x onerror=alert(1)&amp;gt;")
@example("&lti" + "mes;")
def test_plain_text_never_holds_markup_or_control_characters(text: str) -> None:
    assert_text(plain(text, 300), 300)
    assert_text(no_markup(plain(text, 10_000)), 10_000)


@given(texts(max_size=200), st.booleans())
def test_html_to_text_never_holds_markup(source: str, keep_newlines: bool) -> None:
    text = html_to_text(source, keep_newlines=keep_newlines)
    assert_text(plain(text, MAX_HTML), MAX_HTML)
    assert no_markup(text) == text  # html_to_text's output is already free of markup


@given(st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), max_size=100))
def test_text_without_markup_is_kept_as_it_is(text: str) -> None:
    assert no_markup(text) == text
    assert plain(text, 1_000) == text


@given(st.lists(st.sampled_from(["<a", "<!--", "</", "<?", "<![", "<p>", "x", "&amp;", "'", '"', "="]), max_size=60))
def test_extract_reads_any_fragment(parts: list[str]) -> None:
    text, image = extract("".join(parts) * 50)
    assert isinstance(text, str) and (image is None or image.startswith("http"))


@given(ids(surrogates=True))
def test_an_accepted_id_can_be_a_key(value: str) -> None:
    try:
        checked = bounds.check_id(value, "id")
    except ValueError as exc:
        assert str(exc)
        return
    assert 0 < len(checked) <= bounds.MAX_ID_LENGTH
    assert len(checked.encode("utf-8")) <= bounds.MAX_ID_BYTES
    assert checked == checked.strip()


@given(iso_moments(), st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=-12))]))
def test_parse_moment_raises_only_value_error_and_bounds_what_it_returns(text: str, zone: dt.tzinfo | None) -> None:
    try:
        moment = bounds.parse_moment(text, zone=zone)
    except ValueError:
        return
    assert moment.tzinfo is dt.UTC
    assert_moment(moment)


@given(
    st.datetimes(), st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(-dt.timedelta(hours=14))])
)
def test_check_moment_raises_only_value_error(moment: dt.datetime, zone: dt.tzinfo) -> None:
    with contextlib.suppress(ValueError):
        assert_moment(bounds.check_moment(moment.replace(tzinfo=zone)))


@given(st.integers(min_value=1, max_value=3000))
def test_safejson_raises_only_value_error(depth: int) -> None:
    try:
        safejson.loads("[" * depth + "]" * depth, max_depth=safejson.MAX_FEED_DEPTH)
    except ValueError:
        assert depth > safejson.MAX_FEED_DEPTH
