"""Connector `agenda-datatourisme`: DATAtourisme JSON-LD events -> the agenda table (duplicates marked)."""
