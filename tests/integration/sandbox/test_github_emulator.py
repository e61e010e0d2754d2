"""The GitHub REST API emulator, driven by PyGithub and httpx over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from github import Auth, BadCredentialsException, Github, GithubException

from ops_actions.sandbox.github import MAX_BODY_CHARS, GitHubEmulator
from tests.support.fixtures.github import GITHUB_TOKEN, INVALID, REPO, REPO_PATH, TOKEN_AUTH
from tests.support.paths import REPO_ROOT

# Ctrl-C stops the emulator within this, however loaded the machine; past it, it ignored the signal.
SIGINT_STOP_S = 60


def _requests_to(emulator: GitHubEmulator, method: str, path: str) -> list[Any]:
    return [r for r in emulator.requests if r.method == method and r.path == path]


def _links(response: httpx.Response) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in response.headers.get("link", "").split(","):
        if part.strip():
            url, rel = part.split(";")
            found[rel.strip().removeprefix('rel="').removesuffix('"')] = url.strip()[1:-1]
    return found


# -- issues ---------------------------------------------------------------------------------------


def test_issue_create_list_edit_roundtrip(gh: Github, github_emulator: GitHubEmulator) -> None:
    """An issue created, listed and closed through PyGithub reads back the same from the emulator's state."""
    repo = gh.get_repo(REPO)
    issue = repo.create_issue("DB down", body="Postgres refuses connections", labels=["incident", "sev-1"])
    assert issue.number == 1
    assert issue.html_url == f"{github_emulator.url}/{REPO}/issues/1", "its own web host, as on GHES"
    assert issue.url.startswith(github_emulator.url)
    assert [label.name for label in issue.labels] == ["incident", "sev-1"]
    assert issue.user.login == "github-actions[bot]"

    assert [i.number for i in repo.get_issues(state="open")] == [1]
    issue.edit(title="DB down (mitigated)", state="closed", state_reason="completed")
    assert issue.state == "closed"
    assert issue.closed_at is not None

    [stored] = github_emulator.issues(state="closed")
    assert stored["title"] == "DB down (mitigated)"
    assert stored["body"] == "Postgres refuses connections"
    assert stored["state_reason"] == "completed"
    assert stored["closed_by"]["login"] == "github-actions[bot]"
    assert list(repo.get_issues(state="open")) == []

    issue.edit(state="open")
    assert github_emulator.issue(1)["state_reason"] == "reopened"
    assert github_emulator.issue(1)["closed_at"] is None


def test_unknown_labels_are_created_with_githubs_default_color(
    gh: Github, github_emulator: GitHubEmulator
) -> None:
    """Labels an issue names that the repo lacks are created with color ededed; existing ones keep theirs."""
    repo = gh.get_repo(REPO)
    assert "status:mitigating" not in github_emulator.label_names()
    issue = repo.create_issue("x", labels=["bug", "status:mitigating"])
    issue.add_to_labels("sev-2")
    assert {"status:mitigating", "sev-2"} <= github_emulator.label_names()
    colors = {label.name: label.color for label in repo.get_labels()}
    assert colors["status:mitigating"] == "ededed"
    assert colors["sev-2"] == "ededed"
    assert colors["bug"] == "d73a4a"


def test_issue_label_set_remove_and_rename(gh: Github, github_emulator: GitHubEmulator) -> None:
    """Setting replaces labels, removing drops one (404 if absent); a renamed label follows its issues."""
    repo = gh.get_repo(REPO)
    issue = repo.create_issue("x", labels=["a", "b"])
    issue.set_labels("c", "d")
    issue.remove_from_labels("c")
    assert [label["name"] for label in github_emulator.issue(1)["labels"]] == ["d"]
    with pytest.raises(GithubException) as missing:
        issue.remove_from_labels("zzz")
    assert missing.value.status == 404

    repo.get_label("d").edit("sev-1", "b60205", "Highest severity")
    assert [label["name"] for label in github_emulator.issue(1)["labels"]] == ["sev-1"]
    with pytest.raises(GithubException) as bad_color:
        repo.create_label("x", "not-a-color")
    assert bad_color.value.status == 422
    assert bad_color.value.data["errors"] == [{"resource": "Label", "code": "invalid", "field": "color"}]
    with pytest.raises(GithubException) as duplicate:
        repo.create_label("SEV-1", "000000")
    assert duplicate.value.data["errors"][0]["code"] == "already_exists"


def test_comments_create_list_update(gh: Github, github_emulator: GitHubEmulator) -> None:
    """Comments list oldest first, count on the issue, can be edited, and bump the issue's updated_at."""
    github_emulator.add_issue(title="x", created_at=datetime(2024, 1, 1, tzinfo=UTC))
    issue = gh.get_repo(REPO).get_issue(1)
    first = issue.create_comment("first <!-- ops-actions:event {} -->")
    issue.create_comment("second")
    first.edit("first, edited")
    assert [c.body for c in issue.get_comments()] == ["first, edited", "second"]
    assert gh.get_repo(REPO).get_issue(1).comments == 2
    assert gh.get_repo(REPO).get_issue(1).updated_at > datetime(2024, 1, 2, tzinfo=UTC)
    assert [c["body"] for c in github_emulator.comments(1)] == ["first, edited", "second"]
    assert first.html_url == f"{github_emulator.url}/{REPO}/issues/1#issuecomment-{first.id}"
    assert gh.get_repo(REPO).get_issue(1).get_comment(first.id).body == "first, edited"


