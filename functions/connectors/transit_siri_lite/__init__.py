"""Connector `transit-siri-lite`: SIRI Lite StopMonitoring JSON -> real-time trips of the transit table."""
