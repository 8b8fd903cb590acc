"""Service `transit`: stops, routes, next departures (timetable merged with real time), vehicles, alerts."""
