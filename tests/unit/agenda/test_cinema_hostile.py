"""Cinema sessions against hostile rows: a start out of bounds rejects its row (it raised OverflowError and
stopped the run), names and titles carry no markup (issue 9, defects 2 and 10)."""

from __future__ import annotations

import pytest

from agenda_cinema.parser import parse_feed

HEADER = "cinema_id,cinema_name,commune_insee,film_title,start,version"


def feed_of(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.mark.parametrize("start", ["0001-01-01 00:00", "9999-12-31 23:59", "1999-12-31 20:00", "2100-01-01 20:00"])
def test_a_start_out_of_bounds_rejects_its_row_only(start: str) -> None:
    feed = parse_feed(
        feed_of(
            f"planet,Cinéma Planet,61001,Mauvais,{start},VF",
            "planet,Cinéma Planet,61001,Bon,2026-12-02 20:30,VF",
        )
    )
    assert [s.film_title for s in feed.sessions] == ["Bon"]
    assert [line for line, _ in feed.rejected] == [2] and "bornes" in feed.rejected[0][1]
    assert None in feed.unsure_days  # the rejected row does not say a day it could keep


def test_names_and_titles_carry_no_markup_nor_control_characters() -> None:
    feed = parse_feed(feed_of("planet,<b>Cinéma</b> Planet,61001,&lt;i&gt;Film&lt;/i&gt;\x07,2026-12-02 20:30,VF"))
    [session] = feed.sessions
    assert feed.cinemas["planet"].name == "Cinéma Planet"
    assert session.film_title == "Film"
