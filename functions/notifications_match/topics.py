"""Which topics a domain event concerns, and the French notification of each (no personal data).

Events (`detail-type` on the bus, the facts their publishers put in `detail`, defined in `poche_common.eventtypes`):
- `poche.schools` `SchoolNoticePublished`: `school/<uai>` for each notice's school; a notice of the
  Département (`origin: departement`) published for every school of the territory is also `emergency`.
- `poche.news` `NewsPublished`: `news/<INSEE>` for each commune tag of its articles.
- `poche.traffic` `TrafficEventsUpdated`: `traffic/<INSEE>` of the communes of created or updated events.
- `poche.transit` `RealtimeUpdated`: `route/<route_id>` of the routes of created or updated alerts.
- `poche.payments` `PaymentSucceeded` / `PaymentFailed` of a signed-in payer (`payer`): `payment`, told to that
  payer only (the topic names its one recipient: nobody subscribes to another person's payments).

Every topic says the item the same way (issue 9): the title names the topic (the school, the commune, the
line); the body leads with the item's own words — a notice's `title`, an article's `title` (headline), a
traffic event's `title` (its description), an alert's `title` (header) — then the details; several items,
their count then their words. Texts are one line, bounded (`TITLE_MAX`, `BODY_MAX`) whatever the event
carries; an event without titles keeps the generic texts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from poche_common.clock import PARIS
from poche_common.events import headline
from poche_common.eventtypes import (
    AlertChange,
    NewsPublishedFacts,
    NoticeEntry,
    PaymentFacts,
    RealtimeUpdatedFacts,
    SchoolNoticeFacts,
    TrafficEventsUpdatedFacts,
)

KINDS = ("school", "route", "traffic", "news", "emergency", "payment")
ANNOUNCED = ("created", "updated")
TITLE_MAX = 120  # characters of a notification's title
BODY_MAX = 240  # ... and of its body (a push shows two to four lines)
ITEM_MAX = 120  # characters of one item's words in a body


@dataclass(frozen=True)
class Topic:
    """One topic an event concerns, and what its subscribers are told."""

    kind: str
    topic_id: str | None
    title: str
    body: str
    url: str
    payer: str | None = None  # a personal topic: its one recipient (the `sub`), instead of the subscribers


def event_envelope(event: dict[str, Any]) -> dict[str, Any]:
    """The event's stable id (the publisher's, else EventBridge's) and when it happened (UTC ISO)."""
    detail = event.get("detail") or {}
    return {
        "event_id": str(detail.get("id") or event["id"]),
        "occurred_at": str(detail.get("occurred_at") or event.get("time")),
    }


def concerns(detail_type: str, source: str) -> bool:
    """Whether events of this source and detail-type may have topics."""
    return (source, detail_type) in _BUILDERS


def topics(detail_type: str, source: str, detail: Mapping[str, Any]) -> list[Topic]:
    """The topics of one bus event (empty for an event nobody subscribes to). `detail` is what its definition
    (`poche_common.eventtypes`) says: the matcher checks it first (`eventtypes.read`), and reads it without
    defaults."""
    builder = _BUILDERS.get((source, detail_type))
    return builder(detail) if builder else []


def _commune_name(insee: str) -> str:
    from poche_common import communes  # on first use: an event of another kind never loads it

    commune = communes.get(insee)
    return commune.name if commune else insee


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else f"{count} {many}"


def _when(value: Any) -> str | None:
    """`lundi 30/11 à 08:00`-like Europe/Paris wall-clock text of an ISO time (None if not one)."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.strftime("%d/%m/%Y")
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")


def _words(entry: Mapping[str, Any]) -> str | None:
    """An item's own words (its `title` in the event), one bounded line, or None."""
    return headline(entry.get("title"), ITEM_MAX)


def _said(count: int, many: str, words: list[str], fallback: str) -> str:
    """The body for `count` items: the one item's words; `<count> <many> : words · words …`; or `fallback` when the
    event carries no words."""
    if not words:
        return fallback
    if count == 1:
        return _bounded(words[0], BODY_MAX)
    return _bounded(f"{count} {many} : " + " · ".join(words), BODY_MAX)


def _bounded(text: str, limit: int) -> str:
    return headline(text, limit) or text[:limit]


def _topic(kind: str, topic_id: str | None, title: str, body: str, url: str) -> Topic:
    return Topic(kind, topic_id, _bounded(title, TITLE_MAX), _bounded(body, BODY_MAX), url)


def _notice_text(notice: NoticeEntry) -> str:
    from poche_common import schools  # on first use: an event of another kind never loads it

    label = schools.NOTICE_KINDS.get(notice["kind"], "Information")  # a kind this version does not know yet
    starts, ends = _when(notice["starts"]), _when(notice["ends"])
    details = f"{label}, du {starts} au {ends}." if starts and ends else f"{label}."
    words = _words(notice)
    return f"{words} — {details}" if words else details


