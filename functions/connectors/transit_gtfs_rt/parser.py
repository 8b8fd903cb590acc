"""Parse one GTFS-Realtime payload (a protocol-buffer `FeedMessage`) into a `ParsedFeed`.

Decoded with the official bindings (`gtfs-realtime-bindings`), imported on first use so that
importing this module (the handler's cold start) does not load protobuf.

Whole-payload problems raise `FeedFormatError` (nothing stored changes): an empty payload, an
HTML/XML/JSON answer, bytes that do not decode as a FeedMessage (truncated or corrupt), a header
without `gtfs_realtime_version`, a DIFFERENTIAL feed. Each entity is validated on its own: a bad
one is reported as a `Rejection` (French reason) and skipped, the others are kept.

Tolerated rather than rejected, as real producers emit them: a gzip-compressed payload, a missing
header timestamp (the reception time stands in), unsorted stop_time_updates (sorted), two updates
with the same stop_sequence but their own stop_id (matched by stop id, sequences dropped), a
TripUpdate without start_date (its service date is resolved by the store, see store.StaticIndex).

Bounds (issue 9): every id used in a key (entity, trip, stop, route, vehicle, agency) is checked by
`poche_common.bounds.check_id` (length in characters and bytes, control characters): an entity with one
that cannot be a key is rejected before anything is written. Times are POSIX seconds within 2000..2100, a
start_date a date within the same years. Texts for people (alert header, description, vehicle label) are plain
text (`poche_common.plaintext.plain`: no markup, no control character) cut to `MAX_ALERT_HEADER`,
`MAX_ALERT_DESCRIPTION`, `MAX_LABEL` characters with "…"; an alert URL longer than `MAX_URL_LENGTH` or not
http(s) is dropped; an alert keeps at most `MAX_PERIODS` periods and `MAX_INFORMED` informed entities, a trip
at most `MAX_STOP_UPDATES` stop_time_updates (beyond: the trip is rejected), so that one item always fits in
DynamoDB's 400 KB.

Python's protobuf runtime does not enforce proto2 `required` fields when parsing, which is what
lets an entity without an id be rejected alone instead of failing the whole feed. A payload cut
exactly between two entities is still a valid, shorter FeedMessage: no parser can tell.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import struct
import time
import zlib
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from poche_common.bounds import MAX_URL_LENGTH, check_date, check_id, excerpt, web_url
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain

from .model import AlertRealtime, ParsedFeed, Rejection, TripRealtime, Update, VehicleRealtime

__all__ = ["MAX_URL_LENGTH", "bindings", "parse_feed", "service_date_of", "utc_iso"]

PARIS = ZoneInfo("Europe/Paris")
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_DELAY_S = 24 * 3600  # a delay beyond a day is a producer bug
MIN_POSIX, MAX_POSIX = 946_684_800, 4_102_444_800  # 2000-01-01 .. 2100-01-01
MAX_SPEED_MS = 100.0  # 360 km/h
MAX_ALERT_HEADER = 300
MAX_ALERT_DESCRIPTION = 4000
MAX_LABEL = 100
MAX_PERIODS = 50
MAX_INFORMED = 200
MAX_STOP_UPDATES = 500
# Without start_date, a trip whose first known time is before 03:00 (Paris) belongs to the
# previous day's service, as GTFS times past 24:00:00 do.
SERVICE_DAY_CHANGE = dt.timedelta(hours=3)
FRENCH_FIRST = ("fr", "fr-fr")
_START_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})\Z")


def bindings() -> Any:
    """The official GTFS-Realtime bindings, loaded on first use."""
    from google.transit import gtfs_realtime_pb2

    return gtfs_realtime_pb2


def _text(value: str | bytes) -> str:
    """A string field as text. Python's protobuf hands a proto2 string that is not valid UTF-8 over as bytes:
    decoded with `surrogateescape`, so that such an id is refused by `check_id` and such a text cleaned by
    `plain`, instead of a TypeError stopping the run."""
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


class _EntityError(ValueError):
    """An entity cannot be used; the message is the French reason."""


def utc_iso(posix: int) -> str:
    """Storage form of a POSIX time: `2026-11-30T07:30:00+00:00`."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(posix))


def service_date_of(moment: dt.datetime) -> str:
    """The service date (Paris) a trip running at `moment` most likely belongs to."""
    return (moment.astimezone(PARIS) - SERVICE_DAY_CHANGE).date().isoformat()


