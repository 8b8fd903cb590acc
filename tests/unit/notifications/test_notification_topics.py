"""Which topics each bus event concerns, and the French text sent to their subscribers."""

from __future__ import annotations

from typing import Any

from notifications_match.topics import Topic, topics
from poche_common import schools

RACINE = "0610003X"  # Collège Jean Racine, Alençon
ALENCON, ARGENTAN = "61001", "61006"


def school_event(uais: list[str], origin: str = "school", kind: str = "closure") -> dict[str, Any]:
    notices = [
        {
            "uai": uai,
            "notice_id": f"n-{uai}",
            "kind": kind,
            "starts": "2026-11-30T07:00:00+00:00",
            "ends": "2026-11-30T17:00:00+00:00",
            "change": "created",
        }
        for uai in uais
    ]
    return {"origin": origin, "uais": uais, "notices": notices[:50], "truncated": len(notices) > 50}


def keys(found: list[Topic]) -> list[tuple[str, str | None]]:
    return [(t.kind, t.topic_id) for t in found]


def test_a_school_notice_concerns_its_school_with_a_french_text_and_the_notices_url() -> None:
    [topic] = topics("SchoolNoticePublished", "poche.schools", school_event([RACINE]))
    assert (topic.kind, topic.topic_id) == ("school", RACINE)
    assert topic.title == "Collège Jean Racine : nouvelle information"
    assert topic.body == "Fermeture de l'établissement, du 30/11/2026 à 08:00 au 30/11/2026 à 18:00."
    assert topic.url == f"/v1/schools/{RACINE}/notices"


def test_a_departement_notice_for_every_school_is_also_an_emergency() -> None:
    every = sorted(s.uai for s in schools.all_schools())
    found = topics("SchoolNoticePublished", "poche.schools", school_event(every, "departement", "strike"))
    assert ("emergency", None) in keys(found)
    assert len([t for t in found if t.kind == "school"]) == len(every)
    emergency = next(t for t in found if t.kind == "emergency")
    assert emergency.title == "Alerte du Département de l'Orne" and "Grève" in emergency.body

    some = topics("SchoolNoticePublished", "poche.schools", school_event(every[:3], "departement"))
    assert ("emergency", None) not in keys(some)
    by_a_school = topics("SchoolNoticePublished", "poche.schools", school_event(every, "school"))
    assert ("emergency", None) not in keys(by_a_school)


def test_news_concern_the_communes_of_their_tags_not_general() -> None:
    detail = {
        "item_ids": ["a", "b"],
        "tags": ["general", ALENCON, ARGENTAN],
        "items": [
            {"id": "a", "change": "created", "tags": ["general", ALENCON]},
            {"id": "b", "change": "tagged", "tags": [ALENCON, ARGENTAN]},
        ],
    }
    found = topics("NewsPublished", "poche.news", detail)
    assert keys(found) == [("news", ALENCON), ("news", ARGENTAN)]
    assert found[0].title == "Actualités : Alençon"
    assert found[0].body == "2 nouveaux articles ont été publiés."
    assert found[1].body == "Un nouvel article a été publié."
    assert found[0].url == f"/v1/news?commune={ALENCON}"


def test_traffic_concerns_the_communes_of_created_and_updated_events_only() -> None:
    detail = {
        "event_ids": ["e1", "e2", "e3"],
        "communes": [ALENCON, ARGENTAN, "61214"],
        "changes": [
            {"id": "e1", "change": "created", "communes": [ALENCON]},
            {"id": "e2", "change": "updated", "communes": [ALENCON, ARGENTAN]},
            {"id": "e3", "change": "deleted", "communes": ["61214"]},
        ],
        "truncated": False,
    }
    found = topics("TrafficEventsUpdated", "poche.traffic", detail)
    assert keys(found) == [("traffic", ALENCON), ("traffic", ARGENTAN)]
    assert found[0].body == "2 évènements de circulation sont signalés."
    assert found[0].url == f"/v1/traffic/events?commune={ALENCON}"


def test_transit_alerts_concern_the_routes_of_new_or_updated_alerts() -> None:
    detail = {
        "alert_changes": [
            {"alert_id": "neige", "change": "created"},
            {"alert_id": "travaux", "change": "updated", "route_ids": ["L30"]},
            {"alert_id": "fini", "change": "deleted"},
        ],
        "alert_routes": {"neige": ["L20", "L21"]},
    }
    found = topics("RealtimeUpdated", "poche.transit", detail)
    assert keys(found) == [("route", "L20"), ("route", "L21"), ("route", "L30")]
    assert found[0].title == "Ligne L20 : perturbation"
    assert found[0].body == "Une nouvelle alerte concerne cette ligne."
    assert found[2].body == "Une alerte de cette ligne a changé."
    assert found[0].url == "/v1/transit/alerts?route=L20"


def test_events_nobody_subscribes_to_have_no_topic() -> None:
    assert topics("SchoolNoticeWithdrawn", "poche.schools", school_event([RACINE])) == []
    assert topics("RealtimeUpdated", "poche.transit", {"trips": {"created": 3}, "alert_changes": []}) == []
    assert topics("NewsPublished", "poche.traffic", {"tags": [ALENCON]}) == []
