"""Which topics a domain event concerns, and the French notification of each (no personal data).

Events (`detail-type` on the bus, the facts their publishers put in `detail`):
- `poche.schools` `SchoolNoticePublished`: `school/<uai>` for each notice's school; a notice of the
  Département (`origin: departement`) published for every school of the territory is also `emergency`.
- `poche.news` `NewsPublished`: `news/<INSEE>` for each commune tag of its articles.
- `poche.traffic` `TrafficEventsUpdated`: `traffic/<INSEE>` of the communes of created or updated events.
- `poche.transit` `RealtimeUpdated`: `route/<route_id>` of the routes of created or updated alerts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from poche_common import communes, schools
from poche_common.clock import PARIS

KINDS = ("school", "route", "traffic", "news", "emergency")
ANNOUNCED = ("created", "updated")


@dataclass(frozen=True)
class Topic:
    """One topic an event concerns, and what its subscribers are told."""

    kind: str
    topic_id: str | None
    title: str
    body: str
    url: str


def event_envelope(event: dict[str, Any]) -> dict[str, Any]:
    """The event's stable id (the publisher's, else EventBridge's) and when it happened (UTC ISO)."""
    detail = event.get("detail") or {}
    return {
        "event_id": str(detail.get("id") or event["id"]),
        "occurred_at": str(detail.get("occurred_at") or event.get("time")),
    }


def topics(detail_type: str, source: str, detail: dict[str, Any]) -> list[Topic]:
    """The topics of one bus event (empty for an event nobody subscribes to)."""
    builder = _BUILDERS.get((source, detail_type))
    return builder(detail) if builder else []


def _commune_name(insee: str) -> str:
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


def _notice_text(notice: dict[str, Any]) -> str:
    label = schools.NOTICE_KINDS.get(str(notice.get("kind")), "Information")
    starts, ends = _when(notice.get("starts")), _when(notice.get("ends"))
    if starts and ends:
        return f"{label}, du {starts} au {ends}."
    return f"{label}."


def _school_topics(detail: dict[str, Any]) -> list[Topic]:
    notices = [n for n in detail.get("notices", []) if n.get("change", "created") in ANNOUNCED and n.get("uai")]
    uais = sorted({str(n["uai"]) for n in notices} | {str(u) for u in detail.get("uais", [])})
    by_school: dict[str, list[dict[str, Any]]] = {}
    for notice in notices:
        by_school.setdefault(str(notice["uai"]), []).append(notice)
    found: list[Topic] = []
    for uai in uais:
        school = schools.get(uai)
        name = school.name if school else uai
        listed = by_school.get(uai, [])
        body = _notice_text(listed[0]) if len(listed) == 1 else "De nouvelles informations ont été publiées."
        found.append(Topic("school", uai, f"{name} : nouvelle information", body, f"/v1/schools/{uai}/notices"))
    territory = {school.uai for school in schools.all_schools()}
    if detail.get("origin") == "departement" and territory and territory <= set(uais) and uais:
        body = (_notice_text(notices[0]) if notices else "Information du Département.") + (
            " Tous les établissements sont concernés."
        )
        url = f"/v1/schools/{uais[0]}/notices"
        found.append(Topic("emergency", None, "Alerte du Département de l'Orne", body, url))
    return found


def _news_topics(detail: dict[str, Any]) -> list[Topic]:
    counts: dict[str, int] = {}
    for item in detail.get("items", []):
        if item.get("change", "created") not in ("created", "tagged"):
            continue
        for tag in item.get("tags", []):
            counts[str(tag)] = counts.get(str(tag), 0) + 1
    for tag in detail.get("tags", []):
        counts.setdefault(str(tag), 1)
    return [
        Topic(
            "news",
            code,
            f"Actualités : {_commune_name(code)}",
            _plural(count, "Un nouvel article a été publié.", "nouveaux articles ont été publiés."),
            f"/v1/news?commune={code}",
        )
        for code, count in sorted(counts.items())
        if communes.get(code) is not None  # `general` and other tags are not communes
    ]


def _traffic_topics(detail: dict[str, Any]) -> list[Topic]:
    counts: dict[str, int] = {}
    for change in detail.get("changes", []):
        if change.get("change") in ANNOUNCED:
            for code in change.get("communes", []):
                counts[str(code)] = counts.get(str(code), 0) + 1
    if detail.get("truncated"):  # the changes listed are the first ones only: every commune named is included
        for code in detail.get("communes", []):
            counts.setdefault(str(code), 1)
    return [
        Topic(
            "traffic",
            code,
            f"Info trafic : {_commune_name(code)}",
            _plural(count, "Un évènement de circulation est signalé.", "évènements de circulation sont signalés."),
            f"/v1/traffic/events?commune={code}",
        )
        for code, count in sorted(counts.items())
    ]


def _route_topics(detail: dict[str, Any]) -> list[Topic]:
    routes_of: dict[str, list[str]] = {str(k): list(v) for k, v in (detail.get("alert_routes") or {}).items()}
    changes: dict[str, set[str]] = {}
    for entry in detail.get("alert_changes", []):
        if entry.get("change") not in ANNOUNCED:
            continue
        for route_id in entry.get("route_ids") or routes_of.get(str(entry.get("alert_id")), []):
            changes.setdefault(str(route_id), set()).add(str(entry["change"]))
    return [
        Topic(
            "route",
            route_id,
            f"Ligne {route_id} : perturbation",
            "Une nouvelle alerte concerne cette ligne." if "created" in seen else "Une alerte de cette ligne a changé.",
            f"/v1/transit/alerts?route={route_id}",
        )
        for route_id, seen in sorted(changes.items())
    ]


_BUILDERS = {
    ("poche.schools", "SchoolNoticePublished"): _school_topics,
    ("poche.news", "NewsPublished"): _news_topics,
    ("poche.traffic", "TrafficEventsUpdated"): _traffic_topics,
    ("poche.transit", "RealtimeUpdated"): _route_topics,
}
