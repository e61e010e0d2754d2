"""The probe-format registry (ops_actions/playbook/formats.py) is the one place a format lives.

The playbook schema's enum of ``probes[].format``, the registry's entries and their decoders agree:
every format the schema allows has an entry that decodes its answers, and there is nothing else;
the generated query reference shows every format once. The checks are functions that say what to
add where, so tests/integration/test_probe_format_recipe.py runs them on a format it registers.
"""

from __future__ import annotations

import re
from typing import Any

from ops_actions.docs import query_reference
from ops_actions.playbook import schema
from ops_actions.playbook.formats import DEFAULT_FORMAT, PROBE_FORMATS, decode
from ops_actions.playbook.model import BODY_SOURCES

SCHEMA_FILE = "ops_actions/playbook/schema.json"
REGISTRY = "PROBE_FORMATS in ops_actions/playbook/formats.py"


def format_schema() -> dict[str, Any]:
    node: dict[str, Any] = schema()["properties"]["probes"]["items"]["properties"]["format"]
    return node


def schema_enum_problems() -> list[str]:
    """Where the schema's enum of ``probes[].format`` and the registry differ, each said as the fix."""
    enum = format_schema()["enum"]
    missing = [
        f'{SCHEMA_FILE}: add "{name}" to the enum of probes[].format '
        f"(properties.probes.items.properties.format), and what it reads to that key's description"
        for name in PROBE_FORMATS
        if name not in enum
    ]
    unknown = [
        f'{SCHEMA_FILE}: the enum of probes[].format allows "{name}", which has no entry in {REGISTRY}: '
        "add the entry, or take the name out of the enum"
        for name in enum
        if name not in PROBE_FORMATS
    ]
    return missing + unknown


def decoder_problems() -> list[str]:
    """Entries whose decoder does not read a plain 2xx answer into their body kind."""
    # A json format's body is what queries read: an object or an array (NDJSON, CSV rows, ...).
    answers = {"json": (b'{"status": "pass"}', (dict, list)), "text": (b"[+]ping ok\n", (str,))}
    problems = []
    for entry in PROBE_FORMATS.values():
        if entry.body_kind not in BODY_SOURCES:
            problems.append(f"{REGISTRY}: {entry.name}'s body kind is not one of {sorted(BODY_SOURCES)}")
            continue
        raw, kinds = answers[entry.body_kind]
        body, problem = entry.decode(200, entry.accept.split(",")[0], raw)
        if problem is not None or not isinstance(body, kinds):
            read = (
                f"({problem})"
                if problem
                else f"as a {type(body).__name__}, which no {entry.body_kind} signal reads"
            )
            problems.append(f"{REGISTRY}: {entry.name}'s decoder cannot read a plain 2xx answer {read}")
    if len({entry.decode for entry in PROBE_FORMATS.values()}) != len(PROBE_FORMATS):
        problems.append(f"{REGISTRY}: two entries share a decoder, so one is the other under a second name")
    return problems


def test_the_schema_enum_and_the_registry_name_the_same_formats() -> None:
    problems = schema_enum_problems()
    assert not problems, "\n".join(problems)
    assert format_schema()["default"] == DEFAULT_FORMAT
    assert all(name == entry.name for name, entry in PROBE_FORMATS.items())


def test_every_format_has_a_decoder_for_its_kind_of_body() -> None:
    """Each entry decodes a plain 2xx answer into its body kind, which a signal source reads."""
    problems = decoder_problems()
    assert not problems, "\n".join(problems)


def test_the_query_reference_shows_every_format_once() -> None:
    """One section per entry, in the registry's order, with the entry's example."""
    headings = re.findall(r"^### (.+)$", query_reference(), re.MULTILINE)
    assert headings == [entry.example.title for entry in PROBE_FORMATS.values()]
    assert all(f"`format: {name}`" in entry.example.title for name, entry in PROBE_FORMATS.items())


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
