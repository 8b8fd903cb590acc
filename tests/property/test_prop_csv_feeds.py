"""Properties of the CSV parsers (SCDL menus, school notices) on generated files mixing valid rows with hostile
values: only FeedFormatError for a whole file, usable ids, dates within 2000..2100, plain bounded texts without
markup; a valid row reads back with its values."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import unicodedata

from hostile_strategies import (
    GOOD_MOMENTS,
    assert_day,
    assert_id,
    assert_moment,
    assert_reason,
    assert_text,
    ids,
    iso_moments,
    texts,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from canteen_menus_scdl import parser as canteen
from canteen_menus_scdl.model import ParsedFeed as CanteenFeed
from poche_common.errors import FeedFormatError
from schools_notices_csv import parser as notices
from schools_notices_csv.parser import ParsedFeed as NoticesFeed


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str = ";") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def printable(max_size: int = 40) -> st.SearchStrategy[str]:
    """Hostile texts without control characters, which make the menus parser take a file for a binary (refused
    whole: a property of its own, `test_menus_any_bytes_are_a_feed_or_a_feed_format_error`)."""
    return texts(max_size=max_size).map(lambda text: "".join(c for c in text if unicodedata.category(c) != "Cc"))


# ---------------------------------------------------------------- SCDL menus

MENU_COLUMNS = [
    "menuCollSiret",
    "menuRestaurantNom",
    "menuRestaurantId",
    "menuRestaurantIdType",
    "menuDate",
    "menuRepasType",
    "menuPlatType",
    "menuPlatNom",
    "menuPlatCode",
    "menuPlatLabel",
    "menuPlatAllergene",
    "menuPlatPrecision",
    "menuPublicationDate",
]
hostile_menu_rows = st.tuples(
    st.sampled_from(["22610001400019", ""]) | printable(20),
    printable(),
    ids().map(lambda value: "".join(c for c in value if unicodedata.category(c) != "Cc")),
    st.sampled_from(["EN", "SIRET", "autre", "sans"]) | printable(10),
    st.sampled_from(["2026-11-30", "0001-01-01", "9999-12-31", "31/12/1999", "30/02/2026"]) | st.dates().map(str),
    printable(10),
    printable(10),
    printable(),
    printable(20),
    printable(),
    st.just("[" * 2000 + "]" * 2000) | printable(),
    printable(),
    iso_moments().map(lambda text: "".join(c for c in text if unicodedata.category(c) != "Cc")),
).map(list)


def check_canteen(feed: CanteenFeed) -> None:
    for key, place in feed.canteens.items():
        assert_id(key)
        assert_id(place.id)
        assert_text(place.name, canteen.MAX_NAME)
        assert_text(place.organisation, canteen.MAX_NAME)
    for meal in feed.meals:
        assert_id(meal.canteen_id)
        assert_day(meal.date)
        assert_moment(meal.published_at)
        assert_moment(meal.modified_at)
        assert 0 < len(meal.dishes) <= canteen.MAX_DISHES_PER_MEAL
        assert len(meal.notes) <= canteen.MAX_VALUES
        for note in meal.notes:
            assert_text(note, canteen.MAX_NOTE)
        for dish in meal.dishes:
            assert_text(dish.name, canteen.MAX_DISH_NAME)
            assert dish.code is None or len(dish.code) <= canteen.MAX_CODE
            for values in (dish.local_labels, dish.regimes, dish.allergens):
                assert len(values) <= canteen.MAX_VALUES
                for value in values:
                    assert_text(value, canteen.MAX_LABEL)
    for rejected in feed.rejected:
        assert_reason(rejected.reason)


@settings(max_examples=25)
@given(
    st.lists(hostile_menu_rows, max_size=6),
    st.lists(st.tuples(st.from_regex(r"[A-Za-z]{1,30}", fullmatch=True), GOOD_MOMENTS), max_size=3),
)
def test_menus_with_hostile_rows(hostile: list[list[str]], good: list[tuple[str, dt.datetime]]) -> None:
    uai = "0619999Z"
    valid = [
        ["", "Bon", uai, "EN", moment.date().isoformat(), "déjeuner", "dessert", f"Plat {name}", "", "", "", "", ""]
        for name, moment in good
    ]
    try:
        feed = canteen.parse_feed(csv_bytes(MENU_COLUMNS, hostile + valid))
    except FeedFormatError:  # e.g. NUL bytes: the file is taken for a binary and refused whole
        assert hostile or not valid  # a file of valid rows is never refused
        return
    check_canteen(feed)
    dishes = {(meal.canteen_id, meal.date, dish.name) for meal in feed.meals for dish in meal.dishes}
    for name, moment in good:  # round trip
        assert (uai, moment.date(), f"Plat {name}") in dishes


@given(st.binary(max_size=300))
def test_menus_any_bytes_are_a_feed_or_a_feed_format_error(data: bytes) -> None:
    with contextlib.suppress(FeedFormatError):
        check_canteen(canteen.parse_feed(data))


# ---------------------------------------------------------------- school notices

NOTICE_COLUMNS = ["reference", "target", "kind", "title", "body", "starts", "ends"]
hostile_notice_rows = st.tuples(
    ids(),
    st.sampled_from(["0610003X", "61001", "*", "0619999Z"]) | texts(max_size=10),
    st.sampled_from(["closure", "strike", "other"]) | texts(max_size=10),
    texts(),
    texts(max_size=200),
    iso_moments(),
    iso_moments(),
).map(list)


def check_notices(feed: NoticesFeed) -> None:
    from poche_common.schools import BODY_MAX, TITLE_MAX

    for row in feed.rows:
        assert notices.REFERENCE_RE.match(row.reference)
        assert_text(row.title, TITLE_MAX)
        assert_text(row.body, BODY_MAX)
        assert_moment(row.starts)
        assert_moment(row.ends)
        assert row.starts < row.ends
    for rejected in feed.rejected:
        assert_reason(rejected.reason)
        assert rejected.reference is None or notices.REFERENCE_RE.match(rejected.reference) or len(rejected.reference)


@given(
    st.lists(hostile_notice_rows, max_size=6),
    st.lists(
        st.tuples(st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True), st.from_regex(r"[A-Za-z ]{1,40}", fullmatch=True)),
        max_size=3,
        unique_by=lambda row: row[0],
    ),
)
def test_notices_with_hostile_rows(hostile: list[list[str]], good: list[tuple[str, str]]) -> None:
    starts, ends = "2026-12-14T08:00:00+01:00", "2026-12-14T18:00:00+01:00"
    valid = [[f"good-{ref}", "0610003X", "closure", f"Titre {title}", "Corps", starts, ends] for ref, title in good]
    try:
        feed = notices.parse_feed(csv_bytes(NOTICE_COLUMNS, hostile + valid))
    except FeedFormatError:
        assert hostile or not valid  # a file of valid rows is never refused
        return
    check_notices(feed)
    rows = {row.reference: row for row in feed.rows}
    for ref, title in good:  # round trip
        row = rows[f"good-{ref}"]
        assert (row.title, row.body, row.uais) == (" ".join(f"Titre {title}".split()), "Corps", ("0610003X",))
        assert row.starts == dt.datetime.fromisoformat(starts)
