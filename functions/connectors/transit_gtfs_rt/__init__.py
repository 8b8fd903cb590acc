"""Connector `transit-gtfs-rt`: GTFS-Realtime feeds (TripUpdates, VehiclePositions, Alerts) -> transit table."""
