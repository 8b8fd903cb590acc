"""Service `traffic`: road traffic events in force (GET /v1/traffic/events)."""
