"""Home screen service: the tile catalogue and POST /v1/home (docs/tiles.md)."""