def _payload(data: bytes) -> bytes:
    if not data or not data.strip():
        raise FeedFormatError("Le flux reçu est vide : un FeedMessage GTFS-Realtime (protobuf) est attendu.")
    if data[:2] == b"\x1f\x8b":  # served gzip-compressed without Content-Encoding
        try:
            inflater = zlib.decompressobj(wbits=31)
            data = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
        except zlib.error as exc:
            raise FeedFormatError(f"Le flux reçu est un gzip illisible ou tronqué ({exc}).") from None
        if inflater.unconsumed_tail:
            raise FeedFormatError(f"Le flux gzip décompressé dépasse {MAX_DECOMPRESSED_BYTES} octets.")
        if not inflater.eof:
            raise FeedFormatError("Le flux reçu est un gzip tronqué.")
    head = data.lstrip()[:64].lower()
    if head.startswith(b"<"):
        raise FeedFormatError(
            "Le flux reçu est une page HTML ou du XML et non un FeedMessage GTFS-Realtime (protobuf) : "
            "l'adresse renvoie peut-être vers une page d'erreur, ou c'est un flux SIRI."
        )
    if head.startswith((b"{", b"[")):
        raise FeedFormatError(
            "Le flux reçu est du JSON et non un FeedMessage GTFS-Realtime (protobuf) : "
            "c'est peut-être un flux SIRI Lite ou la version JSON de débogage du flux."
        )
    return data


def parse_feed(data: bytes, *, received_at: dt.datetime) -> ParsedFeed:
    """Decode and validate one GTFS-Realtime payload; `received_at` stands in for a missing header timestamp."""
    pb = bindings()
    from google.protobuf.message import DecodeError

    message = pb.FeedMessage()
    try:
        message.ParseFromString(_payload(data))
    except DecodeError as exc:
        raise FeedFormatError(
            f"Le flux reçu n'est pas un FeedMessage GTFS-Realtime lisible (tronqué ou corrompu : {exc})."
        ) from None
    header = message.header
    version = _text(header.gtfs_realtime_version).strip()
    if not message.HasField("header") or not version:
        raise FeedFormatError(
            "Le flux reçu n'est pas un FeedMessage GTFS-Realtime : son en-tête n'a pas de gtfs_realtime_version."
        )
    if header.HasField("incrementality") and header.incrementality == pb.FeedHeader.DIFFERENTIAL:
        raise FeedFormatError(
            "Le flux est en mode DIFFERENTIAL, non pris en charge : un flux FULL_DATASET est attendu."
        )
    timestamp: str | None = None
    if header.HasField("timestamp") and MIN_POSIX <= header.timestamp <= MAX_POSIX:
        timestamp = utc_iso(header.timestamp)
    feed = ParsedFeed(version=excerpt(version, 20), timestamp=timestamp)
    context = _Context(pb, timestamp or received_at.astimezone(dt.UTC).isoformat(timespec="seconds"))
    for position, entity in enumerate(message.entity, 1):
        feed.entities += 1
        _entity(feed, context, entity, position)
    return feed


class _Context:
    """What converting every entity of one feed needs, looked up once."""

    def __init__(self, pb: Any, feed_timestamp: str) -> None:
        self.feed_timestamp = feed_timestamp
        self.feed_moment = dt.datetime.fromisoformat(feed_timestamp)
        trip = pb.TripDescriptor
        self.cancelled_trip = {trip.CANCELED, getattr(trip, "DELETED", trip.CANCELED)}
        stu = pb.TripUpdate.StopTimeUpdate
        self.skipped, self.no_data = stu.SKIPPED, stu.NO_DATA
        vehicle = pb.VehiclePosition
        self.status_names = {v: k.lower() for k, v in vehicle.VehicleStopStatus.items()}
        self.occupancy_names = {v: k.lower() for k, v in vehicle.OccupancyStatus.items()}
        self.cause_names = {v: k.lower() for k, v in pb.Alert.Cause.items()}
        self.effect_names = {v: k.lower() for k, v in pb.Alert.Effect.items()}
        self.other_parts = [
            name for name in ("shape", "stop", "trip_modifications") if name in pb.FeedEntity.DESCRIPTOR.fields_by_name
        ]


