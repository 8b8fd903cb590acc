"""poche_local.jwt: the checks of an HTTP API JWT authorizer (signature, issuer, audience, expiry)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from poche_local.jwt import JwtVerifier, Unauthorized, bearer, gateway_claims

ISSUER = "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_pool"
CLIENT = "client123"
NOW = 1_800_000_000


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "alg": "RS256",
        "kid": kid,
        "e": b64(numbers.e.to_bytes(3, "big")),
        "n": b64(numbers.n.to_bytes(256, "big")),
    }


def sign(key: rsa.RSAPrivateKey, claims: dict[str, Any], kid: str = "k1", alg: str = "RS256") -> str:
    head = b64(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64(signature)}"


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
GOOD = {"iss": ISSUER, "aud": CLIENT, "exp": NOW + 60, "token_use": "id", "cognito:groups": ["school-staff"]}


@pytest.fixture
def verifier() -> JwtVerifier:
    fetched: list[str] = []

    def fetch(issuer: str) -> dict[str, Any]:
        fetched.append(issuer)
        return {"keys": [jwk(KEY, "k1")]}

    return JwtVerifier(fetch, now=lambda: NOW)


def test_a_valid_id_token_gives_its_claims(verifier: JwtVerifier) -> None:
    assert verifier.verify(sign(KEY, GOOD), ISSUER, [CLIENT])["cognito:groups"] == ["school-staff"]


def test_an_access_token_is_matched_on_client_id(verifier: JwtVerifier) -> None:
    claims = {k: v for k, v in GOOD.items() if k != "aud"} | {"client_id": CLIENT, "token_use": "access"}
    assert verifier.verify(sign(KEY, claims), ISSUER, [CLIENT])["client_id"] == CLIENT


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (sign(OTHER, GOOD), "bad signature"),
        (sign(KEY, GOOD | {"exp": NOW}), "expired"),
        (sign(KEY, GOOD | {"exp": NOW - 3600}), "expired"),
        (sign(KEY, {k: v for k, v in GOOD.items() if k != "exp"}), "expired"),
        (sign(KEY, GOOD | {"nbf": NOW + 10}), "not yet valid"),
        (sign(KEY, GOOD | {"aud": "another-client"}), "wrong audience"),
        (sign(KEY, GOOD | {"iss": ISSUER + "x"}), "wrong issuer"),
        (sign(KEY, GOOD, kid="unknown"), "signing key"),
        (sign(KEY, GOOD, alg="HS256"), "RS256"),
        ("a.b", "malformed"),
        ("!!!.###.$$$", "malformed"),
    ],
)
def test_tokens_api_gateway_refuses(verifier: JwtVerifier, token: str, reason: str) -> None:
    with pytest.raises(Unauthorized, match=reason):
        verifier.verify(token, ISSUER, [CLIENT])


def test_an_unsigned_token_is_refused(verifier: JwtVerifier) -> None:
    head = b64(json.dumps({"alg": "none", "kid": "k1"}).encode())
    body = b64(json.dumps(GOOD).encode())
    with pytest.raises(Unauthorized):
        verifier.verify(f"{head}.{body}.", ISSUER, [CLIENT])


def test_a_tampered_payload_breaks_the_signature(verifier: JwtVerifier) -> None:
    head, _, signature = sign(KEY, GOOD).split(".")
    body = b64(json.dumps(GOOD | {"cognito:groups": ["finance"]}).encode())
    with pytest.raises(Unauthorized, match="bad signature"):
        verifier.verify(f"{head}.{body}.{signature}", ISSUER, [CLIENT])


def test_bearer_prefix_is_optional_and_a_missing_header_is_refused() -> None:
    assert bearer({"Authorization": "Bearer abc"}) == "abc"
    assert bearer({"authorization": "abc"}) == "abc"
    for headers in ({}, {"Authorization": ""}, {"Authorization": "Bearer "}):
        with pytest.raises(Unauthorized):
            bearer(headers)


def test_claims_reach_the_function_as_api_gateway_renders_them() -> None:
    rendered = gateway_claims({"exp": 5, "cognito:groups": ["school-staff", "editors"], "email_verified": True})
    assert rendered == {
        "claims": {"exp": "5", "cognito:groups": "[school-staff editors]", "email_verified": "true"},
        "scopes": None,
    }
    assert gateway_claims({"scope": "a b"})["scopes"] == ["a", "b"]
