"""Connector `places-covoiturage`: carpool areas of the etalab `schema-lieux-covoiturage` (transport.data.gouv.fr)
-> `carpool_area` places (issue 12, mobility). For now the parser: `parse_feed` (see `parser.py`)."""
