"""One construct per domain: its table, its service function(s) and routes, its connector(s)."""
