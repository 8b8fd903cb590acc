"""OpenAPI description of the home screen service: each route declared once, its shapes generated from
`models.py` (merged into the API's document).

Never imported by the handler: pydantic and the schemas are built for the document only.
"""

from __future__ import annotations

from typing import Any

from .policy import CATALOGUE_CACHE_SECONDS


def _schemas() -> dict[str, Any]:
    from poche_common.openapi import component_schemas

    from .models import MODELS, REQUESTS

    return component_schemas(*MODELS, requests=REQUESTS)


def _paths() -> dict[str, Any]:
    from home_shared.compose import MAX_TILES
    from poche_common.openapi import IF_NONE_MATCH, NOT_MODIFIED, json_ok, problem_response

    return {
        "/v1/tiles/catalogue": {
            "get": {
                "operationId": "listTileTypes",
                "tags": ["accueil"],
                "summary": "Les types de tuiles (alvéoles) proposés par les services déployés.",
                "parameters": [IF_NONE_MATCH],
                "responses": {
                    "200": json_ok("Le catalogue.", "TileCatalogue", max_age=CATALOGUE_CACHE_SECONDS),
                    "304": NOT_MODIFIED,
                },
            }
        },
        "/v1/home": {
            "post": {
                "operationId": "composeHome",
                "tags": ["accueil"],
                "summary": f"Le contenu actuel d'au plus {MAX_TILES} tuiles, en une réponse, dans l'ordre demandé. "
                "Une tuile invalide donne une entrée `error` (problème RFC 9457) sans faire échouer les autres.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HomeRequest"}}},
                },
                "responses": {
                    "200": {
                        "description": "Une entrée par tuile demandée.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HomeResponse"}}},
                    },
                    "400": problem_response("Corps invalide : pas du JSON, pas de liste `tiles`, plus de 20 tuiles."),
                },
            }
        },
    }


def __getattr__(name: str) -> dict[str, Any]:
    """`SCHEMAS` and `PATHS`, built when asked for (PEP 562)."""
    if name == "SCHEMAS":
        return _schemas()
    if name == "PATHS":
        return _paths()
    raise AttributeError(name)


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    from poche_common.openapi import PROBLEM_SCHEMA

    return {"paths": _paths(), "components": {"schemas": {**_schemas(), "Problem": PROBLEM_SCHEMA}}}
