"""The real application in a real threaded HTTP server, and a tiny cookie-keeping HTTP client.

The test client calls the WSGI app in-process, one request at a time; concurrency bugs (two
bookings of one slot, pool exhaustion, "database is locked") only show with real sockets and
real threads. `LiveServer` runs Werkzeug's threaded server on 127.0.0.1 on a free port in a
background thread; `HttpClient` speaks to it with `http.client` (no extra dependency) and keeps
its own cookies, so each instance is one browser.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log: a race of hundreds of requests would flood the test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _buffered(app: Flask):
    """The app with each response read whole and closed before the server writes it.

    Werkzeug's server closes a response only once written; when the browser drops the
    connection first (it often does for the favicon while moving to the next page), a static
    file's handle was left to the garbage collector: a ResourceWarning, an error under
    ``filterwarnings = error``, at random. Buffered, nothing is open while the bytes go out.
    """

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return wsgi


class LiveServer:
    def __init__(self, app: Flask, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        server = make_server(
            self.host, 0, _buffered(self.app), threaded=True, request_handler=_QuietHandler
        )
        # Werkzeug listens with a backlog of 128, enough for the bursts the tests fire.
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def client(self, timeout: float = 60) -> HttpClient:
        return HttpClient(self.host, self.port, timeout=timeout)


@contextmanager
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    """One user agent: its own cookies, a new connection per request (like most clients)."""

    def __init__(self, host: str, port: int, timeout: float = 60) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.csrf_token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        send = {"Accept": "application/json", **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            send["Content-Type"] = "application/json"
        elif form is not None:  # what a browser submits
            body = urlencode(form).encode()
            send["Content-Type"] = "application/x-www-form-urlencoded"
            send["Accept"] = "text/html"
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf_token and method not in ("GET", "HEAD"):
            send.setdefault("X-CSRFToken", self.csrf_token)
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=send)
            response = connection.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or ():
                self._remember(header)
            return HttpResponse(response.status, dict(response.headers.items()), data)
        finally:
            connection.close()

    def _remember(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            expired = morsel["expires"] and "1970" in morsel["expires"]
            if morsel.value == "" or expired or morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str) -> HttpResponse:
        return self.request("GET", path)

    def post(self, path: str, json_body: Any = None) -> HttpResponse:
        return self.request("POST", path, json_body)

    def submit(self, path: str, form: Mapping[str, str]) -> HttpResponse:
        """POST a form, as a browser does (the CSRF token, when needed, is a form field)."""
        return self.request("POST", path, form=form)

    def log_in(self, email: str, password: str) -> HttpResponse:
        """GET the session (cookie + CSRF token), POST the credentials, keep the new token."""
        first = self.get("/api/v1/session")
        self.csrf_token = first.json()["csrf_token"]
        response = self.post("/api/v1/session", {"email": email, "password": password})
        if response.status == 200:
            self.csrf_token = response.json()["csrf_token"]
        return response
