"""The emulator against GitHub itself: recorded api.github.com exchanges and GitHub's OpenAPI description."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from ops_actions.sandbox.github import Exchange, GitHubEmulator
from tests.support.fixtures.github import GITHUB_TOKEN, REPO_PATH, TOKEN_AUTH, contract_violations
from tests.support.github_contract import GitHubContract, contract
from tests.support.paths import GITHUB_FIXTURES

# Keys the emulator sends that the recordings (2017-2022) predate. Each is in GitHub's current
# description (checked below), so leaving them out would break the schema instead.
NEWER_KEYS = {
    "has_discussions": "full-repository lists it as required",
    "search_type": "the search-issues response lists it as required",
    "sub_issues_summary": "issues carry it since sub-issues exist",
}


def _recorded(name: str) -> list[dict[str, Any]]:
    return json.loads((GITHUB_FIXTURES / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _rewrite(path: str) -> str:
    """Point a recorded path at the emulator's repository (GitHub's Link urls use /repositories/{id})."""
    path = re.sub(r"^/repos/octokit-fixture-org/[^/?]+", REPO_PATH, path)
    path = re.sub(r"^/repositories/\d+", REPO_PATH, path)
    return path.replace("repo%3Aoctokit-fixture-org%2Fsearch-issues", "repo%3Aocto-org%2Fbackend")


def _seed(emulator: GitHubEmulator, name: str, exchanges: list[dict[str, Any]]) -> None:
    """Give the emulator the state the recorded repository had before the exchange."""
    if name == "lock-issue.json":
        emulator.add_issue(title="Issue to lock")
    elif name == "paginate-issues.json":
        for n in range(1, 14):
            emulator.add_issue(title=f"Test issue {n}")
    elif name == "search-issues.json":
        for item in sorted(exchanges[0]["response"]["items"], key=lambda i: i["number"]):
            emulator.add_issue(title=item["title"], body=item["body"])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_differences(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """How ``actual`` differs in shape from ``recorded``: JSON types, keys (recursively), list heads."""
    if _json_type(recorded) != _json_type(actual):
        return [f"{where}: recorded {_json_type(recorded)}, got {_json_type(actual)}"]
    if isinstance(recorded, dict):
        found = [f"{where}: missing key {key!r}" for key in sorted(set(recorded) - set(actual))]
        found += [
            f"{where}: extra key {key!r}" for key in sorted(set(actual) - set(recorded) - set(NEWER_KEYS))
        ]
        for key in sorted(set(recorded) & set(actual)):
            found += shape_differences(recorded[key], actual[key], f"{where}.{key}")
        return found
    if isinstance(recorded, list) and recorded and actual:
        return shape_differences(recorded[0], actual[0], f"{where}[0]")
    return []


def _rels(link: str) -> list[str]:
    return re.findall(r'rel="([^"]+)"', link)


@pytest.mark.parametrize("name", sorted(path.name for path in GITHUB_FIXTURES.glob("*.json")))
def test_emulator_answers_like_the_recorded_github_exchange(
    name: str, github_emulator: GitHubEmulator, api: httpx.Client
) -> None:
    """Replaying a recorded exchange gets the same status, body shape and headers GitHub sent."""
    exchanges = _recorded(name)
    _seed(github_emulator, name, exchanges)
    for exchange in exchanges:
        body = exchange["body"]
        response = api.request(
            exchange["method"].upper(), _rewrite(exchange["path"]), json=None if body in ("", None) else body
        )
        what = f"{exchange['method'].upper()} {exchange['path']}"
        assert response.status_code == exchange["status"], what
        if exchange["response"] == "":
            assert response.content == b"", what
        else:
            assert shape_differences(exchange["response"], response.json()) == [], what
        recorded_headers = {key.lower() for key in exchange["headers"]}
        for header in ("etag", "location", "link", "content-type", "last-modified"):
            if header in recorded_headers:
                assert header in response.headers, f"{what}: no {header}"
        for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used"):
            assert header in response.headers, f"{what}: no {header}"
        assert response.headers["x-ratelimit-resource"] == exchange["headers"]["x-ratelimit-resource"]
        if "link" in exchange["headers"]:
            assert _rels(response.headers["link"]) == _rels(exchange["headers"]["link"]), what


def test_validation_error_body_matches_githubs(api: httpx.Client) -> None:
    """An invalid label color gets exactly GitHub's recorded 422 body (bar the documentation URL)."""
    [recorded] = _recorded("errors.json")
    response = api.post(f"{REPO_PATH}/labels", json=recorded["body"])
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"message", "errors", "documentation_url"}
    assert (body["message"], body["errors"]) == (
        recorded["response"]["message"],
        recorded["response"]["errors"],
    )
    assert body["documentation_url"].startswith("https://docs.github.com/rest/")


