"""Connector `traffic-datex2`: DATEX II SituationPublication (v2.x and v3.x) -> traffic events."""
