"""The GitHub Actions runtime: the one output function, outputs, job summary, annotations and masks.

The runner reads a job's stdout and stderr line by line and executes workflow commands in them:
``::command::`` at the start of a line (after leading white space) and the legacy ``##[command]``
anywhere in a line (``ActionCommand.TryParseV2`` and ``TryParse`` in actions/runner). Every line
the CLI prints goes through :class:`Output`, which takes the known secrets out and neutralises
both forms in the text, so a title, an alert field or backend data can never set an output,
mask the log or stop the runner's command processing. Only the command lines the tool itself
builds (masks, annotations) are written as commands.

The Actions-only parts are no-ops outside Actions, so the CLI can call them unconditionally.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TextIO

from ops_actions.errors import ExitCode, OpsError
from ops_actions.text.redact import Secrets

# The line breaks of the runner's line reader (.NET StreamReader.ReadLine: CR, LF, CR LF).
_RUNNER_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_ZERO_WIDTH_SPACE: Final = "\u200b"


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


def neutralised(line: str) -> str:
    """One line with no workflow command left in it: a zero-width space goes between the two colons
    of a ``::`` that starts the line (after white space) and inside every ``##[``.

    The text reads the same; the runner's parsers no longer match (the zero-width space is not white
    space to .NET's ``TrimStart``).
    """
    line = line.replace("##[", f"#{_ZERO_WIDTH_SPACE}#[")
    stripped = line.lstrip()
    if stripped.startswith("::"):
        start = len(line) - len(stripped)
        line = f"{line[:start]}:{_ZERO_WIDTH_SPACE}{line[start + 1 :]}"
    return line


class Output:
    """The one way the CLI prints and publishes to the runner: secrets out, workflow commands inert.

    ``say`` prints text (any number of lines); ``secret`` registers a secret and, inside Actions,
    masks it; ``error`` and ``annotate`` write the tool's own annotation commands; ``summary`` and
    ``outputs`` append to the job summary and the step outputs, redacted too.
    """

    def __init__(
        self,
        secrets: Secrets,
        *,
        environ: Mapping[str, str] | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.secrets = secrets
        self._environ = environ
        self._stdout = stdout
        self._stderr = stderr
        self._masked: set[str] = set()

    @property
    def in_actions(self) -> bool:
        return in_actions(self._environ)

    def _write(self, text: str, *, err: bool) -> None:
        stream = (self._stderr or sys.stderr) if err else (self._stdout or sys.stdout)
        stream.write(text)
        stream.flush()

    def clean(self, text: str) -> str:
        """Text as it may be published: known secrets out, every line free of workflow commands."""
        lines = _RUNNER_LINE_BREAK.split(self.secrets.redact(text))
        return "\n".join(neutralised(line) for line in lines)

    def say(self, text: str = "", *, err: bool = False, nl: bool = True) -> None:
        """Print text (to stderr with ``err``) through :meth:`clean`."""
        self._write(self.clean(text) + ("\n" if nl else ""), err=err)

    def progress(self, text: str) -> None:
        """Rewrite the terminal's current line (a live progress line; terminals only, never in Actions)."""
        self._write(f"\r{self.clean(text)}\x1b[K", err=False)

    def secret(self, value: str | None) -> None:
        """Redact this value from everything published from now on; inside Actions, mask it (once) too."""
        if not value:
            return
        self.secrets.add(value)
        if value not in self._masked and self.in_actions:
            self._masked.add(value)
            self._write(mask(value) + "\n", err=False)

    def url_secrets(self, url: str) -> None:
        """The credentials of a URL (``https://user:password@host``) are secrets."""
        for value in self.secrets.add_url_credentials(url):
            self.secret(value)

    def annotate(
        self,
        level: str,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        """Inside Actions, an ``::error``/``::warning``/``::notice`` annotation (its text cleaned)."""
        if self.in_actions:
            text = " ".join(self.clean(message).split("\n"))
            self._write(annotation(level, text, file=file, line=line, col=col) + "\n", err=False)

    def summary(self, markdown: str) -> bool:
        """Append redacted Markdown to the job summary."""
        return add_summary(self.secrets.redact(markdown), self._environ)

    def outputs(self, outputs: Mapping[str, str]) -> bool:
        """Write redacted step outputs."""
        return set_outputs(
            {name: self.secrets.redact(value) for name, value in outputs.items()}, self._environ
        )


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
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise OpsError(f"cannot read the event payload ({type(error).__name__})") from None
    except RecursionError:
        # Nested beyond what Python's JSON reader can follow: refused as bad input, with what is
        # needed to find the delivery again (its size and fingerprint).
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        raise OpsError(
            f"the event payload nests too deep to read ({len(text)} characters; sha256 {digest})",
            ExitCode.USAGE,
        ) from None
    if not isinstance(data, dict):
        raise OpsError("the event payload is not a JSON object")
    return data