def test_recorded_github_answers_pass_the_checker_except_for_newer_keys() -> None:
    """The checker accepts api.github.com's own answers; it only misses keys newer than the recordings."""
    checker = contract()
    problems: list[str] = []
    for path in sorted(GITHUB_FIXTURES.glob("*.json")):
        for exchange in _recorded(path.name):
            split = urlsplit(_rewrite(exchange["path"]))
            body, response = exchange["body"], exchange["response"]
            problems += [
                str(violation)
                for violation in checker.check_exchange(
                    method=exchange["method"].upper(),
                    path=split.path,
                    query=parse_qsl(split.query),
                    request_body=None if body in ("", None) else json.dumps(body).encode(),
                    status=exchange["status"],
                    response_headers=exchange["headers"],
                    response_body=b"" if response == "" else json.dumps(response).encode(),
                )
            ]
    assert problems == [
        f"GET {REPO_PATH} -> 200: <root>: 'has_discussions' is a required property",
        "GET /search/issues -> 200: <root>: 'search_type' is a required property",
    ]


def test_newer_keys_are_declared_by_the_description() -> None:
    """Every key allowed beyond the recordings is a property of some schema in GitHub's description."""
    schemas = contract().spec["components"]["schemas"]
    search = contract().spec["paths"]["/search/issues"]["get"]["responses"]["200"]["content"]
    declared = {key for schema in schemas.values() for key in schema.get("properties", {})}
    declared |= set(search["application/json"]["schema"]["properties"])
    assert set(NEWER_KEYS) <= declared


def test_checker_catches_a_deliberately_broken_emulator_response(monkeypatch: pytest.MonkeyPatch) -> None:
    """An issue answer missing ``number`` and with a string ``id`` is reported; the intact one is not."""
    original = GitHubEmulator._issue_json

    def broken(self: GitHubEmulator, issue: Any, *, full: bool) -> dict[str, Any]:
        data = original(self, issue, full=full)
        del data["number"]
        data["id"] = str(data["id"])
        return data

    exchanges: list[Exchange] = []
    with (
        GitHubEmulator(token=GITHUB_TOKEN) as emulator,
        httpx.Client(base_url=emulator.url, headers=TOKEN_AUTH) as client,
    ):
        emulator.add_listener(exchanges.append)
        emulator.add_issue(title="x")
        assert client.get(f"{REPO_PATH}/issues/1").status_code == 200
        assert contract_violations(exchanges) == []
        monkeypatch.setattr(GitHubEmulator, "_issue_json", broken)
        assert client.get(f"{REPO_PATH}/issues/1").status_code == 200
    problems = [str(v) for v in contract_violations(exchanges)]
    assert any("'number' is a required property" in p for p in problems), problems
    assert any(p.startswith(f"GET {REPO_PATH}/issues/1 -> 200: id:") for p in problems), problems


