"""poche_local.gateway: HTTP API routing, payload 2.0 events and responses, and the local server."""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from poche_local.gateway import Router, http_api_event, http_response, make_handler, serve
from poche_local.model import RouteSpec


def route(key: str, function: str = "fn") -> RouteSpec:
    method, path = key.split(" ", 1)
    return RouteSpec(method=method, path=path, function=function, stack="Phase")


ROUTES = [
    route("GET /v1/canteens/{canteen_id}/menus/{proxy+}", "greedy"),
    route("GET /v1/canteens/{canteen_id}", "param"),
    route("GET /v1/canteens/nearby", "literal"),
    route("GET /v1/canteens", "list"),
    route("POST /v1/canteens", "create"),
    route("ANY /v1/any/{thing}", "any"),
    route("GET /v1/canteens/{canteen_id}/menus", "menus"),
]


@pytest.fixture
def router() -> Router:
    return Router(ROUTES)


# --- routing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/v1/canteens/nearby", "literal", {}),
        ("GET", "/v1/canteens/C42", "param", {"canteen_id": "C42"}),
        ("GET", "/v1/canteens", "list", {}),
        ("POST", "/v1/canteens", "create", {}),
        ("GET", "/v1/canteens/C42/menus", "menus", {"canteen_id": "C42"}),
        ("GET", "/v1/canteens/C42/menus/2026/12", "greedy", {"canteen_id": "C42", "proxy": "2026/12"}),
        ("DELETE", "/v1/any/x", "any", {"thing": "x"}),
        ("GET", "/v1/any/x", "any", {"thing": "x"}),
    ],
)
def test_most_specific_route_wins(
    router: Router, method: str, path: str, function: str, params: dict[str, str]
) -> None:
    found = router.match(method, path)
    assert found is not None
    spec, parameters = found
    assert spec.function == function
    assert parameters == params


def test_literal_beats_param_whatever_the_declaration_order() -> None:
    for routes in (ROUTES, list(reversed(ROUTES))):
        found = Router(routes).match("GET", "/v1/canteens/nearby")
        assert found is not None and found[0].function == "literal"


def test_param_beats_greedy() -> None:
    routes = [route("GET /v1/{proxy+}", "greedy"), route("GET /v1/{id}", "param")]
    for ordered in (routes, list(reversed(routes))):
        found = Router(ordered).match("GET", "/v1/abc")
        assert found is not None and found[0].function == "param"
        deep = Router(ordered).match("GET", "/v1/abc/def")
        assert deep is not None and deep[0].function == "greedy" and deep[1] == {"proxy": "abc/def"}


def test_greedy_comes_last_even_with_more_literals() -> None:
    routes = [route("GET /v1/things/{proxy+}", "greedy"), route("GET /v1/{kind}/{id}", "params")]
    for ordered in (routes, list(reversed(routes))):
        found = Router(ordered).match("GET", "/v1/things/x")
        assert found is not None and found[0].function == "params"
        assert found[1] == {"kind": "things", "id": "x"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/v1/canteens"),
        ("PUT", "/v1/canteens/C42"),
        ("HEAD", "/v1/canteens"),
        ("GET", "/v1/other"),
        ("GET", "/v1/canteens/C42/extra"),
        ("GET", "/"),
        ("GET", "/v1"),
    ],
)
def test_no_match(router: Router, method: str, path: str) -> None:
    assert router.match(method, path) is None


@pytest.mark.parametrize(("path", "function"), [("/v1/canteens/", "list"), ("/v1/canteens/C42/", "param")])
def test_trailing_slash(router: Router, path: str, function: str) -> None:
    found = router.match("GET", path)
    assert found is not None and found[0].function == function
    if function == "param":
        assert found[1] == {"canteen_id": "C42"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/v1/canteens/Al%C3%A9non%20centre", "Alénon centre"),
        ("/v1/canteens/a%2Fb", "a/b"),
        ("/v1/canteens/x+y", "x+y"),
    ],
)
def test_path_parameters_are_percent_decoded(router: Router, path: str, value: str) -> None:
    found = router.match("GET", path)
    assert found is not None
    assert found[0].function == "param"
    assert found[1] == {"canteen_id": value}


def test_route_keys(router: Router) -> None:
    assert "GET /v1/canteens/{canteen_id}" in router.route_keys()
    assert len(router.route_keys()) == len(ROUTES)


# --- payload 2.0 event --------------------------------------------------------------------------------


