"""A small JSON-over-HTTP client on the standard library (``urllib``), for reading another
registry's REST API: GET with query parameters, JSON back, every failure one line.

TLS certificates are verified against the system's trust store (or a CA bundle given by
the caller); redirects are not followed, so credentials never travel to another host;
responses are read up to a bound. Credentials are sent as one ``Authorization`` header,
a bearer token or HTTP basic, whichever the caller gives.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry_tool.errors import RegistryError

MAX_RESPONSE_BYTES = 256 * 1024 * 1024  # a page of a registry listing is far smaller
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Credentials:
    """A bearer token, or a user name and password (HTTP basic); ``source`` says where they came from."""

    token: str | None = None
    username: str | None = None
    password: str | None = None
    source: str = ""

    @property
    def header(self) -> str | None:
        if self.token:
            return f"Bearer {self.token}"
        if self.username is not None:
            pair = f"{self.username}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None


class HttpError(RegistryError):
    """The server answered with an HTTP error status (``status``); the message is one line."""

    def __init__(self, message: str, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code  # the error code in the body, when the server sent one


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        raise HttpError(f"{req.full_url.split('?', 1)[0]} redirects to {newurl.split('?', 1)[0]} (HTTP {code}); "
                        "give that address instead", code)


class JsonClient:
    """GET ``base_url + path`` with query parameters and read the JSON object it answers."""

    def __init__(self, base_url: str, *, credentials: Credentials | None = None, cafile: str | None = None,
                 verify: bool = True, timeout: float = DEFAULT_TIMEOUT, what: str = "the server", tls_hint: str = "",
                 auth_hint: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.tls_hint = tls_hint  # what to do about an untrusted certificate ("give the CA bundle in ...")
        self.auth_hint = auth_hint  # how to give credentials ("set MLFLOW_TRACKING_TOKEN, or ...")
        self.credentials = credentials or Credentials()
        self.timeout = timeout
        self.what = what  # how messages name the server: "MLflow at https://..."
        self.requests = 0
        context = ssl.create_default_context(cafile=cafile)
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self._opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())

    def get(self, path: str, params: Mapping[str, str | int] | None = None) -> dict[str, Any]:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "registry-tool"})
        header = self.credentials.header
        if header is not None:
            request.add_unredirected_header("Authorization", header)
        self.requests += 1
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise self._http_error(path, exc) from None
        except urllib.error.URLError as exc:
            raise RegistryError(f"cannot reach {self.what}: {_reason(exc.reason, self.tls_hint)}") from None
        except TimeoutError:
            raise RegistryError(f"cannot reach {self.what}: no answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise RegistryError(f"cannot reach {self.what}: {_reason(exc, self.tls_hint)}") from None
        if len(body) > MAX_RESPONSE_BYTES:
            raise RegistryError(f"{self.what} answered more than {MAX_RESPONSE_BYTES} bytes for {path}")
        return self._json(path, body)

    def _json(self, path: str, body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise RegistryError(f"{self.what} did not answer JSON for {path}: is it the right address?") from None
        if not isinstance(data, dict):
            raise RegistryError(f"{self.what} answered {type(data).__name__}, not a JSON object, for {path}")
        return data

    def _http_error(self, path: str, exc: urllib.error.HTTPError) -> HttpError:
        code, detail = _error_body(exc)
        status = exc.code
        if status == 401 and self.credentials.header:
            return HttpError(f"{self.what} refused the credentials from {self.credentials.source} (HTTP 401 Unauthorized)",
                             status, code)
        if status == 401:
            hint = f": {self.auth_hint}" if self.auth_hint else ""
            return HttpError(f"{self.what} needs credentials (HTTP 401 Unauthorized){hint}", status, code)
        if status == 403:
            return HttpError(f"{self.what} refused access to {path} (HTTP 403 Forbidden){detail}", status, code)
        return HttpError(f"{self.what} answered HTTP {status} for {path}{detail}", status, code)


def _error_body(exc: urllib.error.HTTPError) -> tuple[str | None, str]:
    """The error code and message of a JSON error body (``{"error_code", "message"}``), if any."""
    try:
        data = json.loads(exc.read(64 * 1024) or b"null")
    except (ValueError, OSError):
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    code = data.get("error_code") if isinstance(data.get("error_code"), str) else None
    message = data.get("message") if isinstance(data.get("message"), str) else None
    text = ": " + " ".join(message.split())[:300] if message else ""
    return code, text + (f" ({code})" if code else "")


def _reason(reason: object, tls_hint: str) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({reason.verify_message})" + (f"; {tls_hint}" if tls_hint else "")
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    text = getattr(reason, "strerror", None) or str(reason)
    return " ".join(str(text).split()) or type(reason).__name__
