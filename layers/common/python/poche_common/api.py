"""HTTP conventions shared by every service function (see docs/api-conventions.md).

- one resolver factory mapping domain exceptions to `application/problem+json`;
- JSON responses with a strong `ETag`, `If-None-Match` -> 304 and a `Cache-Control`;
- query parameter readers that fail with 400 naming the parameter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from . import communes, safejson  # communes: light, the reference data is read on first use only
from .bounds import EARLIEST_DATE, LATEST_DATE
from .errors import (
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableError,
    UpstreamUnavailableError,
)
from .observability import logger
from .problems import PROBLEM_CONTENT_TYPE, problem_body
from .router import Request, Response, Router, response

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def problem(status: int, slug: str, detail: str, **extensions: Any) -> Response:
    return response(
        status,
        problem_body(status, slug, detail, **extensions),
        {"Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store"},
    )


# The domain exceptions answered as a problem of their status and slug, their message as its detail.
PROBLEMS: dict[type[Exception], tuple[int, str]] = {
    ForbiddenError: (403, "forbidden"),
    ConflictError: (409, "conflict"),
    UnauthorizedError: (401, "unauthorized"),
    PreconditionFailedError: (412, "precondition-failed"),
    PreconditionRequiredError: (428, "precondition-required"),
    NotFoundError: (404, "not-found"),
}


def _problem_of(status: int, slug: str) -> Callable[[Exception], Response]:
    """The handler answering an exception with the problem `status`/`slug` (its message as the detail), logged once
    at INFO with the slug's words (`not found`, `conflict`...)."""

    def answer(exc: Exception) -> Response:
        logger.info(slug.replace("-", " "), extra={"detail": str(exc)})
        return problem(status, slug, str(exc))

    return answer


def make_resolver() -> Router:
    """An HTTP API (payload 2.0) resolver whose errors are all problem details."""
    app = Router()

    @app.exception_handler(InvalidRequestError)
    def _invalid(exc: InvalidRequestError) -> Response:
        logger.info("invalid request", extra={"field": exc.field, "detail": exc.detail})
        params = [{"name": exc.field, "reason": exc.detail}] if exc.field else None
        return problem(400, "invalid-request", exc.detail, invalid_params=params)

    for kind, (status, slug) in PROBLEMS.items():
        app.exception_handler(kind)(_problem_of(status, slug))

    @app.exception_handler(UnprocessableError)
    def _unprocessable(exc: UnprocessableError) -> Response:
        logger.info("unprocessable", extra={"detail": exc.detail})
        return problem(422, "unprocessable", exc.detail, invalid_params=exc.params or None)

    @app.exception_handler(TooManyRequestsError)
    def _too_many(exc: TooManyRequestsError) -> Response:
        answer = _problem_of(429, "too-many-requests")(exc)
        answer["headers"]["Retry-After"] = str(exc.retry_after_s)
        return answer

    @app.exception_handler(UpstreamUnavailableError)
    def _upstream(exc: UpstreamUnavailableError) -> Response:
        logger.warning("upstream unavailable", extra={"detail": str(exc)})
        answer = problem(503, "upstream-unavailable", str(exc))
        answer["headers"]["Retry-After"] = "30"
        return answer

    @app.not_found
    def _no_route(request: Request) -> Response:
        return problem(404, "no-such-route", f"Aucune ressource à l'adresse {request.path}.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unexpected error")
        return problem(500, "internal-error", "Une erreur interne est survenue ; réessayez plus tard.")

    return app


