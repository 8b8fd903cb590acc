"""The shapes of the communes service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from poche_common.openapi import Fresh, Page


class Commune(BaseModel):
    insee: str = Field(pattern="^[0-9][0-9AB][0-9]{3}$", description="Code INSEE (COG).", examples=["61001"])
    name: str = Field(description="Nom officiel (COG), accentué : « Sées », « L'Aigle ».")
    postcodes: list[Annotated[str, Field(pattern="^[0-9]{5}$")]] = Field(
        description="Codes postaux de la commune (La Poste), triés."
    )
    lat: float = Field(description="Latitude WGS84 d'un point central (centroïde de la commune).")
    lon: float = Field(description="Longitude WGS84 de ce point.")
    bbox: list[float] = Field(
        min_length=4, max_length=4, description="Emprise : [lon_min, lat_min, lon_max, lat_max] (WGS84)."
    )


class CommuneDetail(Commune, Fresh):
    pass


class CommuneList(Page):
    items: list[Commune]


MODELS = (CommuneDetail, CommuneList)
