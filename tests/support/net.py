"""Local ports for tests that start a server or need one that is not there."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A local port with nothing listening on it (free when asked; the caller binds it next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
