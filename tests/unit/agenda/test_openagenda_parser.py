"""Unit tests of the agenda-openagenda parser: texts, categories, price, accessibility, timings, places, rejects."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from agenda_openagenda.parser import (
    categories_of,
    is_free,
    localized,
    occurrences_of,
    parse_event,
    parse_feed,
    plain_text,
)
from poche_common.errors import FeedFormatError


def raw_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "uid": 42,
        "slug": "concert-test",
        "originAgenda": {"uid": 1, "slug": "sortir-orne"},
        "title": {"fr": "Concert du soir", "en": "Evening concert"},
        "description": {"fr": "Court."},
        "keywords": {"fr": ["Concert"]},
        "timings": [{"begin": "2026-12-04T20:30:00+01:00", "end": "2026-12-04T22:00:00+01:00"}],
        "location": {"name": "Salle", "insee": "61001", "postalCode": "61000", "latitude": 48.43, "longitude": 0.09},
        "status": 1,
    }
    event.update(overrides)
    return event


def test_localized_prefers_french_then_any_language() -> None:
    assert localized({"en": "Hello", "fr": "Bonjour"}) == "Bonjour"
    assert localized({"en": "Hello", "fr": ""}) == "Hello"
    assert localized({"de": None, "it": "Ciao"}) == "Ciao"
    assert localized("plain") == "plain"
    assert localized({}) is None


def test_title_falls_back_to_another_language() -> None:
    assert parse_event(raw_event(title={"en": "Guided tour"})).title == "Guided tour"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Un <strong>concert</strong> &amp; un bal.</p><p>Fin.</p>", "Un concert & un bal.\n\nFin."),
        ("Ligne 1<br>Ligne 2", "Ligne 1\nLigne 2"),
        ("## Titre\n\nUn **gras** et [un lien](https://example.org).", "Titre\n\nUn gras et un lien."),
        ("   ", None),
    ],
)
def test_plain_text_drops_html_and_markdown(source: str, expected: str | None) -> None:
    assert plain_text({"fr": source}, 1000) == expected


def test_plain_text_is_bounded() -> None:
    text = plain_text("a" * 50, 10)
    assert text is not None and len(text) == 10 and text.endswith("…")


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        (["Concert"], ("concert",)),
        (["THÉÂTRE"], ("theatre",)),
        (["théatre", "Comédie"], ("theatre",)),
        (["Expo photo"], ("exposition",)),
        (["Marché de Noël"], ("marche",)),
        (["Marche nordique"], ("sport",)),
        (["Randonnée"], ("sport",)),
        (["Ciné-débat"], ("cinema", "conference")),
        (["Jeune public", "Atelier"], ("atelier", "jeune_public")),
        (["Spectacle jeune public"], ("jeune_public",)),
        (["Vide-grenier"], ("marche",)),
        (["Visite guidée"], ("visite",)),
        (["Bal folk"], ("danse",)),
        (["Fête de la musique"], ("concert", "festival")),
        (["Loto"], ("autre",)),
        ([], ("autre",)),
    ],
)
def test_keywords_become_category_codes(keywords: list[str], expected: tuple[str, ...]) -> None:
    assert categories_of(keywords) == expected


@pytest.mark.parametrize(
    ("conditions", "free"),
    [
        ("Gratuit", True),
        ("Entrée libre", True),
        ("ENTREE LIBRE ET GRATUITE", True),
        ("Accès libre, sans réservation", True),
        ("Gratuit sur réservation", True),
        ("5 € par personne, gratuit pour les moins de 12 ans", False),
        ("Plein tarif 22 €, réduit 12 €", False),
        ("Gratuit - adultes 3 euros", False),
        ("Participation libre", False),
        (None, False),
    ],
)
def test_free_is_detected_from_the_conditions(conditions: str | None, free: bool) -> None:
    assert is_free(conditions) is free


def test_event_fields() -> None:
    event = parse_event(
        raw_event(
            conditions={"fr": "Entrée libre"},
            age={"min": 4, "max": 8},
            accessibility={"hi": True, "vi": False, "pi": True, "mi": True, "ii": True},
            status=6,
            updatedAt="2026-11-20T10:00:00.000Z",
            image={"base": "https://cdn.openagenda.com/main/", "filename": "x.jpg"},
            longDescription={"fr": "<p>Long.</p>"},
        )
    )
    assert event.id == "openagenda:42"
    assert event.status == "cancelled"
    assert event.free is True and event.price == "Entrée libre"
    assert (event.age_min, event.age_max) == (4, 8)
    assert event.accessibility == ("hearing", "intellectual", "motor", "psychic")
    assert event.summary == "Court." and event.description == "Long."
    assert event.updated_at == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    assert event.url == "https://openagenda.com/sortir-orne/events/concert-test"
    assert event.image == "https://cdn.openagenda.com/main/x.jpg"
    assert event.location.commune == "61001" and event.location.lat == 48.43


@pytest.mark.parametrize(
    ("code", "status"),
    [(1, "scheduled"), (2, "rescheduled"), (3, "moved_online"), (4, "postponed"), (5, "full"), (6, "cancelled")],
)
def test_status_codes(code: int, status: str) -> None:
    assert parse_event(raw_event(status=code)).status == status


def test_timings_become_sorted_distinct_occurrences() -> None:
    occurrences = occurrences_of(
        [
            {"begin": "2026-12-05T14:00:00+01:00", "end": "2026-12-05T18:00:00+01:00"},
            {"begin": "2026-12-04T14:00:00.000+01:00", "end": "2026-12-04T18:00:00.000+01:00"},
            {"begin": "2026-12-05T13:00:00Z", "end": "2026-12-05T17:00:00Z"},  # same instant as the first
        ]
    )
    assert [o.begin.astimezone(dt.UTC).isoformat() for o in occurrences] == [
        "2026-12-04T13:00:00+00:00",
        "2026-12-05T13:00:00+00:00",
    ]


@pytest.mark.parametrize(
    ("timings", "reason"),
    [
        ([], "no timings"),
        (None, "no timings"),
        ([{"begin": "2026-12-04T20:00:00", "end": "2026-12-04T22:00:00"}], "invalid begin/end"),
        ([{"begin": "2026-12-04T22:00:00+01:00", "end": "2026-12-04T20:00:00+01:00"}], "ending before"),
        ([{"begin": "demain"}], "invalid begin/end"),
    ],
)
def test_unusable_timings_reject_the_event(timings: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_event(raw_event(timings=timings))


def test_commune_from_a_postcode_naming_one_commune_only() -> None:
    alone = parse_event(raw_event(location={"name": "Salle", "insee": None, "postalCode": "61790"}))
    assert alone.location.commune == "61447"  # Saint-Pierre-du-Regard
    shared = parse_event(raw_event(location={"name": "Salle", "postalCode": "61000"}))  # 3 communes
    assert shared.location.commune is None
    bad = parse_event(raw_event(location={"name": "Salle", "insee": "ABCDE", "postalCode": "nope"}))
    assert bad.location.commune is None


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"uid": None}, "uid"),
        ({"uid": "a b"}, "uid"),
        ({"title": {"fr": "  "}}, "no title"),
        ({"status": 9}, "unknown status"),
    ],
)
def test_malformed_events_are_rejected(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_event(raw_event(**overrides))


def test_feed_keeps_good_events_and_reports_bad_ones() -> None:
    data = json.dumps({"events": [raw_event(), raw_event(uid=43, timings=[]), "junk"], "complete": False}).encode()
    feed = parse_feed(data)
    assert [e.uid for e in feed.events] == ["42"]
    assert [(r.uid, r.reason) for r in feed.rejected] == [("43", "no timings"), (None, "not an object")]
    assert feed.read == 3 and feed.complete is False


@pytest.mark.parametrize("data", [b"<html>", b"[]", b'{"event": []}', b"\xff\xfe"])
def test_a_feed_that_is_not_an_events_page_is_a_format_error(data: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parse_feed(data)
