"""Connector `canteen-menus-scdl`: SCDL menus-collectifs CSV -> canteen table."""
