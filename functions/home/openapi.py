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
    from poche_common.openapi import cached_get, json_body, json_response, problem_response

    return {
        "/v1/tiles/catalogue": cached_get(
            "listTileTypes",
            "Les types de tuiles (alvéoles) proposés par les services déployés.",
            ("Le catalogue.", "TileCatalogue"),
            tag="accueil",
            max_age=CATALOGUE_CACHE_SECONDS,
        ),
        "/v1/home": {
            "post": {
                "operationId": "composeHome",
                "tags": ["accueil"],
                "summary": f"Le contenu actuel d'au plus {MAX_TILES} tuiles, en une réponse, dans l'ordre demandé. "
                "Une tuile invalide donne une entrée `error` (problème RFC 9457) sans faire échouer les autres.",
                "requestBody": json_body("HomeRequest"),
                "responses": {
                    "200": json_response("Une entrée par tuile demandée.", "HomeResponse"),
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
    from poche_common.openapi import service_document

    return service_document(_paths(), _schemas())
