"""Who may write a school's notices, from the claims the API's JWT authorizer passes on.

API Gateway has already proved the token (signature, issuer, audience, expiry: 401 otherwise) and renders
every claim as a string: a list claim such as `cognito:groups` arrives as `"[school-staff editors]"`, or
as a plain `"school-staff"`. `custom:schools` is the comma-separated UAIs of the schools the user acts for.
Nothing here is logged or stored: the caller is only checked, never recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from poche_common import schools
from poche_common.errors import ForbiddenError

STAFF_GROUP = "school-staff"
GROUPS_CLAIM = "cognito:groups"
SCHOOLS_CLAIM = "custom:schools"


def claim_values(value: str | None) -> list[str]:
    """The values of a list claim as API Gateway renders it: `[a b]`, `a`, `a,b`, or a JSON array."""
    if not value:
        return []
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    parts = (part.strip().strip("\"'") for part in re.split(r"[\s,]+", text))
    return [part for part in parts if part]


def groups(claims: Mapping[str, str]) -> list[str]:
    return claim_values(claims.get(GROUPS_CLAIM))


def attached_schools(claims: Mapping[str, str]) -> set[str]:
    return {uai.upper() for uai in claim_values(claims.get(SCHOOLS_CLAIM))}


def authorize(claims: Mapping[str, str], uai: str) -> schools.School:
    """The school the caller may write for, or ForbiddenError (403) / NotFoundError (404, unknown UAI)."""
    if not claims:
        raise ForbiddenError("Cette opération demande un compte du personnel d'établissement.")
    if STAFF_GROUP not in groups(claims):
        raise ForbiddenError(
            "Seul le personnel des établissements (groupe school-staff) peut publier des informations."
        )
    school = schools.require(uai.strip().upper())
    if school.uai not in attached_schools(claims):
        raise ForbiddenError(f"Votre compte n'est pas rattaché à l'établissement {school.uai}.")
    return school
