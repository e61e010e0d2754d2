"""The HTTP side of the sandbox backend: the server it listens with, and the handler of each request.

The handler reads a request, records it (never a credential), meets its one-shot fault if one is
pending (:mod:`.faults`) and otherwise sends what the backend answers; a reply of None, a
``reset`` fault or the server stopping drops the connection with a TCP reset.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, Final, Protocol
from urllib.parse import parse_qs, urlsplit

from ops_actions.sandbox.backend.faults import HUGE_BODY_BYTES, NON_UTF8_BODY, Fault
from ops_actions.sandbox.backend.routes import (
    INVALID_JSON_BODY,
    JSON_CONTENT_TYPE,
    RecordedRequest,
    Reply,
    Request,
    json_reply,
)
from ops_actions.sandbox.server import LocalServer

# Headers whose values are credentials: the request log keeps only whether they were sent.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "x-api-key"})
_MAX_REQUEST_BODY: Final = 1 << 20
_STREAM_CHUNK: Final = 64 * 1024


class HandledBackend(Protocol):
    """What the handler asks of the backend it serves."""

    @property
    def stopping(self) -> threading.Event:
        """Set once the backend stops: handlers that sleep, drip or stream give up."""
        ...

    def record(self, entry: RecordedRequest) -> None: ...

    def take_fault(self, path: str) -> Fault | None: ...

    def sleep(self, seconds: float) -> bool: ...

    def dispatch(self, request: Request) -> Reply | None: ...


class BackendServer(LocalServer):
    backend: HandledBackend

    def __init__(self, address: tuple[str, int], backend: HandledBackend) -> None:
        self.backend = backend
        super().__init__(address, BackendHandler)


class BackendHandler(BaseHTTPRequestHandler):
    server_version = "ops-actions-sandbox/0.1"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30
    # Headers and body go out in separate writes; with Nagle on, keep-alive answers would stall
    # on delayed ACKs for about 40 ms each.
    disable_nagle_algorithm = True
    server: BackendServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and the demo read the request log instead."""

    def _handle(self) -> None:
        backend = self.server.backend
        request = self._read_request()
        if request is None:
            return
        backend.record(
            RecordedRequest(
                method=self.command,
                path=self.path,
                headers={k: v for k, v in self.headers.items() if k.lower() not in _CREDENTIAL_HEADERS},
                authorization_present=request.authorization is not None,
                api_key_present=request.api_key is not None,
            )
        )
        try:
            self._answer(backend, request)
        except OSError:
            self.close_connection = True  # the client went away mid-answer

    def _answer(self, backend: HandledBackend, request: Request) -> None:
        if backend.stopping.is_set():
            self._reset()
            return
        fault = backend.take_fault(request.path)
        drip: float | None = None
        if fault is not None:
            if fault.kind == "delay":
                if not backend.sleep(float(fault.value or 0)):
                    self._reset()
                    return
            elif fault.kind == "slow-drip":
                drip = float(fault.value or 0)
            else:
                self._answer_fault(fault)
                return
        # A bug in the sandbox surfaces through the server's handle_error, which prints the traceback.
        reply = backend.dispatch(request)
        if reply is None:
            self._reset()
        else:
            self._send(reply, drip=drip)

    def _answer_fault(self, fault: Fault) -> None:
        if fault.kind == "status":
            self._send(json_reply(int(fault.value or 500), {"error": "injected"}))
        elif fault.kind == "reset":
            self._reset()
        elif fault.kind == "huge-body":
            self._send_huge_body()
        elif fault.kind == "non-utf8":
            self._send(Reply(200, NON_UTF8_BODY))
        else:
            self._send(Reply(200, INVALID_JSON_BODY))

    def _read_request(self) -> Request | None:
        raw_length = self.headers.get("Content-Length") or "0"
        length = int(raw_length) if raw_length.isdigit() else -1
        if not 0 <= length <= _MAX_REQUEST_BODY:
            self.close_connection = True
            self._send(json_reply(413, {"error": "bad or too large Content-Length"}))
            return None
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        return Request(
            method=self.command,
            path=target.path,
            query=parse_qs(target.query, keep_blank_values=True),  # ?verbose has no value
            body=body,
            authorization=self.headers.get("Authorization"),
            api_key=self.headers.get("X-API-Key"),
        )

    def _send(self, reply: Reply, *, drip: float | None = None) -> None:
        body = b"" if reply.status in (204, 304) else reply.body  # these may not carry a body
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if drip is None:
            self.wfile.write(body)
            return
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            if index + 1 < len(body) and not self.server.backend.sleep(drip):
                self._reset()
                return

    def _send_huge_body(self) -> None:
        """Stream a HUGE_BODY_BYTES JSON-ish body in chunks, never holding it all in memory."""
        prefix, suffix = b'{"padding": "', b'"}'
        chunk = memoryview(b"x" * _STREAM_CHUNK)
        self.send_response(200)
        self.send_header("Content-Type", JSON_CONTENT_TYPE)
        self.send_header("Content-Length", str(HUGE_BODY_BYTES))
        self.end_headers()
        self.wfile.write(prefix)
        remaining = HUGE_BODY_BYTES - len(prefix) - len(suffix)
        while remaining > 0:
            if self.server.backend.stopping.is_set():
                self._reset()
                return
            size = min(remaining, _STREAM_CHUNK)
            self.wfile.write(chunk[:size])
            remaining -= size
        self.wfile.write(suffix)

    def _reset(self) -> None:
        """Drop the connection with a TCP reset: no response, not even a clean close."""
        self.close_connection = True
        with contextlib.suppress(OSError):  # already closed
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