def test_http_api_event_shape() -> None:
    spec = route("GET /v1/canteens/{canteen_id}")
    event = http_api_event(
        spec,
        "GET",
        "/v1/canteens/C%2042?date=2026-11-30&tag=a&tag=b&empty=&q=caf%C3%A9",
        {
            "Host": "127.0.0.1:3000",
            "User-Agent": "curl/8",
            "If-None-Match": '"abc"',
            "Cookie": "session=1; theme=dark ;  lang=fr",
            "X-Multi": "1",
            "x-multi": "2",
        },
        b"",
        {"canteen_id": "C 42"},
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /v1/canteens/{canteen_id}"
    assert event["rawPath"] == "/v1/canteens/C%2042"
    assert event["rawQueryString"] == "date=2026-11-30&tag=a&tag=b&empty=&q=caf%C3%A9"
    assert event["queryStringParameters"] == {"date": "2026-11-30", "tag": "a,b", "empty": "", "q": "café"}
    assert event["headers"] == {
        "host": "127.0.0.1:3000",
        "user-agent": "curl/8",
        "if-none-match": '"abc"',
        "x-multi": "1,2",
    }
    assert event["cookies"] == ["session=1", "theme=dark", "lang=fr"]
    assert event["pathParameters"] == {"canteen_id": "C 42"}
    context = event["requestContext"]
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/v1/canteens/C%2042"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["http"]["userAgent"] == "curl/8"
    assert context["stage"] == "$default"
    assert context["routeKey"] == "GET /v1/canteens/{canteen_id}"
    assert context["domainName"] == "127.0.0.1:3000"
    assert isinstance(context["requestId"], str) and context["requestId"]
    assert isinstance(context["timeEpoch"], int)
    assert event["isBase64Encoded"] is False
    assert "body" not in event


def test_http_api_event_without_query_cookies_or_parameters() -> None:
    event = http_api_event(route("GET /v1/canteens"), "GET", "/v1/canteens", {"Accept": "*/*"}, b"", {})
    assert event["rawQueryString"] == ""
    for absent in ("queryStringParameters", "cookies", "pathParameters", "body"):
        assert absent not in event
    assert event["headers"] == {"accept": "*/*"}


def test_each_event_has_its_own_request_id() -> None:
    spec = route("GET /v1/canteens")
    first = http_api_event(spec, "GET", "/v1/canteens", {}, b"", {})
    second = http_api_event(spec, "GET", "/v1/canteens", {}, b"", {})
    assert first["requestContext"]["requestId"] != second["requestContext"]["requestId"]


def test_http_api_event_text_body() -> None:
    body = json.dumps({"nom": "Alençon"}).encode()
    event = http_api_event(route("POST /v1/canteens"), "POST", "/v1/canteens", {}, body, {})
    assert event["body"] == body.decode()
    assert event["isBase64Encoded"] is False


def test_http_api_event_binary_body_is_base64() -> None:
    body = b"\x89PNG\r\n\x1a\n\xff\x00"
    event = http_api_event(route("POST /v1/canteens"), "POST", "/v1/canteens", {}, body, {})
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


# --- Lambda result -> HTTP ------------------------------------------------------------------------------


def test_http_response_from_a_proxy_result() -> None:
    status, headers, cookies, body = http_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json", "X-Count": 3},
            "multiValueHeaders": {"Vary": ["Accept", "Origin"]},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": '{"ok":true}',
            "isBase64Encoded": False,
        }
    )
    assert status == 201
    assert headers == {"Content-Type": "application/json", "X-Count": "3", "Vary": "Accept,Origin"}
    assert cookies == ["a=1; Path=/", "b=2"]
    assert body == b'{"ok":true}'


def test_http_response_base64_body() -> None:
    raw = b"\x00\x01binary\xff"
    status, _, _, body = http_response(
        {"statusCode": "200", "body": base64.b64encode(raw).decode(), "isBase64Encoded": True}
    )
    assert (status, body) == (200, raw)


def test_http_response_without_body() -> None:
    assert http_response({"statusCode": 304, "headers": {"ETag": '"x"'}, "body": None}) == (
        304,
        {"ETag": '"x"'},
        [],
        b"",
    )


@pytest.mark.parametrize("result", [{"hello": "monde"}, ["a", 1], "text", 42, None])
def test_http_response_from_a_plain_result_is_200_json(result: Any) -> None:
    status, headers, cookies, body = http_response(result)
    assert status == 200
    assert headers == {"content-type": "application/json"}
    assert cookies == []
    assert json.loads(body) == result


# --- the local server ----------------------------------------------------------------------------------


@dataclass
class Gateway:
    url: str
    invocations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