def _entity(feed: ParsedFeed, context: _Context, entity: Any, position: int) -> None:
    entity_id = _text(entity.id).strip()
    shown = entity_id if _clean(entity_id) else f"#{position}"
    if entity.is_deleted:
        feed.deleted += 1
        return
    parts = [name for name in ("trip_update", "vehicle", "alert") if entity.HasField(name)]
    if not parts:
        if not any(entity.HasField(name) for name in context.other_parts):
            feed.rejected.append(Rejection(shown, "Entité vide : ni trip_update, ni vehicle, ni alert."))
        return
    for part in parts:
        kind, ident = _identity(entity, part)
        try:
            if not entity_id:
                raise _EntityError("Entité sans id.")
            _ident(entity_id, "id de l'entité")
            if part == "trip_update":
                feed.trips.append(_trip(context, entity_id, entity.trip_update))
            elif part == "vehicle":
                feed.vehicles.append(_vehicle(context, entity_id, entity.vehicle))
            else:
                feed.alerts.append(_alert(context, entity_id, entity.alert))
        except _EntityError as exc:
            feed.rejected.append(Rejection(shown, f"{part} : {exc}", kind, ident))


def _identity(entity: Any, part: str) -> tuple[str, str | None]:
    """Which stored object a (possibly bad) entity is about, when that can be told."""
    if part == "trip_update":
        return "trip", _clean(entity.trip_update.trip.trip_id)
    if part == "vehicle":
        vehicle = entity.vehicle
        return "vehicle", _clean(vehicle.vehicle.id) or _clean(entity.id)
    return "alert", _clean(entity.id)


def _clean(value: str | bytes) -> str | None:
    """`value` stripped when it is a usable id (`poche_common.bounds.check_id`), else None."""
    try:
        return check_id(_text(value), "id")
    except ValueError:
        return None


def _ident(value: str | bytes, what: str) -> str:
    text = _text(value)
    try:
        return check_id(text, what)
    except ValueError as exc:
        raise _EntityError(f"{exc} : {excerpt(text, 40)!r}") from None


def _posix(value: int, what: str) -> str:
    if not MIN_POSIX <= value <= MAX_POSIX:
        raise _EntityError(f"{what} hors limites ({value}) : un temps POSIX en secondes est attendu.")
    return utc_iso(value)


# ---------------------------------------------------------------- TripUpdate


def _trip(context: _Context, entity_id: str, trip_update: Any) -> TripRealtime:
    trip = trip_update.trip
    if not trip.trip_id.strip():
        raise _EntityError(
            "trip_id absent (les voyages identifiés par route_id et heure de départ ne sont pas pris en charge)."
        )
    trip_id = _ident(trip.trip_id, "trip_id")
    if len(trip_update.stop_time_update) > MAX_STOP_UPDATES:
        raise _EntityError(
            f"{len(trip_update.stop_time_update)} stop_time_update : plus que les {MAX_STOP_UPDATES} admis."
        )
    cancelled = trip.HasField("schedule_relationship") and trip.schedule_relationship in context.cancelled_trip
    updates = [_stop_update(context, number, stu) for number, stu in enumerate(trip_update.stop_time_update, 1)]
    if updates and all("stop_sequence" in u for u in updates):
        ordered = sorted(updates, key=lambda u: u["stop_sequence"])
        twice = [b["stop_sequence"] for a, b in itertools.pairwise(ordered) if a["stop_sequence"] == b["stop_sequence"]]
        if not twice:
            updates = ordered
        elif all("stop_id" in u for u in updates):
            # A producer bug seen in real feeds (two stops numbered 1): the stop ids still say which stop
            # each update is about; without sequences, delays do not propagate, which is the safe side.
            for update in updates:
                del update["stop_sequence"]
        else:
            raise _EntityError(f"stop_sequence {twice[0]} en double.")
        if trip_update.HasField("delay") and not twice and updates[0]["stop_sequence"] > 0:
            updates.insert(0, _trip_delay(trip_update.delay))
    elif not updates and trip_update.HasField("delay"):
        updates = [_trip_delay(trip_update.delay)]
    reference: int | None = None
    if trip.HasField("start_date") and trip.start_date.strip():
        service_date = _start_date(_text(trip.start_date).strip())
    else:  # a first guess; the store resolves it with the trip's scheduled start when the static feed has it
        reference = _first_scheduled(trip_update) or int(context.feed_moment.timestamp())
        service_date = service_date_of(dt.datetime.fromtimestamp(reference, dt.UTC))
        try:  # a time in the first hours of 2000: the service day would be 1999-12-31
            check_date(dt.date.fromisoformat(service_date), "date de service")
        except ValueError as exc:
            raise _EntityError(f"{exc}.") from None
    vehicle_id = None
    if trip_update.HasField("vehicle") and trip_update.vehicle.id.strip():
        vehicle_id = _ident(trip_update.vehicle.id, "vehicle.id")
    return TripRealtime(
        entity_id=entity_id,
        trip_id=trip_id,
        service_date=service_date,
        cancelled=cancelled,
        vehicle_id=vehicle_id,
        updates=updates,
        feed_timestamp=context.feed_timestamp,
        dated=reference is None,
        reference_time=reference,
    )


