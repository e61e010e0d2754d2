"""One repository over one PyGithub client, and the retry policy every tracker call goes through.

Reads are retried; writes are never blindly retried: after an ambiguous failure (5xx, dropped
connection) a write is looked for (its idempotency marker) and only sent again when it is not
there. Rate limits are waited out per ``retry-after``, then ``x-ratelimit-reset``, then an
exponential back-off, up to a ceiling, after which the caller gets a one-line OpsError. Writes are
paced (``write_interval_s``) for GitHub's secondary limits. The login the token acts as is read
here too, since the writes' look-ups count only its own markers.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Final, Self, TypeVar

import requests
from github import Auth, Github, GithubException
from github.GithubObject import GithubObject
from github.PaginatedList import PaginatedList

from ops_actions.adapters.config import DEFAULT_WRITE_INTERVAL_S, GitHubConfig
from ops_actions.adapters.github_tracker.records import RateBudget
from ops_actions.adapters.github_tracker.refusals import error_message, explain, rate_limit_delay
from ops_actions.errors import ExitCode, OpsError

T = TypeVar("T")
Item = TypeVar("Item", bound=GithubObject)

MAX_ATTEMPTS: Final = 4
PAGE_SIZE: Final = 100
# The login of the job token, GITHUB_TOKEN: the GitHub Actions app's bot.
ACTIONS_BOT: Final = "github-actions[bot]"


def connection_failure(error: Exception) -> str:
    """What went wrong before GitHub could answer, as a person fixes it: a host name that does not
    resolve (DNS), a port where nothing listens (refused), no answer in time, or else the error's
    kind. Read from the exceptions requests and urllib3 chain, by their type names, so no platform's
    wording (Linux, macOS, Windows) decides."""
    seen: list[BaseException] = []
    pending: list[object] = [error]
    while pending:
        item = pending.pop()
        if isinstance(item, BaseException) and item not in seen:
            seen.append(item)
            pending += [*item.args, getattr(item, "reason", None), item.__cause__, item.__context__]
    names = {type(item).__name__ for item in seen}
    if names & {"NameResolutionError", "gaierror"}:
        return "connection failed: the host name does not resolve (DNS)"
    if "ConnectionRefusedError" in names:
        return "connection failed: refused (nothing listens at that address and port)"
    if isinstance(error, requests.Timeout) or names & {
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "TimeoutError",
    }:
        return "connection failed: no answer in time"
    return f"connection failed ({type(error).__name__})"


class CountedToken(Auth.Token):
    """A token that counts the requests it signs: PyGithub asks it once for each request it sends
    (a redirect it follows is signed once with the request that got it)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.sent = 0

    def authentication(self, headers: dict[str, str]) -> None:
        self.sent += 1
        super().authentication(headers)


