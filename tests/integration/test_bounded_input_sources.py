"""Issue 25 item 4 over real servers: a backend answer nested 5,000 deep leaves the watch running
(its probes unknown with the reason), and an alert nobody can read is refused with exit 2 and a
summary of the delivery, through the same commands the workflows run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.fixtures.world import World

DEEP = b"[" * 5000 + b"]" * 5000


class _DeepAnswers(BaseHTTPRequestHandler):
    """A backend whose every answer is 200 with a JSON body nested 5,000 deep."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(DEEP)))
        self.end_headers()
        self.wfile.write(DEEP)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the report, not the server's log."""


@pytest.fixture
def deep_backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DeepAnswers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_backend_answer_nested_5000_deep_leaves_the_watch_running(
    world: World, deep_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch used to end in a RecursionError (exit 1: detection blind); now the answer's signals
    are unknown with the reason and the watch decides on what it has."""
    monkeypatch.setenv("OPS_BACKEND_URL", deep_backend)
    assert world.watch(0) != 1
    (report_path,) = (tmp_path / "r").glob("*.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    reasons = [s.get("reason") or "" for s in report["signals"]]
    assert any("the answer is JSON nested deeper than 64 levels" in reason for reason in reasons)


def test_an_alert_with_a_lone_surrogate_exits_2_with_its_delivery_summarised(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert world.alert(0, {"source": "uptime", "title": "API \ud800 down", "severity": "critical"}) == 2
    printed = capsys.readouterr().err
    assert "alert rejected: client_payload holds text that is not valid Unicode (a lone surrogate)" in printed
    assert "delivery: keys source, title, severity" in printed and "sha256 " in printed
    assert world.issues() == [], "nothing written"


def test_an_alert_nested_5000_deep_exits_2_with_its_delivery_summarised(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Too deep for Python's JSON reader: refused as bad input, with the delivery's size and fingerprint."""
    event = tmp_path / "deep-dispatch.json"
    event.write_bytes(b'{"action": "ops-alert", "client_payload": {"title": "x", "labels": ' + DEEP + b"}}")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    capsys.readouterr()
    assert world.cli(0, "alert", "--state-file", str(tmp_path / "s.json")) == 2
    printed = capsys.readouterr().err
    size = len(event.read_text(encoding="utf-8"))
    assert f"the event payload nests too deep to read ({size} characters; sha256 " in printed
    assert "Traceback" not in printed and world.issues() == []
