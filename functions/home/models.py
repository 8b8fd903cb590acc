"""The shapes of the home screen service's requests and answers, written once: the OpenAPI document is generated
from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py` (lazily: the handler reads a cache
lifetime there), the build and the tests only.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from home_shared.compose import MAX_TILES
from poche_common.openapi import Fresh

Params = Annotated[dict[str, str], Field(examples=[{"commune": "61001"}])]


class TileType(BaseModel):
    id: str = Field(description="Type de tuile, à donner dans `type`.", examples=["departures"])
    title: str = Field(examples=["Prochains passages"])
    service: str = Field(description="Le service qui fournit le contenu.", examples=["transit"])
    params: list[str] = Field(examples=[["stop_id", "route_id"]])
    example: dict[str, str] | None = Field(
        description="Des paramètres valides, pris dans les données chargées ; null tant que rien n'est chargé."
    )
    description: str


class TileCatalogue(Fresh):
    items: list[TileType]
    next: None


RequestedTile = Annotated[
    Any,
    Field(
        description="Une tuile `{type, params}` : `type` l'un des types du catalogue, `params` ses paramètres (des "
        "chaînes). Chaque tuile est vérifiée seule : une tuile invalide (pas un objet, type inconnu, paramètre "
        "manquant, en trop ou pas une chaîne) donne dans la réponse une entrée `error` (problème RFC 9457), sans "
        "refuser la requête ni les autres tuiles.",
        examples=[{"type": "news", "params": {"commune": "61001"}}],
    ),
]


class HomeRequest(BaseModel):
    tiles: list[RequestedTile] = Field(max_length=MAX_TILES)


class TileContent(BaseModel):
    """`items` : les éléments à afficher, dans la forme de l'API du service (départs, repas, événements, articles,
    avis) ; en plus, selon le type, l'arrêt et la ligne, la cantine, la commune ou l'établissement."""

    items: list[dict[str, Any]]


class TileAnswer(Fresh):
    type: str
    params: Params
    content: TileContent


def _problem(schema: dict[str, Any]) -> None:
    schema["properties"]["error"] = {"$ref": "#/components/schemas/Problem"}  # poche_common.openapi.PROBLEM_SCHEMA


class TileProblem(BaseModel):
    model_config = ConfigDict(json_schema_extra=_problem)

    type: str | None
    params: dict[str, Any]
    error: dict[str, Any]


def _one_of(schema: dict[str, Any]) -> None:
    schema["oneOf"] = schema.pop("anyOf")  # exactly one: content, or an error


class HomeTile(RootModel[TileAnswer | TileProblem]):
    model_config = ConfigDict(json_schema_extra=_one_of)


class HomeResponse(BaseModel):
    tiles: list[HomeTile]


MODELS = (TileCatalogue, HomeResponse)
REQUESTS = (HomeRequest,)
