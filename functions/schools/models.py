"""The shapes of the schools service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from poche_common.openapi import Fresh, OneOf, Page
from poche_common.schools import BODY_MAX, NOTICE_KINDS, TITLE_MAX


class School(BaseModel):
    uai: str = Field(description="Code UAI (RNE) de l'établissement, par exemple 0610003X.", examples=["0610003X"])
    name: str
    official_name: str = Field(description="Nom tel que publié par le ministère.")
    commune: str = Field(description="Code INSEE de la commune.")
    commune_name: str | None
    type: Literal["college", "lycee", "lycee_professionnel"]
    type_label: str
    sector: Literal["public", "private"]
    sector_label: str


class SchoolList(Page):
    items: list[School]


class SchoolNotice(BaseModel):
    id: str
    uai: str
    kind: Annotated[str, OneOf(sorted(NOTICE_KINDS))]
    kind_label: str
    title: str = Field(max_length=TITLE_MAX)
    body: str = Field(max_length=BODY_MAX)
    starts: dt.datetime = Field(description="Début (Europe/Paris).")
    ends: dt.datetime = Field(description="Fin (Europe/Paris).")
    origin: Literal["school", "departement"] = Field(
        description="school : publié par l'établissement ; departement : publication groupée du "
        "Département (flux schools-notices-csv)."
    )
    origin_label: str
    updated_at: dt.datetime


class SchoolNoticeList(Fresh):
    school: School
    items: list[SchoolNotice]
    next: None


MODELS = (SchoolList, SchoolNoticeList)