class GitHubSession:
    """One repository over one PyGithub client: the retry policy, the pacing of writes, the login."""

    def __init__(
        self,
        client: Github,
        repository: str,
        *,
        max_wait_s: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        redact: Callable[[str], str] = str,
        login: str | None = None,
        write_interval_s: float = DEFAULT_WRITE_INTERVAL_S,
    ) -> None:
        self._client = client
        self._repo = client.get_repo(repository)
        self.repository = repository
        self._max_wait_s = max_wait_s
        self._sleep = sleep
        self._clock = clock
        self._redact = redact
        self._login = login
        self._write_interval_s = write_interval_s
        self._last_write: float | None = None
        self.waited_s = 0.0

    @classmethod
    def from_config(cls, config: GitHubConfig, **kwargs: Any) -> Self:
        """A tracker with PyGithub set up deliberately: our own retries, no built-in throttling."""
        # PyGithub logs at INFO to stderr out of the box (e.g. each redirect it follows, on a
        # transferred issue): the CLI's output is its own, so only PyGithub's warnings get through.
        logging.getLogger("github").setLevel(logging.WARNING)
        client = Github(
            base_url=config.api_url,
            auth=CountedToken(config.token),
            retry=None,  # PyGithub would retry POSTs on 5xx and could duplicate an issue
            seconds_between_requests=None,
            seconds_between_writes=None,
            per_page=PAGE_SIZE,
            timeout=30,
            lazy=True,
        )
        return cls(
            client,
            config.repository,
            max_wait_s=config.max_wait_s,
            login=config.login,
            write_interval_s=config.write_interval_s,
            **kwargs,
        )

    def close(self) -> None:
        self._client.close()

    # -- the retry policy ---------------------------------------------------------------------

    def _pace(self) -> None:
        """Hold a write until ``write_interval_s`` has passed since the last one (GitHub's secondary
        limits); never longer than the interval, even if the clock went back."""
        if self._last_write is not None:
            wait = min(self._last_write + self._write_interval_s - self._clock(), self._write_interval_s)
            if wait > 0:
                self._sleep(wait)
        self._last_write = self._clock()

    def _call(
        self,
        what: str,
        action: Callable[[], T],
        *,
        verify: Callable[[], T | None] | None = None,
        write: bool = False,
    ) -> T:
        """Run ``action``; retry reads; pace writes (``write``), and look for one (``verify``) before
        sending it again."""
        attempt = 0
        while True:
            attempt += 1
            if write:
                self._pace()
            try:
                return action()
            except GithubException as error:
                delay = rate_limit_delay(error, attempt, self._clock())
                if delay is None and error.status < 500:
                    raise OpsError(explain(what, error), ExitCode.GITHUB) from None
                reason = (
                    f"rate limited (HTTP {error.status})" if delay is not None else f"HTTP {error.status}"
                )
                if delay is None:
                    delay = min(2.0**attempt, 30.0) * random.uniform(0.5, 1.0)
            except (requests.ConnectionError, requests.Timeout) as error:
                reason = f"{connection_failure(error)} ({self._client.requester.base_url})"
                delay = min(2.0**attempt, 30.0) * random.uniform(0.5, 1.0)
            if verify is not None:
                found = verify()
                if found is not None:
                    return found
            if attempt >= MAX_ATTEMPTS or self.waited_s + delay > self._max_wait_s:
                raise OpsError(f"GitHub: {what} failed after {attempt} attempt(s): {reason}", ExitCode.GITHUB)
            self._sleep(delay)
            self.waited_s += delay

    def _pages(self, what: str, listed: PaginatedList[Item]) -> Iterator[list[Item]]:
        """The pages of a listing, each read (and retried) when the caller gets to it.

        Iterating a ``PaginatedList`` keeps every element it fetched (it can be indexed); reading
        page by page through its ``_couldGrow``/``_fetchNextPage`` (the hooks its subclasses
        implement) follows the same ``Link`` headers, so it costs the same requests, and keeps none.
        A failed page leaves the list's next URL where it was: the retry reads that page again.
        """
        while listed._couldGrow():
            yield self._call(what, listed._fetchNextPage)

    def budget(self) -> RateBudget:
        """The requests this client sent, and the primary rate limit as GitHub's last answer gave it
        (``x-ratelimit-remaining``, ``-limit``, ``-reset``, which PyGithub keeps from every response).
        Before GitHub's first answer it asks ``GET /rate_limit``, which GitHub does not count against
        the budget; otherwise reading it sends nothing."""
        requester = self._client.requester
        auth = requester.auth
        if requester.rate_limiting[1] < 0:
            self._call("read the rate limit", self._client.get_rate_limit)
        remaining, limit = requester.rate_limiting
        known = limit >= 0
        return RateBudget(
            sent=auth.sent if isinstance(auth, CountedToken) else None,
            remaining=remaining if known else None,
            limit=limit if known else None,
            reset=(
                datetime.fromtimestamp(requester.rate_limiting_resettime, UTC)
                if known and requester.rate_limiting_resettime
                else None
            ),
        )

    # -- identity -----------------------------------------------------------------------------

    def login(self) -> str:
        """The login the token acts as: the only author whose markers and state blocks count.

        A configured login (``OPS_GITHUB_LOGIN``, a GitHub App's ``<slug>[bot]``) is taken as it is.
        Else ``GET /user`` names it for a user's token; an installation token gets 403 "Resource
        not accessible by integration" there, and is taken for the Actions job token, which acts
        as ``github-actions[bot]``. Read once, and only when a command needs it.
        """
        if self._login is None:

            def get() -> str:
                try:
                    return str(self._client.get_user().login)
                except GithubException as error:
                    if (
                        error.status == 403
                        and "not accessible by integration" in error_message(error).lower()
                    ):
                        return ACTIONS_BOT
                    raise

            self._login = self._call("read who the token acts as", get)
        return self._login
