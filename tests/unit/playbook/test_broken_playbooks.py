"""Broken playbooks: each gives one-line errors at the right line and exit code 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ops_actions.cli import run
from tests.support.paths import BROKEN_PLAYBOOKS

BROKEN = sorted(BROKEN_PLAYBOOKS.glob("*.yaml"))
LINE_FORMAT = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>\S.*)$")


def expectation(path: Path) -> tuple[str, str]:
    """The expected line (or ANY) and message fragment from the file's first line."""
    header = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    match = re.match(r"# expect: (\S+) (.+)$", header)
    assert match, f"{path.name} lacks its '# expect:' header"
    return match.group(1), match.group(2)


def test_there_are_at_least_25_broken_playbooks() -> None:
    """The corpus covers the failure kinds the issue lists, at least 25 files."""
    assert len(BROKEN) >= 25


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_playbook_is_reported_at_its_line(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Validation exits 2 and names the file, the expected line and the reason, one line each."""
    expected_line, expected_message = expectation(path)
    code = run(["playbook", "validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.strip().splitlines()
    assert lines, "no error printed"
    for line in lines:
        assert LINE_FORMAT.match(line), f"not PATH:LINE:COL: message -> {line!r}"
    first = LINE_FORMAT.match(lines[0])
    assert first is not None
    assert first.group("path") == str(path)
    if expected_line != "ANY":
        assert first.group("line") == expected_line, lines[0]
    assert expected_message in first.group("message")


def test_errors_become_annotations_inside_github_actions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With GITHUB_ACTIONS=true each problem is also an ::error annotation at its file, line and column."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = next(p for p in BROKEN if "rule-unknown-branch" in p.name)
    assert run(["playbook", "validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"::error file={path},line=95,col=13::unknown branch 'E'" in out.replace("%2C", ",").replace(
        "%3A", ":"
    )


def test_missing_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist gives exit 2 and one line, not a traceback."""
    code = run(["playbook", "validate", str(tmp_path / "nope.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot read the playbook" in err
