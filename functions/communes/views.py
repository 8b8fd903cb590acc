"""Communes -> the public JSON shapes (documented in `openapi.py`)."""

from __future__ import annotations

from typing import Any

from poche_common.communes import Commune


def commune_view(commune: Commune) -> dict[str, Any]:
    return {
        "insee": commune.insee,
        "name": commune.name,
        "postcodes": list(commune.postcodes),
        "lat": commune.lat,
        "lon": commune.lon,
        "bbox": list(commune.bbox),
    }
