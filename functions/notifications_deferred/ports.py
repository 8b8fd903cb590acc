"""What the deferred pushes' rules (`logic.py`) need: the due pushes (`store.DueStore`) and the push
(`notifications_shared.ports.Push`). No I/O, no boto3."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol


class DuePushes(Protocol):
    def due(self, hours: list[str], now: dt.datetime) -> Iterable[dict[str, Any]]:
        """The DUE items of these hours (`YYYY-MM-DDTHH`, UTC) due by `now`: `sub`, `note_sk`, `title`..."""
        ...

    def done(self, sub: str, items: list[dict[str, Any]]) -> None:
        """Deletes these DUE items of `sub` and their pointers in the user's partition."""
        ...
