"""Parse a SIRI Lite StopMonitoring answer (JSON) into real-time trips, in the shape of docs/transit-model.md.

`Siri.ServiceDelivery.StopMonitoringDelivery[].MonitoredStopVisit[]`: each visit is one vehicle
journey at one stop. Visits are grouped by trip (`FramedVehicleJourneyRef.DatedVehicleJourneyRef`)
and service date (`DataFrameRef` when it is a date), one update per stop
(`MonitoredCall.StopPointRef`, else the visit's `MonitoringRef`) with the absolute expected (or
actual) times. Identifiers are normalised to GTFS ids: `ORNE:StopPoint:Q:sees-cathedrale:LOC` ->
`sees-cathedrale` (see `gtfs_id`).

JSON producers write references either as plain strings or as `{"value": "..."}` objects (the
XML-to-JSON mapping of the French profile): both are read. Standard library only (no protobuf).

Whole-answer problems raise `FeedFormatError`: not JSON (or JSON nested deeper than
`poche_common.safejson.MAX_FEED_DEPTH`), not a SIRI ServiceDelivery, no StopMonitoringDelivery, every
delivery in error. A bad visit is rejected with a French reason: among others a time outside 2000..2100
(`poche_common.bounds`) or a trip or stop id that cannot be a key (`poche_common.bounds.check_id`: too long,
control characters).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from poche_common import safejson
from poche_common.bounds import check_date, check_id, check_moment, excerpt, is_id
from poche_common.errors import FeedFormatError

__all__ = ["ParsedFeed", "Rejection", "TripRealtime", "gtfs_id", "merge_trips", "parse_feed"]

SOURCE = "siri-lite"
PARIS = ZoneInfo("Europe/Paris")
SERVICE_DAY_CHANGE = dt.timedelta(hours=3)  # before 03:00 (Paris), a trip belongs to the previous day's service
MAX_ORDER_DIGITS = 9
# Object types of the SIRI / NeTEx French profile references `<codespace>:<type>:<qualifier>:<id>:<LOC>`
OBJECT_TYPES = {
    "stoppoint",
    "quay",
    "stoparea",
    "stopplace",
    "vehiclejourney",
    "servicejourney",
    "datedvehiclejourney",
    "line",
    "dataframe",
    "vehicle",
    "operator",
    "journeypattern",
    "route",
}
QUALIFIERS = {"", "q", "bp", "sp", "loc"}
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})\Z")


@dataclass(frozen=True, slots=True)
class TripRealtime:
    """`TRIP#<trip_id> / RT#<service_date>`, source siri-lite."""

    trip_id: str
    service_date: str  # YYYY-MM-DD
    cancelled: bool
    vehicle_id: str | None
    updates: list[dict[str, Any]]  # [{stop_id, arrival_time?, departure_time?, skipped}], times UTC ISO
    feed_timestamp: str


@dataclass(frozen=True, slots=True)
class Rejection:
    visit: str  # "livraison 1, passage 3" (1-based), or "livraison 2" for a whole delivery
    reason: str  # French
    trip_id: str | None = None  # what it was about, when known: its stored last good version is kept

    def as_dict(self) -> dict[str, str]:
        return {"visit": self.visit, "reason": self.reason}


@dataclass
class ParsedFeed:
    timestamp: str | None  # ServiceDelivery.ResponseTimestamp, UTC ISO
    feed_timestamp: str = ""  # timestamp, else when the answer was received
    visits: int = 0  # MonitoredStopVisit read
    without_realtime: int = 0  # visits with aimed times only: nothing to store
    visits_rejected: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    groups: dict[tuple[str, str], _Trip] = field(default_factory=dict)  # (trip_id, service_date) -> its calls

    @property
    def trips(self) -> list[TripRealtime]:
        return merge_trips([self])


def merge_trips(feeds: Sequence[ParsedFeed]) -> list[TripRealtime]:
    """The trips of one or several answers (e.g. one URL per monitored stop), one per (trip, service date).

    A trip seen at several stops gets one update per stop; the same call seen twice keeps its
    latest `RecordedAtTime`."""
    merged: dict[tuple[str, str], _Trip] = {}
    stamps: dict[tuple[str, str], str] = {}
    for feed in feeds:
        for key, group in feed.groups.items():
            trip = merged.setdefault(key, _Trip(group.trip_id, group.service_date))
            trip.cancelled = trip.cancelled or group.cancelled
            trip.vehicle_id = trip.vehicle_id or group.vehicle_id
            for call in group.calls.values():
                trip.add(call)
            stamps[key] = max(stamps.get(key, ""), feed.feed_timestamp)
    return [trip.build(stamps[key]) for key, trip in merged.items()]


class _VisitError(ValueError):
    """A visit cannot be used; the message is the French reason."""


# ---------------------------------------------------------------- values


def _text(value: Any) -> str | None:
    """A SIRI Lite scalar: `"x"`, `{"value": "x"}`, or a list of those (names: the first one)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return value.strip() if isinstance(value, str) else None


