"""The README's generated references: the playbook's keys (from the JSON Schema) and the CLI (from --help).

``python -m ops_actions.docs`` rewrites the generated blocks of README.md; a test fails when they
drift from the schema or the commands.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

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
            rows.append(f"| `{path}` | {_kind(child)} | {'yes' if name in required else ''} | {meaning} |")
            if child.get("type") == "array" and isinstance(child.get("items"), dict):
                walk(child["items"], f"{path}[].")
            elif "properties" in child:
                walk(child, f"{path}.")
            elif isinstance(child.get("additionalProperties"), dict):
                walk(child["additionalProperties"], f"{path}.<name>.")

    walk(root, "")
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
        f"#### `{' '.join(path)}`\n\n```text\n{text}\n```\n" for path, _, text in command_helps(group)
    )


def replace_block(text: str, name: str, content: str) -> str:
    """The text with the block between the BEGIN/END GENERATED markers of ``name`` replaced."""
    pattern = re.compile(
        rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.DOTALL
    )
    if not pattern.search(text):
        raise ValueError(f"no generated block named {name}")
    return pattern.sub(lambda m: m.group(1) + content + m.group(2), text)


def generated_readme(text: str) -> str:
    """README text with both references regenerated."""
    from ops_actions.cli import cli

    text = replace_block(text, "playbook-reference", playbook_reference())
    return replace_block(text, "cli-reference", cli_reference(cli))


if __name__ == "__main__":
    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme.write_text(generated_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