OPENAPI = json.dumps({"openapi": "3.1.0"}).encode()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway(url="")

    def invoke(function: str, event: dict[str, Any]) -> Any:
        state.invocations.append((function, event))
        if function == "boom":
            raise RuntimeError("function crashed")
        if function == "plain":
            return {"plain": True}
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json", "ETag": '"v1"'},
            "cookies": ["seen=1; Path=/"],
            "body": json.dumps({"function": function, "params": event.get("pathParameters", {})}),
        }

    def local_pages(path: str) -> tuple[str, bytes] | None:
        return ("application/json", OPENAPI) if path == "/openapi.json" else None

    router = Router(
        [
            route("GET /v1/things/{id}", "things"),
            route("GET /v1/boom", "boom"),
            route("GET /v1/plain", "plain"),
            route("ANY /v1/echo", "echo"),
            route("POST /v1/things", "create"),
        ]
    )
    server = serve(0, make_handler(router, invoke, local_pages, state.lines.append))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def request(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, dict[str, str], bytes, list[str]]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with opener.open(req, timeout=5) as response:
            return (
                response.status,
                dict(response.headers.items()),
                response.read(),
                response.headers.get_all("Set-Cookie") or [],
            )
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers.items()), exc.read(), exc.headers.get_all("Set-Cookie") or []


def test_matched_route_invokes_the_function(gateway: Gateway) -> None:
    status, headers, body, cookies = request(
        f"{gateway.url}/v1/things/t%201?x=1&x=2", headers={"If-None-Match": '"v0"', "Cookie": "a=b"}
    )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["ETag"] == '"v1"'
    assert headers["Content-Length"] == str(len(body))
    assert json.loads(body) == {"function": "things", "params": {"id": "t 1"}}
    assert cookies == ["seen=1; Path=/"]
    [(function, event)] = gateway.invocations
    assert function == "things"
    assert event["routeKey"] == "GET /v1/things/{id}"
    assert event["rawPath"] == "/v1/things/t%201"
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["headers"]["if-none-match"] == '"v0"'
    assert event["cookies"] == ["a=b"]
    assert event["requestContext"]["http"]["method"] == "GET"


def test_request_body_reaches_the_function(gateway: Gateway) -> None:
    status, _, _, _ = request(f"{gateway.url}/v1/things", "POST", {"Content-Type": "application/json"}, b'{"a":1}')
    assert status == 200
    [(function, event)] = gateway.invocations
    assert function == "create"
    assert event["body"] == '{"a":1}'


def test_plain_result_is_200_json(gateway: Gateway) -> None:
    status, headers, body, _ = request(f"{gateway.url}/v1/plain")
    assert status == 200
    assert json.loads(body) == {"plain": True}
    assert headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nowhere"),
        ("DELETE", "/v1/things/1"),
        ("GET", "/v1/things"),
        ("TRACE", "/v1/things/1"),  # found by the API fuzzing: http.server's own 501 page, in HTML
        ("QUERY", "/v1/things"),
    ],
)
def test_unknown_route_is_api_gateway_404(gateway: Gateway, method: str, path: str) -> None:
    status, headers, body, _ = request(f"{gateway.url}{path}", method)
    assert status == 404
    assert json.loads(body) == {"message": "Not Found"}
    assert headers["Content-Type"] == "application/json"
    assert gateway.invocations == []
    assert any("404" in line for line in gateway.lines)


def test_failing_function_is_api_gateway_500(gateway: Gateway) -> None:
    status, _, body, _ = request(f"{gateway.url}/v1/boom")
    assert status == 500
    assert json.loads(body) == {"message": "Internal Server Error"}
    assert b"crashed" not in body
    assert any("500" in line and "function crashed" in line for line in gateway.lines)


def test_local_pages_are_served(gateway: Gateway) -> None:
    status, headers, body, _ = request(f"{gateway.url}/openapi.json")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == OPENAPI
    assert gateway.invocations == []


def test_head_has_no_body(gateway: Gateway) -> None:
    status, headers, body, _ = request(f"{gateway.url}/v1/echo", "HEAD")
    assert status == 200
    assert body == b""
    assert int(headers["Content-Length"]) > 0
    [(function, event)] = gateway.invocations
    assert function == "echo"
    assert event["requestContext"]["http"]["method"] == "HEAD"


def test_head_sends_headers_only_on_the_wire(gateway: Gateway) -> None:
    host, port = gateway.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"HEAD /v1/echo HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Content-Length: 0" not in head
    assert rest == b""


def test_server_keeps_serving_after_errors(gateway: Gateway) -> None:
    assert request(f"{gateway.url}/v1/boom")[0] == 500
    assert request(f"{gateway.url}/nowhere")[0] == 404
    assert request(f"{gateway.url}/v1/things/2")[0] == 200


def test_repeated_request_headers_are_joined_as_api_gateway_does(gateway: Gateway) -> None:
    import http.client

    connection = http.client.HTTPConnection(gateway.url.removeprefix("http://"), timeout=5)
    connection.putrequest("GET", "/v1/things/t1")
    connection.putheader("X-Forwarded-For", "192.0.2.1")
    connection.putheader("X-Forwarded-For", "198.51.100.7")
    connection.endheaders()
    assert connection.getresponse().status == 200
    connection.close()
    [(_, event)] = gateway.invocations
    assert event["headers"]["x-forwarded-for"] == "192.0.2.1,198.51.100.7"