@pytest.mark.parametrize(
    ("method", "path", "query", "request_body", "status", "response_body", "expected"),
    [
        ("GET", f"{REPO_PATH}/pulls", [], None, 200, b"[]", "no operation"),
        ("GET", f"{REPO_PATH}/issues", [("per_pages", "3")], None, 200, b"[]", "'per_pages' is not declared"),
        ("GET", f"{REPO_PATH}/issues", [("page", "two")], None, 200, b"[]", "is not an integer"),
        (
            "POST",
            f"{REPO_PATH}/issues",
            [],
            b'{"body": "no title"}',
            422,
            b'{"message": "x", "documentation_url": "y"}',
            "title",
        ),
        ("POST", f"{REPO_PATH}/issues/1/labels", [], b'{"labels": "bug"}', 200, b"[]", "labels"),
        ("GET", f"{REPO_PATH}/issues/1", [], None, 201, b"{}", "status 201 is not declared"),
        ("GET", f"{REPO_PATH}/labels/bug", [], None, 200, b'{"name": "bug"}', "'id' is a required property"),
        ("PUT", f"{REPO_PATH}/issues/1/lock", [], None, 204, b'{"oops": 1}', "no body"),
        ("GET", f"{REPO_PATH}/labels", [], None, 502, b"<html>bad gateway</html>", "GitHub error object"),
        ("GET", f"{REPO_PATH}/labels", [], None, 500, b'{"error": "boom"}', "needs a 'message'"),
        (
            "GET",
            f"{REPO_PATH}/actions/runs/1",
            [],
            None,
            200,
            b'{"id": 1, "conclusion": "great"}',
            "required",
        ),
        ("DELETE", f"{REPO_PATH}/labels/bug", [], None, 204, b"{}", "expected an empty body"),
    ],
)
def test_checker_rejects_contract_breaks(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    request_body: bytes | None,
    status: int,
    response_body: bytes,
    expected: str,
) -> None:
    """Unknown operations, undeclared parameters or statuses, and invalid bodies are each reported."""
    problems = contract().check_exchange(
        method=method,
        path=path,
        query=query,
        request_body=request_body,
        status=status,
        response_headers={"Content-Type": "application/json; charset=utf-8"},
        response_body=response_body,
    )
    assert any(expected in str(problem) for problem in problems), [str(p) for p in problems]


def test_checker_matches_path_templates_precisely() -> None:
    """Literal segments beat parameters, integer parameters need digits, and refs may contain slashes."""
    checker = contract()

    def operation(method: str, path: str) -> str | None:
        matched = checker.match(method, path)
        return None if matched is None else matched[0].operation_id

    assert operation("GET", f"{REPO_PATH}/issues/comments/5") == "issues/get-comment"
    assert operation("GET", f"{REPO_PATH}/issues/5") == "issues/get"
    assert operation("GET", f"{REPO_PATH}/issues/comments") is None
    assert operation("GET", f"{REPO_PATH}/git/ref/heads/feature/x") == "git/get-ref"
    assert operation("GET", f"{REPO_PATH}/actions/workflows/deploy.yml") == "actions/get-workflow"
    assert checker.match("GET", f"{REPO_PATH}/git/ref/heads/feature/x") == (
        checker.match("GET", f"{REPO_PATH}/git/ref/heads/feature/x")[0],  # type: ignore[index]
        {"owner": "octo-org", "repo": "backend", "ref": "heads/feature/x"},
    )
    assert len([op for op in checker.operations if op.extra is None]) == 40


def test_a_new_contract_instance_resolves_refs_without_cycles() -> None:
    """Every operation's schemas resolve fully (no $ref left), so validation never meets a dangling ref."""
    fresh = GitHubContract()
    text = json.dumps([op.spec for op in fresh.operations if op.extra is None])
    assert '"$ref"' not in text


