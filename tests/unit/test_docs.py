"""The generated references' examples (ops_actions/docs.py) are playbook YAML."""

from __future__ import annotations

import yaml

from ops_actions.docs import signal_yaml
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.playbook.formats import PROBE_FORMATS


def test_the_reference_examples_are_playbook_yaml() -> None:
    """Each signal the README shows is YAML that means the example, and a playbook with them loads."""
    text = bundled_playbook_text()
    probes = ""
    for entry in PROBE_FORMATS.values():
        example = entry.example
        rows = ""
        for item in example.signals:
            assert yaml.safe_load(signal_yaml(item)) == item
            rows += f"      - {signal_yaml(item).replace('name: ', f'name: {example.probe}_', 1)}\n"
        probes += f"  - id: doc_{example.probe}\n    path: /\n    format: {entry.name}\n    signals:\n{rows}"
    playbook = parse_playbook(text.replace("probes:\n", "probes:\n" + probes, 1), source="docs")
    assert {p.format for p in playbook.probes} == {"json", "health+json", "text"}
