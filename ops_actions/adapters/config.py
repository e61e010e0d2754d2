"""Settings from the environment GitHub Actions provides (and a laptop can imitate)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ops_actions.errors import ExitCode, OpsError

DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class GitHubConfig:
    """Where and as whom to talk to GitHub; the token never shows in a repr."""

    api_url: str
    repository: str
    token: str = field(repr=False)
    server_url: str = "https://github.com"
    run_id: str | None = None
    run_attempt: str | None = None
    actor: str | None = None
    max_wait_s: float = 300.0

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        api_url: str | None = None,
        repository: str | None = None,
        token: str | None = None,
    ) -> GitHubConfig:
        """Options win over GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN."""
        env = os.environ if environ is None else environ
        repo = repository or env.get("GITHUB_REPOSITORY", "")
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise OpsError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY", ExitCode.USAGE)
        secret = token or env.get("GITHUB_TOKEN", "")
        if not secret:
            raise OpsError("no GitHub token: pass --github-token or set GITHUB_TOKEN", ExitCode.USAGE)
        try:
            max_wait = float(env.get("OPS_GITHUB_MAX_WAIT_S", "300"))
        except ValueError:
            raise OpsError("OPS_GITHUB_MAX_WAIT_S must be a number of seconds", ExitCode.USAGE) from None
        return cls(
            api_url=(api_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            repository=repo,
            token=secret,
            server_url=env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
            run_id=env.get("GITHUB_RUN_ID") or None,
            run_attempt=env.get("GITHUB_RUN_ATTEMPT") or None,
            actor=env.get("GITHUB_ACTOR") or None,
            max_wait_s=max_wait,
        )

    @property
    def run_url(self) -> str | None:
        """The link to the workflow run this process belongs to."""
        if not self.run_id:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
