"""OpenAPI description of the communes service's routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec
from poche_common.openapi import PROBLEM_SCHEMA as PROBLEM_SCHEMA  # the tests read it here

from .models import MODELS
from .policy import CACHE_SECONDS, DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_LENGTH

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)

_get = partial(spec.cached_get, tag="communes", max_age=CACHE_SECONDS)
_Q = spec.query_parameter(
    "q",
    {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    "Début du nom, sans tenir compte des accents, de la casse, des traits d'union, des apostrophes ni de l'article "
    "initial (`sees` trouve Sées, `aigle` trouve L'Aigle, `saint-` les Saint-…) ; ou un code postal (61000) ou un "
    "code INSEE (61001) exact.",
)
_INSEE = spec.path_parameter(
    "insee",
    {"type": "string", "pattern": spec.INSEE_PATTERN},
    "Code INSEE de la commune (61001 pour Alençon).",
    "61001",
)

PATHS: dict[str, Any] = {
    "/v1/communes": _get(
        "listCommunes",
        "Les communes du département, par nom ; celles dont le nom commence par `q` si donné.",
        ("Une page de communes.", "CommuneList"),
        {"400": "Paramètre invalide (q trop long, limit ou curseur)."},
        parameters=[_Q, *spec.page_parameters(DEFAULT_LIMIT, MAX_LIMIT)],
    ),
    "/v1/communes/{insee}": _get(
        "getCommune",
        "Une commune, par son code INSEE.",
        ("La commune.", "CommuneDetail"),
        {"400": "Code INSEE mal formé.", "404": "Aucune commune du département n'a ce code."},
        parameters=[_INSEE],
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
