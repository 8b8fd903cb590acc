"""Who may use the finance routes, from the claims the API's JWT authorizer (staff user pool) passes on.

Only members of the `finance` group (`cognito:groups`, read by `poche_common.claims`); anyone else signed in to
the staff pool gets a 403 in French. The caller's `sub` is returned because a resolution records who made it
(`by`); nothing else about the caller is read, logged or stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from poche_common.claims import groups
from poche_common.errors import ForbiddenError

FINANCE_GROUP = "finance"


def authorize(claims: Mapping[str, str]) -> str:
    """The caller's `sub` when they are in the `finance` group; ForbiddenError (403) otherwise."""
    if not claims:
        raise ForbiddenError("Cette opération demande un compte du personnel des finances.")
    if FINANCE_GROUP not in groups(claims):
        raise ForbiddenError(
            "Seul le personnel des finances (groupe finance) peut consulter le journal des paiements et les "
            "rapprochements."
        )
    sub = (claims.get("sub") or "").strip()
    if not sub:
        raise ForbiddenError("Le jeton ne désigne aucun compte (claim sub absent).")
    return sub
