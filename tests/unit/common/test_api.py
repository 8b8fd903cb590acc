"""poche_common.api: problem details, ETag / 304, Cache-Control and query parameter readers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from support import http_api_event

from poche_common.api import json_body, json_response, make_resolver, query_commune, query_date, query_limit
from poche_common.errors import (
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    UnauthorizedError,
    UnprocessableError,
)
from poche_common.router import Router

PAYLOAD = {"items": [{"name": "Alençon", "code": "61001"}], "as_of": "2026-11-30T08:00:00+01:00"}


class FakeContext:
    function_name = "api-test"
    function_version = "$LATEST"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:api-test"
    aws_request_id = "11111111-2222-3333-4444-555555555555"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 3_000


CONTEXT: Any = FakeContext()  # what Powertools reads of a LambdaContext


def http_event(
    method: str, path: str, *, route_key: str | None = None, query: str = "", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A real API Gateway HTTP API (payload format 2.0) event; repeated query keys joined as API Gateway does."""
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    joined = {k: ",".join(v) for k, v in params.items()}
    event = http_api_event(route_key or f"{method} {path}", path, query=joined or None, headers=headers, method=method)
    event["rawQueryString"] = query
    return event


@pytest.fixture
def app() -> Router:
    app = make_resolver()

    @app.get("/invalid")
    def invalid() -> Any:
        raise InvalidRequestError("date est invalide", field="date")

    @app.get("/invalid-no-field")
    def invalid_no_field() -> Any:
        raise InvalidRequestError("requête invalide")

    @app.get("/missing")
    def missing() -> Any:
        raise NotFoundError("Aucune cantine 42.")

    @app.get("/crash")
    def crash() -> Any:
        raise RuntimeError("secret-connection-string=postgres://admin:hunter2@db")

    @app.get("/public")
    def public() -> Any:
        return json_response(app, PAYLOAD, max_age=300)

    @app.get("/private")
    def private() -> Any:
        return json_response(app, PAYLOAD, max_age=300, private=True)

    @app.get("/date")
    def date() -> Any:
        value = query_date(app, "date")
        return json_response(app, {"date": value.isoformat() if value else None}, max_age=0)

    @app.get("/limit")
    def limit() -> Any:
        return json_response(app, {"limit": query_limit(app, default=20, maximum=100)}, max_age=0)

    @app.get("/commune")
    def commune() -> Any:
        return json_response(app, {"commune": query_commune(app)}, max_age=0)

    return app


def call(app: Router, path: str, *, query: str = "", headers: dict[str, str] | None = None) -> dict[str, Any]:
    return app.resolve(http_event("GET", path, query=query, headers=headers), CONTEXT)


def header(response: dict[str, Any], name: str) -> str | None:
    found = {k.lower(): v for k, v in response.get("headers", {}).items()}
    return found.get(name.lower())


def assert_problem(response: dict[str, Any], status: int, slug: str) -> dict[str, Any]:
    assert response["statusCode"] == status
    assert header(response, "content-type") == "application/problem+json"
    assert header(response, "cache-control") == "no-store"
    body = json.loads(response["body"])
    assert body["type"] == f"urn:poche:problem:{slug}"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# --- problem details ---------------------------------------------------------------------------


def test_invalid_request_is_a_400_problem_naming_the_field(app: Router) -> None:
    body = assert_problem(call(app, "/invalid"), 400, "invalid-request")
    assert body["title"] == "Bad Request"
    assert body["detail"] == "date est invalide"
    assert body["invalid_params"] == [{"name": "date", "reason": "date est invalide"}]


def test_invalid_request_without_field_has_no_invalid_params(app: Router) -> None:
    body = assert_problem(call(app, "/invalid-no-field"), 400, "invalid-request")
    assert "invalid_params" not in body


def test_not_found_is_a_404_problem_with_the_message(app: Router) -> None:
    body = assert_problem(call(app, "/missing"), 404, "not-found")
    assert body["title"] == "Not Found"
    assert body["detail"] == "Aucune cantine 42."


def test_unexpected_error_is_a_500_problem_without_internals(app: Router) -> None:
    response = call(app, "/crash")
    body = assert_problem(response, 500, "internal-error")
    assert body["title"] == "Internal Server Error"
    for leak in ("hunter2", "secret-connection-string", "Traceback", "RuntimeError", "test_api.py"):
        assert leak not in response["body"]


def test_unknown_route_is_a_404_problem_naming_the_path(app: Router) -> None:
    response = app.resolve(http_event("GET", "/nowhere/at-all", route_key="$default"), CONTEXT)
    body = assert_problem(response, 404, "no-such-route")
    assert "/nowhere/at-all" in body["detail"]


# --- JSON, ETag, 304, Cache-Control ---------------------------------------------------------------


def test_json_response_body_content_type_and_cache(app: Router) -> None:
    response = call(app, "/public")
    assert response["statusCode"] == 200
    assert header(response, "content-type") == "application/json; charset=utf-8"
    assert json.loads(response["body"]) == PAYLOAD
    assert "Alençon" in response["body"]  # not \u-escaped
    assert header(response, "cache-control") == "public, max-age=300"


