"""Build the GTFS-Realtime sample feeds of this folder with the official bindings, reproducibly.

    .venv/bin/python functions/connectors/transit_gtfs_rt/sample/build_sample.py          # (re)write the .pb
    .venv/bin/python functions/connectors/transit_gtfs_rt/sample/build_sample.py --check  # exit 1 if stale

Every feed is stamped 2026-11-30T07:30:00Z (08:30 in Alençon) and serialized deterministically,
so the bytes only change when this script does. See README.md for what each feed holds.
"""

from __future__ import annotations

import argparse
import calendar
import sys
from pathlib import Path
from typing import Any

from google.transit import gtfs_realtime_pb2 as pb

HERE = Path(__file__).resolve().parent
FEED_TIME = calendar.timegm((2026, 11, 30, 7, 30, 0))  # 2026-11-30T07:30:00Z
SERVICE_DATE = "20261130"


def at(hhmm: str) -> int:
    """POSIX time of a UTC clock time on 2026-11-30."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return calendar.timegm((2026, 11, 30, hours, minutes, 0))


def header(message: Any) -> None:
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = pb.FeedHeader.FULL_DATASET
    message.header.timestamp = FEED_TIME


def stop_update(trip_update: Any, sequence: int, stop_id: str, *, delay: int | None = None) -> Any:
    update = trip_update.stop_time_update.add()
    update.stop_sequence = sequence
    update.stop_id = stop_id
    if delay is not None:
        update.arrival.delay = delay
        update.departure.delay = delay
    return update


def trip_updates(message: Any) -> None:
    # Line 20, 07:30 from Alençon Préfecture: 3 minutes late at Mortagne, its last two stops.
    entity = message.entity.add(id="tu-20-SEM-0730")
    trip = entity.trip_update
    trip.trip.trip_id = "20-SEM-0730"
    trip.trip.route_id = "L20"
    trip.trip.start_date = SERVICE_DATE
    trip.trip.schedule_relationship = pb.TripDescriptor.SCHEDULED
    trip.vehicle.id = "orne-201"
    trip.timestamp = FEED_TIME - 35
    stop_update(trip, 4, "MOR_GDG", delay=180)
    stop_update(trip, 5, "MOR_HOP", delay=180)

    # Line 10, 12:15 from Alençon Halle aux Toiles: cancelled (see the alert greve-10-SEM-1215).
    entity = message.entity.add(id="tu-10-SEM-1215")
    entity.trip_update.trip.trip_id = "10-SEM-1215"
    entity.trip_update.trip.route_id = "L10"
    entity.trip_update.trip.start_date = SERVICE_DATE
    entity.trip_update.trip.schedule_relationship = pb.TripDescriptor.CANCELED

    # Line 20, 13:00 from Mortagne back to Alençon: Le Mêle not served (snow), 10 minutes late at the end.
    entity = message.entity.add(id="tu-20-SEM-1300-R")
    trip = entity.trip_update
    trip.trip.trip_id = "20-SEM-1300-R"
    trip.trip.start_date = SERVICE_DATE
    skipped = stop_update(trip, 3, "MEL_MAIR")
    skipped.schedule_relationship = pb.TripUpdate.StopTimeUpdate.SKIPPED
    stop_update(trip, 5, "ALN_PREF", delay=600)

    # Line 30, 08:00 from Sées Gare: absolute times only and no start_date, as some producers send.
    entity = message.entity.add(id="tu-30-SEM-0800")
    trip = entity.trip_update
    trip.trip.trip_id = "30-SEM-0800"
    trip.vehicle.id = "orne-301"
    for sequence, stop_id, hhmm in ((2, "SEE_CATH", "07:06"), (3, "MOR_GDG", "07:44")):
        update = trip.stop_time_update.add(stop_sequence=sequence, stop_id=stop_id)
        update.arrival.time = at(hhmm)
        update.departure.time = at(hhmm)

    # Line 20, 16:45: a whole-trip delay (TripUpdate.delay) without stop_time_update.
    entity = message.entity.add(id="tu-20-SEM-1645")
    trip = entity.trip_update
    trip.trip.trip_id = "20-SEM-1645"
    trip.trip.start_date = SERVICE_DATE
    trip.delay = 300


def vehicle_positions(message: Any) -> None:
    entity = message.entity.add(id="vp-orne-301")
    vehicle = entity.vehicle
    vehicle.trip.trip_id = "30-SEM-0800"
    vehicle.trip.route_id = "L30"
    vehicle.vehicle.id = "orne-301"
    vehicle.vehicle.label = "Car 301"
    vehicle.position.latitude = 48.566
    vehicle.position.longitude = 0.381
    vehicle.position.bearing = 120.0
    vehicle.position.speed = 19.5
    vehicle.current_status = pb.VehiclePosition.IN_TRANSIT_TO
    vehicle.stop_id = "MOR_GDG"
    vehicle.occupancy_status = pb.VehiclePosition.MANY_SEATS_AVAILABLE
    vehicle.timestamp = FEED_TIME - 20

    # No route_id: the connector finds route L20 through the static trips.
    entity = message.entity.add(id="vp-orne-201")
    vehicle = entity.vehicle
    vehicle.trip.trip_id = "20-SEM-0730"
    vehicle.trip.start_date = SERVICE_DATE
    vehicle.vehicle.id = "orne-201"
    vehicle.position.latitude = 48.5204
    vehicle.position.longitude = 0.5467
    vehicle.current_status = pb.VehiclePosition.STOPPED_AT
    vehicle.stop_id = "MOR_GDG"
    vehicle.timestamp = FEED_TIME - 35

    entity = message.entity.add(id="vp-orne-101")
    vehicle = entity.vehicle
    vehicle.trip.trip_id = "10-SEM-0715-R"
    vehicle.trip.route_id = "L10"
    vehicle.vehicle.id = "orne-101"
    vehicle.vehicle.label = "Car 101"
    vehicle.position.latitude = 48.431
    vehicle.position.longitude = 0.0876
    vehicle.position.bearing = 270.0
    vehicle.current_status = pb.VehiclePosition.STOPPED_AT
    vehicle.stop_id = "ALN_HALLE"
    vehicle.occupancy_status = pb.VehiclePosition.FEW_SEATS_AVAILABLE
    vehicle.timestamp = FEED_TIME - 5

    # The one bad entity: a latitude out of range (a producer's degrees/radians or sign bug).
    entity = message.entity.add(id="vp-orne-999")
    vehicle = entity.vehicle
    vehicle.trip.trip_id = "10-SEM-1740"
    vehicle.trip.route_id = "L10"
    vehicle.vehicle.id = "orne-999"
    vehicle.position.latitude = 148.6
    vehicle.position.longitude = 0.17
    vehicle.timestamp = FEED_TIME - 10


def translate(text: Any, *pairs: tuple[str, str]) -> None:
    for language, value in pairs:
        translation = text.translation.add(text=value)
        if language:
            translation.language = language


def alerts(message: Any) -> None:
    entity = message.entity.add(id="travaux-mortagne")
    alert = entity.alert
    alert.active_period.add(
        start=calendar.timegm((2026, 11, 23, 5, 0, 0)), end=calendar.timegm((2026, 12, 18, 19, 0, 0))
    )
    alert.informed_entity.add(route_id="L20")
    alert.informed_entity.add(stop_id="MOR_HOP")
    alert.cause = pb.Alert.CONSTRUCTION
    alert.effect = pb.Alert.STOP_MOVED
    translate(alert.url, ("fr", "https://bus-orne.example.org/infos/travaux-mortagne"))
    translate(
        alert.header_text,
        ("en", "Line 20: Mortagne Hospital stop moved"),
        ("fr", "Ligne 20 : l'arrêt Mortagne-au-Perche - Hôpital est déplacé"),
    )
    translate(
        alert.description_text,
        ("en", "Roadworks until December 18th: the stop is moved 150 m, rue de l'Hôpital."),
        ("fr", "Travaux jusqu'au 18 décembre : l'arrêt est déplacé de 150 m, rue de l'Hôpital."),
    )

    entity = message.entity.add(id="neige-ligne-20")
    alert = entity.alert
    alert.active_period.add(start=calendar.timegm((2026, 11, 30, 5, 0, 0)))
    alert.informed_entity.add(agency_id="ORNE", route_id="L20")
    alert.cause = pb.Alert.WEATHER
    alert.effect = pb.Alert.REDUCED_SERVICE
    translate(alert.header_text, ("", "Ligne 20 : Le Mêle-sur-Sarthe non desservi en raison de la neige"))
    translate(
        alert.description_text,
        ("", "Route enneigée : les cars ne desservent pas l'arrêt Le Mêle-sur-Sarthe - Mairie."),
    )

    entity = message.entity.add(id="greve-10-SEM-1215")
    alert = entity.alert
    alert.informed_entity.add(trip=pb.TripDescriptor(trip_id="10-SEM-1215", route_id="L10"))
    alert.cause = pb.Alert.STRIKE
    alert.effect = pb.Alert.NO_SERVICE
    translate(
        alert.header_text,
        ("en", "Line 10: the 12:15 coach does not run"),
        ("fr-FR", "Ligne 10 : le car de 12 h 15 ne circule pas"),
    )
    translate(
        alert.description_text,
        ("fr-FR", "Mouvement social : le départ de 12 h 15 d'Alençon - Halle aux Toiles est supprimé."),
    )


def two_minutes_later(message: Any) -> None:
    """`mixed.pb` two minutes on: line 20 now 5 minutes late at Mortagne, line 30 a minute more, the
    12:15 of line 10 running after all (its TripUpdate and the strike alert withdrawn)."""
    message.header.timestamp = FEED_TIME + 120
    kept = [e for e in message.entity if e.id not in ("tu-10-SEM-1215", "greve-10-SEM-1215")]
    del message.entity[:]
    message.entity.extend(kept)
    for entity in message.entity:
        if entity.id == "tu-20-SEM-0730":
            for update in entity.trip_update.stop_time_update:
                update.arrival.delay = update.departure.delay = 300
        elif entity.id == "tu-30-SEM-0800":
            last = entity.trip_update.stop_time_update[-1]
            last.arrival.time = last.departure.time = at("07:45")
        elif entity.HasField("vehicle") and entity.vehicle.timestamp:
            entity.vehicle.timestamp += 120


def feed(*parts: Any) -> bytes:
    message = pb.FeedMessage()
    header(message)
    for part in parts:
        part(message)
    return message.SerializeToString(deterministic=True)


def build() -> dict[str, bytes]:
    return {
        "trip-updates.pb": feed(trip_updates),
        "vehicle-positions.pb": feed(vehicle_positions),
        "alerts.pb": feed(alerts),
        "mixed.pb": feed(trip_updates, vehicle_positions, alerts),
        "later.pb": feed(trip_updates, vehicle_positions, alerts, two_minutes_later),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a .pb differs from what this script builds")
    args = parser.parse_args()
    stale = []
    for name, data in build().items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
            print(f"{name}: {len(data)} bytes")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
