"""GitHub in a box: the GitHub emulator and this repository's workflows, started by events as on GitHub.

Every write the emulator answers records the events GitHub would deliver (``issues`` opened, closed,
labeled, edited; ``issue_comment`` created; ``workflow_dispatch``; ``repository_dispatch``), and
:meth:`GitHubInABox.tick` adds the ``schedule`` events of the workflows' crons as the clock moves
on. :meth:`settle` then does what GitHub does with each event, oldest first, until none is left:

- it picks the workflows whose ``on:`` names the event (and its ``types:``; a dispatch starts only
  the workflow it names);
- it applies GitHub's rule for GITHUB_TOKEN: an event made with it starts no workflow, except
  ``workflow_dispatch`` and ``repository_dispatch`` ("Triggering a workflow from a workflow");
- it runs each job of a picked workflow under act (``tests/support/act_harness.py``), which evaluates the
  job's ``if:``, against the emulator, with a GITHUB_TOKEN minted with exactly that job's
  ``permissions:``, and records the run on the emulator (queued, in progress, then the conclusion:
  a run whose jobs were all skipped by their ``if:`` ends ``skipped``). A job runs after the jobs
  it ``needs`` and only when they succeeded; act would run those again with the job's token, so it
  gets a copy of the workflow without the ``needs``;
- a job whose ``strategy.matrix`` comes from a needed job's output
  (``${{ fromJSON(needs.<job>.outputs.<name>) }}``) runs once per entry, each under act with that
  entry alone as its matrix, and with the secrets and variables of its ``environment:`` (given to the
  box by name; an environment's override the repository's, as on GitHub); ``fail-fast`` is not
  needed here, since entries run one after the other and each one runs whatever the others did;
- a job with ``if: always()`` runs whatever the jobs it needs concluded;
- every job run is recorded on the emulator with its name (``${{ matrix.* }}`` filled in), its
  conclusion and its steps' (those act did not report ran as ``skipped``), so the run's jobs listing
  shows what GitHub's would;
- a job that calls a reusable workflow (``uses: ./.github/workflows/...``) is not run by act: its
  ``if:`` (only the form ``needs.<job>.outputs.<name> == '<value>'``) is read here against the
  outputs the needed job's act run printed, and the called workflow's jobs run in the same run, for
  the caller's event, each with its own ``permissions:``, which may not exceed what the calling job
  granted (GitHub fails such a run before it starts: "The nested job ... is requesting ...").

What each job did is kept as a :class:`JobRun`: the act output, the requests it made and the ones
GitHub refused (403). The clock is the emulator's; each job moves it on by ``job_seconds``. Jobs
run one at a time, so ``concurrency:`` groups never queue or supersede a run here (GitHub too
starts a group's run at once while no other one in it is running).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from ops_actions.incident.clock import iso
from ops_actions.sandbox.github import GitHubEmulator, RecordedRequest
from tests.support.act_harness import ActRun, run_act
from tests.support.paths import REPO_ROOT

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
ALWAYS_START = frozenset({"workflow_dispatch", "repository_dispatch"})
"""The only events GitHub lets a GITHUB_TOKEN's writes start workflows with."""
_RAN = re.compile(r"🏁\s+Job (succeeded|failed)")
_SET_OUTPUT = re.compile(r"::set-output:: ([\w-]+)=(.*)$", re.MULTILINE)
_STEP_OUTPUT = re.compile(r"^\$\{\{\s*steps\.[\w-]+\.outputs\.([\w-]+)\s*\}\}$")
_NEEDS_OUTPUT_IS = re.compile(r"^needs\.([\w-]+)\.outputs\.([\w-]+) == '([^']*)'$")
_LEVELS = {"none": 0, "read": 1, "write": 2}
_MATRIX_FROM_NEEDS = re.compile(r"^\$\{\{\s*fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)\s*\}\}$")
_MATRIX_VALUE = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\.([\w-]+)\s*\}\}")
_STEP_DONE = re.compile(r"(✅|❌)\s+(?:Success|Failure) - Main (.+?)(?: \[[^\]]*\])?$", re.MULTILINE)


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    permissions: Mapping[str, str]
    needs: tuple[str, ...] = ()
    uses: str | None = None
    """The reusable workflow this job calls, if it is a call."""
    condition: str | None = None
    outputs: Mapping[str, str] = field(default_factory=dict)
    matrix: Mapping[str, Any] = field(default_factory=dict)
    """``strategy.matrix`` as written."""
    environment: str | None = None
    """The ``environment:`` name as written (an expression, for a matrix job)."""
    steps: tuple[str, ...] = ()
    """The steps' names (a step without one: its ``uses`` or ``run``, as GitHub shows it)."""

    def matrix_source(self) -> tuple[str, str, str] | None:
        """(matrix key, needed job, its output) of a matrix made from a needed job's output."""
        for key, value in self.matrix.items():
            found = _MATRIX_FROM_NEEDS.match(str(value).strip())
            if found:
                return key, found[1], found[2]
        return None