def _trip_delay(delay: int) -> Update:
    """TripUpdate.delay: the delay of every stop without its own update, i.e. propagated from the start."""
    if abs(delay) > MAX_DELAY_S:
        raise _EntityError(f"delay du voyage hors limites ({delay} s).")
    return {"stop_sequence": 0, "arrival_delay": delay, "departure_delay": delay, "skipped": False}


def _stop_update(context: _Context, number: int, stu: Any) -> Update:
    # Runs for every stop of every trip: one ListFields (the fields set) rather than a HasField per field.
    update: Update = {}
    relationship = None
    events: list[tuple[str, Any]] = []
    for descriptor, value in stu.ListFields():
        name = descriptor.name
        if name == "stop_sequence":
            update["stop_sequence"] = value
        elif name == "stop_id":
            if value.strip():
                update["stop_id"] = _ident(value, f"stop_id du stop_time_update n°{number}")
        elif name == "schedule_relationship":
            relationship = value
        elif name in ("arrival", "departure"):
            events.append((name, value))
    if not update:
        raise _EntityError(f"stop_time_update n°{number} sans stop_sequence ni stop_id.")
    if relationship != context.no_data:  # NO_DATA: no prediction for this stop, delays stop propagating
        for side, event in events:
            for descriptor, value in event.ListFields():
                if descriptor.name == "delay":
                    if abs(value) > MAX_DELAY_S:
                        raise _EntityError(f"{side}.delay hors limites ({value} s) au stop_time_update n°{number}.")
                    update[f"{side}_delay"] = value
                elif descriptor.name == "time":
                    update[f"{side}_time"] = _posix(value, f"{side}.time du stop_time_update n°{number}")
    update["skipped"] = relationship == context.skipped
    return update


def _start_date(value: str) -> str:
    match = _START_DATE.match(value)
    try:
        if not match:
            raise ValueError(value)
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _EntityError(f"start_date « {excerpt(value, 20)} » n'est pas une date AAAAMMJJ.") from None
    try:
        return check_date(day, "start_date").isoformat()
    except ValueError as exc:
        raise _EntityError(f"{exc}.") from None


def _first_scheduled(trip_update: Any) -> int | None:
    """The earliest scheduled POSIX time the updates tell (absolute time minus its delay, when given)."""
    best: int | None = None
    for stu in trip_update.stop_time_update:
        for side in ("arrival", "departure"):
            if not stu.HasField(side):
                continue
            event = getattr(stu, side)
            if event.HasField("time") and MIN_POSIX <= event.time <= MAX_POSIX:
                posix = event.time - (event.delay if event.HasField("delay") else 0)
                best = posix if best is None else min(best, posix)
    return best


# ---------------------------------------------------------------- VehiclePosition


def float32_text(value: float) -> str:
    """The shortest decimal that reads back as the same 32-bit float: 48.5031, not 48.50310134887695."""
    if not math.isfinite(value):
        return repr(value)
    single = struct.unpack("<f", struct.pack("<f", value))[0]
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == single:
            return format(Decimal(text), "f") if "e" in text else text
    return repr(single)


def _decimal(value: float, places: int) -> Decimal:
    """A 32-bit float field as a Decimal, at most `places` decimals (DynamoDB numbers, exact in JSON)."""
    return Decimal(float32_text(value)).quantize(Decimal(1).scaleb(-places)).normalize() + 0


def _coordinate(value: float, low: float, high: float) -> Decimal | None:
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return _decimal(value, 6)


