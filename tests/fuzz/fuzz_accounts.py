"""Accounts of the running platform's emulated user pools, made in-process (what `poche user create` does)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_support import RunningPlatform

from poche_local.platform import STATE_FILE, aws_clients
from poche_local.users import create_citizen, create_user

STAFF_SCHOOL = "0610003X"  # Collège Jean Racine, Alençon: a school of the territory's feed


@dataclass
class Accounts:
    """A member of staff (group school-staff, one school) and a citizen, each with an ID token, both made for the
    fuzzing so that it only ever touches their own data; `new_citizen` signs up one more."""

    cognito: Any
    staff: str = ""
    citizen: str = ""
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def new_citizen(self) -> str:
        email = f"fuzz.citizen.{next(self._numbers)}@example.test"
        return create_citizen(self.cognito, email)["id_token"]


def make_accounts(platform: RunningPlatform) -> Accounts:
    endpoint = json.loads((Path(platform.env["POCHE_STATE_DIR"]) / STATE_FILE).read_text())["endpoint"]
    accounts = Accounts(aws_clients(endpoint)["cognito-idp"])
    accounts.staff = create_user(accounts.cognito, "fuzz.staff@example.test", ["school-staff"], [STAFF_SCHOOL])[
        "id_token"
    ]
    accounts.citizen = accounts.new_citizen()
    return accounts
