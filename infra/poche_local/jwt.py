"""What an HTTP API JWT authorizer checks, done locally against the emulated Cognito user pool.

API Gateway (HTTP API, `AuthorizationType: JWT`) accepts the token of the `Authorization` header
(with or without `Bearer `) only if: it is a JWS signed with RS256 by a key of the issuer's JWKS
(`<issuer>/.well-known/jwks.json`), `iss` equals the authorizer's issuer, `aud` (ID token) or
`client_id` (access token) is one of its audiences, and `exp`/`nbf` allow now. Anything else is
401 `{"message":"Unauthorized"}`. Groups are not checked there: the function decides (403).
The claims reach the function in `requestContext.authorizer.jwt`, every value as a string, arrays
rendered the way API Gateway renders them (`"[school-staff editors]"`).

PyJWT checks the token's form, the RS256 signature against the key chosen by `kid` and `iss`; the
audience rule (`aud`, else `client_id`) and the times, read on the injectable clock, are checked here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import jwt
from jwt.types import Options

CLOCK_SKEW_S = 0  # API Gateway allows none documented; keep it strict
ALGORITHMS = ["RS256"]  # fixed here, never read from the token (RFC 8725 §2.1)
# The times are checked below on the injected clock (PyJWT reads the system's); `iat`, `sub` and `jti`
# are not checked by API Gateway either.
_OPTIONS: Options = {
    "require": ["exp"],
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_sub": False,
    "verify_jti": False,
}


class Unauthorized(Exception):
    """The token is missing, malformed, forged, expired or not for this API: 401."""


def bearer(headers: dict[str, str]) -> str:
    """The token of the Authorization header, as API Gateway reads it (the `Bearer ` prefix is optional)."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    if not value:
        raise Unauthorized("no token")
    return value


def _reason(error: jwt.PyJWTError) -> str:
    """A short reason for PyJWT's refusal, in this module's words."""
    if isinstance(error, jwt.InvalidAlgorithmError):
        return "only RS256 tokens are accepted"
    if isinstance(error, jwt.InvalidSignatureError):
        return "bad signature"
    if isinstance(error, jwt.InvalidIssuerError):
        return "wrong issuer"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return {"exp": "expired (no exp)", "iss": "wrong issuer"}.get(error.claim, f"no {error.claim}")
    if isinstance(error, jwt.DecodeError):
        return "malformed token"
    return f"invalid token: {error}"


def _is_time(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class JwtVerifier:
    def __init__(self, fetch_jwks: Callable[[str], dict[str, Any]], now: Callable[[], float] = time.time) -> None:
        self._fetch = fetch_jwks  # issuer -> its JWKS document
        self._now = now
        self._keys: dict[str, dict[str, jwt.PyJWK]] = {}
        self._lock = threading.Lock()

    def _key(self, issuer: str, kid: Any) -> jwt.PyJWK:
        if not isinstance(kid, str):
            raise Unauthorized("signing key not in the issuer's JWKS")
        with self._lock:
            keys = self._keys.get(issuer)
            if keys is None or kid not in keys:  # unknown kid: the issuer may have rotated its keys
                try:
                    document = self._fetch(issuer)
                except Exception as exc:
                    raise Unauthorized(f"cannot read the issuer's JWKS: {exc}") from None
                try:
                    found = list(jwt.PyJWKSet.from_dict(document))
                except jwt.PyJWTError:  # no usable key at all
                    found = []
                keys = {
                    k.key_id: k
                    for k in found
                    if k.key_id is not None and k.key_type == "RSA" and k.algorithm_name in ALGORITHMS
                }
                self._keys[issuer] = keys
        if kid not in keys:
            raise Unauthorized("signing key not in the issuer's JWKS")
        return keys[kid]

    def verify(self, token: str, issuer: str, audiences: list[str]) -> dict[str, Any]:
        """The token's claims if API Gateway would accept it for this issuer and audiences."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            claims: dict[str, Any] = jwt.decode(
                token, self._key(issuer, kid), algorithms=ALGORITHMS, issuer=issuer, options=_OPTIONS
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(_reason(error)) from None
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        presented = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in audiences for a in presented):
            raise Unauthorized("wrong audience")
        now = self._now()
        exp = claims["exp"]
        if not _is_time(exp) or exp <= now - CLOCK_SKEW_S:
            raise Unauthorized("expired")
        nbf = claims.get("nbf")
        if nbf is not None and (not _is_time(nbf) or nbf > now + CLOCK_SKEW_S):
            raise Unauthorized("not yet valid")
        return claims


def gateway_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """`requestContext.authorizer.jwt` as API Gateway builds it: string claims, and the scopes."""

    def render(value: Any) -> str:
        if isinstance(value, list):
            return "[" + " ".join(render(v) for v in value) + "]"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    scope = claims.get("scope")
    return {
        "claims": {key: render(value) for key, value in claims.items()},
        "scopes": str(scope).split() if scope else None,
    }


def cognito_jwks_fetcher(endpoint: str) -> Callable[[str], dict[str, Any]]:
    """Reads `<pool id>/.well-known/jwks.json` from the emulation, for issuers of the Cognito form."""
    import urllib.request

    def fetch(issuer: str) -> dict[str, Any]:
        if not issuer.startswith("https://cognito-idp."):
            raise Unauthorized(f"{issuer}: only Cognito user pools are emulated")
        pool_id = issuer.rstrip("/").rsplit("/", 1)[1]
        url = f"{endpoint}/{pool_id}/.well-known/jwks.json"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (the loopback emulation)
            document: dict[str, Any] = json.loads(response.read())
        return document

    return fetch
