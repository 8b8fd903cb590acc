"""`ProviderError`: the payment provider could not answer. Its own small module, imported with the functions'
handlers (so every handler and its rules name the same class), while the provider's adapter (`payfip.py`) is
imported only by the first request that calls it."""

from __future__ import annotations

import re

MESSAGE_MAX = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str, limit: int) -> str:
    """`text` on one line (control characters as spaces, spaces collapsed), cut to `limit` characters."""
    text = " ".join(_CONTROL.sub(" ", str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ProviderError(Exception):
    """The provider could not answer the question. `code` is its fault code when it gave one (else a short word of
    ours: timeout, network, http-<status>, malformed, oversize); `retryable` says whether the same call may work
    later. `message` is safe to log: bounded, one line, never the client number."""

    def __init__(self, code: str, message: str, *, retryable: bool) -> None:
        self.code = one_line(code, 40) or "unknown"
        self.message = one_line(message, MESSAGE_MAX)
        self.retryable = retryable
        super().__init__(f"PayFiP {self.code}: {self.message}")

    def __repr__(self) -> str:
        return f"ProviderError(code={self.code!r}, retryable={self.retryable}, message={self.message!r})"
