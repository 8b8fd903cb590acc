"""Connector `agenda-openagenda`: OpenAgenda v2 events JSON -> the agenda table."""
