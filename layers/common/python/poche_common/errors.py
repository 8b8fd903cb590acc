"""Domain exceptions, mapped to HTTP problems in one place (`poche_common.api`)."""

from __future__ import annotations


class PocheError(Exception):
    """Base of every error this project raises on purpose."""


class NotFoundError(PocheError):
    """The resource named in the request does not exist (HTTP 404)."""


class InvalidRequestError(PocheError):
    """The request is malformed (HTTP 400). `field` names the offending parameter."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class ForbiddenError(PocheError):
    """The caller is signed in but may not do this (HTTP 403)."""


class ConflictError(PocheError):
    """The request conflicts with the resource's current state (HTTP 409)."""


class UnauthorizedError(PocheError):
    """The caller is not (or no longer) a known account (HTTP 401), e.g. a token outliving its deleted account."""


class UnprocessableError(PocheError):
    """Well-formed but not acceptable (HTTP 422): `params` name what is wrong ({"name", "reason"})."""

    def __init__(self, detail: str, *, params: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.params = params or []


class PreconditionFailedError(PocheError):
    """`If-Match` names another version than the current one (HTTP 412): a lost update avoided."""


class PreconditionRequiredError(PocheError):
    """A write that must say which version it replaces came without `If-Match` (HTTP 428)."""


class TooManyRequestsError(PocheError):
    """The caller asked too often (HTTP 429); `retry_after_s` says when to try again."""

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class UpstreamUnavailableError(PocheError):
    """A service the request depends on (PayFiP) did not answer usably (HTTP 503); nothing was changed that the
    caller must know of, and trying again later is safe."""


class FeedError(PocheError):
    """A data source could not be used at all: nothing stored may change."""


class FeedUnavailableError(FeedError):
    """The source could not be fetched (unreachable, HTTP error, timeout, too large)."""


class FeedFormatError(FeedError):
    """The source was fetched but is not in the expected format (not CSV, wrong columns, ...)."""
