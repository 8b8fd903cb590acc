"""What the rules of the `me` domain need of the outside world, as small ports (Protocols), and the values they
exchange. The adapters (`personal.Personal`, `devices.Devices`, `identity.CognitoIdentity`) implement them over
DynamoDB, SNS and Cognito; tests pass in-memory fakes. Nothing here does I/O or imports boto3."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .erasure import Outcome


class EndpointError(RuntimeError):
    """SNS refused an endpoint operation; `code` is SNS's error code (the message may hold the token: dropped)."""

    def __init__(self, operation: str, code: str) -> None:
        super().__init__(f"SNS {operation} failed: {code}")
        self.code = code


@dataclass(frozen=True)
class Claim:
    item: dict[str, Any]  # the DEVICE item (without its keys)
    created: bool  # False: the caller's DEVICE item for this token existed already (a concurrent registration)
    detached: bool  # True: the token was taken over from another account (whose DEVICE item was removed)


class DeviceRegistry(Protocol):
    """Device tokens and their one owner (`me_shared.devices`)."""

    def claim(
        self,
        sub: str,
        platform: str,
        application: str,
        token: str,
        now: dt.datetime,
        on_endpoint: Callable[[], None] | None = None,
    ) -> Claim: ...

    def adopt(self, sub: str, device: dict[str, Any], now: dt.datetime) -> None: ...

    def release(self, sub: str, device: dict[str, Any], before_endpoint: Callable[[], None] | None = None) -> bool:
        """Removes the device; True when its endpoint was deleted (it owned its token)."""
        ...


class Identity(Protocol):
    """The citizen's account in the user pool."""

    def user(self, username: str) -> dict[str, Any] | None:
        """The user's record (AdminGetUser's answer), None when there is none."""
        ...

    def delete_user(self, username: str) -> None:
        """Deletes the user; a user already gone is fine."""
        ...


class ErasureStore(Protocol):
    """The erasure's reads and writes of the personal table (`me_shared.personal.Personal`)."""

    def partition(self, sub: str, prefix: str = "") -> list[dict[str, Any]]: ...

    def erase(self, sub: str, items: list[dict[str, Any]]) -> int: ...

    def erasure_state(self, sub: str) -> str | None: ...

    def bury(self, sub: str, now: dt.datetime) -> bool: ...

    def finish(self, sub: str, now: dt.datetime) -> None: ...


class Eraser(Protocol):
    """The erasure's run (`me_shared.erasure.Erasure`): idempotent, raises when a step failed."""

    def run(self, sub: str, username: str, now: dt.datetime) -> Outcome: ...
