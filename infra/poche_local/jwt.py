"""What an HTTP API JWT authorizer checks, done locally against the emulated Cognito user pool.

API Gateway (HTTP API, `AuthorizationType: JWT`) accepts the token of the `Authorization` header
(with or without `Bearer `) only if: it is a JWS signed with RS256 by a key of the issuer's JWKS
(`<issuer>/.well-known/jwks.json`), `iss` equals the authorizer's issuer, `aud` (ID token) or
`client_id` (access token) is one of its audiences, and `exp`/`nbf` allow now. Anything else is
401 `{"message":"Unauthorized"}`. Groups are not checked there: the function decides (403).
The claims reach the function in `requestContext.authorizer.jwt`, every value as a string, arrays
rendered the way API Gateway renders them (`"[school-staff editors]"`).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLOCK_SKEW_S = 0  # API Gateway allows none documented; keep it strict


class Unauthorized(Exception):
    """The token is missing, malformed, forged, expired or not for this API: 401."""


def _b64(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise Unauthorized("malformed token") from None


def _int(value: str) -> int:
    return int.from_bytes(_b64(value), "big")


def bearer(headers: dict[str, str]) -> str:
    """The token of the Authorization header, as API Gateway reads it (the `Bearer ` prefix is optional)."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    if not value:
        raise Unauthorized("no token")
    return value


class JwtVerifier:
    def __init__(self, fetch_jwks: Callable[[str], dict[str, Any]], now: Callable[[], float] = time.time) -> None:
        self._fetch = fetch_jwks  # issuer -> its JWKS document
        self._now = now
        self._keys: dict[str, dict[str, rsa.RSAPublicKey]] = {}
        self._lock = threading.Lock()

    def _key(self, issuer: str, kid: str) -> rsa.RSAPublicKey:
        with self._lock:
            keys = self._keys.get(issuer)
            if keys is None or kid not in keys:  # unknown kid: the issuer may have rotated its keys
                try:
                    document = self._fetch(issuer)
                except Exception as exc:
                    raise Unauthorized(f"cannot read the issuer's JWKS: {exc}") from None
                keys = {
                    str(k.get("kid")): rsa.RSAPublicNumbers(_int(k["e"]), _int(k["n"])).public_key()
                    for k in document.get("keys", [])
                    if k.get("kty") == "RSA"
                }
                self._keys[issuer] = keys
        if kid not in keys:
            raise Unauthorized("signing key not in the issuer's JWKS")
        return keys[kid]

    def verify(self, token: str, issuer: str, audiences: list[str]) -> dict[str, Any]:
        """The token's claims if API Gateway would accept it for this issuer and audiences."""
        parts = token.split(".")
        if len(parts) != 3:
            raise Unauthorized("malformed token")
        try:
            header = json.loads(_b64(parts[0]))
            claims = json.loads(_b64(parts[1]))
        except ValueError:
            raise Unauthorized("malformed token") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise Unauthorized("malformed token")
        if header.get("alg") != "RS256":
            raise Unauthorized("only RS256 tokens are accepted")
        if claims.get("iss") != issuer:
            raise Unauthorized("wrong issuer")
        key = self._key(issuer, str(header.get("kid")))
        try:
            key.verify(_b64(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise Unauthorized("bad signature") from None
        audience = claims.get("aud", claims.get("client_id"))
        presented = audience if isinstance(audience, list) else [audience]
        if not any(a in audiences for a in presented):
            raise Unauthorized("wrong audience")
        now = self._now()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now - CLOCK_SKEW_S:
            raise Unauthorized("expired")
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf > now + CLOCK_SKEW_S:
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
