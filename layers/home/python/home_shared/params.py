"""A tile's parameters, checked before anything is read: each name has one rule, the same for every tile."""

from __future__ import annotations

import re

from poche_common import communes, schools
from poche_common.api import INSEE_RE
from poche_common.errors import InvalidRequestError

_ID = re.compile(r"^[^\x00-\x1f#]{1,255}\Z")  # GTFS and SCDL ids are free text: no control character nor '#'
_UAI = re.compile(r"^[0-9]{7}[A-Z]\Z")


def _identifier(name: str, value: str) -> str:
    if not _ID.match(value):
        raise InvalidRequestError(f"{name} n'est pas un identifiant valide.", field=name)
    return value


def _commune(name: str, value: str) -> str:
    if not INSEE_RE.match(value.upper()):
        raise InvalidRequestError(
            f"« {value} » n'est pas un code INSEE de commune (5 caractères, par exemple 61001 pour Alençon).",
            field=name,
        )
    return communes.require(value.upper()).insee  # NotFoundError: not a commune of the territory


def _uai(name: str, value: str) -> str:
    if not _UAI.match(value.upper()):
        raise InvalidRequestError(
            f"« {value} » n'est pas un code UAI d'établissement (7 chiffres et une lettre, par exemple 0610001A).",
            field=name,
        )
    return schools.require(value.upper()).uai  # NotFoundError: not a school of the territory


RULES = {
    "stop_id": _identifier,
    "route_id": _identifier,
    "canteen_id": _identifier,
    "commune": _commune,
    "uai": _uai,
}


def checked(names: tuple[str, ...], given: object) -> dict[str, str]:
    """The tile's parameters, normalised; InvalidRequestError (naming `params.<name>`) or NotFoundError."""
    if not isinstance(given, dict):
        raise InvalidRequestError("params doit être un objet {nom: valeur}.", field="params")
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise InvalidRequestError(
            f"Paramètre(s) inconnu(s) pour ce type de tuile : {', '.join(map(str, unknown))} "
            f"(attendus : {', '.join(names)}).",
            field=f"params.{unknown[0]}",
        )
    values: dict[str, str] = {}
    for name in names:
        value = given.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidRequestError(
                f"Le paramètre {name} est obligatoire pour ce type de tuile.", field=f"params.{name}"
            )
        if not isinstance(value, str):
            raise InvalidRequestError(f"Le paramètre {name} doit être une chaîne.", field=f"params.{name}")
        rule = RULES.get(name, _identifier)
        try:
            values[name] = rule(name, value.strip())
        except InvalidRequestError as exc:
            raise InvalidRequestError(exc.detail, field=f"params.{name}") from None
    return values
