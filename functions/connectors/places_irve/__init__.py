"""Connector `places-irve`: EV charging stations of the etalab `schema-irve` (static file, and the dynamic status
when published) -> `charging_station` places and their live availability (issue 12, mobility). For now the
parser: `parse_static`, `parse_dynamic`, `station_availability` (see `parser.py`)."""
