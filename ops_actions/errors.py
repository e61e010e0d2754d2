"""The exit codes the CLI documents, and the error that carries one."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Exit codes of ``ops-actions`` (the README lists them)."""

    OK = 0
    INTERNAL = 1  # a bug: reported in one line, never a traceback
    EXPECTATION_FAILED = 1  # `rehearse`: an expectation of a scenario failed (named in the output)
    USAGE = 2  # bad options, or a playbook/config/payload that is invalid
    BACKEND_UNREACHABLE = 3  # no probe got an answer from the backend
    GITHUB = 4  # GitHub refused or kept failing after retries
    SEVERITY = 5  # triage found a severity at or above --fail-on
    REFUSED = 6  # an action the playbook forbids now (deploy freeze, resolve too early)
    REMEDIATION_FAILED = 7  # a followed remediation run failed or did not finish in time


class OpsError(Exception):
    """A failure the user can act on: a one-line message and an exit code."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
