"""The local API Gateway: HTTP API routes from the templates, payload format 2.0 events.

Routing follows API Gateway's rules: the most specific route wins (literal segments before
`{param}`, `{param}` before `{proxy+}`); an unmatched path answers 404 `{"message":"Not Found"}`
exactly as API Gateway does. Besides the API, `/openapi.json` and `/docs` document it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .jwt import JwtVerifier, Unauthorized, bearer, gateway_claims
from .model import RouteSpec
from .resolver import ACCOUNT

# Served by the platform itself, not by a route: the API document and its docs (Swagger UI, its files under /docs/).
LOCAL_PATHS = ("/openapi.json", "/docs")


@dataclass
class CompiledRoute:
    spec: RouteSpec
    pattern: re.Pattern[str]
    names: list[str]
    rank: tuple[int, int, int]


def compile_route(spec: RouteSpec) -> CompiledRoute:
    parts, names = [], []
    literal = variable = greedy = 0
    for segment in spec.path.strip("/").split("/"):
        match = re.fullmatch(r"\{([^}+]+)(\+)?\}", segment)
        if match is None:
            parts.append(re.escape(segment))
            literal += 1
        elif match.group(2):
            parts.append(f"(?P<{match.group(1)}>.+)")
            names.append(match.group(1))
            greedy += 1
        else:
            parts.append(f"(?P<{match.group(1)}>[^/]+)")
            names.append(match.group(1))
            variable += 1
    pattern = re.compile("^/" + "/".join(parts) + "/?$")
    return CompiledRoute(spec, pattern, names, (-greedy, literal, variable))


class Router:
    def __init__(self, routes: list[RouteSpec]) -> None:
        self.routes = sorted((compile_route(r) for r in routes), key=lambda r: r.rank, reverse=True)

    def route_keys(self) -> set[str]:
        return {r.spec.route_key for r in self.routes}

    def match(self, method: str, path: str) -> tuple[RouteSpec, dict[str, str]] | None:
        for route in self.routes:
            if route.spec.method not in (method, "ANY"):
                continue
            found = route.pattern.match(path)
            if found:
                return route.spec, {k: unquote(v) for k, v in found.groupdict().items()}
        return None


def http_api_event(
    route: RouteSpec,
    method: str,
    target: str,
    headers: dict[str, str] | list[tuple[str, str]],
    body: bytes,
    path_parameters: dict[str, str],
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The event API Gateway (HTTP API, payload 2.0) sends to a Lambda integration."""
    split = urlsplit(target)
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(split.query, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    lowered: dict[str, str] = {}
    for key, value in headers.items() if isinstance(headers, dict) else headers:
        name = key.lower()
        lowered[name] = f"{lowered[name]},{value}" if name in lowered else value
    cookies = [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()]
    now = dt.datetime.now(dt.UTC)
    text_body: str | None = None
    is_base64 = False
    if body:
        try:
            text_body = body.decode()
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(body).decode(), True
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": split.path,
        "rawQueryString": split.query,
        "headers": lowered,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": split.path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": is_base64,
    }
    if authorizer is not None:
        event["requestContext"]["authorizer"] = {"jwt": authorizer}
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    if path_parameters:
        event["pathParameters"] = path_parameters
    if text_body is not None:
        event["body"] = text_body
    return event


def http_response(result: Any) -> tuple[int, dict[str, str], list[str], bytes]:
    """Map a Lambda result to HTTP as API Gateway does for payload format 2.0."""
    if not (isinstance(result, dict) and "statusCode" in result):
        body = json.dumps(result).encode()
        return 200, {"content-type": "application/json"}, [], body
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[str(key)] = ",".join(str(v) for v in values)
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return int(result["statusCode"]), headers, list(result.get("cookies") or []), body


# A local service mounted beside the API (the PayFiP twin under /payfip/): (method, path, query, headers, body) ->
# (status, headers, body).
Mount = Callable[[str, str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def make_handler(
    router: Router,
    invoke: Callable[[str, dict[str, Any]], Any],
    local_pages: Callable[[str], tuple[str, bytes] | None],
    log: Callable[[str], None],
    verifier: JwtVerifier | None = None,
    mounts: dict[str, Mount] | None = None,
    enrich: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> type[BaseHTTPRequestHandler]:
    """The gateway's request handler: `local_pages` (the API document and its docs), `mounts` (path prefix ->
    a local service, such as the PayFiP twin), then the API's routes. `enrich` completes a verified token's claims
    where the emulation's tokens fall short of Cognito's (`users.cognito_claims`)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "poche-local"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
            return

        def _send(self, status: int, headers: dict[str, str], body: bytes, cookies: list[str] | None = None) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "connection"):
                    self.send_header(key, value)
            for cookie in cookies or []:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _handle(self) -> None:
            started = time.perf_counter()
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            for prefix, mount in (mounts or {}).items():
                if path.startswith(prefix):
                    query = urlsplit(self.path).query
                    status, headers, payload = mount(self.command, path, query, dict(self.headers.items()), body)
                    log(f"{self.command} {path} -> {status} ({prefix.strip('/')})")
                    self._send(status, headers, payload)
                    return
            page = local_pages(path) if self.command == "GET" else None
            if page is not None:
                content_type, content = page
                self._send(200, {"Content-Type": content_type}, content)
                return
            found = router.match(self.command, path)
            if found is None:
                log(f"{self.command} {self.path} -> 404 (no route)")
                self._send(404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}')
                return
            route, parameters = found
            authorizer: dict[str, Any] | None = None
            if route.authorizer is not None:
                try:
                    if verifier is None:
                        raise Unauthorized("no verifier")
                    token = bearer(dict(self.headers.items()))
                    claims = verifier.verify(token, route.authorizer["issuer"], route.authorizer["audience"])
                    if enrich is not None:
                        claims = enrich(claims)
                except Unauthorized as exc:
                    log(f"{self.command} {self.path} -> 401 ({exc})")
                    self._send(401, {"Content-Type": "application/json"}, b'{"message":"Unauthorized"}')
                    return
                authorizer = gateway_claims(claims)
            event = http_api_event(
                route, self.command, self.path, list(self.headers.items()), body, parameters, authorizer
            )
            try:
                status, headers, cookies, payload = http_response(invoke(route.function, event))
            except Exception as exc:  # the integration failed: API Gateway answers 500
                log(f"{self.command} {self.path} -> 500 ({exc})")
                self._send(500, {"Content-Type": "application/json"}, b'{"message":"Internal Server Error"}')
                return
            log(f"{self.command} {self.path} -> {status} ({(time.perf_counter() - started) * 1000:.0f} ms)")
            self._send(status, headers, payload, cookies)

        # Every method goes through the router, as in API Gateway: one without a route is its 404, not a 501.
        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = do_QUERY = _handle

    return Handler


def serve(port: int, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server