def gtfs_id(value: Any) -> str | None:
    """The GTFS id inside a SIRI reference, when it is a usable id (`poche_common.bounds.check_id`).

    `STIF:StopPoint:Q:41178:` -> `41178`; `ORNE:VehicleJourney::1-sem-003:LOC` -> `1-sem-003`;
    `FR::Quay:50089206:FR1` -> `50089206`; a plain id (`sees-cathedrale`) is kept as it is.
    """
    text = _reference(value)
    return text if text is not None and is_id(text) else None


def _reference(value: Any) -> str | None:
    """The id part of a SIRI reference, not yet checked; None when there is none."""
    text = _text(value)
    if not text:
        return None
    parts = text.split(":")
    if len(parts) >= 3:
        types = [n for n, part in enumerate(parts) if part.lower() in OBJECT_TYPES]
        if types:
            rest = [part for part in parts[types[0] + 1 :] if part.lower() not in QUALIFIERS]
            text = rest[0] if rest else ""
        else:
            rest = [part for part in parts if part.lower() not in QUALIFIERS]
            text = rest[-1] if rest else ""
    return text.strip() or None


def _ident(value: Any, what: str) -> str | None:
    """The checked GTFS id of a reference; None when there is none; `_VisitError` when it cannot be a key."""
    text = _reference(value)
    if text is None:
        return None
    try:
        return check_id(text, what)
    except ValueError as exc:
        raise _VisitError(f"{exc}.") from None


def _moment(value: Any, what: str) -> dt.datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _VisitError(f"{what} « {excerpt(text, 40)} » n'est pas une date-heure ISO 8601.") from None
    try:  # xsd:dateTime without offset: local time of the network
        return check_moment(moment, what, zone=PARIS)
    except ValueError as exc:
        raise _VisitError(f"{exc}.") from None


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _service_date(frame: Any, moments: list[dt.datetime]) -> str | None:
    raw = gtfs_id(frame)
    match = _DATE.match(raw) if raw else None
    if match:
        try:
            return check_date(dt.date(int(match[1]), int(match[2]), int(match[3]))).isoformat()
        except ValueError:
            pass  # not a date, or out of bounds: the times tell
    if not moments:
        return None
    day = (min(moments).astimezone(PARIS) - SERVICE_DAY_CHANGE).date()
    try:
        return check_date(day, "date de service").isoformat()
    except ValueError as exc:  # a time in the first hours of 2000: the service day would be 1999-12-31
        raise _VisitError(f"{exc}.") from None


# ---------------------------------------------------------------- the answer


def _document(data: bytes) -> dict[str, Any]:
    if not data.strip():
        raise FeedFormatError("La réponse SIRI Lite reçue est vide.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedFormatError(
            "La réponse reçue n'est pas du texte UTF-8 : du JSON SIRI Lite est attendu "
            "(c'est peut-être un flux GTFS-Realtime, binaire)."
        ) from None
    if text.lstrip().startswith("<"):
        raise FeedFormatError(
            "La réponse reçue est du XML ou une page HTML : le connecteur lit SIRI Lite en JSON "
            "(l'adresse renvoie peut-être vers le service SIRI XML ou une page d'erreur)."
        )
    try:
        document = safejson.loads(text, max_depth=safejson.MAX_FEED_DEPTH)
    except safejson.JSONDepthError as exc:
        raise FeedFormatError(f"La réponse reçue est refusée : {exc}.") from None
    except ValueError as exc:
        raise FeedFormatError(
            f"La réponse reçue n'est pas du JSON valide (tronquée ?) : {excerpt(str(exc), 200)}."
        ) from None
    siri = document.get("Siri") if isinstance(document, dict) else None
    delivery = siri.get("ServiceDelivery") if isinstance(siri, dict) else None
    if not isinstance(delivery, dict):
        raise FeedFormatError("La réponse JSON n'est pas une réponse SIRI Lite : Siri.ServiceDelivery est absent.")
    return delivery


