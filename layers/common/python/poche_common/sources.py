"""Where a connector reads from, and a bounded fetch.

A connector's source is, in order of precedence:
1. the environment variable `POCHE_SOURCE_<NAME>` (connector name upper-cased, dashes as
   underscores), which is how devops point a local platform or a one-off run at another feed;
2. the SSM parameter named by `SOURCE_PARAMETER` (`/poche/<stage>/connectors/<name>/source`),
   which is how a deployed connector is configured.
The value is one URL or a comma-separated list: `https://...`, `http://...`, `file:///abs/path`,
or the word `bundled` for the sample shipped inside the connector package.
"""

from __future__ import annotations

import base64
import functools
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .errors import FeedUnavailableError

BUNDLED = "bundled"
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
USER_AGENT = "Poche/1.0 (+open data connector; l'Orne dans ma poche)"


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
    """Read a source in bounded time and size; any failure is a FeedUnavailableError."""
    if url == BUNDLED:
        return _read_file(bundled, max_bytes)
    scheme = urlparse(url).scheme.lower()
    if scheme == "file":
        return _read_file(Path(unquote(urlparse(url).path)), max_bytes)
    if scheme not in ("http", "https"):
        raise FeedUnavailableError(f"unsupported source scheme {scheme!r} in {describe(url)}")
    parts = urlparse(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if parts.username is not None:  # https://user:password@host/...: HTTP basic authentication
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        url = parts._replace(netloc=netloc).geturl()
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked above)
            data: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FeedUnavailableError(f"HTTP {exc.code} from {describe(url)}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedUnavailableError(f"cannot reach {describe(url)}: {reason}") from None
    if len(data) > max_bytes:
        raise FeedUnavailableError(f"{describe(url)} is larger than {max_bytes} bytes")
    return data


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FeedUnavailableError(f"{path} is larger than {max_bytes} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise FeedUnavailableError(f"cannot read {path}: {exc.strerror}") from None
