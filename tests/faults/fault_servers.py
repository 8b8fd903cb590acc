"""Two local HTTP servers that misbehave on purpose, for the connector fault matrix.

`origin` (127.0.0.1) is where every source URL points; `elsewhere` (addressed as `localhost`, another port) is
"another host" that a redirect may lead to. Each test registers what one path answers (`serve`, `hold`, `drip`,
`truncated`, `huge`, `redirect`), then reads what each server was asked (`requests`), headers included: the
credentials of a source URL must never reach `elsewhere`.

Nothing is held whole in memory that need not be: a huge body is written chunk by chunk, and a server that holds
or drips stops as soon as the client has gone (or after `MAX_HOLD_S`, so that a connector without a deadline
makes its test slow and failing, never hung).
"""

from __future__ import annotations

import contextlib
import itertools
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_HOLD_S = 3.5  # how long a held or dripping answer lasts at most, whatever the client does
DRIP_INTERVAL_S = 0.05
CHUNK = 64 * 1024

Behaviour = Callable[["_Handler"], None]


@dataclass(frozen=True)
class Seen:
    server: str
    path: str
    headers: dict[str, str]


@dataclass
class FaultServer:
    name: str
    host: str  # how URLs name it
    server: ThreadingHTTPServer
    routes: dict[str, Behaviour] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, credentials: str | None = None) -> str:
        userinfo = f"{credentials}@" if credentials else ""
        return f"http://{userinfo}{self.host}:{self.port}{path}"

    def requests(self, prefix: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.seen if seen.path.startswith(prefix)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        owner = self.server.owner  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        with owner.lock:
            owner.seen.append(Seen(owner.name, self.path, {k.lower(): v for k, v in self.headers.items()}))
            behaviour = next((b for prefix, b in owner.routes.items() if path.startswith(prefix)), None)
        if behaviour is None:
            self.send_error(404)
            return
        with contextlib.suppress(OSError):  # the client may hang up at any time: that is the point
            behaviour(self)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the standard library's name)
        return  # quiet

    # ---- what a behaviour uses
    def head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()

    def client_gone(self, wait: float) -> bool:
        """True when the client closed its end (checked for up to `wait` seconds)."""
        readable, _, _ = select.select([self.connection], [], [], wait)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


def serve(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Behaviour:
    def answer(handler: _Handler) -> None:
        handler.head(status, {"Content-Length": str(len(body)), **(headers or {})})
        handler.wfile.write(body)

    return answer


def hold() -> Behaviour:
    """Accept the request and answer nothing at all (a server that hangs)."""

    def answer(handler: _Handler) -> None:
        end = time.monotonic() + MAX_HOLD_S
        while time.monotonic() < end and not handler.client_gone(0.05):
            pass

    return answer


def drip(body: bytes, content_type: str) -> Behaviour:
    """A 200 announcing the whole body, then one byte every DRIP_INTERVAL_S (each read is quick: only a
    deadline on the whole download ends it)."""

    def answer(handler: _Handler) -> None:
        handler.head(200, {"Content-Length": str(len(body)), "Content-Type": content_type})
        handler.wfile.flush()
        end = time.monotonic() + MAX_HOLD_S
        for byte in body:
            if time.monotonic() >= end or handler.client_gone(DRIP_INTERVAL_S):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    return answer


def truncated(body: bytes, cut: int, content_type: str) -> Behaviour:
    """A 200 announcing the whole body (Content-Length), then the connection closed after `cut` bytes."""

    def answer(handler: _Handler) -> None:
        handler.head(200, {"Content-Length": str(len(body)), "Content-Type": content_type})
        handler.wfile.write(body[:cut])
        handler.wfile.flush()

    return answer


def huge(prefix: bytes, total: int, content_type: str, filler: bytes = b"\n") -> Behaviour:
    """`prefix` then `filler` up to `total` bytes, without Content-Length (the end is the connection's close), in
    chunks: nothing near `total` is ever held in memory."""
    chunk = filler * (CHUNK // len(filler))

    def answer(handler: _Handler) -> None:
        handler.head(200, {"Content-Type": content_type})
        handler.wfile.write(prefix)
        sent = len(prefix)
        while sent < total:
            piece = chunk[: total - sent]
            handler.wfile.write(piece)
            sent += len(piece)
        handler.wfile.flush()

    return answer


def redirect(location: str, status: int = 302) -> Behaviour:
    def answer(handler: _Handler) -> None:
        handler.head(status, {"Location": location, "Content-Length": "0"})

    return answer


@dataclass
class Servers:
    origin: FaultServer
    elsewhere: FaultServer
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def path(self, label: str) -> str:
        """A path no other test uses."""
        return f"/{next(self._counter)}-{label}/"


def _start(name: str, host: str) -> FaultServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    owner = FaultServer(name, host, server)
    server.owner = owner  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, name=f"fault-{name}", daemon=True).start()
    return owner


@contextlib.contextmanager
def running() -> Iterator[Servers]:
    servers = Servers(_start("origin", "127.0.0.1"), _start("elsewhere", "localhost"))
    try:
        yield servers
    finally:
        for owner in (servers.origin, servers.elsewhere):
            owner.server.shutdown()
            owner.server.server_close()