def _error_text(delivery: dict[str, Any]) -> str:
    condition = delivery.get("ErrorCondition")
    if isinstance(condition, dict):
        description = _text(condition.get("Description"))
        if description:
            return excerpt(description, 200)
        for key, value in condition.items():
            if isinstance(value, dict):
                return excerpt(_text(value.get("ErrorText")) or key, 200)
            return excerpt(key, 200)
    return "erreur non détaillée"


def parse_feed(data: bytes, *, received_at: dt.datetime) -> ParsedFeed:
    service = _document(data)
    stamp = _moment_or_none(service.get("ResponseTimestamp"))
    deliveries = service.get("StopMonitoringDelivery")
    if isinstance(deliveries, dict):
        deliveries = [deliveries]
    if not isinstance(deliveries, list) or not deliveries:
        if service.get("Status") is False or "ErrorCondition" in service:
            raise FeedFormatError(f"Le service SIRI répond en erreur : {_error_text(service)}.")
        raise FeedFormatError("La réponse SIRI Lite ne contient aucune StopMonitoringDelivery.")
    if stamp is None:
        for delivery in deliveries:
            stamp = _moment_or_none(delivery.get("ResponseTimestamp")) if isinstance(delivery, dict) else None
            if stamp is not None:
                break
    feed = ParsedFeed(timestamp=_iso(stamp) if stamp else None)
    feed.feed_timestamp = feed.timestamp or _iso(received_at.astimezone(dt.UTC))
    errored = 0
    for number, delivery in enumerate(deliveries, 1):
        if not isinstance(delivery, dict):
            feed.rejected.append(Rejection(f"livraison {number}", "StopMonitoringDelivery n'est pas un objet JSON."))
            errored += 1
            continue
        if delivery.get("Status") is False or str(delivery.get("Status")).lower() == "false":
            feed.rejected.append(Rejection(f"livraison {number}", f"livraison en erreur : {_error_text(delivery)}."))
            errored += 1
            continue
        visits = delivery.get("MonitoredStopVisit") or []
        if isinstance(visits, dict):
            visits = [visits]
        if not isinstance(visits, list):
            feed.rejected.append(Rejection(f"livraison {number}", "MonitoredStopVisit n'est pas une liste."))
            errored += 1
            continue
        for position, visit in enumerate(visits, 1):
            feed.visits += 1
            label = f"livraison {number}, passage {position}"
            try:
                _visit(feed, visit)
            except _VisitError as exc:
                feed.visits_rejected += 1
                feed.rejected.append(Rejection(label, str(exc), _trip_of(visit)))
    if errored == len(deliveries):
        reasons = "; ".join(r.reason for r in feed.rejected[:3])
        raise FeedFormatError(f"Aucune StopMonitoringDelivery exploitable : {reasons}")
    if feed.visits and feed.visits_rejected == feed.visits:
        reasons = "; ".join(r.reason for r in feed.rejected[:3])
        raise FeedFormatError(f"Aucun des {feed.visits} passages de la réponse n'est exploitable : {reasons}")
    return feed


def _moment_or_none(value: Any) -> dt.datetime | None:
    try:
        return _moment(value, "date-heure")
    except _VisitError:
        return None


def _trip_of(visit: Any) -> str | None:
    journey = visit.get("MonitoredVehicleJourney") if isinstance(visit, dict) else None
    if not isinstance(journey, dict):
        return None
    framed = journey.get("FramedVehicleJourneyRef")
    return gtfs_id(framed.get("DatedVehicleJourneyRef")) if isinstance(framed, dict) else None  # None if unusable


