"""The probe-format registry (ops_actions/playbook/formats.py) is the one place a format lives.

The playbook schema's enum of ``probes[].format``, the registry's entries and their decoders agree:
every format the schema allows has an entry that decodes its answers, and there is nothing else;
the generated query reference shows every format once.
"""

from __future__ import annotations

from typing import Any

from ops_actions.docs import FORMAT_EXAMPLES
from ops_actions.playbook import schema
from ops_actions.playbook.formats import DEFAULT_FORMAT, PROBE_FORMATS
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
