"""The import's HTTP client where MLflow cannot show it: TLS verification, the
Authorization header it sends, redirects, unreachable and odd servers. A real HTTP(S)
server (the standard library's, in a thread) answers on 127.0.0.1; every failure is one line.
The import against MLflow itself is tests/test_import_mlflow.py.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

EMPTY = {"registered_models": []}


@dataclass
class Fake:
    """What the server answers (path without query -> status, headers, body) and what it was asked."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    seen: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)
    url: str = ""


def _serve(fake: Fake, context: ssl.SSLContext | None = None) -> Iterator[Fake]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            fake.seen.append((path, self.headers.get("Authorization")))
            status, headers, body = fake.routes.get(path, (200, {"Content-Type": "application/json"},
                                                           json.dumps(EMPTY).encode()))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"{'https' if context else 'http'}://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_server() -> Iterator[Fake]:
    yield from _serve(Fake())


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to serve TLS with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_server(certificate: tuple[Path, Path]) -> Iterator[Fake]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    yield from _serve(Fake(), context)


@pytest.fixture
def registry(repo, monkeypatch):
    for var in ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_URI",
                "MLFLOW_TRACKING_INSECURE_TLS", "MLFLOW_TRACKING_SERVER_CERT_PATH"):
        monkeypatch.delenv(var, raising=False)
    repo.commit("empty")
    return repo


