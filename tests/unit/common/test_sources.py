"""poche_common.sources: where a connector reads from, and a fetch bounded in time and size."""

from __future__ import annotations

import contextlib
import gc
import http.server
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from poche_common.errors import FeedUnavailableError
from poche_common.sources import BUNDLED, describe, env_name, fetch, resolve_sources

CONNECTOR = "canteen-menus-scdl"
ENV = "POCHE_SOURCE_CANTEEN_MENUS_SCDL"
OK_BODY = bytes(range(200))
MAX_BYTES = 1_000
SLOW_S = 3.0


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

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        return

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.seen_headers.append(dict(self.headers.items()))
        path = self.path.split("?", 1)[0]
        if path == "/ok":
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


@pytest.fixture
def server() -> Iterator[FeedServer]:
    release = threading.Event()
    seen: list[dict[str, str]] = []
    handler = type("Handler", (FeedHandler,), {"release": release, "seen_headers": seen})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield FeedServer(f"http://127.0.0.1:{httpd.server_address[1]}", seen)
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


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
