"""Where a connector reads from, and a bounded fetch.

A connector's source is, in order of precedence:
1. the environment variable `POCHE_SOURCE_<NAME>` (connector name upper-cased, dashes as
   underscores), which is how devops point a local platform or a one-off run at another feed;
2. the SSM parameter named by `SOURCE_PARAMETER` (`/poche/<stage>/connectors/<name>/source`),
   which is how a deployed connector is configured.
The value is one URL or a comma-separated list: `https://...`, `http://...`, `file:///abs/path`,
or the word `bundled` for the sample shipped inside the connector package.

An http(s) fetch (`fetch`) is bounded:
- in time, by one deadline for the whole download: connection (every address tried), TLS handshake,
  every redirect, the headers and the whole body (a server dripping one byte a second is cut at the
  deadline, not kept alive by each byte). Not covered: the DNS lookup, which the standard library
  cannot bound;
- in size, by `max_bytes`, checked against `Content-Length` before reading and while reading in chunks;
- in redirects: at most MAX_REDIRECTS, only to http or https, never from https down to http;
- in where credentials go: `https://user:password@host/...` becomes HTTP basic authentication sent
  only to that origin (scheme, host, port); see `fetch` for a redirect to another origin;
- in where a redirect may lead: from a source on a public address, never to a loopback, private,
  link-local (169.254.x: instance metadata) or otherwise non-public address, checked on the address
  actually connected to (so a DNS name cannot smuggle one in): a feed server cannot make the
  connector call the Lambda runtime API (127.0.0.1:9001) or anything inside the VPC. A source that is
  itself on such an address (a local platform, a test server) may redirect within them.
Proxy environment variables (`https_proxy`...) are not read: Lambda functions reach feeds directly.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import ipaddress
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urljoin, urlparse, urlsplit

from .errors import FeedUnavailableError
from .observability import logger

BUNDLED = "bundled"
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5  # what a portal needs (dataset page -> file -> CDN), far from a loop
CHUNK_BYTES = 64 * 1024
USER_AGENT = "Poche/1.0 (+open data connector; l'Orne dans ma poche)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]
# (configured source, other origin) pairs already logged in this execution environment: a feed that
# redirects every minute is worth one line, not 1,440 a day.
_warned_redirects: set[tuple[str, str]] = set()


def env_name(connector: str) -> str:
    return "POCHE_SOURCE_" + connector.upper().replace("-", "_")


def resolve_sources(connector: str, ssm_get: Callable[[str], str] | None = None) -> list[str]:
    """The source URLs of a connector (see module docstring). Never empty."""
    raw = os.environ.get(env_name(connector), "").strip()
    if not raw:
        parameter = os.environ.get("SOURCE_PARAMETER", "").strip()
        if parameter and ssm_get is not None:
            raw = ssm_get(parameter).strip()
    urls = [part.strip() for part in raw.split(",") if part.strip()]
    return urls or [BUNDLED]


@functools.cache
def _ssm_client() -> Any:
    import boto3  # created on first use, once per execution environment

    return boto3.client("ssm")


def ssm_parameter_reader() -> Callable[[str], str]:
    def read(name: str) -> str:
        client = _ssm_client()
        try:
            return str(client.get_parameter(Name=name)["Parameter"]["Value"])
        except client.exceptions.ParameterNotFound:
            return ""

    return read


def describe(url: str) -> str:
    """A source URL safe to log or store: no credentials, no query string."""
    if url == BUNDLED:
        return url
    parts = urlparse(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def fetch(
    url: str,
    *,
    bundled: Path,
    timeout: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> bytes:
    """Read a source in bounded time and size; any failure is a FeedUnavailableError.

    `timeout` is the deadline of the whole fetch in seconds (see the module docstring).

    A redirect to another origin than the configured one is followed **without** the credentials,
    and logged once (WARNING, without the credentials) per execution environment: that is what
    browsers, curl (without `--location-trusted`) and requests do, and what a data portal sending
    its downloads to a CDN or to a signed object-storage URL needs; refusing would break such feeds
    for no gain, since nothing secret leaves. If the other host does want credentials it answers
    401 or 403, a FeedUnavailableError the run record shows. The credentials are sent again when a
    later redirect comes back to the configured origin. Credentials written into a `Location` are
    ignored."""
    if url == BUNDLED:
        return _read_file(bundled, max_bytes)
    scheme = urlparse(url).scheme.lower()
    if scheme == "file":
        return _read_file(Path(unquote(urlparse(url).path)), max_bytes)
    if scheme not in ("http", "https"):
        raise FeedUnavailableError(f"unsupported source scheme {scheme!r} in {describe(url)}")
    return _fetch_http(url, timeout, max_bytes)


def _origin(parts: SplitResult) -> Origin:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme, 0)


def _without_userinfo(parts: SplitResult) -> SplitResult:
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc, fragment="")


def _fetch_http(url: str, timeout: float, max_bytes: int) -> bytes:
    parts = urlsplit(url)
    authorization: str | None = None
    if parts.username is not None:  # https://user:password@host/...: HTTP basic authentication
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(credentials).decode()
    home = _origin(parts)
    deadline = _Deadline(timeout, describe(url))
    reach = _Reach()
    current = _without_userinfo(parts)
    for _ in range(MAX_REDIRECTS + 1):
        location, body = _exchange(
            current, authorization if _origin(current) == home else None, deadline, reach, max_bytes
        )
        if location is None:
            return body
        following = _redirect_target(current, location)
        if authorization is not None and _origin(following) != home:
            _warn_withheld(url, following.geturl())
        current = following
    raise FeedUnavailableError(f"{describe(url)}: more than {MAX_REDIRECTS} redirects")


def _redirect_target(current: SplitResult, location: str) -> SplitResult:
    """Where a `Location` leads from `current`, if it may be followed: http(s) only, no downgrade."""
    target = urlsplit(urljoin(current.geturl(), location.strip()))
    scheme = target.scheme.lower()
    if scheme not in ("http", "https"):
        raise FeedUnavailableError(
            f"{describe(current.geturl())} redirects to a {scheme!r} URL: refused (only http and https are followed)"
        )
    if current.scheme.lower() == "https" and scheme == "http":
        raise FeedUnavailableError(
            f"{describe(current.geturl())} redirects from https to http ({describe(target.geturl())}): "
            "refused (a downgrade)"
        )
    if not target.hostname:
        raise FeedUnavailableError(f"{describe(current.geturl())} redirects to a URL without a host: refused")
    return _without_userinfo(target)


def _warn_withheld(source: str, target: str) -> None:
    key = (describe(source), _describe_origin(target))
    if key in _warned_redirects:
        return
    _warned_redirects.add(key)
    logger.warning(
        "source redirects to another origin: followed without its credentials",
        extra={"source": describe(source), "redirect": describe(target)},
    )


def _describe_origin(url: str) -> str:
    scheme, host, port = _origin(urlsplit(url))
    return f"{scheme}://{host}:{port}"


class _Deadline:
    """The one deadline of a fetch. `watch` cuts the connection when it passes, whatever it is waiting for."""

    def __init__(self, seconds: float, shown: str) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.shown = shown
        self.cut = threading.Event()

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0 or self.cut.is_set():
            raise self.expired()
        return left

    def passed(self) -> bool:
        return self.cut.is_set() or time.monotonic() >= self.at

    def expired(self) -> FeedUnavailableError:
        return FeedUnavailableError(f"{self.shown} timed out: the download did not complete within {self.seconds:g} s")

    def watch(self, connection: http.client.HTTPConnection) -> threading.Timer:
        def cut() -> None:
            self.cut.set()
            sock = connection.sock
            if sock is not None:  # wakes up a blocked read (a timeout on the socket bounds each read only)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.remaining(), cut)
        timer.daemon = True
        timer.start()
        return timer

    def connector(self, reach: _Reach) -> Callable[..., socket.socket]:
        """`socket.create_connection` as http.client calls it, except that each address tried gets only what
        is left of the deadline (create_connection gives each one the whole timeout: n addresses, n times it),
        and only addresses `reach` allows are tried."""

        def create(address: tuple[str, int], timeout: object = None, source_address: object = None) -> socket.socket:
            host, port = address
            failure: OSError = OSError(f"no address for {host}")
            for family, kind, protocol, _, where in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
                if not reach.allows(str(where[0])):
                    failure = OSError(f"{host} is a non-public address ({where[0]}), refused after a redirect")
                    continue
                sock = socket.socket(family, kind, protocol)
                try:
                    sock.settimeout(self.remaining())
                    sock.connect(where)
                except OSError as exc:
                    sock.close()
                    failure = exc
                    continue
                except BaseException:  # the deadline passed (FeedUnavailableError): no socket left open
                    sock.close()
                    raise
                return sock
            raise failure

        return create


class _Reach:
    """Which addresses a fetch may connect to: the first connection (the configured source) decides whether
    non-public addresses are allowed for the rest of the fetch (its redirects). See the module docstring."""

    def __init__(self) -> None:
        self.internal: bool | None = None  # None until the first address is tried

    def allows(self, address: str) -> bool:
        internal = _is_internal(address)
        if self.internal is None:
            self.internal = internal
        return internal <= self.internal  # a public source never reaches an internal address


def _is_internal(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope (`fe80::1%eth0`) is not part of it
    except ValueError:
        return True  # not an IP address: nothing to prove it public
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
    if mapped is not None:
        ip = mapped
    return not ip.is_global or ip.is_multicast


def _exchange(
    target: SplitResult, authorization: str | None, deadline: _Deadline, reach: _Reach, max_bytes: int
) -> tuple[str | None, bytes]:
    """One request: (the `Location` of a redirect, b"") or (None, the body)."""
    shown = describe(target.geturl())
    connection_class = http.client.HTTPSConnection if target.scheme.lower() == "https" else http.client.HTTPConnection
    connection = connection_class(target.hostname or "", target.port, timeout=deadline.remaining())
    connection._create_connection = deadline.connector(reach)  # type: ignore[attr-defined]  # http.client's seam
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"}
    if authorization is not None:
        headers["Authorization"] = authorization
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    timer = deadline.watch(connection)
    try:
        connection.request("GET", path, headers=headers)
        with connection.getresponse() as response:  # closed on every path: no socket left to the collector
            location = response.getheader("Location")
            if response.status in REDIRECT_STATUSES and location:
                return location, b""
            if not 200 <= response.status < 300:
                raise FeedUnavailableError(f"HTTP {response.status} from {shown}")
            return None, _read_body(response, deadline, max_bytes, shown)
    except FeedUnavailableError:
        raise
    except (OSError, http.client.HTTPException) as exc:  # socket errors, TLS errors (ssl.SSLError), protocol errors
        if deadline.passed():
            raise deadline.expired() from None
        reason = getattr(exc, "reason", None) or exc
        raise FeedUnavailableError(f"cannot reach {shown}: {reason}") from None
    finally:
        timer.cancel()
        connection.close()


def _read_body(response: http.client.HTTPResponse, deadline: _Deadline, max_bytes: int, shown: str) -> bytes:
    """The body in chunks, never more than max_bytes + 1 of it, within the deadline."""
    too_large = FeedUnavailableError(f"{shown} is larger than {max_bytes} bytes")
    if response.length is not None and response.length > max_bytes:
        raise too_large  # Content-Length says so: no need to read any of it
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(min(CHUNK_BYTES, max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        deadline.remaining()
    if deadline.passed():  # the watchdog's cut looks like the end of the body
        raise deadline.expired()
    if response.length:  # bytes announced by Content-Length that never came
        raise FeedUnavailableError(f"{shown} was truncated: {response.length} bytes missing of what it announced")
    return b"".join(chunks)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FeedUnavailableError(f"{path} is larger than {max_bytes} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise FeedUnavailableError(f"cannot read {path}: {exc.strerror}") from None
