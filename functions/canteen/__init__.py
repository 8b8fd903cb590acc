"""Service `canteen`: school canteens and their menus (GET /v1/canteens...)."""
