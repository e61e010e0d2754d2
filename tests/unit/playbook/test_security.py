"""A hostile playbook is refused when it is read: templates that reach for Python or files, branch names,
foreign hosts in probe paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_actions.cli import run
from tests.support.playbooks import playbook_with


@pytest.mark.parametrize(
    "placeholder", ["{__import__}", "{0.__class__}", "{title.__class__}", "{/etc/passwd}"]
)
def test_template_placeholders_cannot_reach_python_or_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], placeholder: str
) -> None:
    """A template naming anything but the six placeholders fails validation (exit 2)."""
    path = playbook_with(tmp_path, "Incident {title}.", f"Incident {placeholder}.")
    assert run(["playbook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"unknown template placeholder {placeholder}" in err
    assert err.startswith(f"{path}:")


@pytest.mark.parametrize("branch", ["hotfix/{number.__class__}", "hotfix/{title}", "hotfix/{0}"])
def test_hotfix_branch_template_accepts_only_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], branch: str
) -> None:
    """A hotfix branch template using anything but {number} is rejected by validation (exit 2)."""
    path = playbook_with(tmp_path, "hotfix_branch: hotfix/incident-{number}", f'hotfix_branch: "{branch}"')
    assert run(["playbook", "validate", str(path)]) == 2


def test_probe_path_with_a_foreign_authority_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A probe path that does not start with '/' (here '@evil.example/x') fails validation (exit 2)."""
    path = playbook_with(tmp_path, "path: /api/ready", "path: '@evil.example/x'")
    assert run(["playbook", "validate", str(path)]) == 2
    assert "'@evil.example/x' is not a valid name here (at probes.0.path)" in capsys.readouterr().err
