"""poche_common.sources: where a connector reads from, and a fetch bounded in time and size."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gc
import http.server
import json
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest

from poche_common import sources
from poche_common.errors import FeedUnavailableError
from poche_common.sources import BUNDLED, MAX_REDIRECTS, describe, env_name, fetch, resolve_sources

CONNECTOR = "canteen-menus-scdl"
ENV = "POCHE_SOURCE_CANTEEN_MENUS_SCDL"
OK_BODY = bytes(range(200))
MAX_BYTES = 1_000
SLOW_S = 3.0
DRIP_S = 0.1  # one byte every DRIP_S seconds, for as long as the client listens


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delenv("SOURCE_PARAMETER", raising=False)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


def ssm(values: dict[str, str], calls: list[str] | None = None) -> Callable[[str], str]:
    def read(name: str) -> str:
        if calls is not None:
            calls.append(name)
        return values.get(name, "")

    return read


# --- where from -----------------------------------------------------------------------------------


def test_env_name() -> None:
    assert env_name(CONNECTOR) == ENV


def test_default_is_bundled() -> None:
    assert resolve_sources(CONNECTOR) == [BUNDLED] == ["bundled"]
    assert resolve_sources(CONNECTOR, ssm({})) == [BUNDLED]


def test_environment_variable_wins_over_ssm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "https://env.example.org/feed.csv")
    monkeypatch.setenv("SOURCE_PARAMETER", "/poche/dev/connectors/canteen-menus-scdl/source")
    calls: list[str] = []
    reader = ssm({"/poche/dev/connectors/canteen-menus-scdl/source": "https://ssm.example.org/a.csv"}, calls)
    assert resolve_sources(CONNECTOR, reader) == ["https://env.example.org/feed.csv"]
    assert calls == []


def test_ssm_parameter_when_no_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "   ")
    monkeypatch.setenv("SOURCE_PARAMETER", "/poche/dev/connectors/canteen-menus-scdl/source")
    calls: list[str] = []
    reader = ssm({"/poche/dev/connectors/canteen-menus-scdl/source": " https://ssm.example.org/a.csv \n"}, calls)
    assert resolve_sources(CONNECTOR, reader) == ["https://ssm.example.org/a.csv"]
    assert calls == ["/poche/dev/connectors/canteen-menus-scdl/source"]


def test_empty_ssm_parameter_falls_back_to_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_PARAMETER", "/poche/dev/connectors/x/source")
    assert resolve_sources(CONNECTOR, ssm({})) == [BUNDLED]


def test_ssm_parameter_without_reader_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_PARAMETER", "/poche/dev/connectors/x/source")
    assert resolve_sources(CONNECTOR, None) == [BUNDLED]


def test_other_connectors_variable_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POCHE_SOURCE_OTHER", "https://other.example.org/")
    assert resolve_sources(CONNECTOR) == [BUNDLED]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://a.example/1.csv,https://b.example/2.csv", ["https://a.example/1.csv", "https://b.example/2.csv"]),
        (" https://a.example/1.csv , bundled ,, ", ["https://a.example/1.csv", "bundled"]),
        ("file:///data/menus.csv", ["file:///data/menus.csv"]),
        (",,", ["bundled"]),
    ],
)
def test_comma_separated_lists(monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv(ENV, raw)
    assert resolve_sources(CONNECTOR) == expected


def test_comma_separated_list_from_ssm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_PARAMETER", "/p")
    assert resolve_sources(CONNECTOR, ssm({"/p": "http://a.example/x, http://b.example/y"})) == [
        "http://a.example/x",
        "http://b.example/y",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("bundled", "bundled"),
        ("https://data.example.org/menus.csv", "https://data.example.org/menus.csv"),
        ("https://user:s3cret@data.example.org/menus.csv", "https://data.example.org/menus.csv"),
        ("https://data.example.org:8443/a/b.csv?apikey=s3cret&x=1#frag", "https://data.example.org:8443/a/b.csv"),
        ("http://token@127.0.0.1:8080/feed?sig=s3cret", "http://127.0.0.1:8080/feed"),
        ("file:///srv/feeds/menus.csv", "file:///srv/feeds/menus.csv"),
    ],
)
def test_describe_strips_credentials_and_query(url: str, expected: str) -> None:
    shown = describe(url)
    assert shown == expected
    assert "s3cret" not in shown and "user" not in shown and "token" not in shown


# --- fetch: bundled and files ---------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample menus.csv"
    path.write_bytes(b"a;b\n1;2\n")
    return path


def test_fetch_bundled_reads_the_bundled_file(sample: Path) -> None:
    assert fetch("bundled", bundled=sample) == b"a;b\n1;2\n"


def test_fetch_file_url(sample: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_bytes(b"x")
    assert fetch(other.as_uri(), bundled=sample) == b"x"


def test_fetch_file_url_with_an_encoded_space(sample: Path) -> None:
    assert " " in sample.name
    assert "%20" in sample.as_uri()
    assert fetch(sample.as_uri(), bundled=Path("/nonexistent")) == b"a;b\n1;2\n"


def test_fetch_missing_file_is_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(FeedUnavailableError, match=r"missing\.csv"):
        fetch(missing.as_uri(), bundled=missing)
    with pytest.raises(FeedUnavailableError, match=r"missing\.csv"):
        fetch("bundled", bundled=missing)


def test_fetch_directory_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(FeedUnavailableError):
        fetch(tmp_path.as_uri(), bundled=tmp_path)


def test_fetch_file_over_max_bytes_is_unavailable(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 101)
    with pytest.raises(FeedUnavailableError, match="larger than 100 bytes"):
        fetch(big.as_uri(), bundled=big, max_bytes=100)
    with pytest.raises(FeedUnavailableError, match="larger than 100 bytes"):
        fetch("bundled", bundled=big, max_bytes=100)
    assert fetch("bundled", bundled=big, max_bytes=101) == b"x" * 101


@pytest.mark.parametrize("url", ["ftp://example.org/feed.csv", "s3://bucket/key.csv", "/abs/path.csv", "gopher://x"])
def test_fetch_unsupported_scheme(url: str, sample: Path) -> None:
    with pytest.raises(FeedUnavailableError, match="unsupported source scheme"):
        fetch(url, bundled=sample)


# --- fetch: HTTP ----------------------------------------------------------------------------------


class FeedHandler(http.server.BaseHTTPRequestHandler):
    release: threading.Event
    seen_headers: list[dict[str, str]]
    seen_paths: list[str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        return

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _drip(self, data: bytes) -> None:
        """One byte every DRIP_S seconds until the client hangs up or the test ends."""
        for byte in data:
            if self.release.wait(DRIP_S):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client gave up: what a deadline is for
                return

    def do_GET(self) -> None:
        self.seen_headers.append(dict(self.headers.items()))
        self.seen_paths.append(self.path)
        path, _, query = self.path.partition("?")
        if path == "/redirect":  # /redirect?to=<url>&status=<3xx>
            params = parse_qs(query, keep_blank_values=True)
            self._redirect(params["to"][0], int(params.get("status", ["302"])[0]))
        elif path.startswith("/hop/"):  # an endless chain of redirects on the same origin
            self._redirect(f"/hop/{int(path.removeprefix('/hop/')) + 1}")
        elif path.startswith("/slow-hop/"):  # each hop answers in 0.2 s, the last one is /ok
            left = int(path.removeprefix("/slow-hop/"))
            self.release.wait(0.2)
            self._redirect(f"/slow-hop/{left - 1}" if left > 1 else "/ok")
        elif path == "/drip":  # announces 100 bytes, sends one every DRIP_S
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            self._drip(b"d" * 100)
        elif path == "/drip-headers":  # even the status line and headers come one byte at a time
            self.close_connection = True
            self._drip(b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"p" * 200 + b"\r\n\r\nok")
        elif path == "/truncated":  # announces 100 bytes, sends 50 and hangs up
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"t" * 50)
            self.close_connection = True
        elif path == "/announced-big":  # announces more than max_bytes, then stalls
            self.send_response(200)
            self.send_header("Content-Length", str(MAX_BYTES + 1))
            self.end_headers()
            self.wfile.flush()
            self.release.wait(SLOW_S)
        elif path == "/ok":
            self._reply(200, OK_BODY)
        elif path == "/exact":
            self._reply(200, b"y" * MAX_BYTES)
        elif path == "/big":
            self._reply(200, b"x" * (MAX_BYTES + 1))
        elif path == "/endless":  # announces far more than it sends, then stalls
            self.send_response(200)
            self.send_header("Content-Length", str(100 * MAX_BYTES))
            self.end_headers()
            self.wfile.write(b"z" * (MAX_BYTES + 1))
            self.wfile.flush()
            self.release.wait(SLOW_S)
        elif path == "/error":
            self._reply(500, b"boom")
        elif path == "/slow":
            self.release.wait(SLOW_S)
            with contextlib.suppress(OSError):  # the client gave up
                self._reply(200, OK_BODY)
        else:
            self._reply(404, b"not here")


@dataclass
class FeedServer:
    url: str
    seen_headers: list[dict[str, str]]
    seen_paths: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.url


Serve = Callable[..., FeedServer]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start local feed servers on 127.0.0.1 (each its own port: its own origin), optionally over TLS."""
    release = threading.Event()
    started: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    def start(tls: ssl.SSLContext | None = None) -> FeedServer:
        seen: list[dict[str, str]] = []
        paths: list[str] = []
        attributes = {"release": release, "seen_headers": seen, "seen_paths": paths}
        handler = type("Handler", (FeedHandler,), attributes)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        if tls is not None:
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        started.append((httpd, thread))
        scheme = "https" if tls is not None else "http"
        return FeedServer(f"{scheme}://127.0.0.1:{httpd.server_address[1]}", seen, paths)

    try:
        yield start
    finally:
        release.set()
        for httpd, thread in started:
            httpd.shutdown()
            httpd.server_close()
            thread.join(5)


