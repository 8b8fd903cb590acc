"""Who calls, and the one rule every route shares: an erased account is told 401 before anything else."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from poche_common.errors import InvalidRequestError, UnauthorizedError, UnprocessableError

from ..ports import PersonalData

SUB = re.compile(r"^[0-9A-Za-z_-]{1,128}\Z")
T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """From the verified token's claims: `sub` keys the data, `username` names the Cognito user (the same UUID in
    a pool signing in by e-mail). Never a path or body value: a caller only ever reaches their own partition."""

    sub: str
    username: str

    @classmethod
    def of(cls, claims: Mapping[str, str]) -> Caller:
        sub = str(claims.get("sub") or "")
        if not SUB.match(sub):
            raise UnauthorizedError("Cette opération demande un compte citoyen connecté.")
        return cls(sub, str(claims.get("cognito:username") or "") or sub)


def validated(store: PersonalData, caller: Caller, validate: Callable[[], T]) -> T:
    """Runs a validation; before refusing with 400/422, an erased account is told 401 (the validation itself
    reads nothing of the caller)."""
    try:
        return validate()
    except (InvalidRequestError, UnprocessableError):
        store.read(caller.sub)
        raise
