"""Connector `alerts-cap`: public weather alerts in CAP 1.2 (Météo-France vigilance through Meteoalarm's Atom feed),
kept when their area covers the territory (the Orne)."""
