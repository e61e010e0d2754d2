"""The JSON shapes the emulator answers with: users, issues, comments, reactions, labels, the repository,
workflows, runs, jobs, refs, commits and rate-limit buckets, as GitHub renders them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import quote

from ops_actions.sandbox.github.ghes import has_sub_issues
from ops_actions.sandbox.github.model import (
    REACTION_CONTENTS,
    JSONDict,
    _Comment,
    _iso,
    _Issue,
    _Label,
    _node_id,
    _Reaction,
    _Run,
    _sha,
    _Workflow,
)
from ops_actions.sandbox.github.store import _Store

# The one expression form a run-name here uses: an input's value.
_INPUT_EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")


class _Shapes(_Store):
    """Renders the state as the REST API does (api and html urls on the emulator's base URL)."""

    # -- internal: rendering ------------------------------------------------------------------

    @property
    def _api(self) -> str:
        return self.url

    @property
    def _repo_api(self) -> str:
        return f"{self._api}/repos/{self.full_name}"

    @property
    def _html(self) -> str:
        """The web host: the emulator's own base URL, as GHES's html urls are on its web host."""
        return self.url

    @property
    def _repo_html(self) -> str:
        return f"{self._html}/{self.full_name}"

    def _user_json(self, login: str) -> JSONDict:
        uid = self._user_id(login) if login != self.owner else self.repo_id - 600_000_000
        api = f"{self._api}/users/{login}"
        kind = "Organization" if login == self.owner else "Bot" if login.endswith("[bot]") else "User"
        return {
            "login": login,
            "id": uid,
            "node_id": _node_id(kind, uid),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{self._html}/{login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": kind,
            "site_admin": False,
        }

    def _association(self, login: str) -> str:
        if login == self.owner:
            return "OWNER"
        return "COLLABORATOR" if self._permissions.get(login, "none") != "none" else "NONE"

    def _label_json(self, label: _Label) -> JSONDict:
        return {
            "id": label.id,
            "node_id": _node_id("Label", label.id),
            "url": f"{self._repo_api}/labels/{quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    def _rollup(self, url: str, reactions: Sequence[_Reaction]) -> JSONDict:
        counts = dict.fromkeys(REACTION_CONTENTS, 0)
        for reaction in reactions:
            counts[reaction.content] += 1
        return {"url": url, "total_count": len(reactions), **counts}

    def _issue_json(self, issue: _Issue, *, full: bool) -> JSONDict:
        api = f"{self._repo_api}/issues/{issue.number}"
        children = self._children(issue.number)
        completed = sum(1 for child in children if child.state == "closed")
        data: JSONDict = {
            "url": api,
            "repository_url": self._repo_api,
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self._repo_html}/{'pull' if issue.is_pr else 'issues'}/{issue.number}",
            "id": issue.id,
            "node_id": _node_id("PullRequest" if issue.is_pr else "Issue", issue.id),
            "number": issue.number,
            "title": issue.title,
            "user": self._user_json(issue.user),
            "labels": [self._label_json(self._labels[lid]) for lid in issue.labels],
            "state": issue.state,
            "locked": issue.locked,
            "assignee": self._user_json(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self._user_json(login) for login in issue.assignees],
            "milestone": None,
            "comments": len(issue.comment_ids),
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(issue.updated_at),
            "closed_at": _iso(issue.closed_at) if issue.closed_at else None,
            "author_association": self._association(issue.user),
            "active_lock_reason": issue.lock_reason if issue.locked else None,
        }
        if issue.is_pr:
            data["draft"] = False
            data["pull_request"] = {
                "url": f"{self._repo_api}/pulls/{issue.number}",
                "html_url": f"{self._repo_html}/pull/{issue.number}",
                "diff_url": f"{self._repo_html}/pull/{issue.number}.diff",
                "patch_url": f"{self._repo_html}/pull/{issue.number}.patch",
                "merged_at": None,
            }
        data["body"] = issue.body or None
        if full:
            data["closed_by"] = self._user_json(issue.closed_by) if issue.closed_by else None
        data["reactions"] = self._rollup(f"{api}/reactions", [])
        data["timeline_url"] = f"{api}/timeline"
        data["performed_via_github_app"] = None
        data["state_reason"] = issue.state_reason
        if has_sub_issues(self.ghes):
            data["sub_issues_summary"] = {
                "total": len(children),
                "completed": completed,
                "percent_completed": (completed * 100) // len(children) if children else 0,
            }
        return data

    def _comment_json(self, comment: _Comment) -> JSONDict:
        api = f"{self._repo_api}/issues/comments/{comment.id}"
        return {
            "url": api,
            "html_url": f"{self._repo_html}/issues/{comment.issue_number}#issuecomment-{comment.id}",
            "issue_url": f"{self._repo_api}/issues/{comment.issue_number}",
            "id": comment.id,
            "node_id": _node_id("IssueComment", comment.id),
            "user": self._user_json(comment.user),
            "created_at": _iso(comment.created_at),
            "updated_at": _iso(comment.updated_at),
            "author_association": self._association(comment.user),
            "body": comment.body,
            "reactions": self._rollup(f"{api}/reactions", self._reactions.get(comment.id, [])),
            "performed_via_github_app": None,
        }

    def _reaction_json(self, reaction: _Reaction) -> JSONDict:
        return {
            "id": reaction.id,
            "node_id": _node_id("Reaction", reaction.id),
            "user": self._user_json(reaction.user),
            "content": reaction.content,
            "created_at": _iso(reaction.created_at),
        }

    def _repo_urls(self) -> JSONDict:
        api = self._repo_api
        return {
            "html_url": self._repo_html,
            "description": None,
            "fork": False,
            "url": api,
            "forks_url": f"{api}/forks",
            "keys_url": f"{api}/keys{{/key_id}}",
            "collaborators_url": f"{api}/collaborators{{/collaborator}}",
            "teams_url": f"{api}/teams",
            "hooks_url": f"{api}/hooks",
            "issue_events_url": f"{api}/issues/events{{/number}}",
            "events_url": f"{api}/events",
            "assignees_url": f"{api}/assignees{{/user}}",
            "branches_url": f"{api}/branches{{/branch}}",
            "tags_url": f"{api}/tags",
            "blobs_url": f"{api}/git/blobs{{/sha}}",
            "git_tags_url": f"{api}/git/tags{{/sha}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}",
            "trees_url": f"{api}/git/trees{{/sha}}",
            "statuses_url": f"{api}/statuses/{{sha}}",
            "languages_url": f"{api}/languages",
            "stargazers_url": f"{api}/stargazers",
            "contributors_url": f"{api}/contributors",
            "subscribers_url": f"{api}/subscribers",
            "subscription_url": f"{api}/subscription",
            "commits_url": f"{api}/commits{{/sha}}",
            "git_commits_url": f"{api}/git/commits{{/sha}}",
            "comments_url": f"{api}/comments{{/number}}",
            "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "contents_url": f"{api}/contents/{{+path}}",
            "compare_url": f"{api}/compare/{{base}}...{{head}}",
            "merges_url": f"{api}/merges",
            "archive_url": f"{api}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{api}/downloads",
            "issues_url": f"{api}/issues{{/number}}",
            "pulls_url": f"{api}/pulls{{/number}}",
            "milestones_url": f"{api}/milestones{{/number}}",
            "notifications_url": f"{api}/notifications{{?since,all,participating}}",
            "labels_url": f"{api}/labels{{/name}}",
            "releases_url": f"{api}/releases{{/id}}",
            "deployments_url": f"{api}/deployments",
        }

    def _minimal_repo_json(self) -> JSONDict:
        return {
            "id": self.repo_id,
            "node_id": _node_id("Repository", self.repo_id),
            "name": self.name,
            "full_name": self.full_name,
            "private": False,
            "owner": self._user_json(self.owner),
            **self._repo_urls(),
        }

    def _repo_json(self) -> JSONDict:
        open_count = sum(1 for issue in self._issues.values() if issue.state == "open")
        created = _iso(self._created_at)
        return {
            **self._minimal_repo_json(),
            "created_at": created,
            "updated_at": created,
            "pushed_at": _iso(self._pushed_at),
            "git_url": f"git://github.com/{self.full_name}.git",
            "ssh_url": f"git@github.com:{self.full_name}.git",
            "clone_url": f"{self._repo_html}.git",
            "svn_url": self._repo_html,
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": None,
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": 0,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_count,
            "license": None,
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": ["incident-response"],
            "visibility": "public",
            "forks": 0,
            "open_issues": open_count,
            "watchers": 0,
            "default_branch": self.default_branch,
            "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
            "temp_clone_token": "",
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "allow_rebase_merge": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": False,
            "allow_update_branch": False,
            "use_squash_pr_title_as_default": False,
            "organization": self._user_json(self.owner),
            "network_count": 0,
            "subscribers_count": 0,
        }

    def _workflow_json(self, workflow: _Workflow) -> JSONDict:
        return {
            "id": workflow.id,
            "node_id": _node_id("Workflow", workflow.id),
            "name": workflow.name,
            "path": f".github/workflows/{workflow.file}",
            "state": workflow.state,
            "created_at": _iso(workflow.created_at),
            "updated_at": _iso(workflow.created_at),
            "url": f"{self._repo_api}/actions/workflows/{workflow.id}",
            "html_url": f"{self._repo_html}/blob/{self.default_branch}/.github/workflows/{workflow.file}",
            "badge_url": f"{self._repo_html}/workflows/{quote(workflow.name)}/badge.svg",
        }

    def _display_title(self, workflow: _Workflow, run: _Run) -> str:
        """GitHub's ``display_title`` of a dispatched run: the workflow's ``run-name`` with each
        ``${{ inputs.NAME }}`` filled in (empty when not given), else the workflow's name."""
        if workflow.run_name is None or run.event != "workflow_dispatch":
            return workflow.name
        return _INPUT_EXPRESSION.sub(lambda found: str(run.inputs.get(found.group(1), "")), workflow.run_name)

    def _run_json(self, run: _Run) -> JSONDict:
        workflow = self._workflows[run.workflow_id]
        status, conclusion, updated = self._run_phase(run)
        api = f"{self._repo_api}/actions/runs/{run.id}"
        suite_id = run.id + 1_000_000_000
        actor = self._user_json(run.actor)
        return {
            "id": run.id,
            "name": workflow.name,
            "node_id": _node_id("WorkflowRun", run.id),
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
            "path": f".github/workflows/{workflow.file}",
            "display_title": self._display_title(workflow, run),
            "run_number": run.run_number,
            "event": run.event,
            "status": status,
            "conclusion": conclusion,
            "workflow_id": workflow.id,
            "check_suite_id": suite_id,
            "check_suite_node_id": _node_id("CheckSuite", suite_id),
            "url": api,
            "html_url": f"{self._repo_html}/actions/runs/{run.id}",
            "pull_requests": [],
            "created_at": _iso(run.created_at),
            "updated_at": _iso(updated),
            "actor": actor,
            "run_attempt": 1,
            "referenced_workflows": [],
            "run_started_at": _iso(run.created_at),
            "triggering_actor": actor,
            "jobs_url": f"{api}/jobs",
            "logs_url": f"{api}/logs",
            "check_suite_url": f"{self._repo_api}/check-suites/{suite_id}",
            "artifacts_url": f"{api}/artifacts",
            "cancel_url": f"{api}/cancel",
            "rerun_url": f"{api}/rerun",
            "previous_attempt_url": None,
            "workflow_url": f"{self._repo_api}/actions/workflows/{workflow.id}",
            "head_commit": {
                "id": run.head_sha,
                "tree_id": _sha(run.head_sha, "tree"),
                "message": f"Emulated commit {run.head_sha[:7]}",
                "timestamp": _iso(run.created_at),
                "author": {"name": "Octo Cat", "email": "octocat@users.noreply.github.com"},
                "committer": {"name": "GitHub", "email": "noreply@github.com"},
            },
            "repository": self._minimal_repo_json(),
            "head_repository": self._minimal_repo_json(),
        }

    def _jobs_json(self, run: _Run) -> list[JSONDict]:
        """The run's jobs: the ones its driver recorded, else the one job a run of its own has."""
        if not run.jobs:
            return [self._job_json(run)]
        return [
            self._job_json(run, job_id=job.id, name=job.name, conclusion=job.conclusion, steps=job.steps)
            for job in run.jobs
        ]

    def _job_json(
        self,
        run: _Run,
        *,
        job_id: int | None = None,
        name: str | None = None,
        conclusion: str | None = None,
        steps: Sequence[tuple[str, str]] = (),
    ) -> JSONDict:
        workflow = self._workflows[run.workflow_id]
        status, run_conclusion, updated = self._run_phase(run)
        job_id = run.job_id if job_id is None else job_id
        if conclusion is None:
            conclusion = run_conclusion
        else:
            status = "completed"  # a recorded job has finished
        started = run.created_at + timedelta(seconds=run.queued_s) if run.scripted else run.created_at
        assigned = status in ("in_progress", "completed")
        completed_at = _iso(updated) if status == "completed" else None
        return {
            "id": job_id,
            "run_id": run.id,
            "workflow_name": workflow.name,
            "head_branch": run.head_branch,
            "run_url": f"{self._repo_api}/actions/runs/{run.id}",
            "run_attempt": 1,
            "node_id": _node_id("CheckRun", job_id),
            "head_sha": run.head_sha,
            "url": f"{self._repo_api}/actions/jobs/{job_id}",
            "html_url": f"{self._repo_html}/actions/runs/{run.id}/job/{job_id}",
            "status": status,
            "conclusion": conclusion,
            "created_at": _iso(run.created_at),
            "started_at": _iso(started if assigned else run.created_at),
            "completed_at": completed_at,
            "name": workflow.file.rsplit(".", 1)[0] if name is None else name,
            "steps": [
                {
                    "name": step_name,
                    "status": status if status in ("queued", "in_progress", "completed") else "queued",
                    "conclusion": step_conclusion,
                    "number": number,
                    "started_at": _iso(started) if assigned else None,
                    "completed_at": completed_at,
                }
                for number, (step_name, step_conclusion) in enumerate(
                    steps or [("Run workflow", conclusion)], start=1
                )
            ],
            "check_run_url": f"{self._repo_api}/check-runs/{job_id}",
            "labels": ["ubuntu-latest"],
            "runner_id": 1 if assigned else None,
            "runner_name": "GitHub Actions 1" if assigned else None,
            "runner_group_id": 0 if assigned else None,
            "runner_group_name": "GitHub Actions" if assigned else None,
        }

    def _ref_json(self, ref: str) -> JSONDict:
        sha = self._refs[ref]
        return {
            "ref": ref,
            "node_id": _node_id("Ref", int(_sha(ref)[:8], 16)),
            "url": f"{self._repo_api}/git/{ref}",
            "object": {"sha": sha, "type": "commit", "url": f"{self._repo_api}/git/commits/{sha}"},
        }

    def _commit_json(self, sha: str) -> JSONDict:
        moment = _iso(self._created_at)
        git_user = {"name": "Octo Cat", "email": "octocat@users.noreply.github.com", "date": moment}
        return {
            "sha": sha,
            "node_id": _node_id("Commit", int(sha[:8], 16)),
            "commit": {
                "author": git_user,
                "committer": {**git_user, "name": "GitHub", "email": "noreply@github.com"},
                "message": f"Emulated commit {sha[:7]}",
                "tree": {"sha": _sha(sha, "tree"), "url": f"{self._repo_api}/git/trees/{_sha(sha, 'tree')}"},
                "url": f"{self._repo_api}/git/commits/{sha}",
                "comment_count": 0,
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "url": f"{self._repo_api}/commits/{sha}",
            "html_url": f"{self._repo_html}/commit/{sha}",
            "comments_url": f"{self._repo_api}/commits/{sha}/comments",
            "author": self._user_json("octocat"),
            "committer": self._user_json("web-flow"),
            "parents": [],
            "stats": {"total": 0, "additions": 0, "deletions": 0},
            "files": [],
        }

    def _bucket_json(self, name: str) -> JSONDict:
        bucket = self._buckets[name]
        return {
            "limit": bucket.limit,
            "used": bucket.used,
            "remaining": max(0, bucket.limit - bucket.used),
            "reset": int(bucket.reset_at.timestamp()),
        }
