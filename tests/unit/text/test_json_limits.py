"""Issue 25 item 4, the pure half: backend answers, alert payloads and playbook regexes are bounded.

A JSON answer nested thousands deep is a probe that is ``unknown`` with a reason (it used to end
triage in a RecursionError); an alert with a lone surrogate or deep nesting is refused with a
summary of the delivery; a text signal's regex that backtracks without end is stopped by its budget.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from ops_actions.incident.alerts import AlertError, parse_payload
from ops_actions.incident.triage_report import ProbeResult
from ops_actions.playbook import formats
from ops_actions.playbook.conditions import UNKNOWN
from ops_actions.playbook.loader import load_playbook
from ops_actions.playbook.queries import compile_regex
from ops_actions.triage import engine
from tests.support.paths import MESSAGING_EXAMPLE, PLAYBOOK

MESSAGING = MESSAGING_EXAMPLE
SEED = PLAYBOOK
DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize("probe_format", ["json", "health+json"])
def test_a_backend_answer_nested_5000_deep_is_unknown_with_a_reason(probe_format: str) -> None:
    body, problem = formats.decode(
        probe_format, 200, "application/json", b'{"status": "pass", "x": ' + DEEP + b"}"
    )
    assert body is None
    assert problem == "the answer is JSON nested deeper than 64 levels"


def test_a_backend_answer_nested_just_past_the_limit_is_refused_and_within_it_read() -> None:
    """Deep enough to pass the JSON reader yet past the limit: refused before a query walks it."""
    assert formats.decode("json", 200, "", b"[" * 65 + b"]" * 65) == (
        None,
        "the answer is JSON nested deeper than 64 levels",
    )
    assert formats.decode("json", 200, "", b"[" * 64 + b"]" * 64)[1] is None


def test_a_backend_answer_with_a_lone_surrogate_is_unknown_with_a_reason() -> None:
    body, problem = formats.decode("json", 200, "", b'{"db_ok": "\\ud800"}')
    assert body is None and problem is not None and "lone surrogate" in problem


def test_an_alert_with_a_lone_surrogate_is_refused_with_its_delivery_summarised() -> None:
    playbook = load_playbook(SEED)
    with pytest.raises(AlertError) as refused:
        parse_payload(playbook, {"title": "API \ud800 down", "severity": "critical", "dedupe_key": "api"})
    message = str(refused.value)
    assert refused.value.exit_code == 2
    assert "lone surrogate" in message and "keys title, severity, dedupe_key" in message
    assert '"API \\ud800 down"' in message and "sha256 " in message
    message.encode("utf-8")  # the reason itself prints


def test_an_alert_nested_deep_is_refused_with_its_delivery_summarised() -> None:
    playbook = load_playbook(SEED)
    nested: list[object] = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(AlertError) as refused:
        parse_payload(playbook, {"title": "Deep", "labels": nested})
    assert "nested deeper than 64 levels" in str(refused.value)
    assert 'keys title, labels; title "Deep"' in str(refused.value)


def test_a_playbook_regex_cannot_run_past_its_budget() -> None:
    """(a|a)+$ over a line of a's ending in b backtracks for 2^40 steps: the budget stops it, on any
    thread (a text signal read off the main thread once ran unbounded)."""
    playbook = load_playbook(MESSAGING)
    probe = next(p for p in playbook.probes if p.format == "text")
    spec = dataclasses.replace(probe.signals[0], regex=compile_regex(r"^(a|a)+$"), type="boolean")
    probe = dataclasses.replace(probe, signals=(spec,))
    result = ProbeResult(probe.id, 200, 1.0, 1, body="a" * 40 + "b")
    (reading,) = engine.read_probe(probe, result, datetime(2026, 12, 1, tzinfo=UTC))
    assert reading.value is UNKNOWN
    assert reading.reason == f"probe {probe.id}: regex ^(a|a)+$ ran past its 1 s budget"
    with ThreadPoolExecutor(max_workers=1) as pool:
        (off_the_main_thread,) = pool.submit(
            engine.read_probe, probe, result, datetime(2026, 12, 1, tzinfo=UTC)
        ).result()
    assert off_the_main_thread == reading
    fine = engine.read_probe(
        dataclasses.replace(probe, signals=(dataclasses.replace(spec, regex=compile_regex("b$")),)),
        result,
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert fine[0].value is True