@pytest.fixture
def server(serve: Serve) -> FeedServer:
    return serve()


def test_http_200(server: FeedServer, sample: Path) -> None:
    assert fetch(f"{server.url}/ok", bundled=sample, timeout=5, max_bytes=MAX_BYTES) == OK_BODY


def test_http_sends_a_user_agent(server: FeedServer, sample: Path) -> None:
    fetch(f"{server.url}/ok", bundled=sample, timeout=5)
    assert len(server.seen_headers) == 1
    assert server.seen_headers[0].get("User-Agent", "").startswith("Poche/")


def test_http_exactly_max_bytes_is_accepted(server: FeedServer, sample: Path) -> None:
    assert fetch(f"{server.url}/exact", bundled=sample, timeout=5, max_bytes=MAX_BYTES) == b"y" * MAX_BYTES


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/error", 500)])
def test_http_error_status_is_unavailable(server: FeedServer, sample: Path, path: str, status: int) -> None:
    with pytest.raises(FeedUnavailableError) as caught:
        fetch(f"{server.url}{path}?apikey=s3cret", bundled=sample, timeout=5)
    message = str(caught.value)
    assert f"HTTP {status}" in message
    assert f"{server.url}{path}" in message
    assert "s3cret" not in message


def test_http_error_response_is_closed(server: FeedServer, sample: Path) -> None:
    # an HTTP error must not leave its connection open until the garbage collector finds it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(3):
            with pytest.raises(FeedUnavailableError):
                fetch(f"{server.url}/error", bundled=sample, timeout=5)
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning) and "socket" in str(w.message)]
    assert leaks == []


