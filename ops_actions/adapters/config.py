"""Settings from the environment GitHub Actions provides (and a laptop can imitate)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ops_actions.errors import ExitCode, OpsError

DEFAULT_API_URL = "https://api.github.com"
# GitHub's REST guide, "Pause between mutative requests": wait at least one second between
# POST, PATCH, PUT and DELETE requests to stay under the secondary rate limits.
DEFAULT_WRITE_INTERVAL_S = 1.0
# GitHub's rules: an owner is letters, digits and single hyphens; a repository name adds . and _.
REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


def checked_url(url: str, what: str) -> str:
    """An http(s) URL with a host, a valid port and no white space; OpsError (exit 2) otherwise.

    Checked before anything is written, so a bad URL never fails halfway through a command. The
    message never repeats the URL: it may carry credentials.
    """
    import httpx

    if not url.startswith(("http://", "https://")):
        raise OpsError(f"{what} must start with http:// or https://", ExitCode.USAGE)
    try:
        parts = urlsplit(url)
        _ = parts.port  # ValueError for a port that is not a number from 0 to 65535
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise OpsError(f"{what} is not a valid URL (host or port)", ExitCode.USAGE) from None
    if not parts.hostname or any(char.isspace() or not char.isprintable() for char in url):
        raise OpsError(f"{what} is not a valid URL (no host, or white space in it)", ExitCode.USAGE)
    return url


def cache_dir(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> Path | None:
    """Where the CLI keeps what it may forget (which playbooks passed the schema check):
    ``OPS_ACTIONS_CACHE_DIR``, else the platform's user cache folder; None without a home."""
    env = os.environ if environ is None else environ
    if env.get("OPS_ACTIONS_CACHE_DIR"):
        return Path(env["OPS_ACTIONS_CACHE_DIR"])
    try:
        home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    except RuntimeError:
        return None
    if platform == "win32":
        return Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") / "ops-actions" / "Cache"
    if platform == "darwin":
        return home / "Library" / "Caches" / "ops-actions"
    return Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "ops-actions"


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A number of seconds, 0 or more, from the environment; OpsError (exit 2) for anything else."""
    text = env.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise OpsError(f"{name} must be a number of seconds, 0 or more", ExitCode.USAGE)
    return value


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
    login: str | None = None
    """Who the token acts as, when GitHub cannot say (``OPS_GITHUB_LOGIN``: a GitHub App's bot login)."""
    write_interval_s: float = DEFAULT_WRITE_INTERVAL_S
    """The least time between two writes to GitHub (``OPS_GITHUB_WRITE_INTERVAL_S``; 0: no pause)."""
    event_name: str | None = None
    """The event that started the workflow run (``GITHUB_EVENT_NAME``)."""
    timeline_memory: Path | None = None
    """The timeline memory file the workflow restored (``OPS_TIMELINE_MEMORY``; see flows/timelines.py)."""

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
        if not repo:
            raise OpsError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY", ExitCode.USAGE)
        if not REPOSITORY.fullmatch(repo):
            origin = "--repo" if repository else "GITHUB_REPOSITORY"
            raise OpsError(f"{origin} {repo!r}: expected OWNER/NAME, e.g. octo-org/backend", ExitCode.USAGE)
        secret = token or env.get("GITHUB_TOKEN", "")
        if not secret:
            raise OpsError("no GitHub token: pass --github-token or set GITHUB_TOKEN", ExitCode.USAGE)
        max_wait = _seconds(env, "OPS_GITHUB_MAX_WAIT_S", 300.0)
        write_interval = _seconds(env, "OPS_GITHUB_WRITE_INTERVAL_S", DEFAULT_WRITE_INTERVAL_S)
        url = checked_url(api_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL, "the GitHub API URL")
        return cls(
            api_url=url.rstrip("/"),
            repository=repo,
            token=secret,
            server_url=env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
            run_id=env.get("GITHUB_RUN_ID") or None,
            run_attempt=env.get("GITHUB_RUN_ATTEMPT") or None,
            actor=env.get("GITHUB_ACTOR") or None,
            max_wait_s=max_wait,
            login=env.get("OPS_GITHUB_LOGIN") or None,
            write_interval_s=write_interval,
            event_name=env.get("GITHUB_EVENT_NAME") or None,
            timeline_memory=Path(env["OPS_TIMELINE_MEMORY"]) if env.get("OPS_TIMELINE_MEMORY") else None,
        )

    @property
    def run_url(self) -> str | None:
        """The link to the workflow run this process belongs to."""
        if not self.run_id:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
