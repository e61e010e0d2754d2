"""The GitHub Actions runtime: outputs, job summary, annotations and masks.

Everything here is a no-op outside Actions, so the CLI can call it unconditionally.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ops_actions.errors import OpsError


def in_actions(environ: Mapping[str, str] | None = None) -> bool:
    """Whether we run inside a GitHub Actions job."""
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def _escape_data(text: str) -> str:
    """Escape a workflow-command message (GitHub's own rules for %, CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow-command property value."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str, message: str, *, file: str | None = None, line: int | None = None, col: int | None = None
) -> str:
    """An ``::error``/``::warning``/``::notice`` command line."""
    properties = []
    if file is not None:
        properties.append(f"file={_escape_property(file)}")
    if line is not None:
        properties.append(f"line={line}")
    if col is not None:
        properties.append(f"col={col}")
    joined = " " + ",".join(properties) if properties else ""
    return f"::{level}{joined}::{_escape_data(message)}"


def mask(value: str) -> str:
    """An ``::add-mask::`` command line, so Actions hides the value in logs."""
    return f"::add-mask::{_escape_data(value)}"


def _append(variable: str, text: str, environ: Mapping[str, str] | None) -> bool:
    """Append to the file an Actions variable names; False when not in Actions."""
    target = (environ if environ is not None else os.environ).get(variable)
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(text)
    return True


def set_outputs(outputs: Mapping[str, str], environ: Mapping[str, str] | None = None) -> bool:
    """Write step outputs to ``GITHUB_OUTPUT`` (heredoc form, safe for any value)."""
    lines = []
    for name, value in outputs.items():
        delimiter = f"ops_actions_{uuid.uuid4().hex}"
        lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return _append("GITHUB_OUTPUT", "".join(lines), environ)


def add_summary(markdown: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append Markdown to the job summary (``GITHUB_STEP_SUMMARY``)."""
    return _append("GITHUB_STEP_SUMMARY", markdown.rstrip("\n") + "\n\n", environ)


def read_event(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The event payload of this run (``GITHUB_EVENT_PATH``); OpsError when missing or malformed."""
    path = (environ if environ is not None else os.environ).get("GITHUB_EVENT_PATH")
    if not path:
        raise OpsError("GITHUB_EVENT_PATH is not set: this command reads the event of a workflow run")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise OpsError(f"cannot read the event payload ({type(error).__name__})") from None
    if not isinstance(data, dict):
        raise OpsError("the event payload is not a JSON object")
    return data