def test_deleting_a_comment_is_204_and_it_is_gone(gh: Github, github_emulator: GitHubEmulator) -> None:
    """DELETE of a comment answers 204; the issue counts one comment less and a second DELETE is 404."""
    issue = gh.get_repo(REPO).create_issue(title="Comments")
    kept, doomed = issue.create_comment("kept"), issue.create_comment("doomed")
    doomed.delete()
    assert [c["body"] for c in github_emulator.comments(issue.number)] == ["kept"]
    assert gh.get_repo(REPO).get_issue(issue.number).comments == 1
    with pytest.raises(GithubException) as gone:
        doomed.delete()
    assert gone.value.status == 404
    assert kept.id != doomed.id


def test_get_user_is_403_for_an_app_token_and_the_user_for_a_user_token(
    gh: Github, github_emulator: GitHubEmulator
) -> None:
    """An installation token (the default actor, github-actions[bot]) has no user: 403 "Resource not
    accessible by integration", as api.github.com answers; a user's token gets its login."""
    with pytest.raises(GithubException) as refused:
        _ = gh.get_user().login
    assert (refused.value.status, refused.value.data["message"]) == (
        403,
        "Resource not accessible by integration",
    )
    assert refused.value.data["documentation_url"].endswith("/users/users#get-the-authenticated-user")
    github_emulator.actor = "octocat"
    assert gh.get_user().login == "octocat"


def test_issue_filters_sort_and_pull_requests(api: httpx.Client, github_emulator: GitHubEmulator) -> None:
    """Listing honours labels (AND), creator, assignee, since, sort/direction; PRs carry pull_request."""
    base = datetime(2024, 5, 1, tzinfo=UTC)
    github_emulator.add_issue(title="a", labels=["incident", "sev-1"], user="alice", created_at=base)
    github_emulator.add_issue(
        title="b", labels=["incident"], assignees=["bob"], created_at=base + timedelta(days=1)
    )
    github_emulator.add_issue(title="c", pull_request=True, created_at=base + timedelta(days=2))

    def numbers(**params: str) -> list[int]:
        response = api.get(f"{REPO_PATH}/issues", params=params)
        assert response.status_code == 200
        return [item["number"] for item in response.json()]

    assert numbers() == [3, 2, 1]
    assert numbers(direction="asc") == [1, 2, 3]
    assert numbers(labels="incident,sev-1") == [1]
    assert numbers(labels="INCIDENT") == [2, 1]
    assert numbers(labels="incident,nope") == []
    assert numbers(creator="alice") == [1]
    assert numbers(assignee="bob") == [2]
    assert numbers(assignee="none") == [3, 1]
    assert numbers(since="2024-05-02T00:00:00Z") == [3, 2]
    items = api.get(f"{REPO_PATH}/issues").json()
    assert "pull_request" in items[0]
    assert "pull_request" not in items[1]
    assert api.get(f"{REPO_PATH}/issues", params={"state": "bogus"}, headers=INVALID).status_code == 422


def test_pagination_follows_link_headers_over_250_issues(gh: Github, github_emulator: GitHubEmulator) -> None:
    """PyGithub's PaginatedList walks all 250 issues by following rel="next" (9 pages of 30)."""
    for n in range(250):
        github_emulator.add_issue(title=f"issue {n}")
    github_emulator.reset_log()
    issues = list(gh.withLazy(True).get_repo(REPO).get_issues(state="all"))
    assert len(issues) == 250
    assert len({i.number for i in issues}) == 250
    listed = _requests_to(github_emulator, "GET", f"{REPO_PATH}/issues")
    assert len(listed) == 9
    assert [r.query.get("page") for r in listed] == [None, *[str(p) for p in range(2, 10)]]


def test_link_header_has_githubs_rels_and_order(api: httpx.Client, github_emulator: GitHubEmulator) -> None:
    """Like api.github.com: first page next+last, middle pages prev+next+last+first, last page prev+first."""
    for n in range(13):
        github_emulator.add_issue(title=f"Test issue {n + 1}")
    first = api.get(f"{REPO_PATH}/issues", params={"per_page": 3})
    assert list(_links(first)) == ["next", "last"]
    assert _links(first)["next"] == f"{github_emulator.url}{REPO_PATH}/issues?per_page=3&page=2"
    assert _links(first)["last"].endswith("per_page=3&page=5")
    middle = api.get(_links(first)["next"])
    assert list(_links(middle)) == ["prev", "next", "last", "first"]
    last = api.get(_links(first)["last"])
    assert list(_links(last)) == ["prev", "first"]
    assert [i["number"] for i in last.json()] == [1]
    assert "link" not in api.get(f"{REPO_PATH}/issues", params={"per_page": 100}).headers
    assert (
        len(api.get(f"{REPO_PATH}/issues", params={"per_page": 1000}).json()) == 13
    )  # capped at 100, not an error


def test_open_incident_lookup_stays_one_request_among_2000_closed(
    gh: Github, github_emulator: GitHubEmulator
) -> None:
    """With 2,000 closed incident issues, finding the open incident is still one request."""
    for n in range(2000):
        github_emulator.add_issue(title=f"old incident {n}", labels=["incident", "sev-2"], state="closed")
    github_emulator.add_issue(title="current", labels=["incident", "sev-1"])
    github_emulator.add_issue(title="unrelated", labels=["bug"])
    github_emulator.reset_log()
    found = list(gh.withLazy(True).get_repo(REPO).get_issues(state="open", labels=["incident"]))
    assert [i.title for i in found] == ["current"]
    assert len(github_emulator.requests) == 1


# -- permissions and reactions --------------------------------------------------------------------