def _vehicle(context: _Context, entity_id: str, vehicle: Any) -> VehicleRealtime:
    if not vehicle.HasField("position"):
        raise _EntityError("position absente.")
    position = vehicle.position
    lat = _coordinate(position.latitude, -90.0, 90.0)
    lon = _coordinate(position.longitude, -180.0, 180.0)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        raise _EntityError(
            f"coordonnées hors limites (latitude {float32_text(position.latitude)}, "
            f"longitude {float32_text(position.longitude)})."
        )
    bearing = speed = None
    if position.HasField("bearing"):
        if not math.isfinite(position.bearing) or not 0 <= position.bearing <= 360:
            raise _EntityError(f"cap hors limites ({float32_text(position.bearing)}°).")
        bearing = _decimal(position.bearing, 1) % 360
    if position.HasField("speed"):
        if not math.isfinite(position.speed) or not 0 <= position.speed <= MAX_SPEED_MS:
            raise _EntityError(f"vitesse hors limites ({float32_text(position.speed)} m/s).")
        speed = _decimal(position.speed, 1)
    descriptor = vehicle.vehicle if vehicle.HasField("vehicle") else None
    vehicle_id = _ident(descriptor.id, "vehicle.id") if descriptor is not None and descriptor.id.strip() else entity_id
    trip_id = route_id = None
    if vehicle.HasField("trip"):
        trip_id = _ident(vehicle.trip.trip_id, "trip_id") if vehicle.trip.trip_id.strip() else None
        route_id = _ident(vehicle.trip.route_id, "route_id") if vehicle.trip.route_id.strip() else None
    timestamp = context.feed_timestamp
    if vehicle.HasField("timestamp") and vehicle.timestamp:
        timestamp = _posix(vehicle.timestamp, "timestamp")
    return VehicleRealtime(
        entity_id=entity_id,
        vehicle_id=vehicle_id,
        route_id=route_id,
        trip_id=trip_id,
        label=(plain(_text(descriptor.label), MAX_LABEL).strip() or None) if descriptor is not None else None,
        lat=lat,
        lon=lon,
        bearing=bearing,
        speed=speed,
        current_status=context.status_names.get(vehicle.current_status) if vehicle.HasField("current_status") else None,
        stop_id=_ident(vehicle.stop_id, "stop_id") if vehicle.stop_id.strip() else None,
        occupancy_status=(
            context.occupancy_names.get(vehicle.occupancy_status) if vehicle.HasField("occupancy_status") else None
        ),
        timestamp=timestamp,
    )


# ---------------------------------------------------------------- Alert


def translation(translated: Any) -> str:
    """The text to show: French first (`fr`, `fr-FR`, other `fr-*`), then untranslated, then the first."""
    texts = [
        (_text(t.language).strip().lower().replace("_", "-"), _text(t.text).strip()) for t in translated.translation
    ]
    texts = [(language, text) for language, text in texts if text]
    if not texts:
        return ""
    for wanted in FRENCH_FIRST:
        for language, text in texts:
            if language == wanted:
                return text
    for language, text in texts:
        if language.startswith("fr-"):
            return text
    for language, text in texts:
        if not language:
            return text
    return texts[0][1]


def _alert(context: _Context, entity_id: str, alert: Any) -> AlertRealtime:
    alert_id = _ident(entity_id, "id de l'alerte")
    header = plain(translation(alert.header_text), MAX_ALERT_HEADER).strip() if alert.HasField("header_text") else ""
    description = (
        plain(translation(alert.description_text), MAX_ALERT_DESCRIPTION).strip()
        if alert.HasField("description_text")
        else ""
    )
    if not header and not description:
        raise _EntityError("alerte sans texte (header_text et description_text vides).")
    periods: list[dict[str, str]] = []
    for number, period in enumerate(alert.active_period[:MAX_PERIODS], 1):
        bounds: dict[str, str] = {}
        if period.HasField("start") and period.start:
            bounds["start"] = _posix(period.start, f"active_period n°{number}.start")
        if period.HasField("end") and period.end:
            bounds["end"] = _posix(period.end, f"active_period n°{number}.end")
        if "start" in bounds and "end" in bounds and bounds["end"] < bounds["start"]:
            raise _EntityError(f"active_period n°{number} se termine avant de commencer.")
        if bounds:
            periods.append(bounds)
    informed: list[dict[str, str]] = []
    for selector in alert.informed_entity[:MAX_INFORMED]:
        target: dict[str, str] = {}
        for name in ("route_id", "stop_id", "agency_id"):
            value = _clean(getattr(selector, name))
            if value:
                target[name] = value
        if selector.HasField("trip"):
            trip_id = _clean(selector.trip.trip_id)
            if trip_id:
                target["trip_id"] = trip_id
            elif "route_id" not in target and (route_id := _clean(selector.trip.route_id)):
                target["route_id"] = route_id
        if target:
            informed.append(target)
    if not informed:
        raise _EntityError("alerte sans informed_entity utilisable (ni agence, ni ligne, ni arrêt, ni voyage).")
    url = web_url(translation(alert.url), max_length=MAX_URL_LENGTH) if alert.HasField("url") else None
    return AlertRealtime(
        alert_id=alert_id,
        cause=context.cause_names.get(alert.cause, "unknown_cause") if alert.HasField("cause") else "unknown_cause",
        effect=(
            context.effect_names.get(alert.effect, "unknown_effect") if alert.HasField("effect") else "unknown_effect"
        ),
        header=header or plain(description, MAX_ALERT_HEADER),
        description=description,
        url=url or None,
        active_periods=periods,
        informed=informed,
    )
