"""The bodies of the schools admin routes, written once: the OpenAPI document is generated from them, and the
test suite checks that `validation.py` (which answers the French 400 problems) accepts exactly what they accept.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from poche_common.openapi import OneOf, absent
from poche_common.schools import BODY_MAX, NOTICE_KINDS, TITLE_MAX, parse_moment

_NOT_BLANK = "Au moins un caractère qui n'est pas une espace."
_MOMENT = "ISO 8601 avec décalage (ou Z), entre 2000 et 2100 (poche_common.bounds)."


def _collapse(value: Any) -> Any:
    """A title as stored: its spaces collapsed (then checked: not blank, at most TITLE_MAX)."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _moment(value: str) -> str:
    parse_moment(value)  # ValueError: not an ISO 8601 date-time with its offset, or out of bounds
    return value


Title = Annotated[
    str,
    BeforeValidator(_collapse),
    Field(min_length=1, max_length=TITLE_MAX, json_schema_extra={"pattern": "\\S"}, description=_NOT_BLANK),
]
Body = Annotated[
    Annotated[str, BeforeValidator(_strip), Field(max_length=BODY_MAX)] | None,
    Field(description="Facultatif ; null vaut vide."),
]
Kind = Annotated[str, OneOf(sorted(NOTICE_KINDS))]
Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"}, description=_MOMENT), AfterValidator(_moment)]
Ends = Annotated[
    str,
    Field(json_schema_extra={"format": "date-time"}, description="Après `starts`, et dans le futur."),
    AfterValidator(_moment),
]


class SchoolNoticeNew(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body = None
    kind: Kind
    starts: Moment
    ends: Ends


class SchoolNoticeChange(BaseModel):
    """Les champs à changer, au moins un ; un champ absent garde sa valeur."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    title: Title = absent()
    body: Body = None
    kind: Kind = absent()
    starts: Moment = absent()
    ends: Ends = absent()

    @model_validator(mode="before")
    @classmethod
    def _something_to_change(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data:
            raise ValueError("Rien à modifier.")
        return data


REQUESTS = (SchoolNoticeNew, SchoolNoticeChange)
