"""Playing a scenario: the demo's stage (the sandbox backend and the GitHub emulator on 127.0.0.1,
one simulated clock), and the workflows' own entry points run on it minute by minute.

Each scheduled tick is ``ops-actions watch``; a person's comment or checkbox tick is an event on the
emulator, and the event GitHub would start the commands workflow for (``issue_comment`` created,
``issues`` edited, by a person, on an incident) is handed to ``ops-actions command`` as its
GITHUB_EVENT_PATH, as the workflow does. Every run is the CLI's own ``run`` in a fresh run scope with
an environment of the rehearsal's alone (the emulator's URL and token, the backend's, OPS_ACTIONS_NOW
on the simulated clock, the playbook's notification targets pointed at the sandbox's recording
webhooks), inside a temporary folder that is the only place written: nothing of the caller's
environment (tokens, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT) reaches those runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import itertools
import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from ops_actions.demo import DEMO_GITHUB_TOKEN, DEMO_TOKEN, REPO, START, emulated_github, script_workflow
from ops_actions.incident.state_block import read_state
from ops_actions.playbook.model import Playbook
from ops_actions.rehearsal.scenario import Scenario, Step, signal_field
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator

# What the runs print that says nothing of the incident: the playbook line, the budget line, the probes.
_QUIET_PREFIXES: Final = ("playbook: ", "GitHub requests: ", "probe ")
# The events GitHub starts the commands workflow for (incident-commands.yml, incident-checklist.yml).
_COMMAND_EVENTS: Final = {("issue_comment", "created"), ("issues", "edited")}
# The environment a run keeps of the caller's: what finding Python and its files needs, nothing else.
_KEPT_ENVIRONMENT: Final = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL")


@dataclass(frozen=True)
class IncidentView:
    """An incident as the rehearsal saw it at the end of a minute."""

    number: int
    severity: str
    open: bool
    branches: tuple[str, ...]
    postmortem: int | None


@dataclass
class Played:
    """What happened: the timeline, and what the expectations are checked against."""

    timeline: list[tuple[int, str]] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    """Every line the tool's runs printed."""
    incidents: dict[int, list[IncidentView]] = field(default_factory=dict)
    """By minute played: every incident, in the order they opened."""
    resolutions: dict[int, list[str]] = field(default_factory=dict)
    """By incident number: what each /resolve on it met (refused, accepted)."""
    dispatches: Counter[str] = field(default_factory=Counter)
    """By workflow role (deploy, rollback, smoke): the runs dispatched."""
    notifications: Counter[str] = field(default_factory=Counter)
    """By notification target id: the updates its webhook received."""

    def at(self, minute: int | None) -> list[IncidentView]:
        """The incidents at the end of ``minute`` (the last minute played before it); None: the end."""
        played = [m for m in self.incidents if minute is None or m <= minute]
        return self.incidents[max(played)] if played else []


def play(scenario: Scenario, playbook: Playbook, *, playbook_file: Path, workdir: Path) -> Played:
    """Play ``scenario`` with the playbook in ``playbook_file`` (``playbook`` is what it loads as)."""
    view = playbook.for_service(scenario.service)
    played = Played()
    with (
        emulated_github(playbook) as (emulator, _),
        SandboxBackend(admin_token=DEMO_TOKEN, clock=emulator.now) as backend,
        contextlib.chdir(workdir),  # relative paths a run writes land there
    ):
        for login, role in scenario.people.items():
            emulator.set_permission(login, role)
        stage = _Stage(scenario, view, playbook_file, workdir, emulator, backend, played)
        stage.play()
        roles = {workflow.file: role for role, workflow in view.workflows.items()}
        sent = [str(dispatch["workflow"]) for dispatch in emulator.workflow_dispatches()]
        played.dispatches.update(roles.get(file, file) for file in sent)
        played.notifications.update(name for name, _ in backend.hooks)
    return played


