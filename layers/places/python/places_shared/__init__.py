"""Code shared by the places functions (service, connectors): keys, categories, opening hours."""
