"""The shapes of the news service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from poche_common.openapi import Page


class NewsItem(BaseModel):
    id: str = Field(description="Identifiant stable de l'article (empreinte du guid ou du lien).")
    title: str
    summary: str = Field(
        description="Texte brut (HTML retiré), au plus 280 caractères, coupé à un mot avec « … » ; "
        "les paragraphes sont séparés par une ligne vide."
    )
    url: str | None = Field(description="Page de l'article (http/https).", json_schema_extra={"format": "uri"})
    published: dt.datetime = Field(description="Europe/Paris, avec décalage.")
    source: str = Field(description="Titre du flux d'où vient l'article.")
    tags: list[str] = Field(description="« general » (tout le département) et/ou codes INSEE des communes concernées.")
    image: str | None = Field(json_schema_extra={"format": "uri"})
    categories: list[str]


class NewsList(Page):
    items: list[NewsItem]


MODELS = (NewsList,)