def _school_topics(detail: SchoolNoticeFacts) -> list[Topic]:
    from poche_common import schools  # on first use: an event of another kind never loads it

    notices = [n for n in detail["notices"] if n["change"] in ANNOUNCED and n["uai"]]
    uais = sorted({n["uai"] for n in notices} | set(detail["uais"]))
    by_school: dict[str, list[NoticeEntry]] = {}
    for notice in notices:
        by_school.setdefault(notice["uai"], []).append(notice)
    found: list[Topic] = []
    for uai in uais:
        school = schools.get(uai)
        name = school.name if school else uai
        listed = by_school.get(uai, [])
        if len(listed) == 1:
            body = _notice_text(listed[0])
        else:
            words = [w for w in map(_words, listed) if w]
            body = _said(len(listed), "nouvelles informations", words, "De nouvelles informations ont été publiées.")
        found.append(_topic("school", uai, f"{name} : nouvelle information", body, f"/v1/schools/{uai}/notices"))
    territory = {school.uai for school in schools.all_schools()}
    if detail["origin"] == "departement" and territory and territory <= set(uais) and uais:
        body = (_notice_text(notices[0]) if notices else "Information du Département.") + (
            " Tous les établissements sont concernés."
        )
        url = f"/v1/schools/{uais[0]}/notices"
        found.append(_topic("emergency", None, "Alerte du Département de l'Orne", body, url))
    return found


def _news_topics(detail: NewsPublishedFacts) -> list[Topic]:
    from poche_common import communes  # on first use: an event of another kind never loads it

    counts: dict[str, int] = {}
    words: dict[str, list[str]] = {}
    for item in detail["items"]:
        if item["change"] not in ("created", "tagged"):
            continue
        for tag in item["tags"]:
            counts[tag] = counts.get(tag, 0) + 1
            if _words(item):
                words.setdefault(tag, []).append(str(_words(item)))
    for tag in detail["tags"]:
        counts.setdefault(tag, 1)
    return [
        _topic(
            "news",
            code,
            f"Actualités : {_commune_name(code)}",
            _said(
                count,
                "nouveaux articles",
                words.get(code, []),
                _plural(count, "Un nouvel article a été publié.", "nouveaux articles ont été publiés."),
            ),
            f"/v1/news?commune={code}",
        )
        for code, count in sorted(counts.items())
        if communes.get(code) is not None  # `general` and other tags are not communes
    ]


def _traffic_topics(detail: TrafficEventsUpdatedFacts) -> list[Topic]:
    counts: dict[str, int] = {}
    words: dict[str, list[str]] = {}
    for change in detail["changes"]:
        if change["change"] in ANNOUNCED:
            for code in change["communes"]:
                counts[code] = counts.get(code, 0) + 1
                if _words(change):
                    words.setdefault(code, []).append(str(_words(change)))
    if detail["truncated"]:  # the changes listed are the first ones only: every commune named is included
        for code in detail["communes"]:
            counts.setdefault(code, 1)
    return [
        _topic(
            "traffic",
            code,
            f"Info trafic : {_commune_name(code)}",
            _said(
                count,
                "évènements de circulation",
                words.get(code, []),
                _plural(count, "Un évènement de circulation est signalé.", "évènements de circulation sont signalés."),
            ),
            f"/v1/traffic/events?commune={code}",
        )
        for code, count in sorted(counts.items())
    ]


def _route_topics(detail: RealtimeUpdatedFacts) -> list[Topic]:
    # Absent from SIRI Lite's events (no alerts): no alert, no route.
    routes_of = detail.get("alert_routes", {})
    changes: dict[str, set[str]] = {}
    alerts: dict[str, list[AlertChange]] = {}
    for entry in detail.get("alert_changes", []):
        if entry["change"] not in ANNOUNCED:
            continue
        # `route_ids`: events of before `alert_routes`; an alert of no route (a stop's) concerns no route topic.
        for route_id in entry.get("route_ids") or routes_of.get(entry["alert_id"], []):
            changes.setdefault(route_id, set()).add(entry["change"])
            alerts.setdefault(route_id, []).append(entry)
    return [
        _topic(
            "route",
            route_id,
            f"Ligne {route_id} : perturbation",
            _alert_text(alerts[route_id], seen),
            f"/v1/transit/alerts?route={route_id}",
        )
        for route_id, seen in sorted(changes.items())
    ]


def _alert_text(entries: list[AlertChange], seen: set[str]) -> str:
    generic = (
        "Une nouvelle alerte concerne cette ligne." if "created" in seen else "Une alerte de cette ligne a changé."
    )
    words = [w for w in map(_words, entries) if w]
    if len(entries) == 1 and words and entries[0]["change"] == "updated":
        return _bounded(f"Alerte modifiée : {words[0]}", BODY_MAX)
    return _said(len(entries), "alertes", words, generic)


def _euros(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", "\u202f") + f",{cents % 100:02d} €"


def _payment_topics(succeeded: bool) -> Callable[[PaymentFacts], list[Topic]]:
    def build(detail: PaymentFacts) -> list[Topic]:
        payer = detail.get("payer")
        if not payer:  # an anonymous payer has PayFiP's e-mail ticket, and no inbox
            return []
        what = f"{_euros(detail['amount_cents'])} (créance {detail['refdet']} de {detail['exer']})"
        if succeeded:
            title, body = "Paiement reçu", f"Votre paiement de {what} est enregistré. Merci !"
        else:
            title, body = "Paiement refusé", f"Votre paiement de {what} a été refusé : la créance reste à payer."
        url = f"/v1/payments/{detail['payment_id']}"
        return [Topic("payment", None, title, _bounded(body, BODY_MAX), url, payer=payer)]

    return build


_BUILDERS: dict[tuple[str, str], Callable[[Any], list[Topic]]] = {
    ("poche.schools", "SchoolNoticePublished"): _school_topics,
    ("poche.news", "NewsPublished"): _news_topics,
    ("poche.traffic", "TrafficEventsUpdated"): _traffic_topics,
    ("poche.transit", "RealtimeUpdated"): _route_topics,
    ("poche.payments", "PaymentSucceeded"): _payment_topics(succeeded=True),
    ("poche.payments", "PaymentFailed"): _payment_topics(succeeded=False),
}