def test_private_response_is_not_stored(app: Router) -> None:
    response = call(app, "/private")
    assert response["statusCode"] == 200
    assert header(response, "cache-control") == "private, no-store"


def test_etag_is_strong_and_stable_for_the_same_payload(app: Router) -> None:
    first = header(call(app, "/public"), "etag")
    second = header(call(app, "/public"), "etag")
    assert first is not None
    assert first == second
    assert first.startswith('"') and first.endswith('"') and not first.startswith("W/")
    assert header(call(app, "/private"), "etag") == first  # same representation, same tag


def test_etag_changes_with_the_payload(app: Router) -> None:
    a = header(call(app, "/limit", query="limit=1"), "etag")
    b = header(call(app, "/limit", query="limit=2"), "etag")
    assert a and b and a != b


def _etag(app: Router) -> str:
    value = header(call(app, "/public"), "etag")
    assert value is not None
    return value


@pytest.mark.parametrize(
    "if_none_match",
    [
        "{etag}",
        '"0000000000000000", {etag}',
        '"aaaa",{etag} , "bbbb"',
        "W/{etag}",
        '"zzz", W/{etag}',
        "*",
        " * ",
    ],
)
def test_if_none_match_hit_is_a_304_without_body(app: Router, if_none_match: str) -> None:
    etag = _etag(app)
    response = call(app, "/public", headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response["statusCode"] == 304
    assert not response.get("body")
    assert header(response, "etag") == etag
    assert header(response, "cache-control") == "public, max-age=300"


@pytest.mark.parametrize("if_none_match", ['"0123456789abcdef0123456789abcdef"', 'W/"nope"', "", '"a", "b"'])
def test_if_none_match_miss_is_a_200(app: Router, if_none_match: str) -> None:
    response = call(app, "/public", headers={"If-None-Match": if_none_match})
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == PAYLOAD


# --- query parameters -----------------------------------------------------------------------------


def _invalid_param(response: dict[str, Any], name: str) -> dict[str, Any]:
    body = assert_problem(response, 400, "invalid-request")
    assert [p["name"] for p in body["invalid_params"]] == [name]
    return body


@pytest.mark.parametrize(("raw", "expected"), [("2026-11-30", "2026-11-30"), ("2028-02-29", "2028-02-29")])
def test_query_date_accepts_iso_dates(app: Router, raw: str, expected: str) -> None:
    response = call(app, "/date", query=urlencode({"date": raw}))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"date": expected}


def test_query_date_absent_or_blank_is_none(app: Router) -> None:
    assert json.loads(call(app, "/date")["body"]) == {"date": None}
    assert json.loads(call(app, "/date", query="date=%20")["body"]) == {"date": None}


@pytest.mark.parametrize(
    "raw", ["2026-13-01", "30/11/2026", "2026-2-1", "2027-02-29", "20261130", "2026-11-30T00:00", "demain"]
)
def test_query_date_rejects_other_forms_naming_the_field(app: Router, raw: str) -> None:
    body = _invalid_param(call(app, "/date", query=urlencode({"date": raw})), "date")
    assert raw in body["detail"]


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"])
def test_query_date_refuses_dates_out_of_range_naming_the_field(app: Router, raw: str) -> None:
    """A window computed from 9999-12-31 overflows (`OverflowError`: a 500): dates are served from 2000 to 2099."""
    body = _invalid_param(call(app, "/date", query=urlencode({"date": raw})), "date")
    assert raw in body["detail"] and "2000" in body["detail"]


@pytest.mark.parametrize(("raw", "expected"), [(None, 20), ("1", 1), ("100", 100), (" 42 ", 42)])
def test_query_limit_within_bounds(app: Router, raw: str | None, expected: int) -> None:
    query = urlencode({"limit": raw}) if raw is not None else ""
    response = call(app, "/limit", query=query)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"limit": expected}


@pytest.mark.parametrize(
    "raw", ["0", "101", "-1", "abc", "1.5", "1e2", "007x", pytest.param("\u00b2", id="superscript-two")]
)
def test_query_limit_out_of_bounds_is_a_400(app: Router, raw: str) -> None:
    _invalid_param(call(app, "/limit", query=urlencode({"limit": raw})), "limit")


@pytest.mark.parametrize(("raw", "expected"), [("61001", "61001"), (" 61228 ", "61228")])
def test_query_commune_accepts_insee_codes_of_the_territory(app: Router, raw: str, expected: str) -> None:
    response = call(app, "/commune", query=urlencode({"commune": raw}))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"commune": expected}


@pytest.mark.parametrize("raw", ["2A004", "2b033", "75056", "61999", "61172"])  # 61172 merged into 61228 in 2018+
def test_query_commune_unknown_in_the_territory_is_a_404(app: Router, raw: str) -> None:
    response = call(app, "/commune", query=urlencode({"commune": raw}))
    assert response["statusCode"] == 404
    assert header(response, "Content-Type") == "application/problem+json"
    assert raw.upper() in json.loads(response["body"])["detail"]


