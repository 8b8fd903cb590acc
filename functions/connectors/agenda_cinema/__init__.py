"""Connector `agenda-cinema`: cinema sessions from a documented CSV (FORMAT.md) -> the agenda table."""