def etag_of(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return etag in candidates


def json_response(app: Router, payload: dict[str, Any], *, max_age: int, private: bool = False) -> Response:
    """200 with the payload, or 304 when the client already holds this exact representation."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    etag = etag_of(body)
    cache = "private, no-store" if private else f"public, max-age={max_age}"
    headers = {"ETag": etag, "Cache-Control": cache}
    if _matches(app.current_event.headers.get("if-none-match"), etag):
        return response(304, "", headers)
    return response(200, body, {"Content-Type": JSON_CONTENT_TYPE, **headers})


def query(app: Router, name: str) -> str | None:
    value = app.current_event.get_query_string_value(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def query_date(app: Router, name: str) -> dt.date | None:
    raw = query(app, name)
    return None if raw is None else parse_day(raw, name)


def parse_day(raw: str, field: str) -> dt.date:
    """A date `AAAA-MM-JJ` between 2000 and 2099 (a query or path parameter); 400 naming `field` otherwise."""
    text = raw.strip()
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidRequestError(
            f"« {text[:40]} » n'est pas une date valide : attendu AAAA-MM-JJ, par exemple 2026-11-30.", field=field
        ) from None
    if not EARLIEST_DATE <= day < LATEST_DATE:  # a window computed from 9999-12-31 would overflow
        raise InvalidRequestError(f"« {text} » est hors des dates servies (2000 à 2099).", field=field)
    return day


def query_limit(app: Router, *, default: int = 50, maximum: int = 100) -> int:
    raw = query(app, "limit")
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= maximum:
        raise InvalidRequestError(f"limit doit être un entier entre 1 et {maximum}.", field="limit")
    return int(raw)


INSEE_RE = re.compile(r"^([013-9][0-9]|2[AB1-9])[0-9]{3}\Z")


_NEAR = re.compile(r"^(-?\d{1,3}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)\Z")
MAX_NEAR_LATITUDE = 85  # as web maps (Web Mercator): nearer a pole, a radius needs thousands of geohash cells


def parse_near(raw: str | None, what: str = "recherche à proximité") -> tuple[float, float] | None:
    """`near=lat,lon` (WGS84 decimal degrees), at most `MAX_NEAR_LATITUDE` from the equator; 400 naming `near`."""
    if raw is None:
        return None
    match = _NEAR.match(raw.replace(" ", ""))
    lat, lon = (float(match[1]), float(match[2])) if match else (999.0, 999.0)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidRequestError(
            f"« {raw} » n'est pas une position : attendu near=latitude,longitude en degrés décimaux "
            "(WGS84), par exemple near=48.4329,0.0913.",
            field="near",
        )
    if abs(lat) > MAX_NEAR_LATITUDE:  # near a pole, a radius spans every longitude: too many cells to read
        raise InvalidRequestError(f"« {raw} » : la {what} va jusqu'à {MAX_NEAR_LATITUDE}° de latitude.", field="near")
    return lat, lon


def parse_radius(raw: str | None, *, default: int, maximum: int) -> int:
    """`radius`: whole metres from 1 to `maximum` (`default` when absent); 400 naming `radius`."""
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,5}", raw) or not 1 <= int(raw) <= maximum:
        raise InvalidRequestError(f"radius doit être un nombre entier de mètres entre 1 et {maximum}.", field="radius")
    return int(raw)


def query_commune(app: Router) -> str | None:
    """The `commune` parameter: a well-formed INSEE code (else 400) of a commune of the territory (else 404)."""
    raw = query(app, "commune")
    if raw is None:
        return None
    if not INSEE_RE.match(raw.upper()):
        raise InvalidRequestError(
            f"« {raw} » n'est pas un code INSEE de commune (5 caractères, par exemple 61001 pour Alençon).",
            field="commune",
        )
    return communes.require(raw.upper()).insee


MAX_BODY_BYTES = 64 * 1024
# The deepest body of the API (a home layout: {"tiles": [{"params": {...}}]}) nests 4 levels. Deeper is refused
# before anything walks it (64 KiB of `[` made json.loads raise RecursionError: a 500 with a stack trace).
MAX_BODY_DEPTH = 20


def json_body(app: Router, *, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body; 400 (naming `body`) when absent, too large, nested deeper than `MAX_BODY_DEPTH`,
    not UTF-8 JSON, or sent with another media type than `application/json`."""
    request = app.current_event
    media_type = request.headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()
    if media_type not in ("application/json", "application/merge-patch+json") and not media_type.endswith("+json"):
        raise InvalidRequestError(
            f"Le corps doit être du JSON (Content-Type: application/json), pas {media_type}.", field="body"
        )
    try:
        raw = request.body
    except ValueError:  # isBase64Encoded with a body that is not base64
        raise InvalidRequestError("Le corps de la requête est mal encodé.", field="body") from None
    if not raw.strip():
        raise InvalidRequestError("Le corps de la requête est vide : un objet JSON est attendu.", field="body")
    if len(raw) > max_bytes:
        raise InvalidRequestError(f"Le corps dépasse {max_bytes // 1024} Kio.", field="body")
    try:
        return safejson.loads(raw.decode("utf-8"), max_depth=MAX_BODY_DEPTH)
    except safejson.JSONDepthError:
        raise InvalidRequestError(
            f"Le corps est imbriqué trop profondément (au plus {MAX_BODY_DEPTH} niveaux).", field="body"
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestError(f"Le corps n'est pas un JSON valide : {exc}.", field="body") from None
