"""Connector `places-gbfs`: GBFS bike share systems (v1.x, v2.x, v3.x) -> stations and live availability of the
places table (issue 12). For now the parser: `parse_discovery`, `parse_station_information`,
`parse_station_status`, `parse_vehicles` (see `parser.py`)."""
