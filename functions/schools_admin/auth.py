"""Who may write a school's notices, from the claims the API's JWT authorizer passes on.

API Gateway has already proved the token (signature, issuer, audience, expiry: 401 otherwise) and renders
every claim as a string: a list claim such as `cognito:groups` arrives as `"[school-staff editors]"`, or
as a plain `"school-staff"`. `custom:schools` is the comma-separated UAIs of the schools the user acts for.
Nothing here is logged or stored: the caller is only checked, never recorded.
"""

from __future__ import annotations

from collections.abc import Mapping

from poche_common import schools
from poche_common.claims import GROUPS_CLAIM, claim_values, groups
from poche_common.errors import ForbiddenError

__all__ = ["GROUPS_CLAIM", "SCHOOLS_CLAIM", "STAFF_GROUP", "attached_schools", "authorize", "claim_values", "groups"]

STAFF_GROUP = "school-staff"
SCHOOLS_CLAIM = "custom:schools"


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
