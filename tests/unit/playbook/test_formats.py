"""The probe-format registry (ops_actions/playbook/formats.py) is the one place a format lives.

The playbook schema's enum of ``probes[].format``, the registry's entries and their decoders agree:
every format the schema allows has an entry that decodes its answers, and there is nothing else;
the generated query reference shows every format once.
"""

from __future__ import annotations

from typing import Any

from ops_actions.docs import FORMAT_EXAMPLES
from ops_actions.playbook import schema
from ops_actions.playbook.formats import DEFAULT_FORMAT, PROBE_FORMATS, decode
from ops_actions.playbook.model import BODY_SOURCES


def format_schema() -> dict[str, Any]:
    node: dict[str, Any] = schema()["properties"]["probes"]["items"]["properties"]["format"]
    return node


def test_the_schema_enum_and_the_registry_name_the_same_formats() -> None:
    assert set(format_schema()["enum"]) == set(PROBE_FORMATS)
    assert format_schema()["default"] == DEFAULT_FORMAT
    assert all(name == entry.name for name, entry in PROBE_FORMATS.items())


def test_every_format_has_a_decoder_for_its_kind_of_body() -> None:
    """Each entry decodes a plain 2xx answer into its body kind, which a signal source reads."""
    answers = {"json": (b'{"status": "pass"}', dict), "text": (b"[+]ping ok\n", str)}
    for entry in PROBE_FORMATS.values():
        assert entry.body_kind in BODY_SOURCES
        raw, kind = answers[entry.body_kind]
        body, problem = entry.decode(200, entry.accept.split(",")[0], raw)
        assert problem is None, entry.name
        assert isinstance(body, kind), entry.name
    assert len({entry.decode for entry in PROBE_FORMATS.values()}) == len(PROBE_FORMATS)


def test_the_query_reference_shows_every_format_once() -> None:
    assert sorted(example.format for example in FORMAT_EXAMPLES) == sorted(PROBE_FORMATS)


def test_health_statuses_are_normalised_and_4xx_is_not_a_health_answer() -> None:
    """Spring Boot's UP/DOWN and Terminus' ok/error read as pass/fail; a 4xx or an error page is unknown."""
    spring = b'{"status": "UP", "checks": {"db:ping": [{"status": "DOWN"}, {"status": "ok"}]}}'
    body, error = decode("health+json", 200, "application/json", spring)
    assert error is None
    assert body["status"] == "pass"
    assert [c["status"] for c in body["checks"]["db:ping"]] == ["fail", "pass"]
    assert decode("health+json", 503, "application/health+json", b'{"status": "error"}') == (
        {"status": "fail"},
        None,
    )
    assert decode("health+json", 401, "application/json", b'{"status": "error"}') == (
        None,
        "HTTP 401 unauthorized (check the probe's credential)",
    )
    assert decode("health+json", 503, "application/json", b'{"error": "down"}') == (None, "HTTP 503")
    assert decode("health+json", 200, "application/json", b'{"status": "green"}')[1] == (
        "the answer is not a health+json document (no status pass, warn, fail)"
    )


def test_text_is_read_from_2xx_and_from_plain_5xx_only() -> None:
    """A 500 text/plain check list is the answer; a 502 HTML page from a proxy is not."""
    assert decode("text", 500, "text/plain; charset=utf-8", b"[-]etcd failed\n") == ("[-]etcd failed\n", None)
    assert decode("text", 200, "text/html", b"ok") == ("ok", None)
    assert decode("text", 502, "text/html", b"<html>Bad Gateway</html>") == (None, "HTTP 502")
    assert decode("text", 404, "text/plain", b"not found") == (None, "HTTP 404")
    assert decode("text", 200, "text/plain", b"\xff")[1] == "the answer is not UTF-8 (byte 0)"