def test_collaborator_permission_levels(
    gh: Github, api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """Roles map to GitHub's legacy permission (maintain->write, triage->read); unknown users read."""
    for login, role in {
        "ada": "admin",
        "max": "maintain",
        "wes": "write",
        "tia": "triage",
        "nox": "none",
    }.items():
        github_emulator.set_permission(login, role)
    repo = gh.get_repo(REPO)
    assert repo.get_collaborator_permission("ada") == "admin"
    assert repo.get_collaborator_permission("max") == "write"
    assert repo.get_collaborator_permission("tia") == "read"
    assert repo.get_collaborator_permission("nox") == "none"
    assert repo.get_collaborator_permission("stranger") == "read"
    body = api.get(f"{REPO_PATH}/collaborators/max/permission").json()
    assert body["role_name"] == "maintain"
    assert body["user"]["login"] == "max"
    assert body["user"]["permissions"] == {
        "admin": False,
        "maintain": True,
        "push": True,
        "triage": True,
        "pull": True,
    }
    with pytest.raises(ValueError, match="permission"):
        github_emulator.set_permission("x", "owner")


def test_reaction_is_201_when_new_and_200_when_repeated(
    gh: Github, api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """Reacting twice with the same content returns the same reaction (200), a new content is 201."""
    github_emulator.add_issue(title="x")
    comment_id = github_emulator.add_comment(1, body="/status mitigating", user="alice")
    url = f"{REPO_PATH}/issues/comments/{comment_id}/reactions"
    first = api.post(url, json={"content": "eyes"})
    again = api.post(url, json={"content": "eyes"})
    other = api.post(url, json={"content": "+1"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert api.post(url, json={"content": "thumbsup"}, headers=INVALID).status_code == 422
    comment = gh.get_repo(REPO).get_issue(1).get_comment(comment_id)
    assert comment.create_reaction("rocket").content == "rocket"
    assert github_emulator.comments(1)[0]["reactions"]["total_count"] == 3


# -- actions --------------------------------------------------------------------------------------


def test_dispatch_returns_run_details_when_asked(gh: Github, github_emulator: GitHubEmulator) -> None:
    """return_run_details: true answers 200 with the run id and urls; without it 204 (both via PyGithub)."""
    github_emulator.add_workflow("backend-deploy.yml", "Backend Deploy", inputs=["environment"])
    repo = gh.get_repo(REPO)
    workflow = repo.get_workflow("backend-deploy.yml")
    status, _, raw = gh.requester.requestJson(
        "POST",
        f"{workflow.url}/dispatches",
        input={"ref": "main", "inputs": {"environment": "prod"}, "return_run_details": True},
    )
    assert status == 200
    data = json.loads(raw)
    assert data["run_url"] == f"{github_emulator.url}{REPO_PATH}/actions/runs/{data['workflow_run_id']}"
    assert data["html_url"] == f"{github_emulator.url}/{REPO}/actions/runs/{data['workflow_run_id']}"
    _, checked = gh.requester.requestJsonAndCheck(
        "POST", f"{workflow.url}/dispatches", input={"ref": "main", "return_run_details": True}
    )
    assert checked["workflow_run_id"] != data["workflow_run_id"]

    run = workflow.create_dispatch("main", {"environment": "staging"}, throw=True, return_run_details=True)
    assert repo.get_workflow_run(run.id).event == "workflow_dispatch"
    assert workflow.create_dispatch("main", {"environment": "prod"}) is True
    assert (
        _requests_to(github_emulator, "POST", f"{REPO_PATH}/actions/workflows/{workflow.id}/dispatches")[
            -1
        ].status
        == 204
    )
    assert [d["inputs"] for d in github_emulator.workflow_dispatches()] == [
        {"environment": "prod"},
        {},
        {"environment": "staging"},
        {"environment": "prod"},
    ]


def test_dispatch_rejects_unknown_workflow_inputs_and_ref(
    api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """Unknown workflow -> 404; inputs the workflow does not declare or an unknown ref -> 422."""
    github_emulator.add_workflow("backend-rollback.yml", "Backend Rollback", inputs=["version"])
    base = f"{REPO_PATH}/actions/workflows"
    assert api.post(f"{base}/nope.yml/dispatches", json={"ref": "main"}).status_code == 404
    extra = api.post(
        f"{base}/backend-rollback.yml/dispatches", json={"ref": "main", "inputs": {"force": "1"}}
    )
    assert extra.status_code == 422
    assert extra.json()["message"] == 'Unexpected inputs provided: ["force"]'
    assert api.post(f"{base}/backend-rollback.yml/dispatches", json={"ref": "gone"}).status_code == 422
    assert github_emulator.runs() == []


def test_run_life_cycle_follows_the_emulator_clock(gh: Github, github_emulator: GitHubEmulator) -> None:
    """A dispatched run is queued, then in_progress, then completed with the scripted conclusion."""
    github_emulator.add_workflow("smoke.yml", "Live Smoke", outcome="failure", queued_s=60, in_progress_s=300)
    repo = gh.get_repo(REPO)
    run = repo.get_workflow("smoke.yml").create_dispatch("main", throw=True, return_run_details=True)
    queued = repo.get_workflow_run(run.id)
    assert queued.status == "queued"
    assert queued.conclusion is None
    github_emulator.advance(60)
    running = repo.get_workflow_run(run.id)
    assert running.status == "in_progress"
    assert running.conclusion is None
    assert running.updated_at > queued.updated_at
    github_emulator.advance(299)
    assert repo.get_workflow_run(run.id).status == "in_progress"
    github_emulator.advance(1)
    done = repo.get_workflow_run(run.id)
    assert (done.status, done.conclusion) == ("completed", "failure")
    assert done.updated_at > running.updated_at
    assert done.head_sha == repo.get_git_ref("heads/main").object.sha
    [job] = list(done.jobs())
    assert (job.status, job.conclusion) == ("completed", "failure")


def test_run_listing_filters(api: httpx.Client, github_emulator: GitHubEmulator) -> None:
    """Runs filter by event, status or conclusion, branch, head_sha and created, newest first."""
    day = datetime(2024, 6, 1, 12, tzinfo=UTC)
    github_emulator.add_workflow("deploy.yml", "Backend Deploy")
    ok = github_emulator.add_run("deploy.yml", head_sha="a" * 40, conclusion="success", created_at=day)
    bad = github_emulator.add_run(
        "deploy.yml",
        head_sha="b" * 40,
        conclusion="failure",
        created_at=day + timedelta(days=1),
        event="push",
    )
    live = github_emulator.add_run(
        "smoke.yml",
        head_sha="c" * 40,
        conclusion=None,
        status="in_progress",
        created_at=day + timedelta(days=2),
    )

    def ids(path: str = f"{REPO_PATH}/actions/runs", **params: str) -> list[int]:
        response = api.get(path, params=params)
        assert response.status_code == 200
        body = response.json()
        assert body["total_count"] >= len(body["workflow_runs"])
        return [run["id"] for run in body["workflow_runs"]]

    assert ids() == [live, bad, ok]
    assert ids(f"{REPO_PATH}/actions/workflows/deploy.yml/runs") == [bad, ok]
    assert ids(event="push") == [bad]
    assert ids(status="success") == [ok]
    assert ids(status="in_progress") == [live]
    assert ids(status="completed") == [bad, ok]
    assert ids(head_sha="b" * 40) == [bad]
    assert ids(branch="main") == [live, bad, ok]
    assert ids(branch="other") == []
    assert ids(created=">=2024-06-02") == [live, bad]
    assert ids(created="2024-06-01") == [ok]
    assert ids(created="2024-06-01..2024-06-02") == [bad, ok]
    assert ids(per_page="1") == [live]
    assert api.get(f"{REPO_PATH}/actions/workflows").json()["total_count"] == 2
    assert api.get(
        f"{REPO_PATH}/actions/workflows/{api.get(f'{REPO_PATH}/actions/workflows/deploy.yml').json()['id']}"
    ).json()["path"] == (".github/workflows/deploy.yml")


# -- HTTP behaviour -------------------------------------------------------------------------------


def test_conditional_get_answers_304_without_spending_rate_limit(
    api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """If-None-Match with the current ETag gets an empty 304 (logged, not counted); a change gets a 200."""
    github_emulator.add_issue(title="x")
    first = api.get(f"{REPO_PATH}/issues/1")
    etag = first.headers["etag"]
    assert first.headers["last-modified"].endswith("GMT")
    cached = api.get(f"{REPO_PATH}/issues/1", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    assert github_emulator.requests[-1].status == 304
    api.patch(f"{REPO_PATH}/issues/1", json={"title": "y"})
    assert api.get(f"{REPO_PATH}/issues/1", headers={"If-None-Match": etag}).status_code == 200


def test_rate_limit_headers_count_down_per_resource(
    api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """Every answer carries x-ratelimit-*; core and search count separately; /rate_limit costs nothing."""
    one = api.get(REPO_PATH)
    two = api.get(f"{REPO_PATH}/labels")
    assert int(one.headers["x-ratelimit-remaining"]) - 1 == int(two.headers["x-ratelimit-remaining"])
    assert int(two.headers["x-ratelimit-used"]) == 2
    assert two.headers["x-ratelimit-limit"] == "5000"
    assert int(two.headers["x-ratelimit-reset"]) > time.time()
    assert two.headers["x-github-request-id"] != one.headers["x-github-request-id"]
    search = api.get("/search/issues", params={"q": "x"})
    assert (search.headers["x-ratelimit-resource"], search.headers["x-ratelimit-limit"]) == ("search", "30")
    overview = api.get("/rate_limit").json()
    assert overview["resources"]["core"]["used"] == 2
    assert overview["resources"]["search"]["used"] == 1
    assert overview["rate"] == overview["resources"]["core"]


def test_core_rate_limit_runs_out_and_resets_with_the_clock() -> None:
    """The 4th request with a limit of 3 is a 403 with remaining 0; an hour later the window is fresh."""
    with (
        GitHubEmulator(rate_limit=3) as emulator,
        httpx.Client(base_url=emulator.url, headers=TOKEN_AUTH) as client,
    ):
        statuses = [client.get(REPO_PATH).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 403]
        assert client.get(REPO_PATH).headers["x-ratelimit-remaining"] == "0"
        emulator.advance(3600)
        assert client.get(REPO_PATH).status_code == 200


def test_the_budget_left_can_be_set_and_the_headers_say_it(
    api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """``set_rate_remaining`` leaves that many requests in the window: the next answer's headers
    count on from it (remaining, used), and none is left at 0."""
    github_emulator.set_rate_remaining(7)
    answer = api.get(REPO_PATH)
    assert (answer.headers["x-ratelimit-remaining"], answer.headers["x-ratelimit-used"]) == ("6", "4994")
    github_emulator.set_rate_remaining(0)
    assert api.get(REPO_PATH).status_code == 403
    with pytest.raises(ValueError, match="between 0 and 5000"):
        github_emulator.set_rate_remaining(5001)


def test_missing_or_wrong_token_is_401(gh: Github, github_emulator: GitHubEmulator) -> None:
    """No Authorization header -> "Requires authentication"; a wrong token -> "Bad credentials"."""
    with httpx.Client(base_url=github_emulator.url) as anonymous:
        missing = anonymous.get(REPO_PATH)
        wrong = anonymous.get(REPO_PATH, headers={"Authorization": "Bearer ghs_wrong"})
        bearer = anonymous.get(REPO_PATH, headers={"Authorization": f"Bearer {GITHUB_TOKEN}"})
    assert (missing.status_code, missing.json()["message"]) == (401, "Requires authentication")
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Bad credentials")
    assert bearer.status_code == 200
    assert missing.json()["documentation_url"].startswith("https://docs.github.com/")
    with (
        Github(base_url=github_emulator.url, auth=Auth.Token("ghs_wrong"), retry=None) as wrong_client,
        pytest.raises(BadCredentialsException),
    ):
        wrong_client.get_repo(REPO)


def test_any_token_is_accepted_when_none_is_configured() -> None:
    """With token=None any non-empty token works, but an empty one still does not."""
    with GitHubEmulator() as emulator, httpx.Client(base_url=emulator.url) as client:
        assert client.get(REPO_PATH, headers={"Authorization": "token anything"}).status_code == 200
        assert client.get(REPO_PATH, headers={"Authorization": "token"}).status_code == 401


def test_errors_are_shaped_like_githubs(api: httpx.Client) -> None:
    """A 404 carries message, documentation_url and status; an unknown repo or path is a 404 too."""
    missing = api.get(f"{REPO_PATH}/issues/99")
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/issues/issues#get-an-issue",
        "status": "404",
    }
    assert api.get("/repos/someone/else").status_code == 404
    assert api.post(f"{REPO_PATH}/issues", content=b"{not json", headers=INVALID).status_code == 400


@pytest.mark.parametrize(
    ("fault", "status", "message"),
    [
        ("5xx", 502, "Server Error"),
        ("secondary-rate-limit", 403, "You have exceeded a secondary rate limit"),
        ("429", 429, "You have exceeded a secondary rate limit"),
        ("primary-rate-limit", 403, "API rate limit exceeded"),
        ("404", 404, "Not Found"),
        ("410", 410, "Issues are disabled for this repo"),
        ("422", 422, "Validation Failed"),
    ],
)
def test_injected_faults_are_seen_by_clients(
    api: httpx.Client, github_emulator: GitHubEmulator, fault: str, status: int, message: str
) -> None:
    """Each fault answers once with GitHub's status, body and headers, then the emulator is healthy again."""
    github_emulator.inject(fault, method="POST", path_contains="/issues", retry_after=7)
    assert api.get(f"{REPO_PATH}/issues").status_code == 200  # the method does not match
    broken = api.post(f"{REPO_PATH}/issues", json={"title": "x"})
    assert broken.status_code == status
    assert broken.json()["message"].startswith(message)
    if fault in ("secondary-rate-limit", "429"):
        assert broken.headers["retry-after"] == "7"
    else:
        assert "retry-after" not in broken.headers
    if fault == "primary-rate-limit":
        assert broken.headers["x-ratelimit-remaining"] == "0"
        assert int(broken.headers["x-ratelimit-reset"]) >= time.time() + 6
    else:
        assert int(broken.headers["x-ratelimit-remaining"]) > 0
    assert github_emulator.issues() == []
    assert github_emulator.requests[-1].fault == fault
    assert api.post(f"{REPO_PATH}/issues", json={"title": "x"}).status_code == 201


def test_fault_times_and_slow(api: httpx.Client, github_emulator: GitHubEmulator) -> None:
    """``times`` breaks that many requests; "slow" delays the answer but still serves it."""
    github_emulator.inject("5xx", times=2)
    assert [api.get(REPO_PATH).status_code for _ in range(3)] == [502, 502, 200]
    github_emulator.inject("slow", delay_s=0.3)
    assert api.get(REPO_PATH).status_code == 200
    assert api.get(REPO_PATH).status_code == 200
    assert github_emulator.slowed == [0.3]
    with pytest.raises(ValueError, match="fault"):
        github_emulator.inject("teapot")


def test_drop_after_write_applies_the_write_but_the_client_sees_no_answer(
    gh: Github, api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """The issue is created, yet httpx and PyGithub both get a transport error instead of a response."""
    github_emulator.inject("drop-after-write", method="POST", path_contains="/issues")
    with pytest.raises(httpx.TransportError):
        api.post(f"{REPO_PATH}/issues", json={"title": "created in the dark"})
    assert [i["title"] for i in github_emulator.issues()] == ["created in the dark"]
    assert github_emulator.requests[-1].fault == "drop-after-write"
    assert github_emulator.requests[-1].status == 201

    github_emulator.inject("drop-after-write", method="POST", path_contains="/comments")
    with pytest.raises(requests.exceptions.ConnectionError):
        gh.withLazy(True).get_repo(REPO).get_issue(1).create_comment("lost answer")
    assert [c["body"] for c in github_emulator.comments(1)] == ["lost answer"]


def test_bodies_over_65536_characters_are_rejected(gh: Github, github_emulator: GitHubEmulator) -> None:
    """Issue and comment bodies are capped at 65,536 characters with GitHub's 422 error."""
    repo = gh.get_repo(REPO)
    issue = repo.create_issue("at the limit", body="x" * MAX_BODY_CHARS)
    with pytest.raises(GithubException) as too_long:
        repo.create_issue("over", body="x" * (MAX_BODY_CHARS + 1))
    assert too_long.value.status == 422
    assert too_long.value.data["errors"] == [
        {
            "resource": "Issue",
            "code": "custom",
            "field": "body",
            "message": "body is too long (maximum is 65536 characters)",
        }
    ]
    with pytest.raises(GithubException) as comment_too_long:
        issue.create_comment("y" * (MAX_BODY_CHARS + 1))
    assert comment_too_long.value.data["errors"][0]["resource"] == "IssueComment"
    with pytest.raises(GithubException):
        issue.edit(body="z" * (MAX_BODY_CHARS + 1))
    assert [i["title"] for i in github_emulator.issues()] == ["at the limit"]
    assert github_emulator.comments(1) == []


def test_sub_issues_are_added_by_id_not_number(gh: Github, github_emulator: GitHubEmulator) -> None:
    """add_sub_issue takes the child's id; a number that is not an id is a 404; the list shows the child."""
    repo = gh.get_repo(REPO)
    parent = repo.create_issue("Incident: DB down")
    child = repo.create_issue("Postmortem action item")
    assert child.id != child.number
    with pytest.raises(GithubException) as by_number:
        parent.add_sub_issue(child.number)
    assert by_number.value.status == 404
    parent.add_sub_issue(child.id)
    assert [i.number for i in parent.get_sub_issues()] == [child.number]
    child.edit(state="closed")
    summary = github_emulator.issue(parent.number)["sub_issues_summary"]
    assert summary == {"total": 1, "completed": 1, "percent_completed": 100}
    with pytest.raises(GithubException) as itself:
        parent.add_sub_issue(parent.id)
    assert itself.value.status == 422

    other = repo.create_issue("Another incident")
    with pytest.raises(GithubException) as second_parent:
        other.add_sub_issue(child.id)
    assert second_parent.value.status == 422
    gh.requester.requestJsonAndCheck(
        "POST", f"{other.url}/sub_issues", input={"sub_issue_id": child.id, "replace_parent": True}
    )
    assert list(parent.get_sub_issues()) == []
    assert github_emulator.state()["sub_issues"] == {str(other.number): [child.number]}


def test_git_ref_create_and_duplicate(gh: Github, github_emulator: GitHubEmulator) -> None:
    """Creating a ref makes it readable; creating it again is 422 "Reference already exists"."""
    repo = gh.get_repo(REPO)
    main_sha = repo.get_git_ref("heads/main").object.sha
    github_emulator.set_branch_sha("release", "d" * 40)
    assert repo.get_git_ref("heads/release").object.sha == "d" * 40
    created = repo.create_git_ref("refs/heads/hotfix/db", main_sha)
    assert created.ref == "refs/heads/hotfix/db"
    assert repo.get_git_ref("heads/hotfix/db").object.sha == main_sha
    with pytest.raises(GithubException) as duplicate:
        repo.create_git_ref("refs/heads/hotfix/db", main_sha)
    assert (duplicate.value.status, duplicate.value.data["message"]) == (422, "Reference already exists")
    with pytest.raises(GithubException) as missing:
        repo.get_git_ref("heads/nope")
    assert missing.value.status == 404
    assert repo.get_commit("main").sha == main_sha
    assert repo.get_commit(main_sha[:7]).sha == main_sha
    with pytest.raises(GithubException) as unknown:
        repo.get_commit("no-such-branch")
    assert unknown.value.status == 422


def test_creating_a_ref_needs_contents_write_as_on_github(github_emulator: GitHubEmulator) -> None:
    """A job token with contents: read gets GitHub's 403 "Resource not accessible by integration" and
    the header naming contents=write, and no ref appears; with contents: write it is 201 (with the
    ref's Location), and again 422 "Reference already exists"; the ref then reads as made."""
    main_sha = github_emulator.state()["refs"]["refs/heads/main"]
    body = {"ref": "refs/heads/hotfix/incident-1", "sha": main_sha}

    def create(permissions: dict[str, str]) -> httpx.Response:
        token = github_emulator.mint_job_token(permissions)
        auth = {"Authorization": f"Bearer {token}"}
        return httpx.post(f"{github_emulator.url}{REPO_PATH}/git/refs", json=body, headers=auth, timeout=10)

    refused = create({"contents": "read", "issues": "write", "actions": "write"})
    assert (refused.status_code, refused.json()["message"]) == (403, "Resource not accessible by integration")
    assert refused.headers["X-Accepted-GitHub-Permissions"] == "contents=write"
    assert "refs/heads/hotfix/incident-1" not in github_emulator.state()["refs"]
    created = create({"contents": "write"})
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/git/refs/heads/hotfix/incident-1")
    assert created.json()["object"]["sha"] == main_sha
    again = create({"contents": "write"})
    assert (again.status_code, again.json()["message"]) == (422, "Reference already exists")
    assert github_emulator.state()["refs"]["refs/heads/hotfix/incident-1"] == main_sha


def test_repository_dispatch_is_recorded(
    gh: Github, api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """repository_dispatch answers 204 and keeps event_type and client_payload for assertions and state."""
    assert gh.get_repo(REPO).create_repository_dispatch("backend-deploy", {"version": "1.2.3"}) is True
    assert api.post(f"{REPO_PATH}/dispatches", json={"event_type": ""}, headers=INVALID).status_code == 422
    [dispatch] = github_emulator.repository_dispatches()
    assert (dispatch["event_type"], dispatch["client_payload"]) == ("backend-deploy", {"version": "1.2.3"})
    state = httpx.get(f"{github_emulator.url}/_emulator/state").json()
    assert state["repository_dispatches"][0]["client_payload"] == {"version": "1.2.3"}


def test_search_issues_matches_text_and_qualifiers(gh: Github, github_emulator: GitHubEmulator) -> None:
    """Search finds words in title/body and honours repo:, is:, label: and -label: qualifiers."""
    github_emulator.add_issue(title="Stripe webhook failing", body="signature mismatch", labels=["incident"])
    github_emulator.add_issue(
        title="Worker stalled", body="stripe queue", labels=["incident", "sev-1"], state="closed"
    )
    github_emulator.add_issue(title="Docs", body="nothing")

    def titles(query: str) -> list[str]:
        return sorted(i.title for i in gh.search_issues(query))

    assert titles(f"stripe repo:{REPO}") == ["Stripe webhook failing", "Worker stalled"]
    assert titles(f"stripe repo:{REPO} is:open") == ["Stripe webhook failing"]
    assert titles("label:incident -label:sev-1") == ["Stripe webhook failing"]
    assert titles('"signature mismatch"') == ["Stripe webhook failing"]
    assert titles("stripe repo:other/repo") == []
    assert gh.search_issues("stripe").totalCount == 2


def test_lock_and_unlock(api: httpx.Client, github_emulator: GitHubEmulator) -> None:
    """Locking records the reason; an invalid reason is 422; unlocking clears it."""
    github_emulator.add_issue(title="x")
    assert api.put(f"{REPO_PATH}/issues/1/lock", json={"lock_reason": "resolved"}).status_code == 204
    assert (github_emulator.issue(1)["locked"], github_emulator.issue(1)["active_lock_reason"]) == (
        True,
        "resolved",
    )
    assert (
        api.put(f"{REPO_PATH}/issues/1/lock", json={"lock_reason": "bored"}, headers=INVALID).status_code
        == 422
    )
    assert api.delete(f"{REPO_PATH}/issues/1/lock").status_code == 204
    assert github_emulator.issue(1)["locked"] is False


def test_repository_and_root_documents(
    gh: Github, api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """The repository and the API root name the emulator's own URLs; deployments list is empty."""
    github_emulator.add_issue(title="open")
    github_emulator.add_issue(title="closed", state="closed")
    repo = gh.get_repo(REPO)
    assert (repo.id, repo.default_branch, repo.open_issues_count) == (github_emulator.repo_id, "main", 1)
    assert repo.owner.type == "Organization"
    assert api.get("/").json()["rate_limit_url"] == f"{github_emulator.url}/rate_limit"
    assert list(repo.get_deployments()) == []


# -- control endpoints, logging, concurrency, process ----------------------------------------------


def test_control_endpoints_mirror_the_python_api(github_emulator: GitHubEmulator) -> None:
    """Everything seeding and assertions need is reachable over HTTP (for act workflows and the demo)."""
    url = f"{github_emulator.url}/_emulator"
    with httpx.Client(base_url=github_emulator.url, headers=TOKEN_AUTH) as client:
        assert (
            client.post(f"{url}/permission", json={"login": "alice", "permission": "write"}).status_code
            == 200
        )
        client.post(
            f"{url}/workflow", json={"file": "d.yml", "name": "Deploy", "inputs": ["v"], "queued_s": 5}
        )
        run_id = client.post(
            f"{url}/run",
            json={
                "workflow_file": "d.yml",
                "head_sha": "e" * 40,
                "conclusion": "success",
                "created_at": "2024-01-01T00:00:00Z",
            },
        ).json()["id"]
        number = client.post(f"{url}/issue", json={"title": "seeded", "labels": ["incident"]}).json()[
            "number"
        ]
        client.post(f"{url}/comment", json={"number": number, "body": "hi", "user": "alice"})
        client.post(f"{url}/branch", json={"branch": "main", "sha": "f" * 40})
        client.post(f"{url}/fault", json={"fault": "404", "path_contains": "/labels"})
        assert client.get(f"{REPO_PATH}/labels").status_code == 404
        before = client.get(f"{url}/state").json()["now"]
        assert client.post(f"{url}/advance", json={"seconds": 86400}).status_code == 200
        state = client.get(f"{url}/state").json()
        logged = client.get(f"{url}/requests").json()
        assert client.post(f"{url}/reset-log").status_code == 200
        bad = client.post(f"{url}/permission", json={"login": "x", "permission": "god"})
        missing = client.get(f"{url}/nope")
    assert state["permissions"]["alice"] == "write"
    assert [run["id"] for run in state["runs"]] == [run_id]
    assert state["issues"][0]["title"] == "seeded"
    assert state["comments"][str(number)][0]["body"] == "hi"
    assert state["refs"]["refs/heads/main"] == "f" * 40
    assert _parse(state["now"]) - _parse(before) >= timedelta(days=1)
    assert [(r["method"], r["path"], r["status"], r["fault"]) for r in logged] == [
        ("GET", f"{REPO_PATH}/labels", 404, "404")
    ]
    assert github_emulator.requests == []
    assert bad.status_code == 400
    assert "permission" in bad.json()["error"]
    assert missing.status_code == 404


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_request_log_records_writes_and_never_the_token(
    api: httpx.Client, github_emulator: GitHubEmulator
) -> None:
    """The log keeps method, path, query, status, is_write and parsed body, but no Authorization value."""
    api.post(f"{REPO_PATH}/issues", json={"title": "t"})
    api.get(f"{REPO_PATH}/issues", params={"state": "all", "per_page": "5"})
    write, read = github_emulator.requests
    assert (write.method, write.is_write, write.body, write.status) == ("POST", True, {"title": "t"}, 201)
    assert (read.is_write, read.query, read.body) == (False, {"state": "all", "per_page": "5"}, None)
    assert GITHUB_TOKEN not in repr(github_emulator.requests)
    seen: list[Any] = []
    github_emulator.add_listener(seen.append)
    api.get(REPO_PATH)
    github_emulator.remove_listener(seen.append)
    assert "authorization" not in seen[0].request_headers
    assert GITHUB_TOKEN not in repr(seen)


def test_concurrent_clients_do_not_corrupt_state(github_emulator: GitHubEmulator) -> None:
    """Eight threads creating 25 issues each get 200 distinct numbers and ids, all stored."""
    errors: list[BaseException] = []

    def create(worker: int) -> None:
        try:
            with httpx.Client(base_url=github_emulator.url, headers=TOKEN_AUTH, timeout=10) as client:
                for n in range(25):
                    response = client.post(
                        f"{REPO_PATH}/issues", json={"title": f"{worker}-{n}", "labels": [f"w{worker}"]}
                    )
                    assert response.status_code == 201
        except BaseException as problem:  # noqa: BLE001 - reported to the main thread below
            errors.append(problem)

    threads = [threading.Thread(target=create, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    issues = github_emulator.issues()
    assert sorted(i["number"] for i in issues) == list(range(1, 201))
    assert len({i["id"] for i in issues}) == 200
    assert {f"w{worker}" for worker in range(8)} <= github_emulator.label_names()


def test_server_is_quiet_and_stops_cleanly(capfd: pytest.CaptureFixture[str]) -> None:
    """Serving requests prints nothing; stop() closes kept-alive connections and frees the port."""
    emulator = GitHubEmulator().start()
    with httpx.Client(base_url=emulator.url, headers=TOKEN_AUTH) as client:
        assert client.get(REPO_PATH).status_code == 200
        assert client.get("/nowhere").status_code == 404
        emulator.stop()
        with pytest.raises(httpx.TransportError):
            client.get(REPO_PATH)
    emulator.stop()  # idempotent
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_clock_can_be_injected_and_advanced() -> None:
    """A given clock drives timestamps; advance() adds to it."""
    fixed = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    emulator = GitHubEmulator(clock=lambda: fixed)
    number = emulator.add_issue(title="x")
    assert emulator.issue(number)["created_at"] == "2030-01-01T09:00:00Z"
    emulator.advance(90)
    assert emulator.now() == fixed + timedelta(seconds=90)
    with pytest.raises(ValueError, match="forward"):
        emulator.advance(-1)


def test_cli_serves_the_emulator_as_a_process(tmp_path: Path) -> None:
    """``ops-actions sandbox github`` prints its URL, serves (as GHES 3.19 here), exits cleanly on Ctrl-C,
    also when started with SIGINT ignored, as a background job of a non-interactive shell is."""
    root = REPO_ROOT
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = ["sandbox", "github", "--port", "0", "--token", GITHUB_TOKEN, "--ghes", "3.19"]
    with subprocess.Popen(
        ["sh", "-c", 'trap "" INT; exec "$0" -m ops_actions "$@"', sys.executable, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split(" on ", 1)[1].split(";", 1)[0]
        try:
            assert url.startswith("http://127.0.0.1:")
            assert httpx.get(f"{url}{REPO_PATH}", headers=TOKEN_AUTH).json()["full_name"] == REPO
            assert httpx.get(f"{url}{REPO_PATH}").status_code == 401
            number = httpx.post(f"{url}/_emulator/issue", json={"title": "Postmortem"}).json()["number"]
            assert (
                httpx.get(f"{url}{REPO_PATH}/issues/{number}/sub_issues", headers=TOKEN_AUTH).status_code
                == 404
            )
        finally:
            process.send_signal(signal.SIGINT)
            try:
                _, err = process.communicate(timeout=SIGINT_STOP_S)
            except subprocess.TimeoutExpired:
                # Without this, leaving the with block would wait for ever on a process that
                # ignores SIGINT.
                process.kill()
                process.communicate()
                pytest.fail(f"the emulator was still running {SIGINT_STOP_S} s after SIGINT", pytrace=False)
        assert process.returncode == 0, err


def test_an_issue_s_html_url_opens_a_read_only_page_of_it_with_everything_escaped(
    gh: Github, github_emulator: GitHubEmulator
) -> None:
    """The html_url answered (on the emulator's own web host, as GHES's) opens in a browser, without a
    token: the title, state, labels, body and comments, every one of them text (markup from an issue is
    escaped), and the visit is no API request (not recorded, not counted); an unknown issue is 404."""
    issue = gh.get_repo(REPO).create_issue(
        "<script>alert(1)</script> DB down", body="Postgres <b>refuses</b> & more", labels=["incident"]
    )
    comment = issue.create_comment('<img src=x onerror="steal()"> mitigated')
    assert issue.html_url == f"{github_emulator.url}/{REPO}/issues/1"  # never github.com, from a test
    recorded = len(github_emulator.requests)
    page = httpx.get(issue.html_url)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    text = page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; DB down #1" in text and "<script>" not in text
    assert "Postgres &lt;b&gt;refuses&lt;/b&gt; &amp; more" in text
    assert "&lt;img src=x onerror=&quot;steal()&quot;&gt; mitigated" in text and "<img" not in text
    assert f'id="issuecomment-{comment.id}"' in text and ">incident</span>" in text and "open ·" in text
    assert len(github_emulator.requests) == recorded, "a page is not an API request"
    missing = httpx.get(f"{github_emulator.url}/{REPO}/issues/99")
    assert missing.status_code == 404 and "Not Found" in missing.text
    assert httpx.get(f"{github_emulator.url}/other/repo/issues/1").status_code == 404