def with_matrix(text: str, matrix: Mapping[str, Any]) -> str:
    """``text`` with each ``${{ matrix.<key>.<field> }}`` replaced by the entry's value."""
    return _MATRIX_VALUE.sub(lambda m: str(matrix.get(m[1], {}).get(m[2], "")), text)


def _environment_name(job: Mapping[str, Any]) -> str | None:
    environment = job.get("environment")
    if isinstance(environment, Mapping):
        environment = environment.get("name")
    return None if environment is None else str(environment)


def _step_names(job: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        str(step.get("name") or step.get("uses") or step.get("run", "")).strip()
        for step in job.get("steps") or ()
    )


@dataclass(frozen=True)
class Workflow:
    """One workflow file: its triggers, dispatch inputs and jobs."""

    file: str
    name: str
    on: Mapping[str, Any]
    jobs: tuple[Job, ...]
    source: Mapping[str, Any]

    @classmethod
    def load(cls, path: Path) -> Workflow:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as True
        if isinstance(on, str):
            on = {on: None}
        elif isinstance(on, list):
            on = dict.fromkeys(on)
        default = data.get("permissions") or {}
        jobs = tuple(
            Job(
                job_id,
                job.get("name", job_id),
                dict(job.get("permissions", default) or {}),
                tuple([job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", ())),
                job.get("uses"),
                job.get("if"),
                dict(job.get("outputs") or {}),
                dict((job.get("strategy") or {}).get("matrix") or {}),
                _environment_name(job),
                _step_names(job),
            )
            for job_id, job in data["jobs"].items()
        )
        return cls(path.name, data.get("name", path.name), on, jobs, data)

    def alone(
        self, job: Job, folder: Path, *, event: str | None = None, entry: Mapping[str, Any] | None = None
    ) -> Path:
        """A copy of this workflow holding only ``job``, without its ``needs`` (written into ``folder``);
        with ``event``, started by that event (a called workflow runs for its caller's event); with
        ``entry``, a matrix of that one entry."""
        data = {key: value for key, value in self.source.items() if key != "jobs"}
        data["on"] = data.pop(True, data.get("on"))
        if event is not None:
            data["on"] = {event: None}
        source = {k: v for k, v in self.source["jobs"][job.id].items() if k != "needs"}
        suffix = ""
        if entry is not None:
            source["strategy"] = {**source["strategy"], "matrix": {k: [v] for k, v in entry.items()}}
            suffix = "-" + "-".join(
                str(v.get("id", "")) if isinstance(v, Mapping) else str(v) for v in entry.values()
            )
        data["jobs"] = {job.id: source}
        path = folder / f"{self.file.removesuffix('.yml')}-{job.id}{suffix}.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    @property
    def dispatch_inputs(self) -> dict[str, Any]:
        config = self.on.get("workflow_dispatch") or {}
        return dict(config.get("inputs") or {})

    def crons(self) -> list[str]:
        return [entry["cron"] for entry in self.on.get("schedule") or []]

    def started_by(self, event: Mapping[str, Any]) -> bool:
        """Whether GitHub starts this workflow for the recorded event."""
        name = event["event"]
        if name not in self.on:
            return False
        if event["github_token"] and name not in ALWAYS_START:
            return False
        if name == "workflow_dispatch":
            return bool(event.get("workflow") == self.file)
        types = (self.on[name] or {}).get("types")
        return types is None or event["action"] in types


@dataclass(frozen=True)
class JobRun:
    """One job of one workflow run, as act ran it."""

    workflow: str
    job: str
    event: str
    action: str | None
    run_id: int
    conclusion: str
    """success, failure, or skipped (its ``if:`` was false)."""
    requests: tuple[RecordedRequest, ...]
    act: ActRun
    outputs: Mapping[str, str] = field(default_factory=dict)
    """The job's ``outputs:`` as act printed them (``steps.<id>.outputs.<name>``: the last value set)."""
    name: str = ""
    """The job's name as GitHub shows it (a matrix job's with its entry's values)."""

    @property
    def refused(self) -> list[RecordedRequest]:
        """The requests GitHub answered 403 (a missing permission, a locked issue, a rate limit)."""
        return [request for request in self.requests if request.status == 403]


def cron_matches(expression: str, moment: datetime) -> bool:
    """Whether a five-field cron expression (``*``, ``*/n``, ``a-b``, ``a,b``, numbers) fires then."""
    values = (moment.minute, moment.hour, moment.day, moment.month, moment.isoweekday() % 7)
    return all(_field_matches(field, value) for field, value in zip(expression.split(), values, strict=True))


def _field_matches(field: str, value: int) -> bool:
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            low, high = 0, 59
        elif "-" in span:
            low, high = (int(bound) for bound in span.split("-", 1))
        else:
            low = high = int(span)
        if low <= value <= high and (value - low) % step == 0:
            return True
    return False


class GitHubInABox:
    """The emulator with the workflows of ``workflows_dir`` (the workspace's, as act runs them: see
    ``tests/act_harness.py``) registered and run on events."""

    def __init__(
        self,
        emulator: GitHubEmulator,
        workspace: Path,
        scratch: Path,
        *,
        secrets: Mapping[str, str],
        variables: Mapping[str, str],
        environments: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
        workflows_dir: Path | None = None,
        job_seconds: float = 30.0,
    ) -> None:
        self.emulator = emulator
        self.workspace = workspace
        self.scratch = scratch
        self.secrets = dict(secrets)
        self.variables = dict(variables)
        self.environments = {name: dict(kinds) for name, kinds in (environments or {}).items()}
        """Each GitHub environment's ``secrets`` and ``variables``, by environment name."""
        self.job_seconds = job_seconds
        folder = workflows_dir or workspace / ".github" / "workflows"
        self.workflows = [Workflow.load(path) for path in sorted(folder.glob("*.yml"))]
        self.runs: list[JobRun] = []
        self._cursor = len(emulator.events())
        self._pending: list[dict[str, Any]] = []
        for workflow in self.workflows:
            inputs = workflow.dispatch_inputs
            emulator.add_workflow(
                workflow.file,
                workflow.name,
                inputs=list(inputs),
                required_inputs=[
                    name for name, spec in inputs.items() if spec.get("required") and "default" not in spec
                ],
                dispatchable="workflow_dispatch" in workflow.on,
                scheduled=bool(workflow.crons()),
                driven=True,
                run_name=workflow.source.get("run-name"),
            )

    # -- what starts runs ---------------------------------------------------------------------

    def tick(self, workflow: str) -> list[JobRun]:
        """Move the clock on minute by minute until ``workflow``'s cron fires, firing every schedule
        due on the way (as GitHub would: not a disabled workflow's), and settle each."""
        done: list[JobRun] = []
        moment = self.emulator.now().replace(second=0, microsecond=0)
        for _ in range(7 * 24 * 60):
            moment += timedelta(minutes=1)
            due = [(w, c) for w in self.workflows for c in w.crons() if cron_matches(c, moment)]
            if not due:
                continue
            self.emulator.advance(max(0.0, (moment - self.emulator.now()).total_seconds()))
            # A disabled workflow's schedule starts nothing (GitHub's 60-day rule, or a person).
            states = self.emulator.workflow_states()
            due = [(w, c) for w, c in due if states.get(w.file) == "active"]
            for scheduled, cron in due:
                self._pending.append(
                    {
                        "event": "schedule",
                        "action": None,
                        "payload": {"schedule": cron},
                        "github_token": False,
                        "sender": self.emulator.owner,
                        "workflow": scheduled.file,
                    }
                )
            done.extend(self.settle())
            if any(scheduled.file == workflow for scheduled, _ in due):
                return done
            moment = max(moment, self.emulator.now().replace(second=0, microsecond=0))
        raise AssertionError(f"{workflow} did not run in 7 days: it has no schedule, or it is disabled")

    def settle(self) -> list[JobRun]:
        """Run every workflow the recorded events start, and what those runs' events start in turn."""
        done: list[JobRun] = []
        while True:
            fresh = self.emulator.events(since=self._cursor)
            self._cursor += len(fresh)
            self._pending.extend(fresh)
            if not self._pending:
                return done
            event = self._pending.pop(0)
            for workflow in self.workflows:
                if event["event"] == "schedule":
                    started = event["workflow"] == workflow.file
                else:
                    started = workflow.started_by(event)
                if started:
                    done.extend(self._run(workflow, event))

    # -- running ------------------------------------------------------------------------------

    def _run(self, workflow: Workflow, event: Mapping[str, Any]) -> list[JobRun]:
        run_id = event.get("run_id") or self.emulator.begin_run(workflow.file, event=event["event"])
        self.emulator.start_run(run_id)
        jobs = self._jobs(workflow, event, run_id, ceiling=None)
        self.emulator.finish_run(run_id, _overall({job.conclusion for job in jobs}))
        self.runs.extend(jobs)
        return jobs

    def _jobs(
        self,
        workflow: Workflow,
        event: Mapping[str, Any],
        run_id: int,
        *,
        ceiling: Mapping[str, str] | None,
    ) -> list[JobRun]:
        """Each job of ``workflow`` in order, after its needs; ``ceiling``: what a caller granted."""
        jobs: list[JobRun] = []
        for job in workflow.jobs:  # GitHub requires the needs to be listed first (no cycles)
            needed = {done.job: done for done in jobs if done.job in job.needs}
            # A matrix job's result is its entries': any failure fails it.
            results = {
                job_id: _overall({done.conclusion for done in jobs if done.job == job_id})
                for job_id in needed
            }
            always = (job.condition or "").strip() == "always()"
            if not always and not all(result == "success" for result in results.values()):
                jobs.append(
                    self._skipped(workflow, job, event, run_id, f"a job {job.id} needs did not succeed")
                )
            elif job.uses is None and job.matrix_source() is not None:
                key, source, output = job.matrix_source() or ("", "", "")
                for value in json.loads(needed[source].outputs.get(output) or "[]"):
                    entry = {key: value}
                    jobs.append(self._job(workflow, job, event, run_id, ceiling=ceiling, entry=entry))
            elif job.uses is None:
                jobs.append(self._job(workflow, job, event, run_id, ceiling=ceiling))
            elif not _needs_condition_holds(job, needed):
                jobs.append(self._skipped(workflow, job, event, run_id, f"{job.id}: if: {job.condition}"))
            else:
                called = Workflow.load(self.workspace / job.uses.split("#")[0].strip().removeprefix("./"))
                inner = self._jobs(called, event, run_id, ceiling=job.permissions)
                jobs.extend(inner)
                # The calling job's own result is its called jobs': any failure fails it.
                conclusion = _overall({done.conclusion for done in inner})
                jobs.append(
                    _result(workflow, job, event, run_id, conclusion, ActRun(0, f"called {called.file}"))
                )
        return jobs

    @staticmethod
    def _skipped(workflow: Workflow, job: Job, event: Mapping[str, Any], run_id: int, why: str) -> JobRun:
        return _result(workflow, job, event, run_id, "skipped", ActRun(0, f"skipped: {why}"))

    def _job(
        self,
        workflow: Workflow,
        job: Job,
        event: Mapping[str, Any],
        run_id: int,
        *,
        ceiling: Mapping[str, str] | None = None,
        entry: Mapping[str, Any] | None = None,
    ) -> JobRun:
        if ceiling is not None:
            _within(job, ceiling)
        token = self.emulator.mint_job_token(job.permissions)
        first = len(self.emulator.requests)
        environment = self.environments.get(with_matrix(job.environment or "", entry or {}), {})
        done = run_act(
            self.workspace,
            self.scratch,
            event=event["event"],
            workflow=(
                workflow.alone(
                    job, self.scratch, event=event["event"] if ceiling is not None else None, entry=entry
                )
                if job.needs or ceiling is not None or entry is not None
                else workflow.file
            ),
            job=job.id,
            payload=event["payload"],
            env={
                "GITHUB_API_URL": self.emulator.url,
                "GITHUB_REPOSITORY": self.emulator.full_name,
                "GITHUB_RUN_ID": str(run_id),
                "OPS_ACTIONS_NOW": iso(self.emulator.now()),
                "ACT_STUB_CACHE_DIR": str(self.scratch / "cache"),
                "ACT_STUB_ARTIFACT_DIR": str(self.scratch / "artifacts"),
            },
            secrets={**self.secrets, **environment.get("secrets", {}), "GITHUB_TOKEN": token},
            variables={**self.variables, **environment.get("variables", {})},
            actor=event["sender"],
        )
        requests = tuple(self.emulator.requests[first:])
        self.emulator.advance(self.job_seconds)
        ran = _RAN.search(done.output)
        conclusion = "skipped" if ran is None else "success" if ran[1] == "succeeded" else "failure"
        printed = dict(_SET_OUTPUT.findall(done.output))
        outputs = {}
        for name, expression in job.outputs.items():
            step_output = _STEP_OUTPUT.match(expression.strip())
            assert step_output, f"{workflow.file}: job {job.id} output {name}: only steps.<id>.outputs.<name>"
            outputs[name] = printed.get(step_output[1], "")
        name = with_matrix(job.name, entry or {}).strip()
        if conclusion != "skipped":
            ran_steps = {
                step: "success" if mark == "✅" else "failure"
                for mark, step in _STEP_DONE.findall(done.output)
            }
            steps = [(step, ran_steps.get(step, "skipped")) for step in job.steps]
            self.emulator.record_job(run_id, name, conclusion, steps)
        return _result(workflow, job, event, run_id, conclusion, done, requests, outputs, name)


def _result(
    workflow: Workflow,
    job: Job,
    event: Mapping[str, Any],
    run_id: int,
    conclusion: str,
    act: ActRun,
    requests: tuple[RecordedRequest, ...] = (),
    outputs: Mapping[str, str] | None = None,
    name: str | None = None,
) -> JobRun:
    return JobRun(
        workflow.file,
        job.id,
        event["event"],
        event["action"],
        run_id,
        conclusion,
        requests,
        act,
        outputs or {},
        job.name if name is None else name,
    )


def _overall(conclusions: set[str]) -> str:
    """A run's (or a calling job's) conclusion from its jobs': a failure fails it; all skipped skips it."""
    return "failure" if "failure" in conclusions else "success" if "success" in conclusions else "skipped"


def _needs_condition_holds(job: Job, needed: Mapping[str, JobRun]) -> bool:
    """A called workflow's ``if:``, read as GitHub would; only ``needs.<job>.outputs.<name> == '<v>'``."""
    if job.condition is None:
        return True
    match = _NEEDS_OUTPUT_IS.match(" ".join(job.condition.split()))
    assert match, f"job {job.id}: the box reads only needs.<job>.outputs.<name> == '<value>' conditions"
    return needed[match[1]].outputs.get(match[2], "") == match[3]


def _within(job: Job, ceiling: Mapping[str, str]) -> None:
    """GitHub refuses to start a run whose called job asks for more than its caller granted."""
    for scope, level in job.permissions.items():
        granted = ceiling.get(scope, "none")
        assert _LEVELS[level] <= _LEVELS[granted], (
            f"The nested job '{job.id}' is requesting '{scope}: {level}', "
            f"but is only allowed '{scope}: {granted}'"
        )
