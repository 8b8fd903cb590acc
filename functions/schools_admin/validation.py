"""The JSON bodies of the admin API: a new notice (POST) and a partial change (PATCH).

Every refusal is a 400 problem naming the offending field (`invalid_params[0].name`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from poche_common.errors import InvalidRequestError
from poche_common.schools import BODY_MAX, NOTICE_KINDS, TITLE_MAX, parse_moment

FIELDS = ("title", "body", "kind", "starts", "ends")
REQUIRED = ("title", "kind", "starts", "ends")


@dataclass(frozen=True)
class NoticeFields:
    title: str
    body: str
    kind: str
    starts: dt.datetime
    ends: dt.datetime


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError("Le titre est obligatoire (texte non vide).", field="title")
    title = " ".join(value.split())
    if len(title) > TITLE_MAX:
        raise InvalidRequestError(f"Le titre dépasse {TITLE_MAX} caractères ({len(title)}).", field="title")
    return title


def _body(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequestError("Le texte doit être une chaîne de caractères.", field="body")
    body = value.strip()
    if len(body) > BODY_MAX:
        raise InvalidRequestError(f"Le texte dépasse {BODY_MAX} caractères ({len(body)}).", field="body")
    return body


def _kind(value: Any) -> str:
    if not isinstance(value, str) or value not in NOTICE_KINDS:
        codes = ", ".join(sorted(NOTICE_KINDS))
        raise InvalidRequestError(f"Type d'information inconnu ; valeurs possibles : {codes}.", field="kind")
    return value


def _moment(value: Any, field: str) -> dt.datetime:
    try:
        return parse_moment(value)
    except (ValueError, TypeError):
        raise InvalidRequestError(
            f"« {value} » n'est pas une date et heure ISO 8601 avec son décalage horaire, "
            "par exemple 2026-12-01T08:00:00+01:00.",
            field=field,
        ) from None


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequestError("Le corps doit être un objet JSON.", field="body")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise InvalidRequestError(
            f"Champ inconnu « {unknown[0]} » ; champs possibles : {', '.join(FIELDS)}.", field=unknown[0]
        )
    return body


def check_period(fields: NoticeFields, now: dt.datetime) -> NoticeFields:
    if fields.ends <= fields.starts:
        raise InvalidRequestError("La fin doit être postérieure au début.", field="ends")
    if fields.ends <= now:
        raise InvalidRequestError(
            "La fin est déjà passée : une information publiée doit être en cours ou à venir.", field="ends"
        )
    return fields


def validate_new(body: Any, now: dt.datetime) -> NoticeFields:
    data = _object(body)
    for name in REQUIRED:
        if data.get(name) is None:
            raise InvalidRequestError(f"Le champ « {name} » est obligatoire.", field=name)
    fields = NoticeFields(
        title=_title(data["title"]),
        body=_body(data.get("body")),
        kind=_kind(data["kind"]),
        starts=_moment(data["starts"], "starts"),
        ends=_moment(data["ends"], "ends"),
    )
    return check_period(fields, now)


def validate_change(body: Any, current: NoticeFields, now: dt.datetime) -> NoticeFields:
    """`current` with the fields of a PATCH body (at least one) replaced, checked as a whole."""
    data = _object(body)
    if not data:
        raise InvalidRequestError(f"Rien à modifier : donnez au moins un de {', '.join(FIELDS)}.", field="body")
    for name in REQUIRED:
        if name in data and data[name] is None:
            raise InvalidRequestError(f"Le champ « {name} » ne peut pas être vidé.", field=name)
    changes: dict[str, Any] = {}
    if "title" in data:
        changes["title"] = _title(data["title"])
    if "body" in data:
        changes["body"] = _body(data["body"])
    if "kind" in data:
        changes["kind"] = _kind(data["kind"])
    if "starts" in data:
        changes["starts"] = _moment(data["starts"], "starts")
    if "ends" in data:
        changes["ends"] = _moment(data["ends"], "ends")
    return check_period(replace(current, **changes), now)
