"""OpenAPI description of the schools service's public routes (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    FRESHNESS_PROPERTIES,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    commune_parameter,
    json_ok,
    limit_parameter,
    problem_response,
)
from poche_common.schools import NOTICE_KINDS

from .policy import LIST_CACHE_SECONDS, NOTICES_CACHE_SECONDS

_NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "School": {
        "type": "object",
        "required": [
            "uai",
            "name",
            "official_name",
            "commune",
            "commune_name",
            "type",
            "type_label",
            "sector",
            "sector_label",
        ],
        "properties": {
            "uai": {"type": "string", "description": "Code UAI (RNE) de l'établissement, par exemple 0610003X."},
            "name": {"type": "string"},
            "official_name": {"type": "string", "description": "Nom tel que publié par le ministère."},
            "commune": {"type": "string", "description": "Code INSEE de la commune."},
            "commune_name": _NULLABLE_STRING,
            "type": {"type": "string", "enum": ["college", "lycee", "lycee_professionnel"]},
            "type_label": {"type": "string"},
            "sector": {"type": "string", "enum": ["public", "private"]},
            "sector_label": {"type": "string"},
        },
    },
    "SchoolList": {
        "type": "object",
        "required": ["items", "next", "as_of", "stale"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/School"}},
            "next": {"type": ["string", "null"], "description": "Curseur opaque de la page suivante."},
            **FRESHNESS_PROPERTIES,
        },
    },
    "SchoolNotice": {
        "type": "object",
        "required": [
            "id",
            "uai",
            "kind",
            "kind_label",
            "title",
            "body",
            "starts",
            "ends",
            "origin",
            "origin_label",
            "updated_at",
        ],
        "properties": {
            "id": {"type": "string"},
            "uai": {"type": "string"},
            "kind": {"type": "string", "enum": sorted(NOTICE_KINDS)},
            "kind_label": {"type": "string"},
            "title": {"type": "string", "maxLength": 120},
            "body": {"type": "string", "maxLength": 2000},
            "starts": {"type": "string", "format": "date-time", "description": "Début (Europe/Paris)."},
            "ends": {"type": "string", "format": "date-time", "description": "Fin (Europe/Paris)."},
            "origin": {
                "type": "string",
                "enum": ["school", "departement"],
                "description": "school : publié par l'établissement ; departement : publication groupée du "
                "Département (flux schools-notices-csv).",
            },
            "origin_label": {"type": "string"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "SchoolNoticeList": {
        "type": "object",
        "required": ["school", "items", "next", "as_of", "stale"],
        "properties": {
            "school": {"$ref": "#/components/schemas/School"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/SchoolNotice"}},
            "next": {"type": "null"},
            **FRESHNESS_PROPERTIES,
        },
    },
}

PATHS: dict[str, Any] = {
    "/v1/schools": {
        "get": {
            "operationId": "listSchools",
            "tags": ["établissements scolaires"],
            "summary": "Les collèges et lycées, par nom ; d'une commune si `commune` est donné.",
            "parameters": [
                commune_parameter(),
                limit_parameter(50, 100),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page d'établissements.", "SchoolList", max_age=LIST_CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (commune, limit ou curseur)."),
                "404": problem_response("Commune inconnue."),
            },
        }
    },
    "/v1/schools/{uai}/notices": {
        "get": {
            "operationId": "listSchoolNotices",
            "tags": ["établissements scolaires"],
            "summary": "Les informations en cours et à venir d'un établissement (changements d'emploi du temps, "
            "fermetures, transports suspendus…), par date de début.",
            "parameters": [
                {
                    "name": "uai",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "Code UAI de l'établissement.",
                    "example": "0610003X",
                },
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Les informations.", "SchoolNoticeList", max_age=NOTICES_CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "404": problem_response("Établissement inconnu."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