def test_http_response_over_max_bytes_is_unavailable(server: FeedServer, sample: Path) -> None:
    with pytest.raises(FeedUnavailableError, match=f"larger than {MAX_BYTES} bytes") as caught:
        fetch(f"{server.url}/big?apikey=s3cret", bundled=sample, timeout=5, max_bytes=MAX_BYTES)
    assert "s3cret" not in str(caught.value)


def test_http_reads_no_more_than_max_bytes(server: FeedServer, sample: Path) -> None:
    # the size limit is enforced while reading: no waiting for (or buffering) the rest of the body
    started = time.monotonic()
    with pytest.raises(FeedUnavailableError, match=f"larger than {MAX_BYTES} bytes"):
        fetch(f"{server.url}/endless", bundled=sample, timeout=0.5, max_bytes=MAX_BYTES)
    assert time.monotonic() - started < 0.5


def test_http_timeout_is_unavailable_and_bounded(server: FeedServer, sample: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FeedUnavailableError) as caught:
        fetch(f"{server.url}/slow?apikey=s3cret", bundled=sample, timeout=0.5)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0
    message = str(caught.value)
    assert "127.0.0.1" in message
    assert "timed out" in message
    assert "s3cret" not in message


def test_unreachable_host_is_unavailable(sample: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FeedUnavailableError, match=f"cannot reach http://127.0.0.1:{port}/feed"):
        fetch(f"http://127.0.0.1:{port}/feed", bundled=sample, timeout=2)


