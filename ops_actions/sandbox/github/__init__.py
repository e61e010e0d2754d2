"""A GitHub REST API emulator: a real HTTP server on 127.0.0.1 with in-memory state.

PyGithub (unpatched), httpx, ``curl`` and workflows run under ``act`` talk to it exactly as they
talk to api.github.com: ``Github(base_url=emulator.url, auth=Auth.Token(token))``. Answers are
shaped like GitHub's (ids, ``node_id``, api urls on the emulator's own base URL, html urls there
too, as GitHub Enterprise Server's are on its web host: ``<url>/<owner>/<repo>/issues/<n>`` opens a
read-only page of the issue in a browser, ISO ``Z`` timestamps, ``Link`` pagination,
``x-ratelimit-*`` headers, ``ETag`` / ``If-None-Match`` -> 304, GitHub error bodies); the project's
tests check every answer against GitHub's OpenAPI description.

Operations (``R`` = ``/repos/{owner}/{repo}``, the one seeded repository):

* ``GET /``, ``GET /rate_limit``, ``GET /user``, ``GET /search/issues``, ``GET R``
* issues: ``GET|POST R/issues``, ``GET|PATCH R/issues/{n}``, ``POST R/issues/{n}/assignees``,
  ``PUT|DELETE R/issues/{n}/lock``, ``GET|POST R/issues/{n}/sub_issues``
* comments: ``GET|POST R/issues/{n}/comments``, ``GET|PATCH|DELETE R/issues/comments/{id}``,
  ``POST R/issues/comments/{id}/reactions``
* labels: ``GET|POST|PUT R/issues/{n}/labels``, ``DELETE R/issues/{n}/labels/{name}``,
  ``GET|POST R/labels``, ``GET|PATCH|DELETE R/labels/{name}``
* ``GET R/collaborators/{user}/permission``
* actions: ``GET R/actions/workflows``, ``GET R/actions/workflows/{id or file}``,
  ``POST R/actions/workflows/{id or file}/dispatches``, ``GET R/actions/workflows/{id or file}/runs``,
  ``GET R/actions/runs``, ``GET R/actions/runs/{id}``, ``GET R/actions/runs/{id}/jobs``
* git and deployments: ``GET R/git/ref/{ref}``, ``POST R/git/refs``, ``GET R/commits/{ref}``,
  ``GET R/deployments`` (always empty), ``POST R/dispatches`` (repository_dispatch, recorded)

Control endpoints (no auth, JSON in and out) mirror the Python API so another process can drive
the emulator: ``POST /_emulator/{permission,job-token,user-token,workflow,run,finish-run,issue,comment,
delete-issue,transfer-issue,branch,fault,advance,reset-log}``, ``GET /_emulator/{state,requests,events}``.

GitHub's own refusals (``RULES``, each can be switched off with ``GitHubEmulator(rules=...)``): a job
token (:meth:`GitHubEmulator.mint_job_token`) holds only its job's ``permissions:`` (``permissions``);
only collaborators and participants can be assigned (``assignees``); app tokens cannot comment on
or edit locked issues (``locks``); job tokens share 1,000 requests an hour (``job-rate-limit``);
label names and descriptions have limits (``label-limits``); a dispatch needs the workflow's trigger
and required inputs (``dispatch-checks``). ``ghes="3.19"`` plays GitHub Enterprise Server 3.19
(``ghes``); :meth:`GitHubEmulator.delete_issue` and :meth:`GitHubEmulator.transfer_issue` make an issue
answer 410 and 301. Every write records the events GitHub would deliver (``events``).

Choices where GitHub's behaviour depends on things the emulator does not model:

* ``GET /user`` answers for the token's login: 403 "Resource not accessible by integration" when it is
  an app's bot (``…[bot]``: the default ``github-actions[bot]``, every job token), as for every
  installation token; a user otherwise.
* The collaborator permission of a user never given one is ``read`` (what a public repository
  answers for a non-collaborator) rather than a 404.
* Reading a collaborator's permission needs push access (GitHub: 403 "Must have push access to
  view collaborator permission."): a person's token needs the person's write role or above; a job
  token is refused when it is read-only (no permission at ``write``, like a fork's pull request's),
  since GitHub documents only ``metadata: read`` for the route and no finer rule for job tokens.
* Workflow runs follow a clock: ``queued`` for ``queued_s``, then ``in_progress`` for
  ``in_progress_s``, then ``completed`` with the scripted conclusion. The clock is real time plus
  an offset moved by :meth:`GitHubEmulator.advance` (or the given ``clock`` plus that offset).
* ``Link`` headers point at the path that was requested (``/repos/{owner}/{repo}/...``);
  api.github.com rewrites them to ``/repositories/{id}/...``, which the OpenAPI description lacks.
* Adding a sub-issue answers 201 with the parent issue; ``sub_issue_id`` is the issue's ``id``. The
  same child again is 422 "Validation Failed" with "Issue may not contain duplicate sub-issues" and
  "Sub issue may only have one parent" in ``errors[]`` (GitHub's GraphQL joins the two in one message);
  a child of another parent, the second alone.
* New repositories get GitHub's nine default labels (``bug``, ``documentation``, ...).
* A read role given with :meth:`GitHubEmulator.set_permission` stands for an organization member
  with read access, whom GitHub lets be assigned.
* :meth:`GitHubEmulator.add_repository` serves another, private repository at the same address
  (its own emulator, for a workflow that lives there): only the GitHub App token it is given
  reaches it; every other token, this repository's job token among them, gets 404 "Not Found"
  there, as GitHub answers for a private repository a token may not see.
* A transferred issue's 301 points at ``/repos/{new owner}/{new name}/issues/{n}`` (api.github.com
  uses ``/repositories/{id}/...``); the emulator serves one repository, so following it ends in 404,
  which is also what GitHub answers a job token (it reads only its own repository).

The package: ``model`` (constants, records, requests and responses, small helpers), ``store`` (the
state, declared once on the base class ``_Store``, and the changes the parts share), ``shapes``
(the JSON renderers), ``permissions`` (tokens, the permission each route needs), ``events`` (the
events writes produce), ``ghes`` (what GitHub Enterprise Server refuses), the route handlers in
``repository``, ``issues`` (with comments and reactions), ``labels``, ``actions`` (with git refs,
commits, deployments and repository dispatch) and ``search`` on their shared helpers in
``request_helpers``, ``limits`` (authentication, faults, rate limits), ``python_api`` (seeding and
reading the state), ``control`` (the ``/_emulator/...`` endpoints), ``server`` (the HTTP server and
request handler) and ``emulator`` (``GitHubEmulator``, composed of those mixins: construction, start
and stop, the route table, answering a request; and :func:`serve`). Only the tests, the benchmarks,
``ops_actions/demo.py`` and ``ops_actions/cli/sandbox.py`` import it, and only the names below.
"""

from ops_actions.sandbox.github.emulator import GitHubEmulator, serve
from ops_actions.sandbox.github.model import (
    CONTROL_PREFIX,
    FAULT_KINDS,
    MAX_BODY_CHARS,
    PERMISSIONS,
    RULES,
    Exchange,
    RecordedRequest,
)

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_KINDS",
    "MAX_BODY_CHARS",
    "PERMISSIONS",
    "RULES",
    "Exchange",
    "GitHubEmulator",
    "RecordedRequest",
    "serve",
]
