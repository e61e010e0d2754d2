"""How a probe's transport failure is told (ops_actions/triage/probes.py): the kind of "no answer at
all" from what lies under httpx's ConnectError, as httpx and httpcore chain it (each raises its own
error from the one below). The sandbox shows refused, TLS, reset and timeout for real
(tests/integration/test_reachability.py); a failed DNS lookup needs a resolver, so it is built here."""

from __future__ import annotations

import socket
import ssl

import httpcore
import httpx
import pytest

from ops_actions.incident.triage_report import FAILURE_TEXT
from ops_actions.triage.probes import _describe


def as_httpx_raises_it(cause: OSError) -> httpx.ConnectError:
    """The ConnectError httpx raises for ``cause``: httpcore's raised from it, httpx's from that."""
    try:
        try:
            raise cause
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
    except httpcore.ConnectError as error:
        try:
            raise httpx.ConnectError(str(error)) from error
        except httpx.ConnectError as raised:
            return raised


@pytest.mark.parametrize(
    ("cause", "kind"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns"),
        (ConnectionRefusedError(111, "Connect call failed"), "refused"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "tls"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "tls"),
        (ConnectionResetError(104, "Connection reset by peer"), "reset"),
        (OSError(113, "No route to host"), "connect"),
    ],
)
def test_a_connect_failure_is_told_by_its_cause(cause: OSError, kind: str) -> None:
    assert _describe(as_httpx_raises_it(cause), 5) == (kind, FAILURE_TEXT[kind])


def test_every_failure_kind_is_one_the_report_schema_allows() -> None:
    from ops_actions.triage.report_file import report_schema

    allowed = report_schema()["properties"]["reach"]["properties"]["unreachable"]["items"]["properties"]
    assert set(allowed["failure"]["enum"]) == set(FAILURE_TEXT)
