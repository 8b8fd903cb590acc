"""A small resolver for API Gateway HTTP API events (payload format 2.0).

Why not Powertools' event handler: importing `aws_lambda_powertools.event_handler` loads every
resolver it offers (AppSync and asyncio, Bedrock agents, ALB, VPC Lattice...) and costs about
47 ms of cold start here, 20 % of the whole `boto3` floor, which breaks the platform's
cold-start budget (1.3x the floor). API Gateway already matched the route and extracted the path
parameters (`routeKey`, `pathParameters`), so dispatching is a dictionary look-up; path matching
on `rawPath` is kept for a `$default` catch-all route and for tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Response = dict[str, Any]  # {"statusCode", "headers", "body", "isBase64Encoded"}
RouteFunction = Callable[..., Response]


class Request:
    """The parts of a payload 2.0 event a service reads."""

    def __init__(self, event: dict[str, Any]) -> None:
        self.event = event
        http = event.get("requestContext", {}).get("http", {})
        self.method: str = http.get("method", "GET")
        self.path: str = event.get("rawPath") or http.get("path", "/")
        self.headers: dict[str, str] = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        self.query: dict[str, str] = dict(event.get("queryStringParameters") or {})

    @property
    def body(self) -> bytes:
        """The request body as bytes (API Gateway base64-encodes bodies it does not treat as text)."""
        raw = self.event.get("body") or ""
        if self.event.get("isBase64Encoded"):
            import base64

            return base64.b64decode(raw)
        return raw.encode() if isinstance(raw, str) else bytes(raw)

    @property
    def claims(self) -> dict[str, str]:
        """The JWT authorizer's claims (every value a string), empty on a public route."""
        authorizer = self.event.get("requestContext", {}).get("authorizer") or {}
        return dict((authorizer.get("jwt") or {}).get("claims") or {})

    def get_query_string_value(self, name: str) -> str | None:
        return self.query.get(name)


class Router:
    def __init__(self) -> None:
        self._by_key: dict[str, RouteFunction] = {}
        self._patterns: list[tuple[str, re.Pattern[str], RouteFunction]] = []
        self._errors: list[tuple[type[Exception], Callable[[Any], Response]]] = []
        self._not_found: Callable[[Request], Response] | None = None
        self.current_event = Request({})

    def route(self, method: str, template: str) -> Callable[[RouteFunction], RouteFunction]:
        """Register a function for `METHOD /path/{param}` (API Gateway's route key syntax)."""

        def register(function: RouteFunction) -> RouteFunction:
            self._by_key[f"{method} {template}"] = function
            regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            self._patterns.append((method, re.compile(f"^{regex}/?\\Z"), function))
            return function

        return register

    def get(self, template: str) -> Callable[[RouteFunction], RouteFunction]:
        return self.route("GET", template)

    def exception_handler(
        self, kind: type[Exception]
    ) -> Callable[[Callable[[Any], Response]], Callable[[Any], Response]]:
        def register(function: Callable[[Any], Response]) -> Callable[[Any], Response]:
            self._errors.append((kind, function))
            return function

        return register

    def not_found(self, function: Callable[[Request], Response]) -> Callable[[Request], Response]:
        self._not_found = function
        return function

    def _find(self, request: Request) -> tuple[RouteFunction, dict[str, str]] | None:
        function = self._by_key.get(str(request.event.get("routeKey", "")))
        if function is not None:
            return function, dict(request.event.get("pathParameters") or {})
        for method, pattern, candidate in self._patterns:
            found = pattern.match(request.path) if method == request.method else None
            if found:
                return candidate, found.groupdict()
        return None

    def resolve(self, event: dict[str, Any], context: Any = None) -> Response:
        request = self.current_event = Request(event)
        try:
            found = self._find(request)
            if found is None:
                if self._not_found is None:
                    return {"statusCode": 404, "headers": {}, "body": "", "isBase64Encoded": False}
                return self._not_found(request)
            function, parameters = found
            return function(**parameters)
        except Exception as exc:
            for kind, handler in self._errors:
                if isinstance(exc, kind):
                    return handler(exc)
            raise


def response(status: int, body: str = "", headers: dict[str, str] | None = None) -> Response:
    return {"statusCode": status, "headers": headers or {}, "body": body, "isBase64Encoded": False}