def test_credentials_in_the_url_become_basic_authentication(server: FeedServer, sample: Path) -> None:
    host = server.url.removeprefix("http://")
    assert fetch(f"http://open%20data:s%3Acret@{host}/ok", bundled=sample, timeout=5) == OK_BODY
    (headers,) = server.seen_headers
    expected = "Basic " + __import__("base64").b64encode(b"open data:s:cret").decode()
    assert headers["Authorization"] == expected


# --- fetch: redirects and credentials (issue 9, defect 3) ------------------------------------------


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def with_credentials(url: str, user: str = "reader", password: str = "s3cret") -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest}"


def redirect_to(server: FeedServer, target: str, status: int = 302) -> str:
    return f"{server.url}/redirect?to={quote(target, safe='')}&status={status}"


def logged(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


@pytest.fixture(autouse=True)
def forget_warned_redirects() -> None:
    sources._warned_redirects.clear()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_origin_withholds_the_credentials(
    serve: Serve, sample: Path, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    origin, other = serve(), serve()  # two ports of 127.0.0.1: two origins
    url = with_credentials(redirect_to(origin, f"{other.url}/ok", status))
    assert fetch(url, bundled=sample, timeout=5) == OK_BODY
    assert origin.seen_headers[0]["Authorization"] == basic("reader", "s3cret")
    (headers,) = other.seen_headers
    assert "Authorization" not in headers  # the other host never sees the feed's credentials
    (record,) = [r for r in logged(capsys) if r["level"] == "WARNING"]
    assert record["source"] == describe(url) and record["redirect"] == f"{other.url}/ok"
    assert "s3cret" not in json.dumps(record) and "reader" not in json.dumps(record)


def test_the_withheld_credentials_are_logged_once(
    serve: Serve, sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin, other = serve(), serve()
    url = with_credentials(redirect_to(origin, f"{other.url}/ok"))
    for _ in range(3):
        assert fetch(url, bundled=sample, timeout=5) == OK_BODY
    assert len([r for r in logged(capsys) if r["level"] == "WARNING"]) == 1
    assert len(other.seen_headers) == 3 and all("Authorization" not in h for h in other.seen_headers)


def test_credentials_in_a_location_are_never_used(serve: Serve, sample: Path) -> None:
    origin, other = serve(), serve()
    target = with_credentials(f"{other.url}/ok", "intruder", "planted")
    assert fetch(redirect_to(origin, target), bundled=sample, timeout=5) == OK_BODY
    assert "Authorization" not in other.seen_headers[0]


def test_a_redirect_within_the_origin_keeps_the_credentials(server: FeedServer, sample: Path) -> None:
    url = with_credentials(f"{server.url}/redirect?to=/ok")
    assert fetch(url, bundled=sample, timeout=5) == OK_BODY
    assert [h["Authorization"] for h in server.seen_headers] == [basic("reader", "s3cret")] * 2


def test_back_on_the_origin_the_credentials_are_sent_again(serve: Serve, sample: Path) -> None:
    origin, other = serve(), serve()
    url = with_credentials(redirect_to(origin, redirect_to(other, f"{origin.url}/ok")))
    assert fetch(url, bundled=sample, timeout=5) == OK_BODY
    assert "Authorization" not in other.seen_headers[0]
    assert [h.get("Authorization") for h in origin.seen_headers] == [basic("reader", "s3cret")] * 2


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "ftp://127.0.0.1:9/feed.csv", "gopher://127.0.0.1:9/", "data:text/plain,x"],
)
def test_a_redirect_to_another_scheme_is_refused(server: FeedServer, sample: Path, target: str) -> None:
    with pytest.raises(FeedUnavailableError, match="redirect") as caught:
        fetch(redirect_to(server, target), bundled=sample, timeout=5)
    scheme = target.split(":", 1)[0]
    assert f"'{scheme}'" in str(caught.value)
    assert "only http and https" in str(caught.value)
    assert len(server.seen_paths) == 1


def test_redirects_are_bounded(server: FeedServer, sample: Path) -> None:
    with pytest.raises(FeedUnavailableError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(f"{server.url}/hop/0", bundled=sample, timeout=5)
    assert server.seen_paths == [f"/hop/{n}" for n in range(MAX_REDIRECTS + 1)]


def test_a_redirect_without_location_is_an_http_error(server: FeedServer, sample: Path) -> None:
    with pytest.raises(FeedUnavailableError, match="HTTP 302"):
        fetch(f"{server.url}/redirect?to=&status=302", bundled=sample, timeout=5)


# --- TLS: a downgrade to http is refused ------------------------------------------------------------


@dataclass
class Certificate:
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (test only)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture
def tls_server(serve: Serve, certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> FeedServer:
    """An https feed server whose certificate the client trusts (through the stdlib's default context hook)."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificate.cert, certificate.key)

    def trusting(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(certificate.cert))
        return context

    monkeypatch.setattr(ssl, "_create_default_https_context", trusting)
    return serve(server_context)


def test_https_is_fetched_and_verified(tls_server: FeedServer, sample: Path) -> None:
    assert fetch(with_credentials(f"{tls_server.url}/ok"), bundled=sample, timeout=5) == OK_BODY
    assert tls_server.seen_headers[0]["Authorization"] == basic("reader", "s3cret")


def test_an_untrusted_certificate_is_unavailable(
    tls_server: FeedServer, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ssl, "_create_default_https_context", ssl.create_default_context)
    with pytest.raises(FeedUnavailableError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(f"{tls_server.url}/ok", bundled=sample, timeout=5)


@pytest.mark.parametrize("credentials", [True, False])
def test_a_downgrade_from_https_to_http_is_refused(
    tls_server: FeedServer, serve: Serve, sample: Path, credentials: bool
) -> None:
    plain = serve()
    for target in (f"{plain.url}/ok", tls_server.url.replace("https://", "http://") + "/ok"):
        url = redirect_to(tls_server, target)
        with pytest.raises(FeedUnavailableError, match="https to http") as caught:
            fetch(with_credentials(url) if credentials else url, bundled=sample, timeout=5)
        assert "s3cret" not in str(caught.value)
    assert plain.seen_paths == []  # not even a request without credentials


def test_an_upgrade_from_http_to_https_is_followed(tls_server: FeedServer, serve: Serve, sample: Path) -> None:
    plain = serve()
    assert fetch(redirect_to(plain, f"{tls_server.url}/ok"), bundled=sample, timeout=5) == OK_BODY


# --- fetch: one deadline for the whole download (issue 9, defect 8) ---------------------------------


def test_a_drip_fed_body_is_cut_at_the_deadline(server: FeedServer, sample: Path) -> None:
    # one byte every 0.1 s: each read is quick, the download never ends in time
    started = time.monotonic()
    with pytest.raises(FeedUnavailableError, match="timed out") as caught:
        fetch(f"{server.url}/drip?apikey=s3cret", bundled=sample, timeout=0.5)
    elapsed = time.monotonic() - started
    assert 0.4 < elapsed < 1.0
    message = str(caught.value)
    assert f"{server.url}/drip" in message and "0.5 s" in message and "s3cret" not in message


def test_drip_fed_headers_are_cut_at_the_deadline(server: FeedServer, sample: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FeedUnavailableError, match="timed out"):
        fetch(f"{server.url}/drip-headers", bundled=sample, timeout=0.5)
    assert time.monotonic() - started < 1.0


def test_redirects_spend_the_same_deadline(server: FeedServer, sample: Path) -> None:
    # three hops of 0.2 s each: every one within a per-request timeout, together beyond the deadline
    started = time.monotonic()
    with pytest.raises(FeedUnavailableError, match="timed out"):
        fetch(f"{server.url}/slow-hop/3", bundled=sample, timeout=0.5)
    assert time.monotonic() - started < 1.0
    assert fetch(f"{server.url}/slow-hop/3", bundled=sample, timeout=5) == OK_BODY


def test_a_truncated_body_is_unavailable(server: FeedServer, sample: Path) -> None:
    with pytest.raises(FeedUnavailableError, match="truncated"):
        fetch(f"{server.url}/truncated", bundled=sample, timeout=5)


def test_an_announced_length_over_max_bytes_is_refused_without_reading(server: FeedServer, sample: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FeedUnavailableError, match=f"larger than {MAX_BYTES} bytes"):
        fetch(f"{server.url}/announced-big", bundled=sample, timeout=2, max_bytes=MAX_BYTES)
    assert time.monotonic() - started < 0.5


def test_a_timeout_of_zero_is_refused_at_once(server: FeedServer, sample: Path) -> None:
    with pytest.raises(FeedUnavailableError, match="timed out"):
        fetch(f"{server.url}/ok", bundled=sample, timeout=0)
    assert server.seen_paths == []


def test_every_address_tried_shares_the_deadline(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with five addresses that never answer: five connection attempts, one deadline between them."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        with socket.create_connection(listener.getsockname()):  # the backlog is full: later connects hang
            port = listener.getsockname()[1]
            addresses = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))] * 5
            monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: addresses)
            started = time.monotonic()
            with pytest.raises(FeedUnavailableError, match="timed out"):
                fetch(f"http://feed.example:{port}/feed", bundled=sample, timeout=0.5)
            assert time.monotonic() - started < 1.0


# --- where a redirect may lead -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.53",
        "169.254.169.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1%eth0",
        "fd00::1",
        "not-an-address",
    ],
)
def test_loopback_private_link_local_and_odd_addresses_are_internal(address: str) -> None:
    assert sources._is_internal(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "51.15.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are_not_internal(address: str) -> None:
    assert not sources._is_internal(address)


def test_a_public_source_cannot_redirect_to_an_internal_address(
    serve: Serve, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed server must not make the connector call the Lambda runtime API (127.0.0.1:9001), the instance
    metadata (169.254.169.254) or anything inside the VPC: here the source's address counts as public (the first
    address classified), the address the redirect leads to as internal (every later one)."""
    source, inside = serve(), serve()
    classified: list[str] = []

    def first_public(address: str) -> bool:
        classified.append(address)
        return len(classified) > 1

    monkeypatch.setattr(sources, "_is_internal", first_public)
    with pytest.raises(FeedUnavailableError, match="non-public address"):
        fetch(f"{source.url}/redirect?to={quote(inside.url + '/ok')}", bundled=sample, timeout=5, max_bytes=MAX_BYTES)
    assert inside.seen_paths == []  # never even connected to


def test_a_source_on_an_internal_address_may_redirect_within_them(serve: Serve, sample: Path) -> None:
    """A local platform or a test server: the configured source is itself internal (127.0.0.1)."""
    source, other = serve(), serve()
    assert fetch(f"{source.url}/redirect?to={quote(other.url + '/ok')}", bundled=sample, timeout=5) == OK_BODY