def test_query_commune_absent_is_none(app: Router) -> None:
    assert json.loads(call(app, "/commune")["body"]) == {"commune": None}


@pytest.mark.parametrize(
    "raw",
    ["6100", "abcde", "610012", "2C004", "20004", "6100A", pytest.param("2A\u0660\u06604", id="arabic-indic-digits")],
)
def test_query_commune_rejects_non_insee_codes(app: Router, raw: str) -> None:
    _invalid_param(call(app, "/commune", query=urlencode({"commune": raw})), "commune")


def test_invalid_request_error_keeps_field_and_detail() -> None:
    error = InvalidRequestError("mauvais", field="x")
    assert (error.field, error.detail, str(error)) == ("x", "mauvais", "mauvais")


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (lambda: ForbiddenError("Réservé au personnel de l'établissement."), 403, "forbidden"),
        (lambda: ConflictError("Avis publié par le flux du département."), 409, "conflict"),
        (lambda: UnauthorizedError("Ce compte n'existe plus."), 401, "unauthorized"),
        (lambda: PreconditionFailedError("La disposition a changé depuis votre lecture."), 412, "precondition-failed"),
        (lambda: PreconditionRequiredError("If-Match est requis."), 428, "precondition-required"),
    ],
)
def test_domain_errors_map_to_their_problems(error: Any, status: int, slug: str) -> None:
    app = make_resolver()

    @app.get("/boom")
    def boom() -> Any:
        raise error()

    body = assert_problem(call(app, "/boom"), status, slug)
    assert body["detail"] == str(error())


def test_unprocessable_names_each_offending_part() -> None:
    app = make_resolver()
    params = [{"name": "tiles[2].params.stop_id", "reason": "manquant"}]

    @app.get("/boom")
    def boom() -> Any:
        raise UnprocessableError("Tuile invalide.", params=params)

    body = assert_problem(call(app, "/boom"), 422, "unprocessable")
    assert body["invalid_params"] == params


@pytest.mark.parametrize(
    ("raw", "content_type", "reason"),
    [("", "application/json", "vide"), ("{oops", "application/json", "JSON"), ('{"a":1}', "text/plain", "text/plain")],
)
def test_json_body_refuses_empty_malformed_and_other_media_types(raw: str, content_type: str, reason: str) -> None:
    app = make_resolver()

    @app.route("POST", "/things")
    def things() -> Any:
        return {"statusCode": 200, "body": json.dumps(json_body(app)), "headers": {}}

    event = http_event("POST", "/things")
    event["body"] = raw
    event["headers"]["content-type"] = content_type
    body = assert_problem(app.resolve(event, CONTEXT), 400, "invalid-request")
    assert body["invalid_params"][0]["name"] == "body" and reason in body["detail"]

    event["body"], event["headers"]["content-type"] = '{"a": 1}', "application/json; charset=utf-8"
    assert json.loads(app.resolve(event, CONTEXT)["body"]) == {"a": 1}


# --- hostile nesting (issue 9, defect 9) ---------------------------------------------------------
def _posting_app() -> Router:
    app = make_resolver()

    @app.route("POST", "/things")
    def things() -> Any:
        return {"statusCode": 200, "body": json.dumps(json_body(app)), "headers": {}}

    return app


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 60_000,  # within the 64 KiB cap: json.loads raised RecursionError (500 with a stack trace)
        "[" * 5_000 + "]" * 5_000,  # well-formed, far deeper than any body of the API
        '{"a":' * 2_000 + "1" + "}" * 2_000,
        '{"tiles": [{"type": "news", "params": ' + '{"x": ' * 100 + "1" + "}" * 100 + "}]}",
    ],
)
def test_json_body_nested_too_deep_is_a_400_naming_the_body_not_a_500(
    raw: str, capsys: pytest.CaptureFixture[str]
) -> None:
    event = http_event("POST", "/things")
    event["body"], event["headers"]["content-type"] = raw, "application/json"
    capsys.readouterr()
    body = assert_problem(_posting_app().resolve(event, CONTEXT), 400, "invalid-request")
    assert body["invalid_params"] == [{"name": "body", "reason": body["detail"]}]
    assert "imbriqu" in body["detail"]
    logged = capsys.readouterr()
    assert "Traceback" not in logged.out + logged.err and '"ERROR"' not in logged.out + logged.err


def test_json_body_keeps_bodies_as_deep_as_the_api_needs() -> None:
    nested: Any = "leaf"
    for _ in range(16):  # the deepest real body (a home layout) nests 4 levels: room to spare
        nested = {"k": nested}
    event = http_event("POST", "/things")
    event["body"], event["headers"]["content-type"] = json.dumps(nested), "application/json"
    assert json.loads(_posting_app().resolve(event, CONTEXT)["body"]) == nested


def test_json_body_declared_base64_but_not_base64_is_a_400() -> None:
    event = http_event("POST", "/things")
    event["body"], event["isBase64Encoded"] = "!!not base64!!", True
    event["headers"]["content-type"] = "application/json"
    body = assert_problem(_posting_app().resolve(event, CONTEXT), 400, "invalid-request")
    assert body["invalid_params"][0]["name"] == "body"
