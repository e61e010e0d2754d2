"""``ops-actions init`` writes the workflows for the GitHub they will run on: ``--target``, else the
server ``GITHUB_API_URL`` names (github.com for its API or none; any other server is GHES)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.scaffold import unsupported_job_keys

REF = "octo-org/ops-actions@0123456789abcdef0123456789abcdef01234567"


def workflows(directory: Path) -> dict[str, str]:
    folder = directory / ".github" / "workflows"
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.yml"))}


@pytest.mark.parametrize(
    ("options", "api_url", "github"),
    [
        (["--target", "ghes"], None, "ghes"),
        ([], "https://ghes.example.com/api/v3", "ghes"),
        ([], "https://api.github.com", "github.com"),
        (["--target", "github.com"], "https://ghes.example.com/api/v3", "github.com"),
    ],
)
def test_init_renders_for_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], api_url: str | None, github: str
) -> None:
    if api_url is None:
        monkeypatch.delenv("GITHUB_API_URL", raising=False)
    else:
        monkeypatch.setenv("GITHUB_API_URL", api_url)
    assert run(["init", str(tmp_path), "--action-ref", REF, *options]) == 0
    written = workflows(tmp_path)
    assert written
    assert {
        name: unsupported_job_keys(text, github)
        for name, text in written.items()
        if unsupported_job_keys(text, github)
    } == {}
    carries_cache_mode = any("cache-mode:" in text for text in written.values())
    assert carries_cache_mode == (github == "github.com")
