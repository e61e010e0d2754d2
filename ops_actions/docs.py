"""The generated references: the playbook's keys (from the JSON Schema) and the query examples of
each answer format (every entry of the probe-format registry, its example read by the triage
engine itself) in ``docs/playbook.md``, the slash commands (from their registry) and the CLI (from
--help) in ``docs/cli.md``.

``python -m ops_actions.docs`` rewrites the generated blocks of those files; a test fails when they
drift from the schema, the engine or the commands.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from ops_actions.incident.slash_registry import SLASH_COMMANDS
from ops_actions.playbook import schema


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref``, keeping the referring node's own description."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _kind(node: dict[str, Any]) -> str:
    if "if" in node:  # a string form or an object form, as `auth` has
        return f"{_kind(node['then'])} or {_kind(node['else'])}"
    if "enum" in node:
        return " \\| ".join(f"`{value}`" for value in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type", "object" if "properties" in node else "any")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def playbook_reference() -> str:
    """One table row per playbook key, in schema order."""
    root = schema()
    rows = ["| Key | Type | Required | Meaning |", "|---|---|---|---|"]

    def walk(node: dict[str, Any], prefix: str) -> None:
        node = _resolve(node, root)
        required = set(node.get("required", []))
        for name, raw_child in node.get("properties", {}).items():
            child = _resolve(raw_child, root)
            path = f"{prefix}{name}"
            meaning = str(child.get("description", "")).replace("|", "\\|")
            if "default" in child:
                meaning += f" Default: `{child['default']}`."
            ref = str(raw_child.get("$ref", ""))
            if ref.startswith("#/properties/") and child.get("type") in {"array", "object"}:
                # A key written as one of the playbook's own (a service's probes): its rows are there.
                shown = ".".join(ref.removeprefix("#/properties/").split("/properties/"))
                meaning += f" Written as the playbook's `{shown}` (see its rows)."
                rows.append(
                    f"| `{path}` | {_kind(child)} | {'yes' if name in required else ''} | {meaning} |"
                )
                continue
            rows.append(f"| `{path}` | {_kind(child)} | {'yes' if name in required else ''} | {meaning} |")
            if child.get("type") == "array" and isinstance(child.get("items"), dict):
                walk(child["items"], f"{path}[].")
            elif "properties" in child:
                walk(child, f"{path}.")
            elif isinstance(child.get("additionalProperties"), dict):
                walk(child["additionalProperties"], f"{path}.<name>.")
            if "properties" in child.get("else", {}):
                walk(child["else"], f"{path}.")

    walk(root, "")
    return "\n".join(rows) + "\n"


_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def signal_yaml(item: Mapping[str, str]) -> str:
    """A signal as a YAML flow mapping, quoting values the way a playbook must."""
    parts = []
    for key, value in item.items():
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", value):
            parts.append(f"{key}: {value}")
        elif "'" in value and '"' not in value and "\\" not in value:
            parts.append(f'{key}: "{value}"')
        else:
            parts.append(f"{key}: '" + value.replace("'", "''") + "'")
    return "{" + ", ".join(parts) + "}"


def query_reference() -> str:
    """Per format of the registry, in its order: the entry's example answer, and what each of its
    signals reads from it, as the triage engine reads it."""
    from ops_actions.incident.triage_report import ProbeResult
    from ops_actions.playbook.formats import PROBE_FORMATS
    from ops_actions.playbook.model import Probe, SignalSpec
    from ops_actions.playbook.queries import compile_query, compile_regex
    from ops_actions.triage.engine import read_probe

    lines: list[str] = []
    for entry in PROBE_FORMATS.values():
        example, body_kind = entry.example, entry.body_kind
        specs = tuple(
            SignalSpec(
                name=item["name"],
                source=item.get("source", body_kind),
                type=item.get("type", "number"),
                field=compile_query(item["field"]) if "field" in item else None,
                regex=compile_regex(item["regex"]) if "regex" in item else None,
            )
            for item in example.signals
        )
        probe = Probe(example.probe, method="GET", path="/", timeout_s=1, signals=specs, format=entry.name)
        raw = example.body.encode("utf-8")
        body, error = entry.decode(example.status, example.content_type, raw)
        result = ProbeResult(example.probe, example.status, 12.5, 1, body=body, error=error)
        lines += [f"### {example.title}", "", f"An answer `{example.status}`, `{example.content_type}`:", ""]
        lines += ["```" + body_kind, example.body.rstrip("\n"), "```", ""]
        lines += ["| signal | reads |", "|---|---|"]
        for item, reading in zip(example.signals, read_probe(probe, result, _NOW), strict=True):
            value = f"*unknown*: {reading.reason}" if reading.reason else f"`{json.dumps(reading.value)}`"
            cells = (f"`{signal_yaml(item)}`", value)
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def slash_reference() -> str:
    """One table row per registered slash command, in the order /help lists them."""
    rows = ["| command | does | who may run it | public |", "|---|---|---|---|"]
    for command in SLASH_COMMANDS.values():
        cells = (f"`{command.usage}`", command.does, command.who_may(), "yes" if command.public else "")
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def command_helps(group: click.Group) -> list[tuple[list[str], click.Command, str]]:
    """(command path, command, --help text) for the group and every command under it."""
    found: list[tuple[list[str], click.Command, str]] = []

    def walk(command: click.Command, path: list[str], parent: click.Context | None) -> None:
        # As make_context would (help option names, widths), so the text is what `--help` prints;
        # Click caches each command's help option, so a bare Context would print it differently.
        settings = {"terminal_width": 100, "max_content_width": 100, **command.context_settings}
        context = click.Context(command, info_name=path[-1], parent=parent, **settings)
        found.append((path, command, command.get_help(context)))
        if isinstance(command, click.Group):
            for name in sorted(command.commands):
                walk(command.commands[name], [*path, name], context)

    walk(group, ["ops-actions"], None)
    return found


def cli_reference(group: click.Group) -> str:
    """Every command's --help, at a fixed width."""
    return "\n".join(
        f"### `{' '.join(path)}`\n\n```text\n{text}\n```\n" for path, _, text in command_helps(group)
    )


# The documents with generated blocks, and which blocks each holds.
GENERATED = {
    "docs/playbook.md": ("query-reference", "playbook-reference"),
    "docs/cli.md": ("slash-commands", "cli-reference"),
}


def replace_block(text: str, name: str, content: str) -> str:
    """The text with the block between the BEGIN/END GENERATED markers of ``name`` replaced."""
    pattern = re.compile(
        rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.DOTALL
    )
    if not pattern.search(text):
        raise ValueError(f"no generated block named {name}")
    return pattern.sub(lambda m: m.group(1) + content + m.group(2), text)


def block(name: str) -> str:
    """The content of one generated block."""
    if name == "playbook-reference":
        return playbook_reference()
    if name == "query-reference":
        return query_reference()
    if name == "slash-commands":
        return slash_reference()
    from ops_actions.cli import cli

    return cli_reference(cli)


def regenerated(document: str, text: str) -> str:
    """A document's text (``document``: its path in GENERATED) with its blocks regenerated."""
    for name in GENERATED[document]:
        text = replace_block(text, name, block(name))
    return text


if __name__ == "__main__":
    asked = [Path(arg).as_posix() for arg in sys.argv[1:]] or list(GENERATED)
    unknown = [name for name in asked if name not in GENERATED]
    if unknown:
        sys.exit(f"no generated blocks in {', '.join(unknown)}; they are in {', '.join(GENERATED)}")
    for document in asked:
        path = Path(document)
        path.write_text(regenerated(document, path.read_text(encoding="utf-8")), encoding="utf-8")
