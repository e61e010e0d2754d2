"""The recipe "a new probe format" of docs/development.md, followed with a format this test
registers and nothing else: NDJSON (one JSON value a line, read as an array queries read).

With the registry entry alone the generated reference shows it and the agreement checks ask for
one thing more, its name in the schema's enum; with that (made here in memory) a playbook declaring
it triages against the sandbox backend: its probe sends the entry's Accept header and the entry's
decoder reads the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ops_actions.docs import regenerated
from ops_actions.playbook import PlaybookError, bundled_playbook_text, formats, parse_playbook
from ops_actions.playbook.formats import FormatExample, ProbeFormat
from ops_actions.sandbox.backend import SandboxBackend
from tests.support.fixtures.world import Triage
from tests.support.paths import REPO_ROOT
from tests.support.reports import readings
from tests.unit.playbook.test_formats import decoder_problems, format_schema, schema_enum_problems


def _ndjson(status: int, content_type: str, raw: bytes) -> tuple[Any, str | None]:
    """A 2xx answer's lines, each a JSON value, as an array (blank lines skipped)."""
    if not 200 <= status < 300:
        return None, f"HTTP {status}"
    try:
        return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()], None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"the answer is not NDJSON ({error})"


NDJSON = ProbeFormat(
    "ndjson",
    "application/x-ndjson",
    "json",
    _ndjson,
    FormatExample(
        "jobs",
        "`format: ndjson`: one JSON value a line, queried as an array",
        200,
        "application/x-ndjson",
        "".join(
            json.dumps({"job": job, "state": state}) + "\n"
            for job, state in (("j1", "done"), ("j2", "failed"), ("j3", "failed"))
        ),
        (
            {"name": "jobs_seen", "field": "length(@)", "type": "count"},
            {"name": "jobs_failed", "field": "length([?state=='failed'])", "type": "count"},
            {"name": "first_failed", "field": "[?state=='failed'].job | [0]", "type": "text"},
        ),
    ),
)


@pytest.fixture
def ndjson(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProbeFormat]:
    """The recipe's first step, for the length of a test: one more entry in the registry."""
    monkeypatch.setitem(formats.PROBE_FORMATS, NDJSON.name, NDJSON)
    yield NDJSON


def _declaring(text: str) -> str:
    """The bundled playbook with its ready probe in NDJSON, reading the first line's status."""
    declared = text.replace("    path: /api/ready\n", "    path: /api/ready\n    format: ndjson\n", 1)
    signal = "      - {name: ready_status, field: '[0].status', type: text}\n"
    read = declared.replace("        source: status_ok\n", "        source: status_ok\n" + signal, 1)
    assert read.count("format: ndjson") == 1 and signal in read
    return read


def test_the_agreement_checks_ask_only_for_the_schema_enum(ndjson: ProbeFormat) -> None:
    assert schema_enum_problems() == [
        'ops_actions/playbook/schema.json: add "ndjson" to the enum of probes[].format '
        "(properties.probes.items.properties.format), and what it reads to that key's description"
    ]
    assert decoder_problems() == []
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(_declaring(bundled_playbook_text()), source="playbook.yaml")
    assert "'ndjson' is not one of" in refused.value.problems[0].message, "the schema gates it meanwhile"


def test_the_generated_reference_shows_a_registered_format(ndjson: ProbeFormat) -> None:
    document = (REPO_ROOT / "docs" / "playbook.md").read_text(encoding="utf-8")
    reference = regenerated("docs/playbook.md", document)
    section = reference[reference.index("### `format: ndjson`") :]
    assert section.index("An answer `200`, `application/x-ndjson`:") < section.index("<!-- END GENERATED")
    assert "```json\n" + ndjson.example.body in section
    rows = (
        "| `{name: jobs_seen, field: 'length(@)', type: count}` | `3` |",
        "| `{name: jobs_failed, field: \"length([?state=='failed'])\", type: count}` | `2` |",
        '| `{name: first_failed, field: "[?state==\'failed\'].job \\| [0]", type: text}` | `"j2"` |',
    )
    assert all(row in section for row in rows), "read by its decoder, as triage reads it"
    assert reference.count("### `format: ") == len(formats.PROBE_FORMATS), "after the others"


def test_triage_asks_for_and_reads_a_registered_format(
    ndjson: ProbeFormat,
    backend: SandboxBackend,
    triage: Triage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the second step done in memory, a playbook declaring the format is triaged for real."""
    monkeypatch.setitem(format_schema(), "enum", [*format_schema()["enum"], ndjson.name])
    assert schema_enum_problems() == []
    # The CLI remembers playbooks that passed the schema check; this one passes only in this test.
    monkeypatch.setenv("OPS_ACTIONS_CACHE_DIR", str(tmp_path / "cache"))
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(_declaring(bundled_playbook_text()), encoding="utf-8")
    code, report, _ = triage(playbook=playbook)
    assert code == 0
    assert report["severity"] is None
    ready = next(r for r in backend.requests if r.path == "/api/ready")
    assert ready.headers["Accept"] == ndjson.accept
    assert readings(report)["ready_status"]["value"] == "ok", "the answer's one line, read as an array"
