"""poche_local.jwt: the checks of an HTTP API JWT authorizer (signature, issuer, audience, expiry)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
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


def hs256(secret: bytes, claims: dict[str, Any], kid: str = "k1") -> str:
    """A token MAC'd with HS256 (built by hand: PyJWT itself refuses to use a PEM key as an HMAC secret)."""
    head = b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}.{b64(hmac.new(secret, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


class Issuer:
    """A JWKS endpoint whose keys can be rotated, counting its reads."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        self.reads = 0

    def __call__(self, issuer: str) -> dict[str, Any]:
        assert issuer == ISSUER
        self.reads += 1
        return {"keys": self.keys}


def test_an_unsigned_token_is_refused_as_not_rs256(verifier: JwtVerifier) -> None:
    for alg in ("none", "None", ""):
        head = b64(json.dumps({"alg": alg, "kid": "k1"}).encode())
        with pytest.raises(Unauthorized, match="RS256"):
            verifier.verify(f"{head}.{b64(json.dumps(GOOD).encode())}.", ISSUER, [CLIENT])


@pytest.mark.parametrize("alg", ["RS512", "PS256", "ES256"])
def test_other_algorithms_are_refused(verifier: JwtVerifier, alg: str) -> None:
    with pytest.raises(Unauthorized, match="RS256"):
        verifier.verify(sign(KEY, GOOD, alg=alg), ISSUER, [CLIENT])


def test_hs256_with_the_public_key_as_secret_is_refused(verifier: JwtVerifier) -> None:
    """The algorithm-confusion attack: the public key (PEM, or its JWK) used as an HMAC secret."""
    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for secret in (pem, json.dumps(jwk(KEY, "k1")).encode(), jwk(KEY, "k1")["n"].encode()):
        with pytest.raises(Unauthorized, match="RS256"):
            verifier.verify(hs256(secret, GOOD), ISSUER, [CLIENT])


def test_an_hmac_key_in_the_jwks_is_never_used() -> None:
    secret = b"s" * 32
    issuer = Issuer(jwk(KEY, "k1"), {"kty": "oct", "kid": "h1", "alg": "HS256", "k": b64(secret)})
    verifier = JwtVerifier(issuer, now=lambda: NOW)
    for kid in ("h1", "k1"):
        with pytest.raises(Unauthorized):
            verifier.verify(hs256(secret, GOOD, kid=kid), ISSUER, [CLIENT])


def test_the_key_is_chosen_by_kid_and_a_new_kid_is_fetched_once() -> None:
    issuer = Issuer(jwk(KEY, "k1"))
    verifier = JwtVerifier(issuer, now=lambda: NOW)
    assert verifier.verify(sign(KEY, GOOD), ISSUER, [CLIENT])["aud"] == CLIENT
    assert verifier.verify(sign(KEY, GOOD), ISSUER, [CLIENT])["aud"] == CLIENT
    assert issuer.reads == 1  # the JWKS is kept
    issuer.keys = [jwk(KEY, "k1"), jwk(OTHER, "k2")]  # rotation: a new key is published
    assert verifier.verify(sign(OTHER, GOOD, kid="k2"), ISSUER, [CLIENT])["aud"] == CLIENT
    assert issuer.reads == 2
    with pytest.raises(Unauthorized, match="bad signature"):  # the key of the token's kid, not any key
        verifier.verify(sign(KEY, GOOD, kid="k2"), ISSUER, [CLIENT])
    assert issuer.reads == 2
    with pytest.raises(Unauthorized, match="signing key"):
        verifier.verify(sign(KEY, GOOD, kid="k3"), ISSUER, [CLIENT])
    assert issuer.reads == 3  # one refetch for the unknown kid, no more
    issuer.keys = [jwk(OTHER, "k2")]  # k1 withdrawn: known only after a refetch, as API Gateway caches too
    with pytest.raises(Unauthorized, match="signing key"):
        verifier.verify(sign(KEY, GOOD, kid="k4"), ISSUER, [CLIENT])
    with pytest.raises(Unauthorized, match="signing key"):
        verifier.verify(sign(KEY, GOOD), ISSUER, [CLIENT])


def test_a_token_without_kid_is_refused_without_reading_the_jwks() -> None:
    issuer = Issuer(jwk(KEY, "k1"))
    head = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(GOOD).encode())
    signature = KEY.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(Unauthorized, match="signing key"):
        JwtVerifier(issuer, now=lambda: NOW).verify(f"{head}.{body}.{b64(signature)}", ISSUER, [CLIENT])
    assert issuer.reads == 0


def test_an_unreadable_jwks_is_unauthorized() -> None:
    def fetch(issuer: str) -> dict[str, Any]:
        raise OSError("connection refused")

    with pytest.raises(Unauthorized, match="cannot read the issuer's JWKS"):
        JwtVerifier(fetch, now=lambda: NOW).verify(sign(KEY, GOOD), ISSUER, [CLIENT])
    with pytest.raises(Unauthorized, match="signing key"):  # a JWKS without a usable key
        JwtVerifier(lambda issuer: {"keys": []}, now=lambda: NOW).verify(sign(KEY, GOOD), ISSUER, [CLIENT])


ACCESS = {k: v for k, v in GOOD.items() if k not in ("aud", "cognito:groups")} | {
    "client_id": CLIENT,
    "token_use": "access",
    "scope": "aws.cognito.signin.user.admin",
}


@pytest.mark.parametrize(
    ("claims", "audiences"),
    [
        (GOOD, ["other", CLIENT]),
        (GOOD | {"aud": ["other", CLIENT]}, [CLIENT]),
        (ACCESS, [CLIENT]),
        (ACCESS, ["other", CLIENT]),
    ],
)
def test_the_audience_is_aud_or_else_client_id(
    verifier: JwtVerifier, claims: dict[str, Any], audiences: list[str]
) -> None:
    assert verifier.verify(sign(KEY, claims), ISSUER, audiences) == claims


@pytest.mark.parametrize(
    "claims",
    [
        ACCESS | {"client_id": "another-client"},
        {k: v for k, v in ACCESS.items() if k != "client_id"},  # neither aud nor client_id
        ACCESS | {"aud": "another-client"},  # aud, when present, is the audience
        GOOD | {"aud": ["another-client"]},
        GOOD | {"aud": []},
        GOOD | {"aud": None, "client_id": CLIENT},
        GOOD | {"aud": [[CLIENT]]},
    ],
)
def test_a_token_for_another_client_is_refused(verifier: JwtVerifier, claims: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized, match="wrong audience"):
        verifier.verify(sign(KEY, claims), ISSUER, [CLIENT])


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({k: v for k, v in GOOD.items() if k != "iss"}, "wrong issuer"),
        (GOOD | {"iss": ISSUER + "/"}, "wrong issuer"),
        (GOOD | {"exp": None}, "expired"),
        (GOOD | {"exp": str(NOW + 60)}, "expired"),
        (GOOD | {"exp": True}, "expired"),
        (GOOD | {"nbf": NOW + 1}, "not yet valid"),
        (GOOD | {"nbf": str(NOW - 60)}, "not yet valid"),
    ],
)
def test_claims_that_are_missing_or_malformed_are_refused(
    verifier: JwtVerifier, claims: dict[str, Any], reason: str
) -> None:
    with pytest.raises(Unauthorized, match=reason):
        verifier.verify(sign(KEY, claims), ISSUER, [CLIENT])


def test_times_are_read_on_the_injected_clock_without_leeway() -> None:
    clock = [float(NOW)]
    verifier = JwtVerifier(Issuer(jwk(KEY, "k1")), now=lambda: clock[0])
    token = sign(KEY, GOOD | {"nbf": NOW, "iat": NOW})
    assert verifier.verify(token, ISSUER, [CLIENT])["nbf"] == NOW  # nbf == now is valid
    clock[0] = NOW - 0.5
    with pytest.raises(Unauthorized, match="not yet valid"):
        verifier.verify(token, ISSUER, [CLIENT])
    clock[0] = NOW + 59.5
    assert verifier.verify(token, ISSUER, [CLIENT])["exp"] == NOW + 60
    clock[0] = NOW + 60  # exp == now is expired
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(token, ISSUER, [CLIENT])


@pytest.mark.parametrize("now", [1_000_000_000, 4_000_000_000])  # 2001 and 2096
def test_the_system_clock_is_not_used_when_a_clock_is_given(now: int) -> None:
    verifier = JwtVerifier(Issuer(jwk(KEY, "k1")), now=lambda: now)
    claims = GOOD | {"iat": now, "nbf": now - 1, "exp": now + 60}
    assert verifier.verify(sign(KEY, claims), ISSUER, [CLIENT]) == claims


def test_a_token_with_extra_segments_or_a_bad_json_payload_is_malformed(verifier: JwtVerifier) -> None:
    token = sign(KEY, GOOD)
    head, _, _ = token.split(".")
    body = b64(b"not json")
    signature = KEY.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    for bad in (token + ".x", f"{head}.{body}.{b64(signature)}", "", "...."):
        with pytest.raises(Unauthorized, match="malformed"):
            verifier.verify(bad, ISSUER, [CLIENT])
