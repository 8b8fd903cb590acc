"""Service `news`: local news, général and per commune (GET /v1/news)."""