def test_every_described_operation_is_served(github_emulator: GitHubEmulator, api: httpx.Client) -> None:
    """Each of the 39 operations in the description answers successfully (contract-clean, via the fixture);
    ``GET /user`` as a user's token (an app's token gets 403, see test_github_emulator)."""
    github_emulator.add_workflow("deploy.yml", "Backend Deploy", inputs=["version"])
    run_id = github_emulator.add_run(
        "deploy.yml", head_sha="a" * 40, conclusion="success", created_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    api.post(f"{REPO_PATH}/issues", json={"title": "parent", "labels": ["incident"]})
    child = api.post(f"{REPO_PATH}/issues", json={"title": "child"}).json()
    comment = api.post(f"{REPO_PATH}/issues/1/comments", json={"body": "hi"}).json()
    spare = api.post(f"{REPO_PATH}/issues/1/comments", json={"body": "to delete"}).json()
    github_emulator.actor = "octocat"
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/user", None),
        ("DELETE", f"{REPO_PATH}/issues/comments/{spare['id']}", None),
        ("GET", "/rate_limit", None),
        ("GET", REPO_PATH, None),
        ("GET", f"{REPO_PATH}/actions/runs", None),
        ("GET", f"{REPO_PATH}/actions/runs/{run_id}", None),
        ("GET", f"{REPO_PATH}/actions/runs/{run_id}/jobs", None),
        ("GET", f"{REPO_PATH}/actions/workflows", None),
        ("GET", f"{REPO_PATH}/actions/workflows/deploy.yml", None),
        (
            "POST",
            f"{REPO_PATH}/actions/workflows/deploy.yml/dispatches",
            {"ref": "main", "inputs": {"version": "1"}},
        ),
        ("GET", f"{REPO_PATH}/actions/workflows/deploy.yml/runs", None),
        ("PUT", f"{REPO_PATH}/actions/workflows/deploy.yml/enable", None),
        ("GET", f"{REPO_PATH}/collaborators/alice/permission", None),
        ("GET", f"{REPO_PATH}/commits/main", None),
        ("GET", f"{REPO_PATH}/deployments", None),
        ("POST", f"{REPO_PATH}/dispatches", {"event_type": "backend-deploy"}),
        ("GET", f"{REPO_PATH}/git/ref/heads/main", None),
        ("POST", f"{REPO_PATH}/git/refs", {"ref": "refs/heads/x", "sha": "b" * 40}),
        ("GET", f"{REPO_PATH}/issues", None),
        ("GET", f"{REPO_PATH}/issues/comments/{comment['id']}", None),
        ("PATCH", f"{REPO_PATH}/issues/comments/{comment['id']}", {"body": "edited"}),
        ("POST", f"{REPO_PATH}/issues/comments/{comment['id']}/reactions", {"content": "heart"}),
        ("GET", f"{REPO_PATH}/issues/1", None),
        ("PATCH", f"{REPO_PATH}/issues/1", {"title": "renamed"}),
        ("POST", f"{REPO_PATH}/issues/1/assignees", {"assignees": ["alice"]}),
        ("GET", f"{REPO_PATH}/issues/1/comments", None),
        ("GET", f"{REPO_PATH}/issues/1/labels", None),
        ("POST", f"{REPO_PATH}/issues/1/labels", {"labels": ["a"]}),
        ("PUT", f"{REPO_PATH}/issues/1/labels", {"labels": ["b"]}),
        ("DELETE", f"{REPO_PATH}/issues/1/labels/b", None),
        ("PUT", f"{REPO_PATH}/issues/1/lock", {"lock_reason": "resolved"}),
        ("POST", f"{REPO_PATH}/issues/1/sub_issues", {"sub_issue_id": child["id"]}),
        ("GET", f"{REPO_PATH}/issues/1/sub_issues", None),
        ("GET", f"{REPO_PATH}/labels", None),
        ("POST", f"{REPO_PATH}/labels", {"name": "status:open", "color": "aaaaaa"}),
        ("GET", f"{REPO_PATH}/labels/status:open", None),
        ("PATCH", f"{REPO_PATH}/labels/status:open", {"new_name": "status:closed"}),
        ("GET", "/search/issues?q=parent", None),
    ]
    for method, path, body in calls:
        response = api.request(method, path, json=body)
        assert response.status_code < 400, (method, path, response.text)
    served = set()
    for request in github_emulator.requests:
        matched = contract().match(request.method, request.path)
        assert matched is not None, request
        served.add(matched[0].operation_id)
    described = {op.operation_id for op in contract().operations if op.extra is None}
    assert served == described
