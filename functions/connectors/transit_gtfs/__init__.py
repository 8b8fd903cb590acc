"""Connector `transit-gtfs`: the static timetable of the bus network (GTFS zip), read daily."""
