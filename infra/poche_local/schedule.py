"""EventBridge schedule expressions (`rate(...)`, `cron(...)` with a time zone): next run time."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

MONTHS = {
    m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}
DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}  # AWS: 1 = Sunday


class ScheduleError(ValueError):
    pass


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows; None for `*` and `?` (anything)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        stepped = "/" in part
        if stepped:
            part, raw_step = part.split("/", 1)
            if not raw_step.isascii() or not raw_step.isdigit() or int(raw_step) == 0:
                raise ScheduleError(f"cron step {raw_step!r} in {text!r} is not a positive whole number")
            step = int(raw_step)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if stepped else start
        values.update(range(start, end + 1, step))
    if not values or min(values) < low or max(values) > high:
        raise ScheduleError(f"cron field {text!r} out of range {low}-{high}")
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleError(f"unsupported cron value {text!r} (L, W and # are not supported locally)")
    return int(text)


def next_run(expression: str, after: dt.datetime, timezone: str = "UTC") -> dt.datetime:
    """The first time strictly after `after` (aware) at which the schedule fires, in UTC."""
    rate = re.fullmatch(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)", expression.strip())
    if rate:
        unit = rate.group(2).rstrip("s")
        seconds = int(rate.group(1)) * {"minute": 60, "hour": 3600, "day": 86400}[unit]
        if seconds == 0:
            raise ScheduleError(f"{expression!r}: a rate must be at least 1")
        return after + dt.timedelta(seconds=seconds)
    cron = re.fullmatch(r"cron\((.+)\)", expression.strip())
    if not cron:
        raise ScheduleError(f"{expression!r} is neither rate(...) nor cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(f"{expression!r}: cron needs 6 fields (minutes hours day month weekday year)")
    minutes = _field(fields[0], 0, 59)
    hours = _field(fields[1], 0, 23)
    days = _field(fields[2], 1, 31)
    months = _field(fields[3], 1, 12, MONTHS)
    weekdays = _field(fields[4], 1, 7, DAYS)
    zone = ZoneInfo(timezone)
    # Step through real (UTC) minutes and read each one on the zone's wall clock: around a change
    # of time the wall clock repeats or skips an hour, UTC never does.
    moment = after.astimezone(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    limit = moment + dt.timedelta(days=366 * 2)
    while moment < limit:
        local = moment.astimezone(zone)
        aws_weekday = (local.isoweekday() % 7) + 1
        day_matches = (
            (months is None or local.month in months)
            and (days is None or local.day in days)
            and (weekdays is None or aws_weekday in weekdays)
        )
        if not day_matches:
            moment += dt.timedelta(minutes=60 - local.minute)  # skip to the next hour
            continue
        if (hours is None or local.hour in hours) and (minutes is None or local.minute in minutes):
            return moment
        moment += dt.timedelta(minutes=1)
    raise ScheduleError(f"{expression!r} never fires in the next two years")
