"""`ops-actions demo --fast` plays a whole incident offline and writes what a person would open."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.demo import STORIES
from ops_actions.sandbox.backend import SCENARIOS


def issue_file(output: Path, number: int) -> str:
    return (output / f"issue-{number}.md").read_text(encoding="utf-8")


@pytest.mark.seed(15, 37)
def test_demo_plays_the_whole_incident(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The incident, its timeline, its resolution and the postmortem with action items are all written."""
    output = tmp_path / "demo-output"
    assert run(["demo", "--fast", "--scenario", "worker-stalled", "--output", str(output)]) == 0
    transcript = capsys.readouterr().out
    assert "watch: opened #1" in transcript
    reports = output / "backend" / "reports"
    assert f"Wrote 4 issues as Markdown to {output}/ and the triage reports to {reports}/" in transcript
    incident = issue_file(output, 1)
    assert incident.startswith("# #1 [SEV-2] Queue growing or worker down")
    assert "- State: closed (completed)" in incident
    assert "- Labels: incident, sev-2, status:resolved" in incident
    assert "- Assignees: alice" in incident
    for entry in (
        "**Owner** @alice",
        "Current status: mitigating. Next update in 15 min.",
        "**Backend Deploy** dispatched by @alice",
        "**Backend Deploy** concluded: **success**",
        "**Post-deploy monitoring**",
        "**Metrics normal for 16 min**",
        "**Backend Live Smoke** concluded: **success**",
        "**Resolved** by @alice",
    ):
        assert entry in incident, entry
    assert "- [x] Metrics have been normal for at least 15 minutes." in incident
    assert "- [x] Backend Live Smoke passed." in incident
    postmortem = issue_file(output, 2)
    assert postmortem.startswith("# #2 Postmortem: [SEV-2] Queue growing or worker down (#1)")
    assert "- Labels: postmortem" in postmortem
    assert "- [ ] Alert on the worker heartbeat age — @alice — due 2026-12-04" in postmortem
    actions = sorted(issue_file(output, n).splitlines()[0] for n in (3, 4))
    assert actions == [
        "# #3 Action: Alert on the worker heartbeat age",
        "# #4 Action: Add a runbook for stalled queues",
    ]
    written = sorted(reports.glob("incident-triage-*.json"))
    assert len(written) == 6, "ticks at 09:00, 09:10, 09:20, 09:30, 09:36 and 09:42"
    assert json.loads(written[1].read_text(encoding="utf-8"))["severity"] == "SEV-2"
    assert f"The status page: open {output / 'site' / 'index.html'} in a browser." in transcript
    status = json.loads((output / "site" / "status.json").read_text(encoding="utf-8"))
    assert status["status"] == "operational"
    (shown,) = status["incidents"]
    assert (shown["title"], shown["status"]) == ("Degraded performance of jobs and worker", "resolved")
    assert [u["kind"] for u in shown["updates"]] == ["opened", "status", "resolved"]
    assert shown["postmortem_summary"].startswith("Jobs were delayed for about half an hour")
    page = (output / "site" / "incidents" / "1.html").read_text(encoding="utf-8")
    assert "We found the cause and are applying a fix." in page and "Redeploying the backend" not in page


# What only that scenario's story shows (the others redeploy, or fix outside GitHub).
OWN_STORY = {
    "db-down": ("/deploy: deploys are frozen by incident #1", "**Deploy freeze lifted**"),
    "job-regression": (
        "**Backend Rollback** dispatched by @alice",
        "**Hotfix branch** `hotfix/incident-1` created",
    ),
    "webhook-failing": ("Rotating STRIPE_WEBHOOK_SECRET", "**Backend Deploy** dispatched by @alice"),
    "unauthorized": ("updates the repository secret (nothing to deploy)",),
    "hostile": ("**Backend Rollback** dispatched by @alice",),
}


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "healthy"])
def test_every_failure_scenario_tells_its_own_story_to_a_resolved_incident_and_a_postmortem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    """Whatever the failure (flaky opens by hand), the story completes: resolved incident, postmortem;
    the fix is the one that failure calls for, and so are the postmortem's action items."""
    output = tmp_path / scenario
    assert run(["demo", "--fast", "--scenario", scenario, "--output", str(output)]) == 0
    transcript = capsys.readouterr().out
    incident = issue_file(output, 1)
    assert re.match(r"# #1 \[SEV-\d\] ", incident)
    assert "- State: closed (completed)" in incident
    assert issue_file(output, 2).startswith("# #2 Postmortem:")
    for shown in OWN_STORY.get(scenario, ()):
        assert shown in transcript + incident, shown
    if scenario in {"db-down", "unauthorized"}:
        assert "**Backend Deploy** dispatched" not in incident
    story = STORIES[scenario]
    titles = sorted(issue_file(output, n).splitlines()[0] for n in (3, 4))
    assert titles == sorted(
        f"# #{n} Action: {a.split(' — ')[0]}" for n, a in zip((3, 4), story.actions, strict=True)
    )


def test_each_story_has_its_own_action_items_and_summary() -> None:
    assert set(STORIES) == set(SCENARIOS) - {"healthy"}
    actions = [action for story in STORIES.values() for action in story.actions]
    assert len(set(actions)) == len(actions)
    assert len({story.summary for story in STORIES.values()}) == len(STORIES)


def test_demo_of_two_services_opens_one_incident_for_the_failing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--services: the watch runs once per service and tick on a backend of its own; the worker's
    database goes down; exactly one incident, labelled service:worker and named after it; the healthy
    API's watch opens nothing; each service's reports go to its own folder."""
    monkeypatch.chdir(tmp_path)  # the bundled playbook, whatever the folder the tests run in holds
    output = tmp_path / "demo-output"
    assert run(["demo", "--fast", "--services", "--output", str(output)]) == 0
    transcript = capsys.readouterr().out
    assert transcript.count("| [09:") == 2 * 3, "three ticks, each watching both services"
    assert "  worker  |   watch: opened #1" in transcript
    assert "  api     |   watch: opened" not in transcript
    assert "  api (Billing API): no open incident" in transcript
    assert "  worker (Job worker): #1 [SEV-1] Job worker: Database down" in transcript
    (issue,) = sorted(output.glob("issue-*.md"))
    text = issue.read_text(encoding="utf-8")
    assert text.startswith("# #1 [SEV-1] Job worker: Database down")
    labels = text.split("- Labels: ", 1)[1].splitlines()[0].split(", ")
    assert "service:worker" in labels and "service:api" not in labels
    reports = output / "backend" / "reports"
    assert {path.name for path in reports.iterdir()} == {"api", "worker"}
    worker = [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted((reports / "worker").glob("*.json"))
    ]
    api = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((reports / "api").glob("*.json"))]
    assert [report["severity"] for report in worker] == [None, "SEV-1", "SEV-1"]
    assert [report["severity"] for report in api] == [None, None, None]


def test_demo_of_two_services_refuses_a_playbook_that_has_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo adds its services to the playbook it reads: one that already has them is a one-line
    refusal (exit 2), nothing played."""
    monkeypatch.chdir(tmp_path)
    assert run(["init", ".", "--service", "worker", "--action-ref", "o/r@" + "0" * 40]) == 0
    capsys.readouterr()
    assert run(["demo", "--fast", "--services", "--output", str(tmp_path / "out")]) == 2
    assert "the playbook already has service 'worker'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
