"""Service days and departure instants: GTFS local times resolved once, by the connector.

- A service runs on a date when calendar.txt says so for that weekday within its dates, unless
  calendar_dates.txt removes that date (exception_type 2); calendar_dates.txt may also add a date
  (exception_type 1), including for a service that calendar.txt does not know.
- A GTFS time is counted from "noon minus 12 h" of the service date in the agency's time zone
  (GTFS reference, stop_times.txt). On the 23-hour and 25-hour days of the change of time that is
  not local midnight, which is exactly why the origin is taken at noon: `08:00:00` is 08:00 on the
  wall clock on both days, and `25:10:00` is 25 h 10 min after that origin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .model import ParsedFeed, ServiceRule


class ServiceCalendar:
    def __init__(self, rules: dict[str, ServiceRule], exceptions: dict[str, dict[dt.date, bool]]) -> None:
        self.rules = rules
        self.exceptions = exceptions

    def runs(self, service_id: str, day: dt.date) -> bool:
        exception = self.exceptions.get(service_id, {}).get(day)
        if exception is not None:
            return exception
        rule = self.rules.get(service_id)
        return rule is not None and rule.start <= day <= rule.end and rule.weekdays[day.weekday()]

    def active(self, day: dt.date) -> frozenset[str]:
        """The services running on that date."""
        services = set(self.rules) | set(self.exceptions)
        return frozenset(service for service in services if self.runs(service, day))


def service_origin(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The "noon minus 12 h" of a service date, as a UTC instant."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
    return noon.astimezone(dt.UTC) - dt.timedelta(hours=12)


def to_instant(day: dt.date, seconds: int, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a GTFS time (seconds from noon minus 12 h) on a service date."""
    return service_origin(day, zone) + dt.timedelta(seconds=seconds)


def window_dates(today: dt.date, before: int = 1, after: int = 2) -> list[dt.date]:
    """The service dates materialised: yesterday .. today + 2 by default."""
    return [today + dt.timedelta(days=offset) for offset in range(-before, after + 1)]


@dataclass(frozen=True, slots=True)
class Departure:
    """One boarding opportunity: a trip leaving a stop at a scheduled instant."""

    stop_id: str  # where passengers board (a platform or a stop)
    trip_id: str
    route_id: str
    route_short_name: str
    headsign: str
    service_date: dt.date
    stop_sequence: int
    scheduled: dt.datetime  # UTC


def departures(feed: ParsedFeed, dates: Iterable[dt.date]) -> Iterator[Departure]:
    """Every departure of the feed on those service dates.

    Kept: stop times where passengers may board (pickup_type is not 1 and it is not the trip's
    last stop). Skipped: stop times without a time (interpolated by the producer's tools).
    """
    zone = ZoneInfo(feed.timezone)
    calendar = ServiceCalendar(feed.rules, feed.exceptions)
    for day in dates:
        active = calendar.active(day)
        origin = service_origin(day, zone)
        for trip in feed.trips.values():
            if trip.service_id not in active:
                continue
            times = feed.stop_times.get(trip.trip_id, [])
            if not times:
                continue
            route = feed.routes[trip.route_id]
            last = feed.stops.get(times[-1].stop_id)
            headsign = trip.headsign or (last.name if last else "")
            short_name = route.short_name or route.long_name
            for stop_time in times[:-1]:
                if stop_time.departure is None or stop_time.pickup_type == 1:
                    continue
                yield Departure(
                    stop_id=stop_time.stop_id,
                    trip_id=trip.trip_id,
                    route_id=trip.route_id,
                    route_short_name=short_name,
                    headsign=stop_time.headsign or headsign,
                    service_date=day,
                    stop_sequence=stop_time.stop_sequence,
                    scheduled=origin + dt.timedelta(seconds=stop_time.departure),
                )
