"""Which playbook file is read (ops_actions/playbook/reading.py): OPS_PLAYBOOK, ./playbook.yaml, a near miss,
the bundled default."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.playbook import bundled_playbook_text
from tests.support.paths import SEARCH_EXAMPLE
from tests.support.playbooks import playbook_header


def test_validate_and_render_honour_ops_playbook(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like every other command, `playbook validate` and `render` read OPS_PLAYBOOK when given no path."""
    monkeypatch.setenv("OPS_PLAYBOOK", str(SEARCH_EXAMPLE))
    assert run(["playbook", "validate"]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"{SEARCH_EXAMPLE}: valid (3 probes, 10 rules, 3 branches)\n"
    assert captured.err.splitlines()[0] == playbook_header(str(SEARCH_EXAMPLE), SEARCH_EXAMPLE.read_bytes())
    assert run(["playbook", "render"]) == 0
    assert "Search" in capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize(
    "name",
    ["playbook.yml", "Playbook.yaml", "PLAYBOOK.YML", ".github/playbook.yaml", ".ops-actions/playbook.yml"],
)
def test_a_near_miss_name_stops_with_the_reason(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without ./playbook.yaml, a misnamed or misplaced playbook is exit 2 naming it, for every command
    that reads one, never a silent run of the bundled seed playbook."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPS_PLAYBOOK", raising=False)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(SEARCH_EXAMPLE.read_bytes())
    if (tmp_path / "playbook.yaml").is_file():
        pytest.skip("a case-insensitive file system reads Playbook.yaml as playbook.yaml")
    for command in (["playbook", "validate"], ["triage", "--backend-url", "http://127.0.0.1:9"]):
        assert run(command) == 2, command
        err = capsys.readouterr().err
        assert err == (
            f"ops-actions: error: no ./playbook.yaml, but {name} exists: rename it to playbook.yaml, "
            f"or pass --playbook {name} (or set OPS_PLAYBOOK); the bundled seed playbook is not used in "
            "its place\n"
        )
    assert not (tmp_path / "backend").exists(), "nothing was written"
    assert run(["playbook", "validate", name]) == 0, "named explicitly, it is used"
    assert capsys.readouterr().out.startswith(f"{name}: valid")


def test_without_any_playbook_the_bundled_one_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPS_PLAYBOOK", raising=False)
    assert run(["playbook", "validate"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[0] == playbook_header(
        "ops_actions/playbook.yaml (the bundled seed playbook)", bundled_playbook_text().encode("utf-8")
    )
