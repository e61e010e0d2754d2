"""The decision tree's automated steps: dispatch Backend Deploy / rollback / Live Smoke, follow
the run to its conclusion, pick the rollback target, open a hotfix branch, and hold deploys
during a freeze.

A rollback that asks for the playbook's hotfix branch says so in the ``hotfix_branch`` input of
the rollback workflow; that workflow's own job, the only one holding ``contents: write``, opens the
branch at the SHA rolled back to once the rollback succeeded (``ops-actions hotfix-branch``). The
job that dispatches (the slash commands' job, or the CLI) never needs to write the repository.

Every step lands on the incident's timeline: the run link at once, the conclusion when it
comes. A slash command only dispatches (a comment workflow must not block for 20 minutes); the
scheduled watch then follows the run. ``ops-actions remediate --wait`` follows it itself.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ops_actions.errors import ExitCode, OpsError
from ops_actions.flows.incidents import IncidentService, Outcome
from ops_actions.flows.maintenance import known_windows
from ops_actions.flows.tracker_protocols import IssueView, RemediationTracker, Run
from ops_actions.incident.clock import iso
from ops_actions.incident.maintenance import freezing_windows
from ops_actions.incident.remediation_state import record_conclusion, record_dispatch
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.text.markdown import inert
from ops_actions.text.template import fill

# Runs can take a moment to appear after a dispatch answered 204; look a few times.
FIND_ATTEMPTS = 5
# The workflow input that carries the dispatching command's operation key; the example workflows put
# it in their run-name, so the run's title says which command created it.
OPERATION_INPUT = "operation"
# The rollback workflow's input that asks it to open the hotfix branch once the rollback succeeded.
HOTFIX_INPUT = "hotfix_branch"
# A rollback goes to a commit: a (short) SHA. A hotfix branch needs the full one (GitHub's "create a
# reference" takes "the SHA1 value for this reference", not an abbreviation).
COMMIT_SHA = re.compile(r"[0-9a-f]{7,40}")
FULL_SHA = re.compile(r"[0-9a-f]{40}")
# What `git check-ref-format --branch` refuses, in short: control characters, space ~ ^ : ? * [ \,
# "..", "@{", a leading "-", a trailing "/", "." or ".lock", and "//".
BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|^-|^/|/$|\.$|\.lock$|//|^@$")


@dataclass(frozen=True)
class Dispatched:
    """What a remediation did: the run, and how it ended if it was followed."""

    role: str
    run_id: int
    url: str
    conclusion: str | None
    already: bool = False
    """Dispatched before, for the same operation key (a re-run or a repeated delivery): not sent again."""
    ref: str = ""
    """What the run deploys or rolls back to (a ref or a SHA), when known."""
    hotfix_branch: str | None = None
    """The hotfix branch the rollback workflow was asked to open (after the rollback succeeded)."""


# How a deploy overrides a freeze, said wherever a freeze refuses one.
OVERRIDE_SYNTAX = (
    'ops-actions remediate deploy --override-reason "why", '
    "or run {workflow} with its input override_freeze_reason"
)


def rollback_target(deploys: Sequence[Run]) -> str | None:
    """The head SHA of the last successful deploy before the one running now.

    ``deploys`` is newest first. What runs now is the newest successful deploy (a failed deploy
    changed nothing); the target is the newest earlier success with another SHA.
    """
    successes = [run for run in deploys if run.conclusion == "success" and run.head_sha]
    if not successes:
        return None
    current = successes[0].head_sha
    return next((run.head_sha for run in successes[1:] if run.head_sha != current), None)


def active_freezes(incidents: IncidentService) -> list[tuple[IssueView, IncidentState]]:
    """Open incidents that hold a deploy freeze (one request): on a service's view, that service's only
    (a freeze is per service)."""
    labels = (*incidents.playbook.incident_labels, incidents.playbook.remediation.freeze_label)
    return [(issue, incidents.state_of(issue)) for issue in incidents.tracker.open_incidents(labels)]


def maintenance_freeze(incidents: IncidentService, now: datetime) -> str | None:
    """The maintenance window that freezes deploys now, as a refusal names it (``maintenance ID
    until END (title)``), or None; one listing of the ad hoc windows."""
    frozen = freezing_windows(known_windows(incidents.tracker, incidents.playbook, now), now)
    if not frozen:
        return None
    window = frozen[0]
    return f"maintenance {window.id} until {iso(window.end)} ({inert(window.title)})"


def record_override(
    incidents: IncidentService,
    frozen: Sequence[tuple[IssueView, IncidentState]],
    *,
    reason: str,
    by: str | None,
    run_url: str | None,
    key: str,
    now: datetime,
) -> None:
    """Put a deploy that overrides the freeze on the timeline of every incident that freezes deploys."""
    run = f" ({run_url})" if run_url else ""
    text = f"**Deploy freeze overridden** by {by or 'someone'}{run}: {inert(reason)}"
    for issue, state in frozen:
        event = TimelineEvent(
            f"{key}-{issue.number}", "freeze-override", iso(now), "deploy freeze overridden", text, state.key
        )

        def record(
            current: IncidentState, event: TimelineEvent = event
        ) -> tuple[IncidentState, TimelineEvent]:
            return current, event

        incidents.apply_to(issue, state, event.key, record)


class Remediator:
    """Dispatches and follows the playbook's remediation workflows for one incident (or none)."""

    def __init__(
        self,
        *,
        tracker: RemediationTracker,
        incidents: IncidentService,
        clock: Callable[[], datetime],
        say: Callable[[str], None],
        progress: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        elsewhere: Callable[[str], RemediationTracker] | None = None,
    ) -> None:
        """``elsewhere``: the tracker of a workflow's own repository (``workflows.<role>.repository``),
        OpsError when there is none for it; without it, every workflow is the incidents' repository's."""
        self.tracker = tracker
        self.elsewhere = elsewhere
        self.incidents = incidents
        self.playbook = incidents.playbook
        self.clock = clock
        self.say = say
        self.progress = progress
        self.sleep = sleep
        self.monotonic = monotonic

    def workflow(self, role: str) -> tuple[str, str]:
        """(file, name) of the playbook's workflow for a role."""
        workflow = self.playbook.workflows.get(role)
        if workflow is None:
            raise OpsError(f"the playbook names no '{role}' workflow (workflows: section)")
        return workflow.file, workflow.name

    def tracker_for(self, role: str | None) -> RemediationTracker:
        """The tracker of the repository the role's workflow lives in: the incidents' own unless the
        playbook names another (an unknown role, a run recorded before: the incidents' own)."""
        workflow = self.playbook.workflows.get(role or "")
        if workflow is None or workflow.repository is None:
            return self.tracker
        if self.elsewhere is None:
            raise OpsError(
                f"the {role} workflow lives in {workflow.repository}, and this run has no token for it",
                ExitCode.USAGE,
            )
        return self.elsewhere(workflow.repository)

    def check_freeze(self, override_reason: str | None) -> None:
        """Refuse a deploy during a freeze (an incident's, or a maintenance window's that freezes
        deploys) unless an override reason is given."""
        frozen = active_freezes(self.incidents)
        if frozen and not override_reason:
            issue, state = frozen[0]
            since = (state.freeze or {}).get("since", "?")
            raise OpsError(
                f"deploys are frozen by incident #{issue.number} since {since} "
                f"({(state.freeze or {}).get('reason', 'see the incident')}); to deploy anyway, give "
                f"a reason: {OVERRIDE_SYNTAX.format(workflow=self.workflow('deploy')[1])}",
                ExitCode.REFUSED,
            )
        window = None if frozen or override_reason else maintenance_freeze(self.incidents, self.clock())
        if window:
            raise OpsError(
                f"deploys are frozen by {window}; to deploy anyway, give a reason: "
                f"{OVERRIDE_SYNTAX.format(workflow=self.workflow('deploy')[1])}",
                ExitCode.REFUSED,
            )

    def check_inputs(self, role: str, *, incident: int | None, ref: str | None, hotfix: bool) -> None:
        """Refuse what cannot be right before anything is read or written: the ref's shape per role,
        and a hotfix branch only for a rollback of an incident (the branch is named after it); and a
        workflow in another repository needs its token."""
        self.workflow(role)
        self.tracker_for(role)
        if hotfix:
            if role != "rollback":
                raise OpsError(f"--hotfix-branch goes with rollback, not {role}")
            if incident is None:
                raise OpsError("--hotfix-branch needs --incident: the branch is named after the incident")
            self.hotfix_name(incident)  # a template that makes no branch name is refused before any write
        if ref is None:
            return
        if role == "smoke":
            raise OpsError(f"smoke takes no ref (got {ref!r}): it checks what is deployed")
        if role == "rollback" and not (FULL_SHA if hotfix else COMMIT_SHA).fullmatch(ref):
            wanted = "the full 40-hex commit SHA" if hotfix else "a commit SHA (7 to 40 hex digits)"
            raise OpsError(f"rollback to {ref!r}: give {wanted}, or no ref for the last good deploy")
        if role == "deploy" and (not ref or BAD_REF.search(ref)):
            raise OpsError(f"deploy {ref!r}: not a git branch, tag or SHA")

    def dispatch(
        self,
        role: str,
        *,
        incident: int | None,
        ref: str | None,
        key: str,
        by: str | None,
        override_reason: str | None = None,
        hotfix: bool = False,
    ) -> Dispatched:
        """Dispatch the role's workflow once per operation key, and put the run link on the timeline.

        Everything is read and checked before the one write that changes production: the inputs,
        the incident (it exists, is an incident and is open), the freeze, the rollback target. Then
        the key is looked for: in the incident's state and timeline (a re-run or a repeated delivery
        of the same command), then in the titles of the workflow's recent runs (an attempt that
        dispatched but stopped before it could record the run). Found, the run is reported as
        "already dispatched" and nothing is sent; else the dispatch carries the key. ``hotfix``
        (rollback of an incident): the run is asked, by its ``hotfix_branch`` input, to open the
        playbook's hotfix branch at the target once it succeeded.
        """
        self.check_inputs(role, incident=incident, ref=ref, hotfix=hotfix)
        done = self._dispatch(
            role, incident=incident, ref=ref, key=key, by=by, override_reason=override_reason, hotfix=hotfix
        )
        if hotfix and incident is not None:
            return replace(done, hotfix_branch=self.hotfix_name(incident))
        return done

    def _dispatch(
        self,
        role: str,
        *,
        incident: int | None,
        ref: str | None,
        key: str,
        by: str | None,
        override_reason: str | None,
        hotfix: bool,
    ) -> Dispatched:
        file, name = self.workflow(role)
        tracker = self.tracker_for(role)
        if incident is not None:
            # A production change is never the first thing done to an incident closed some other
            # way: it is refused as closed (the watch, or any incident command, reopens it first).
            issue, state = self.incidents.read(incident, settle=False)
            if state.has_applied(key):
                # Runs recorded before the entry kept its key: the role's latest stands for it.
                entry = next((run for run in reversed(state.runs) if run.get("key") == key), None) or next(
                    (run for run in reversed(state.runs) if run.get("role") == role), None
                )
                if entry is None:
                    return self._already(role, 0, issue.html_url)
                return self._already(role, int(entry["id"]), str(entry["url"]), str(entry.get("ref") or ""))
            self.incidents.require_open(issue, state, role)
        earlier = self._keyed_run(tracker, file, key)
        if earlier is not None:
            self._record(role, name, earlier, incident=incident, ref=ref or earlier.head_sha, by=by, key=key)
            return self._already(role, earlier.id, earlier.html_url, ref or earlier.head_sha)
        if role == "deploy":
            self.check_freeze(override_reason)
        inputs: dict[str, str] = {"incident": str(incident or ""), OPERATION_INPUT: key}
        target = ref
        if role == "rollback":
            target = ref or rollback_target(self.tracker_for("deploy").runs(self.workflow("deploy")[0]))
            if not target:
                raise OpsError("no earlier successful deploy to roll back to; give a SHA", ExitCode.USAGE)
            inputs["sha"] = target
            if hotfix:
                # Not optional: a rollback workflow without the input would drop the branch unseen;
                # GitHub's 422 "Unexpected inputs provided" then says so.
                inputs[HOTFIX_INPUT] = "true"
        branch = tracker.default_branch()
        if role == "deploy":
            inputs["ref"] = ref or branch
            if override_reason:
                inputs["override_freeze_reason"] = override_reason
        started = self.clock()
        try:
            run = tracker.dispatch(file, ref=branch, inputs=inputs, optional=(OPERATION_INPUT,))
            run = run or self._keyed_run(tracker, file, key) or self._find(tracker, file, started)
        except OpsError as error:
            if incident is not None:
                self._note(
                    incident,
                    key,
                    f"**{name}** could not be dispatched: {inert(error.message)}",
                    "dispatch-failed",
                )
            raise
        if run is None:
            message = f"{name} was dispatched but its run did not show up; check the Actions tab"
            if incident is not None:
                self._note(incident, key, f"**{message}**", "dispatch-lost")
            raise OpsError(message, ExitCode.GITHUB)
        self.say(f"{name} dispatched: {run.html_url}")
        self._record(role, name, run, incident=incident, ref=target or branch, by=by, key=key)
        return Dispatched(role, run.id, run.html_url, None, ref=target or branch)

    def _keyed_run(self, tracker: RemediationTracker, file: str, key: str) -> Run | None:
        """A recent run the tool dispatched whose title names the operation key.

        The key is no secret (a slash command's comes from the comment's id): anyone who may
        dispatch the workflow can start a run with it, so only a run the tool's identity in the
        workflow's repository created counts.
        """
        return next(
            (
                run
                for run in tracker.runs(file, event="workflow_dispatch")
                if key in run.title.split() and run.actor == tracker.login()
            ),
            None,
        )

    def _already(self, role: str, run_id: int, url: str, ref: str = "") -> Dispatched:
        self.say(f"already dispatched: {url}")
        return Dispatched(role, run_id, url, None, already=True, ref=ref)

    def _record(
        self, role: str, name: str, run: Run, *, incident: int | None, ref: str, by: str | None, key: str
    ) -> None:
        """The run on the incident's timeline and in its state (once per key)."""
        if incident is None:
            return
        self.incidents.apply(
            incident,
            key,
            lambda s: record_dispatch(
                s,
                role=role,
                name=name,
                run_id=run.id,
                url=run.html_url,
                ref=ref,
                now=self.clock(),
                by=by,
                key=key,
            ),
        )

    def _find(self, tracker: RemediationTracker, file: str, since: datetime) -> Run | None:
        """The run a 204 dispatch created, found by workflow, event, creation time and its actor: the tool."""
        for attempt in range(FIND_ATTEMPTS):
            run = tracker.find_run(file, since=since - timedelta(seconds=5), actor=tracker.login())
            if run is not None:
                return run
            self.sleep(min(2.0**attempt, 10.0))
        return None

    def _note(self, incident: int, key: str, text: str, kind: str) -> None:
        def note(state: IncidentState) -> tuple[IncidentState, TimelineEvent]:
            return state, TimelineEvent(
                f"{key}:{kind}", kind, iso(self.clock()), text.strip("*")[:120], text, state.key
            )

        self.incidents.apply(incident, f"{key}:{kind}", note)

    def follow(
        self, dispatched: Dispatched, *, incident: int | None, timeout_s: float, poll_s: float
    ) -> Dispatched:
        """Poll the run until it completes or the timeout passes; post the conclusion.

        With a ``progress`` printer (a terminal) one line is rewritten as the run goes; else a line
        is printed whenever its status changes."""
        live = self.progress
        poller = self.tracker_for(dispatched.role).watch_run(dispatched.run_id)
        started = self.monotonic()
        last = ""
        run: Run | None = None
        while True:
            latest = poller.poll()
            run = latest or run
            status = run.status if run else "queued"
            elapsed = int(self.monotonic() - started)
            line = f"{dispatched.role}: {status}, {elapsed // 60}m{elapsed % 60:02d}s, {dispatched.url}"
            if live is not None:
                live(line)
            elif status != last:
                self.say(line)
            last = status
            if run is not None and run.status == "completed":
                break
            if self.monotonic() - started >= timeout_s:
                if incident is not None:
                    self._note(
                        incident,
                        f"run-{dispatched.run_id}-timeout",
                        f"**Stopped following** {dispatched.url} "
                        f"after {int(timeout_s // 60)} min; the watch keeps following it.",
                        "follow-timeout",
                    )
                raise OpsError(
                    f"the run did not complete within {int(timeout_s // 60)} min: {dispatched.url}",
                    ExitCode.REMEDIATION_FAILED,
                )
            self.sleep(poll_s)
        if live is not None:
            self.say("")
        conclusion = run.conclusion or "unknown"
        if incident is not None:
            self.conclude(incident, run)
        return replace(dispatched, conclusion=conclusion)

    def conclude(self, incident: int, run: Run) -> Outcome:
        """Record a finished run on the incident (once per run)."""
        return self.incidents.apply(
            incident,
            f"run-{run.id}-concluded",
            lambda s: record_conclusion(
                self.playbook,
                s,
                run_id=run.id,
                conclusion=run.conclusion or "unknown",
                head_sha=run.head_sha,
                now=self.clock(),
                key=f"run-{run.id}-concluded",
            ),
        )

    def hotfix_name(self, incident: int) -> str:
        """The playbook's hotfix branch name for the incident; OpsError when it is no branch name."""
        name = fill(self.playbook.remediation.hotfix_branch, {"number": incident})
        if BAD_REF.search(name):
            raise OpsError(f"the playbook's remediation.hotfix_branch makes {name!r}: not a branch name")
        return name

    def open_hotfix_branch(self, incident: int, sha: str) -> str:
        """Create the playbook's hotfix branch for the incident at ``sha`` (the SHA rolled back to),
        note it on the incident once, and return what happened.

        A retried rollback meets the branch it made: at the same SHA that is "already exists", at
        another the branch is left where it is and the line says where. Everything is checked
        before the one write: the SHA (GitHub's create-a-reference takes the full one), the name,
        and the incident."""
        if not FULL_SHA.fullmatch(sha):
            raise OpsError(f"hotfix branch at {sha!r}: give the full 40-hex commit SHA")
        name = self.hotfix_name(incident)
        self.incidents.read(incident, settle=False)
        found = self.tracker.create_branch(name, sha)
        if found is None:
            text = f"**Hotfix branch** `{name}` created at `{sha[:12]}`."
        elif found == sha:
            text = f"**Hotfix branch** `{name}` already exists at `{sha[:12]}`."
        else:
            text = (
                f"**Hotfix branch** `{name}` already exists at `{found[:12]}`, not at the rolled-back "
                f"`{sha[:12]}`: left where it is."
            )
        self._note(incident, f"hotfix-{sha}", text, "hotfix")
        return text.replace("**", "").replace("`", "")