@dataclass
class _Call:
    stop_id: str
    order: int | None
    recorded_at: str
    arrival: dt.datetime | None
    departure: dt.datetime | None
    skipped: bool

    def update(self) -> dict[str, Any]:
        update: dict[str, Any] = {"stop_id": self.stop_id}
        if self.arrival is not None:
            update["arrival_time"] = _iso(self.arrival)
        if self.departure is not None:
            update["departure_time"] = _iso(self.departure)
        update["skipped"] = self.skipped
        return update


@dataclass
class _Trip:
    trip_id: str
    service_date: str
    cancelled: bool = False
    vehicle_id: str | None = None
    calls: dict[tuple[int | None, str], _Call] = field(default_factory=dict)

    def add(self, call: _Call) -> None:
        key = (call.order, call.stop_id)
        current = self.calls.get(key)
        if current is None or call.recorded_at >= current.recorded_at:  # seen twice: the latest record wins
            self.calls[key] = call

    def build(self, feed_timestamp: str) -> TripRealtime:
        def position(call: _Call) -> tuple[int, str]:
            moment = call.departure or call.arrival
            return (call.order if call.order is not None else 1 << 30, _iso(moment) if moment else "")

        updates = [call.update() for call in sorted(self.calls.values(), key=position)]
        return TripRealtime(self.trip_id, self.service_date, self.cancelled, self.vehicle_id, updates, feed_timestamp)


def _visit(feed: ParsedFeed, visit: Any) -> None:
    if not isinstance(visit, dict):
        raise _VisitError("MonitoredStopVisit n'est pas un objet JSON.")
    journey = visit.get("MonitoredVehicleJourney")
    if not isinstance(journey, dict):
        raise _VisitError("MonitoredVehicleJourney absent.")
    framed = journey.get("FramedVehicleJourneyRef")
    framed = framed if isinstance(framed, dict) else {}
    trip_id = _ident(framed.get("DatedVehicleJourneyRef"), "DatedVehicleJourneyRef")
    if trip_id is None:
        raise _VisitError("FramedVehicleJourneyRef.DatedVehicleJourneyRef absent ou invalide : voyage inconnu.")
    call = journey.get("MonitoredCall")
    if not isinstance(call, dict):
        raise _VisitError("MonitoredCall absent.")
    stop_id = _ident(call.get("StopPointRef"), "StopPointRef") or _ident(visit.get("MonitoringRef"), "MonitoringRef")
    if stop_id is None:
        raise _VisitError("ni MonitoredCall.StopPointRef ni MonitoringRef : arrêt inconnu.")
    arrival = _moment(call.get("ExpectedArrivalTime"), "ExpectedArrivalTime") or _moment(
        call.get("ActualArrivalTime"), "ActualArrivalTime"
    )
    departure = _moment(call.get("ExpectedDepartureTime"), "ExpectedDepartureTime") or _moment(
        call.get("ActualDepartureTime"), "ActualDepartureTime"
    )
    aimed = [
        m
        for m in (
            _moment(call.get("AimedDepartureTime"), "AimedDepartureTime"),
            _moment(call.get("AimedArrivalTime"), "AimedArrivalTime"),
        )
        if m is not None
    ]
    statuses = {(_text(call.get(key)) or "").lower() for key in ("DepartureStatus", "ArrivalStatus")}
    skipped = "cancelled" in statuses
    if arrival is None and departure is None and not skipped:
        feed.without_realtime += 1  # a timetable passage: the static feed already has it
        return
    service_date = _service_date(framed.get("DataFrameRef"), aimed or [m for m in (departure, arrival) if m])
    if service_date is None:
        raise _VisitError("date de service inconnue : DataFrameRef n'est pas une date et aucun horaire n'est donné.")
    order_text = _text(call.get("Order"))
    digits = order_text is not None and order_text.isdecimal() and order_text.isascii()
    order = int(order_text) if digits and order_text and len(order_text) <= MAX_ORDER_DIGITS else None
    recorded_at = _moment_or_none(visit.get("RecordedAtTime"))
    recorded = _iso(recorded_at) if recorded_at else ""
    trip = feed.groups.setdefault((trip_id, service_date), _Trip(trip_id, service_date))
    trip.cancelled = trip.cancelled or _truthy(journey.get("Cancellation"))
    trip.vehicle_id = trip.vehicle_id or gtfs_id(journey.get("VehicleRef"))
    trip.add(_Call(stop_id, order, recorded, arrival, departure, skipped))
