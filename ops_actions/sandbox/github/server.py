"""The HTTP side: the threaded server and the request handler that passes each request to the emulator."""

from __future__ import annotations

import contextlib
import socket
import traceback
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from ops_actions.sandbox.github.model import _Wire
from ops_actions.sandbox.server import LocalServer


class _Served(Protocol):
    """What the server needs of the emulator it serves (a ``GitHubEmulator``)."""

    errors: list[str]

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> _Wire | None: ...


class _Server(LocalServer):
    emulator: _Served

    def report_error(self) -> None:
        """A bug in the emulator: kept for the test fixture to fail on."""
        self.emulator.errors.append(traceback.format_exc())


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't wait 40 ms between
    server_version = "GitHub.com"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no request log on stderr."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        outcome = self.server.emulator.handle(self.command, self.path, dict(self.headers.items()), body)
        if outcome is None:  # drop-after-write: the write happened, the client gets no answer
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, payload = outcome
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and status not in (204, 304):
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve
