"""Issue 9, defect 14: a notification says what the item says, for every topic the same way.

The notification's title names the topic (the school, the commune, the line); its body leads with the item's
own words — the notice's title, the article's headline, the traffic event's description, the alert's header —
bounded in length, then the details. Several items: their count, then their words. An event without titles
(sent before this change) keeps the former texts."""

from __future__ import annotations

from typing import Any

from notifications_match.topics import BODY_MAX, TITLE_MAX, topics
from poche_common import schools

RACINE = "0610003X"  # Collège Jean Racine, Alençon
ALENCON, ARGENTAN = "61001", "61006"


def notice(uai: str, title: str | None, kind: str = "timetable_change") -> dict[str, Any]:
    entry = {
        "uai": uai,
        "notice_id": f"n-{uai}-{title}",
        "kind": kind,
        "starts": "2026-12-03T14:00:00+00:00",
        "ends": "2026-12-03T16:30:00+00:00",
        "change": "created",
    }
    if title is not None:
        entry["title"] = title
    return entry


def test_a_school_notice_says_its_title() -> None:
    detail = {"origin": "school", "uais": [RACINE], "notices": [notice(RACINE, "Sortie avancée à 15h")]}
    [topic] = topics("SchoolNoticePublished", "poche.schools", detail)
    assert topic.title == "Collège Jean Racine : nouvelle information"
    assert topic.body == (
        "Sortie avancée à 15h — Changement d'emploi du temps, du 03/12/2026 à 15:00 au 03/12/2026 à 17:30."
    )


def test_several_notices_of_a_school_say_their_titles() -> None:
    detail = {
        "origin": "school",
        "uais": [RACINE],
        "notices": [notice(RACINE, "Sortie avancée à 15h"), notice(RACINE, "Grève jeudi", kind="strike")],
    }
    [topic] = topics("SchoolNoticePublished", "poche.schools", detail)
    assert topic.body == "2 nouvelles informations : Sortie avancée à 15h · Grève jeudi"


def test_a_departement_emergency_says_its_title() -> None:
    every = sorted(s.uai for s in schools.all_schools())
    detail = {
        "origin": "departement",
        "uais": every,
        "notices": [notice(uai, "Transports scolaires suspendus (neige)", "transport_suspended") for uai in every],
    }
    emergency = next(t for t in topics("SchoolNoticePublished", "poche.schools", detail) if t.kind == "emergency")
    assert emergency.title == "Alerte du Département de l'Orne"
    assert emergency.body.startswith("Transports scolaires suspendus (neige) — Transports scolaires suspendus, du ")
    assert emergency.body.endswith("Tous les établissements sont concernés.")


def test_a_news_article_says_its_headline() -> None:
    detail = {
        "tags": [ALENCON],
        "items": [{"id": "a", "change": "created", "tags": [ALENCON], "title": "Le marché de Noël ouvre samedi"}],
    }
    [topic] = topics("NewsPublished", "poche.news", detail)
    assert (topic.title, topic.body) == ("Actualités : Alençon", "Le marché de Noël ouvre samedi")


def test_several_articles_say_their_headlines_per_commune() -> None:
    detail = {
        "tags": ["general", ALENCON, ARGENTAN],
        "items": [
            {"id": "a", "change": "created", "tags": ["general", ALENCON], "title": "Cross départemental"},
            {"id": "b", "change": "tagged", "tags": [ALENCON, ARGENTAN], "title": "Travaux rue aux Sieurs"},
        ],
    }
    alencon, argentan = topics("NewsPublished", "poche.news", detail)
    assert alencon.body == "2 nouveaux articles : Cross départemental · Travaux rue aux Sieurs"
    assert argentan.body == "Travaux rue aux Sieurs"


def test_a_traffic_event_says_what_it_is() -> None:
    detail = {
        "communes": [ALENCON],
        "truncated": False,
        "changes": [
            {
                "id": "e1",
                "change": "created",
                "type": "closure",
                "communes": [ALENCON],
                "title": "Route fermée : D438 entre Sées et Macé",
            }
        ],
    }
    [topic] = topics("TrafficEventsUpdated", "poche.traffic", detail)
    assert (topic.title, topic.body) == ("Info trafic : Alençon", "Route fermée : D438 entre Sées et Macé")


def test_a_transit_alert_says_its_header() -> None:
    detail = {
        "alert_changes": [
            {"alert_id": "neige", "change": "created", "title": "Neige : service réduit"},
            {"alert_id": "travaux", "change": "updated", "route_ids": ["L30"], "title": "Arrêt Gare déplacé"},
        ],
        "alert_routes": {"neige": ["L20"]},
    }
    l20, l30 = topics("RealtimeUpdated", "poche.transit", detail)
    assert (l20.title, l20.body) == ("Ligne L20 : perturbation", "Neige : service réduit")
    assert l30.body == "Alerte modifiée : Arrêt Gare déplacé"


def test_titles_are_bounded_and_one_line_whatever_the_event_carries() -> None:
    long = "Réunion parents-professeurs\n" + "très " * 200 + "importante\x00\u202e"
    detail = {"origin": "school", "uais": [RACINE], "notices": [notice(RACINE, long)]}
    [topic] = topics("SchoolNoticePublished", "poche.schools", detail)
    assert len(topic.title) <= TITLE_MAX and len(topic.body) <= BODY_MAX
    assert "\n" not in topic.body and "\x00" not in topic.body and "\u202e" not in topic.body
    assert topic.body.startswith("Réunion parents-professeurs très") and "…" in topic.body
    news = {"tags": [ALENCON], "items": [{"id": "a", "change": "created", "tags": [ALENCON], "title": long}]}
    [article] = topics("NewsPublished", "poche.news", news)
    assert len(article.body) <= BODY_MAX and article.body.endswith("…")


def test_events_without_titles_keep_the_former_texts() -> None:
    detail = {"origin": "school", "uais": [RACINE], "notices": [notice(RACINE, None, kind="closure")]}
    [topic] = topics("SchoolNoticePublished", "poche.schools", detail)
    assert topic.body == "Fermeture de l'établissement, du 03/12/2026 à 15:00 au 03/12/2026 à 17:30."
    blank = {"origin": "school", "uais": [RACINE], "notices": [notice(RACINE, "  \n ", kind="closure")]}
    assert topics("SchoolNoticePublished", "poche.schools", blank)[0].body == topic.body
