"""The claims of a staff user pool's ID token as API Gateway's JWT authorizer passes them on.

API Gateway has already proved the token (signature, issuer, audience, expiry: 401 otherwise) and renders every
claim as a string: a list claim such as `cognito:groups` arrives as `"[school-staff editors]"`, as a plain
`"school-staff"`, as `"a,b"` or as a JSON array. Nothing here logs or stores a claim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

GROUPS_CLAIM = "cognito:groups"


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
    """The caller's user pool groups (`cognito:groups`)."""
    return claim_values(claims.get(GROUPS_CLAIM))