class _Stage:
    """The minute-by-minute player over one emulator and one backend."""

    def __init__(
        self,
        scenario: Scenario,
        playbook: Playbook,
        playbook_file: Path,
        workdir: Path,
        emulator: GitHubEmulator,
        backend: SandboxBackend,
        played: Played,
    ) -> None:
        self.scenario = scenario
        self.playbook = playbook
        self.playbook_file = playbook_file
        self.workdir = workdir
        self.emulator = emulator
        self.backend = backend
        self.played = played
        self.minute = 0
        self.runs = itertools.count(1)
        self.deliveries = itertools.count(1)
        self.events_seen = len(emulator.events())

    def play(self) -> None:
        every = self.scenario.watch_every or self.playbook.watch_interval_minutes
        ticks = set(range(0, self.scenario.minutes + 1, every))
        steps = self.scenario.played()
        for minute in sorted(ticks | {step.at for step in steps if step.at <= self.scenario.minutes}):
            self.minute = minute
            self.emulator.advance(
                max((START + timedelta(minutes=minute) - self.emulator.now()).total_seconds(), 0)
            )
            for step in (step for step in steps if step.at == minute):
                self.apply(step)
            if minute in ticks:
                self.cli(
                    "watch",
                    *self.service_args(),
                    "--history-file",
                    "watch-history.json",
                    "--report-dir",
                    "reports",
                )
            self.played.incidents[minute] = self.incidents()

    def note(self, text: str) -> None:
        self.played.timeline.append((self.minute, text))

    def service_args(self) -> tuple[str, ...]:
        return ("--service", self.scenario.service) if self.scenario.service else ()

    # -- the steps ----------------------------------------------------------------------------

    def apply(self, step: Step) -> None:
        if step.kind == "backend":
            self.backend.clear_fields()
            self.backend.set_scenario(step.value)
            self.note(f"backend: plays {step.value}")
        elif step.kind == "signals":
            self.set_signals(step.value)
        elif step.kind == "fault":
            fault = step.value
            self.backend.add_fault(
                fault["path"], fault["kind"], times=fault.get("times", 1), value=fault.get("value")
            )
            self.note(f"backend: {fault['kind']} fault on {fault['path']} x{fault.get('times', 1)}")
        elif step.kind == "workflow":
            assert step.outcome is not None  # the schema wants one with every workflow step
            script_workflow(self.emulator, self.playbook, step.value, step.outcome)
            self.note(
                f"GitHub: {self.playbook.workflows[step.value].name} runs end in {step.outcome} from now on"
            )
        else:
            self.person(step)

    def set_signals(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            found = signal_field(self.playbook, name)
            assert found is not None  # read_scenario checked every signal against the playbook
            path, dotted, kind = found
            answered = value
            if kind == "age_seconds" and isinstance(value, int | float):
                # The backend answers a time; the signal is its age, which grows from here on.
                answered = (self.emulator.now() - timedelta(seconds=value)).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.backend.set_fields(path, {dotted: answered})
        shown = ", ".join(f"{name}={json.dumps(value)}" for name, value in values.items())
        self.note(f"backend: answers {shown}")

    def person(self, step: Step) -> None:
        assert step.by is not None  # the schema wants one with every comment and tick
        number = self.incident_number(step.incident)
        if number is None:
            self.note(f"@{step.by} finds no incident to act on")
            return
        if step.kind == "comment":
            self.note(f"@{step.by} comments on #{number}: " + " | ".join(step.value.splitlines()))
            self.emulator.add_comment(number, body=step.value, user=step.by)
        else:
            self.tick(number, step.value, step.by)
        self.run_workflows()
        if step.kind == "comment" and any(
            line.strip().startswith("/resolve") for line in step.value.splitlines()
        ):
            closed = self.emulator.issue(number)["state"] == "closed"
            self.played.resolutions.setdefault(number, []).append("accepted" if closed else "refused")

    def tick(self, number: int, item_id: str, login: str) -> None:
        item = next(item for item in self.playbook.resolution_checklist if item.id == item_id)
        before = self.emulator.issue(number)["body"] or ""
        after = before.replace(f"- [ ] {item.text}", f"- [x] {item.text}", 1)
        if after == before:
            self.note(f"@{login} finds no unticked box {item_id!r} on #{number}")
            return
        self.note(f"@{login} ticks {item_id!r} on #{number}")
        token = self.emulator.user_token(login)
        self.emulator.handle(
            "PATCH",
            f"/repos/{REPO}/issues/{number}",
            {"authorization": f"token {token}", "content-type": "application/json"},
            json.dumps({"body": after}).encode("utf-8"),
        )

    def run_workflows(self) -> None:
        """Run ``ops-actions command`` for each event of a person's since the last look that starts
        the commands workflow (GitHub starts none for the tool's own writes)."""
        events = self.emulator.events(since=self.events_seen)
        self.events_seen += len(events)
        labels = set(self.playbook.incident_labels)
        for event in events:
            payload = event["payload"]
            issue_labels = {label["name"] for label in payload.get("issue", {}).get("labels", [])}
            if (event["event"], event["action"]) not in _COMMAND_EVENTS or event["github_token"]:
                continue
            if labels <= issue_labels:
                path = self.workdir / f"event-{next(self.deliveries)}.json"
                path.write_text(json.dumps(payload), encoding="utf-8")
                self.cli("command", event=path)

    # -- running the tool ---------------------------------------------------------------------

    def cli(self, *args: str, event: Path | None = None) -> None:
        """One workflow run of ``ops-actions ARGS`` now; its lines go on the timeline."""
        from ops_actions.cli.group import run

        environ = self.environment(event)
        printed = io.StringIO()
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(environ)
        try:
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                # A fresh context: the run gets its own run scope (output, HTTP client), as a job would.
                code = contextvars.Context().run(run, list(args))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        lines = [line.rstrip() for line in printed.getvalue().splitlines() if line.strip()]
        self.played.output += lines
        for line in lines:
            if not line.startswith(_QUIET_PREFIXES):
                self.note(f"{args[0]}: {line.strip()}")
        if code:
            self.note(f"{args[0]}: exit {code}")

    def environment(self, event: Path | None) -> dict[str, str]:
        """A workflow run's environment, of the rehearsal's stage alone."""
        backend = {self.playbook.url_env: self.backend.url, self.playbook.admin_token_env: DEMO_TOKEN}
        hooks = {
            target.url_env: f"{self.backend.url}/_sandbox/hook/{target.id}" for target in self.playbook.notify
        }
        environ = {name: os.environ[name] for name in _KEPT_ENVIRONMENT if name in os.environ}
        environ.update(
            {
                "GITHUB_API_URL": self.emulator.url,
                "GITHUB_REPOSITORY": REPO,
                "GITHUB_TOKEN": DEMO_GITHUB_TOKEN,
                "GITHUB_RUN_ID": str(7000 + next(self.runs)),
                "OPS_BACKEND_URL": self.backend.url,
                "OPS_BACKEND_ADMIN_TOKEN": DEMO_TOKEN,
                "OPS_ACTIONS_NOW": self.emulator.now().isoformat(),
                "OPS_ACTIONS_CACHE_DIR": str(self.workdir / "cache"),
                "OPS_PLAYBOOK": str(self.playbook_file),
                # The emulator has no secondary rate limits: no pause between writes.
                "OPS_GITHUB_WRITE_INTERVAL_S": "0",
                "HOME": str(self.workdir),
                **backend,
                **hooks,
            }
        )
        if event is not None:
            environ["GITHUB_EVENT_PATH"] = str(event)
        return environ

    # -- what GitHub shows --------------------------------------------------------------------

    def incident_issues(self) -> list[dict[str, Any]]:
        labels = set(self.playbook.incident_labels)
        return [
            issue
            for issue in self.emulator.issues(state="all")
            if labels <= {label["name"] for label in issue["labels"]}
        ]

    def incident_number(self, which: int | None) -> int | None:
        """The ``which``-th incident opened (1-based), or the newest."""
        numbers = [int(issue["number"]) for issue in self.incident_issues()]
        if which is None:
            return numbers[-1] if numbers else None
        return numbers[which - 1] if len(numbers) >= which else None

    def incidents(self) -> list[IncidentView]:
        views = []
        for issue in self.incident_issues():
            state = read_state(issue["body"] or "")
            severity = state.severity if state else ""
            views.append(
                IncidentView(
                    number=int(issue["number"]),
                    severity=severity,
                    open=issue["state"] == "open",
                    branches=tuple(state.branches) if state else (),
                    postmortem=state.postmortem if state else None,
                )
            )
        return views
