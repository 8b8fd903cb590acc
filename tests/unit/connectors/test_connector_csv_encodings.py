"""The cinema sessions and school notices CSV feeds decode as every CSV feed (`poche_common.csvfeed`, the canteen
feed's rules): UTF-16 with its BOM, UTF-8 with or without BOM, Windows-1252; a binary or an HTML page is refused
with a reason in French."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from agenda_cinema import parser as cinema
from poche_common.errors import FeedFormatError
from schools_notices_csv import parser as notices

CINEMA = (
    "cinema_id;cinema_name;commune_insee;film_title;start;version\n"
    "planet-alencon;Cinéma Planet;61001;Le Cœur à l'été;2026-12-02 20:30;VF\n"
)
NOTICES = (
    "reference;target;kind;title;body;starts;ends\n"
    "r1;0610003X;closure;Fermeture exceptionnelle;Le collège est fermé à l'après-midi.;"
    "2026-12-14T00:00:00+01:00;2026-12-14T23:59:00+01:00\n"
)
ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "utf-16": lambda text: text.encode("utf-16"),  # with its BOM, as spreadsheets export "Unicode text"
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: text.encode("utf-8-sig"),
    "cp1252": lambda text: text.encode("cp1252"),
}


def cinema_texts(data: bytes) -> tuple[str, str]:
    feed = cinema.parse_feed(data)
    (session,) = feed.sessions
    return feed.cinemas["planet-alencon"].name, session.film_title


def notice_texts(data: bytes) -> tuple[str, str]:
    (row,) = notices.parse_feed(data).rows
    return row.title, row.body


FEEDS: dict[str, tuple[str, Callable[[bytes], Any], tuple[str, str]]] = {
    "cinema": (CINEMA, cinema_texts, ("Cinéma Planet", "Le Cœur à l'été")),
    "notices": (NOTICES, notice_texts, ("Fermeture exceptionnelle", "Le collège est fermé à l'après-midi.")),
}


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_each_encoding_reads_the_same_text(feed: str, encoding: str) -> None:
    text, read, expected = FEEDS[feed]
    assert read(ENCODINGS[encoding](text)) == expected


@pytest.mark.parametrize("feed", FEEDS)
def test_decomposed_accents_of_a_macos_export_are_composed(feed: str) -> None:
    text, read, expected = FEEDS[feed]
    assert read(unicodedata.normalize("NFD", text).encode()) == expected


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x00\x01\x02binary\x00", "pas un fichier texte"),
        (b"<!DOCTYPE html><html><body>Erreur</body></html>", "page HTML"),
        (b"", "vide"),
    ],
    ids=["binary", "html-page", "empty"],
)
def test_a_file_that_is_no_csv_text_is_refused_in_french(feed: str, data: bytes, words: str) -> None:
    _, read, _ = FEEDS[feed]
    with pytest.raises(FeedFormatError, match=words):
        read(data)


def test_the_notice_dates_survive_any_encoding() -> None:
    (row,) = notices.parse_feed(NOTICES.encode("utf-16")).rows
    assert row.starts == dt.datetime(2026, 12, 14, tzinfo=dt.timezone(dt.timedelta(hours=1)))