def test_an_unreachable_server_is_one_line(registry, cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", f"http://127.0.0.1:{port}")
    assert (done.code, done.err) == (2, f"registry-tool: error: cannot reach MLflow at http://127.0.0.1:{port}: "
                                        "connection refused\n")
    assert not (registry.path / "models").exists()


@pytest.mark.parametrize("uri", ["databricks", "file:///var/mlruns", "sqlite:///mlflow.db", "http://"])
def test_a_tracking_uri_that_is_no_server_address_is_one_line(registry, cli, uri):
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", uri)
    assert done.code == 2
    assert done.err == (f"registry-tool: error: --tracking-uri {uri}: registry-tool reads MLflow through its REST API; "
                        "give the tracking server's http:// or https:// address (a local store can be served with "
                        "mlflow server --backend-store-uri ...)\n")


def test_the_tracking_uri_is_required_or_read_from_the_environment(registry, cli, http_server, monkeypatch):
    missing = cli(registry.path, "import", "mlflow")
    assert missing.code == 2
    assert "give --tracking-uri URI (or set MLFLOW_TRACKING_URI)" in missing.err
    monkeypatch.setenv("MLFLOW_TRACKING_URI", http_server.url)
    assert cli(registry.path, "import", "mlflow").code == 0
    assert http_server.seen[0][0] == "/api/2.0/mlflow/registered-models/search"


def test_credentials_go_in_one_authorization_header(registry, cli, http_server, monkeypatch):
    args = ("import", "mlflow", "--tracking-uri", http_server.url)
    assert cli(registry.path, *args).code == 0
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ada")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "pa:ss")
    assert cli(registry.path, *args).code == 0
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok-123")  # a token wins over user and password, as in MLflow
    assert cli(registry.path, *args).code == 0
    assert [auth for _, auth in http_server.seen] == [None, None, "Basic YWRhOnBhOnNz", "Basic YWRhOnBhOnNz",
                                                      "Bearer tok-123", "Bearer tok-123"]  # models, then versions


def test_redirects_are_not_followed(registry, cli, http_server):
    elsewhere = Fake()
    for _ in _serve(elsewhere):
        http_server.routes["/api/2.0/mlflow/registered-models/search"] = (302, {"Location": elsewhere.url + "/x"}, b"")
        done = cli(registry.path, "import", "mlflow", "--tracking-uri", http_server.url)
        assert done.code == 2
        assert done.err == (f"registry-tool: error: {http_server.url}/api/2.0/mlflow/registered-models/search redirects "
                            f"to {elsewhere.url}/x (HTTP 302); give that address instead\n")
        assert elsewhere.seen == []  # the credentials never travel to another host


def test_a_server_that_is_not_mlflow_is_one_line(registry, cli, http_server):
    http_server.routes["/api/2.0/mlflow/registered-models/search"] = (200, {"Content-Type": "text/html"}, b"<html>hi")
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", http_server.url)
    assert (done.code, done.err) == (2, f"registry-tool: error: MLflow at {http_server.url} did not answer JSON for "
                                        "/api/2.0/mlflow/registered-models/search: is it the right address?\n")


def test_an_error_status_carries_mlflows_message(registry, cli, http_server):
    body = json.dumps({"error_code": "INTERNAL_ERROR", "message": "database\nis locked"}).encode()
    http_server.routes["/api/2.0/mlflow/registered-models/search"] = (500, {"Content-Type": "application/json"}, body)
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", http_server.url)
    assert (done.code, done.err) == (2, f"registry-tool: error: MLflow at {http_server.url} answered HTTP 500 for "
                                        "/api/2.0/mlflow/registered-models/search: database is locked (INTERNAL_ERROR)\n")


def test_tls_certificates_are_verified(registry, cli, https_server, certificate, monkeypatch):
    args = ("import", "mlflow", "--tracking-uri", https_server.url)
    untrusted = cli(registry.path, *args)
    assert untrusted.code == 2
    assert untrusted.err.startswith(f"registry-tool: error: cannot reach MLflow at {https_server.url}: its TLS "
                                    "certificate is not trusted (")
    assert untrusted.err.endswith("); give the CA bundle that signed it in MLFLOW_TRACKING_SERVER_CERT_PATH\n")
    assert https_server.seen == []
    monkeypatch.setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", str(certificate[0]))
    trusted = cli(registry.path, *args)
    assert trusted.code == 0, trusted.err
    monkeypatch.delenv("MLFLOW_TRACKING_SERVER_CERT_PATH")
    monkeypatch.setenv("MLFLOW_TRACKING_INSECURE_TLS", "true")
    insecure = cli(registry.path, *args)
    assert insecure.code == 0
    assert ("registry-tool: warning: MLFLOW_TRACKING_INSECURE_TLS=true: the server's TLS certificate is not verified"
            in insecure.err)
    assert len(https_server.seen) == 4  # two imports, each listing models and versions


API = "/api/2.0/mlflow"
VERSION = {"name": "m", "version": "1", "current_stage": "None", "source": "s3://b/1", "status": "READY"}


def _answer(fake: Fake, path: str, data: object) -> None:
    fake.routes[API + path] = (200, {"Content-Type": "application/json"}, json.dumps(data).encode())


@pytest.mark.parametrize(("model", "version", "run", "page", "problem"), [
    ({"aliases": 5}, {}, None, None, "registered-models/search: model 'm': aliases is int, not a list"),
    ({"tags": {"a": "b"}}, {}, None, None, "registered-models/search: model 'm': tags is dict, not a list"),
    ({}, {"tags": 7}, None, None, "model-versions/search: model 'm' version 1: tags is int, not a list"),
    ({}, {"creation_timestamp": "abc"}, None, None,
     "model-versions/search: model 'm' version 1: creation_timestamp 'abc' is not a time in milliseconds"),
    ({}, {"last_updated_timestamp": [1]}, None, None,
     "model-versions/search: model 'm' version 1: last_updated_timestamp [1] is not a time in milliseconds"),
    ({}, {"run_id": "r1"}, {"run": {"data": {"metrics": 5}}}, None, "runs/get: run r1: metrics is int, not a list"),
    ({}, {}, None, {"a": 1}, "registered-models/search: next_page_token is dict, not text"),
])
def test_an_answer_of_the_wrong_shape_is_one_line(registry, cli, http_server, model, version, run, page, problem):
    """A field of another JSON type than MLflow's (a proxy, another version, a hostile
    server) once ended the import with exit 3 (TypeError, ValueError). It is one line
    naming what was odd, and nothing is written."""
    search = {"registered_models": [{"name": "m", **model}], **({"next_page_token": page} if page else {})}
    _answer(http_server, "/registered-models/search", search)
    _answer(http_server, "/model-versions/search", {"model_versions": [{**VERSION, **version}]})
    _answer(http_server, "/runs/get", run or {})
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", http_server.url)
    assert (done.code, done.err) == (2, f"registry-tool: error: MLflow at {http_server.url} answered {problem}\n")
    assert not (registry.path / "models").exists()


def test_a_time_past_what_a_date_holds_is_told_by_its_raw_value(registry, cli, http_server):
    _answer(http_server, "/registered-models/search", {"registered_models": [{"name": "m"}]})
    _answer(http_server, "/model-versions/search",
            {"model_versions": [{**VERSION, "creation_timestamp": 10**20, "last_updated_timestamp": "1714546800000"}]})
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", http_server.url, "--commit")
    assert done.code == 0, done.err
    message = registry.git("log", "-1", "--format=%B")
    assert ("m 1: registered at 100000000000000000000 ms after 1970-01-01 UTC; None in MLflow "
            "(last updated 2024-05-01 07:00:00 UTC)") in message
