"""The typed playbook the rest of the code reads; built by the loader from validated YAML."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, get_args

from regex import Pattern

from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook.conditions import Expression
from ops_actions.playbook.formats import DEFAULT_FORMAT, PROBE_FORMATS, BodyKind, ProbeFormat
from ops_actions.playbook.maintenance import MaintenanceWindow

if TYPE_CHECKING:
    from ops_actions.playbook.queries import Query

# Placeholders the communication template may use; the renderer fills exactly these.
TEMPLATE_PLACEHOLDERS = frozenset(
    {"severity", "timestamp", "title", "impact", "status", "next_update_minutes"}
)
AUTOMATIC_VERIFICATIONS = frozenset({"metrics-normal", "workflow-success"})
# The triage report's own top-level keys: the report carries every signal beside them, by its name
# (the seed's `ready_ok`, `db_ok`, …), so no signal may take one (``TriageReport.to_dict``).
REPORT_KEYS = frozenset(
    {
        "schema",
        "version",
        "started_at",
        "finished_at",
        "inputs",
        "backend_reachable",
        "probes",
        "signals",
        "rules",
        "severity",
        "branches",
        "steps",
        "diagnostics",
    }
)

# How many probes triage runs at once when the playbook does not say (triage.max_concurrent_probes).
DEFAULT_PROBE_CONCURRENCY: Final = 16


@dataclass(frozen=True)
class SeverityPolicy:
    """What a severity demands of the responders."""

    immediate_status_update: bool
    update_every_minutes: int


@dataclass(frozen=True)
class Severity:
    """A severity level; ``rank`` 0 is the most severe."""

    id: str
    label: str
    definition: str
    policy: SeverityPolicy
    rank: int


class Severities(tuple[Severity, ...]):
    """The playbook's severity levels, most severe first, and the one vocabulary for them.

    Every comparison of severities goes through these methods: their order (``rank``), which of
    two is worse, the most severe of several, and what people type (``2``, ``sev-2``, ``SEV-2``)
    read as a severity id, so the CLI, slash commands, alerts, triage and the incident core agree.
    """

    __slots__ = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The severity ids, most severe first."""
        return tuple(level.id for level in self)

    def rank(self, severity_id: str) -> int:
        """The severity's place in the order, 0 the most severe (KeyError when there is none)."""
        for level in self:
            if level.id == severity_id:
                return level.rank
        raise KeyError(severity_id)

    def more_severe(self, first: str, second: str) -> bool:
        """Whether severity ``first`` is worse than ``second``."""
        return self.rank(first) < self.rank(second)

    def most_severe(self, severity_ids: Iterable[str | None]) -> str | None:
        """The most severe of these severities, missing ones aside (None when there are none)."""
        known = [severity_id for severity_id in severity_ids if severity_id]
        return min(known, key=self.rank) if known else None

    def find(self, text: str) -> str | None:
        """The id of the severity ``text`` names, in any case: its id (``SEV-2``), its label
        (``sev-2``) or the number its id ends with (``2``); None when it names none."""
        wanted = text.strip().lower()
        for level in self:
            number = re.search(r"(\d+)$", level.id)
            if wanted in {level.id.lower(), level.label.lower()} or (number and wanted == number.group(1)):
                return level.id
        return None

    def parse(self, text: str) -> str:
        """The id of the severity ``text`` names (see :meth:`find`); OpsError naming the ids otherwise."""
        found = self.find(text)
        if found is None:
            raise OpsError(f"unknown severity {text!r}; the playbook has {', '.join(self.ids)}")
        return found


# Signal sources read from the answer's body, one per kind of body a format decodes to; the other
# sources are facts of the answer itself.
BODY_SOURCES = frozenset(get_args(BodyKind))


@dataclass(frozen=True)
class SignalSpec:
    """How one signal is read from a probe's answer: a query (json), a regex (text) or a fact."""

    name: str
    source: str
    type: str
    field: Query | None = None
    regex: Pattern[str] | None = None

    @property
    def volatile(self) -> bool:
        """It moves on every triage by itself (an age, a latency): a change in it alone is no news."""
        return self.type == "age_seconds" or self.source == "latency_ms"


@dataclass(frozen=True)
class Auth:
    """How a probe authenticates; the credential comes from the environment variable ``env``."""

    kind: str
    env: str | None = None
    header: str | None = None


NO_AUTH = Auth("none")


@dataclass(frozen=True)
class Probe:
    """One HTTP request triage sends to the backend."""

    id: str
    method: str
    path: str
    timeout_s: float
    signals: tuple[SignalSpec, ...]
    auth: Auth = NO_AUTH
    format: str = DEFAULT_FORMAT
    """The name of its answer's format, a key of PROBE_FORMATS."""
    diagnostic: bool = False
    prefetch: bool = False
    list_field: Query | None = None
    group_by: tuple[Query, ...] = ()
    body: Mapping[str, Any] | None = None
    samples: bool = False
    """Whether reports keep raw items of this diagnostic list (else counts, groups and hashes only)."""
    show: tuple[Query, ...] | None = None
    """The columns of the rows of this diagnostic list the issue and the report show (``()``: none);
    None: the default columns its items have."""
    when: Expression | None = None
    """Run only when this condition over the signals of the probes that always run is not false."""
    every_minutes: int | None = None
    """Run at most this often (as the watch history remembers), besides when ``when`` calls for it."""

    @property
    def gated(self) -> bool:
        """Whether the probe runs only when its ``when`` or ``every_minutes`` calls for it."""
        return self.when is not None or self.every_minutes is not None

    @property
    def answer_format(self) -> ProbeFormat:
        """How its answer is asked for and read: the registry entry of ``format``."""
        return PROBE_FORMATS[self.format]


@dataclass(frozen=True)
class Rule:
    """A condition over signals that decides a severity, points to a branch and names its cause.

    ``cause`` is resolved by the loader per ``causes.group_by``; ``alert_confirms`` (flap control)
    lets a firing alert fire the rule before its consecutive count is reached; ``holds_while``
    keeps a rule breached by the previous triage breached while it is true.
    """

    id: str
    when: Expression
    severity: str
    branch: str | None
    consecutive: int
    summary: str
    cause: str = ""
    alert_confirms: bool = False
    holds_while: Expression | None = None


@dataclass(frozen=True)
class MonitorWindow:
    """How long to watch metrics after a change, in minutes."""

    min: int
    max: int


@dataclass(frozen=True)
class Step:
    """A step of a checklist or a branch: a human check or an automated action."""

    id: str
    kind: str
    text: str
    only_for: tuple[str, ...] = ()
    only_if: str | None = None
    signals: tuple[str, ...] = ()
    expect_env: Mapping[str, str] = field(default_factory=dict)
    probe: str | None = None
    field: Query | None = None
    workflow: str | None = None
    minutes: MonitorWindow | None = None

    @property
    def automated(self) -> bool:
        """Whether the tool can carry the step out itself."""
        return self.kind != "check"


@dataclass(frozen=True)
class Branch:
    """A decision-tree branch: when it applies and its ordered steps."""

    id: str
    title: str
    condition: Expression
    steps: tuple[Step, ...]
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workflow:
    """A workflow the playbook dispatches, by role (deploy, rollback, smoke)."""

    role: str
    file: str
    name: str
    repository: str | None = None
    """OWNER/NAME of the repository the workflow lives in; None: the incidents' own repository."""


@dataclass(frozen=True)
class ChecklistItem:
    """An item of the resolution checklist and how it is verified."""

    id: str
    text: str
    verify: str
    minutes: int | None = None
    workflow: str | None = None

    @property
    def automatic(self) -> bool:
        """Whether the tool ticks the item itself."""
        return self.verify in AUTOMATIC_VERIFICATIONS


@dataclass(frozen=True)
class PostmortemSection:
    """A section of the postmortem people fill in."""

    id: str
    title: str
    prompt: str
    action_items: bool


@dataclass(frozen=True)
class PostmortemTemplate:
    """When the postmortem is due and what it holds."""

    due_hours: int
    sections: tuple[PostmortemSection, ...]


@dataclass(frozen=True)
class Remediation:
    """How remediation runs are followed and deploys frozen."""

    poll_seconds: int = 10
    timeout_minutes: int = 20
    freeze_label: str = "deploy-freeze"
    hotfix_branch: str = "hotfix/incident-{number}"


@dataclass(frozen=True)
class Escalation:
    """Whom the watch mentions when an incident has no owner after a while."""

    no_owner_after_minutes: int
    mention: tuple[str, ...]


@dataclass(frozen=True)
class NotifyTarget:
    """A webhook that receives status updates."""

    id: str
    kind: str
    url_env: str
    severities: tuple[str, ...]
    events: tuple[str, ...]
    audience: str = "public"
    """``internal`` (the team's channel) or ``public`` (customers: waits while an incident rests on
    unreachability from the runner alone, see ``Playbook.unreachable_public``)."""

    def wants(self, severity: str, event: str, *, always: bool) -> bool:
        """Whether an update of this severity and kind goes here (``always`` for SEV-1-like policies)."""
        if self.events and event not in self.events:
            return False
        return always or not self.severities or severity in self.severities


@dataclass(frozen=True)
class AlertMapping:
    """How alerts from monitors map onto the playbook."""

    severity_label: str = "severity"
    component_label: str = "component"
    severities: Mapping[str, str] = field(default_factory=dict)
    default_severity: str = ""


@dataclass(frozen=True)
class IncidentSeverityPolicy:
    """How an open incident's severity follows triage: raised at once, lowered only by a person."""

    raise_with_triage: bool = True
    propose_lower_after_minutes: int = 30


# How fired rules group into incidents (causes.group_by).
GROUPINGS = ("cause", "rule", "one")
ONE_CAUSE = "all"


@dataclass(frozen=True)
class FlapControl:
    """Rules that must fail this many triages in a row unless an alert confirms them."""

    failed_ticks: int = 2
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManualCheck:
    """Something the playbook asks people to judge because triage cannot measure it."""

    id: str
    text: str
    severities: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusPage:
    """What the public status page shows; its presence makes incident changes publish the page."""

    team: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    public_events: tuple[str, ...] = ("status", "resolved")
    outage_severities: tuple[str, ...] = ()
    postmortem_section: str | None = None
    internal_label: str = "internal"
    url: str | None = None
    """Where the page is published (its ``api/v2`` documents' links); None: the GitHub Pages address."""
    subscribers: tuple[Subscriber, ...] = ()


@dataclass(frozen=True)
class Subscriber:
    """A webhook endpoint told of every public incident change, in Statuspage's webhook shape."""

    id: str
    url_env: str
    """The environment variable holding its URL (a secret)."""
    secret_env: str
    """The environment variable holding the key its payloads are signed with (HMAC-SHA256)."""


# Every incident issue carries this label.
INCIDENT_LABEL: Final = "incident"
# The label that says which service an incident is about: ``service:<id>``.
SERVICE_LABEL_PREFIX: Final = "service:"


@dataclass(frozen=True)
class Service:
    """A service of a several-service playbook: what its incidents are called, and who owns it."""

    id: str
    name: str
    description: str | None = None
    environment: str = ""
    """The GitHub environment holding its backend secret and URL for the scheduled watch."""
    team: str | None = None
    """Who escalation mentions (a team or a user, ``@octo-org/payments``)."""
    channel_env: str | None = None
    """The environment variable with the webhook URL of the team's channel (its internal notifications)."""

    @property
    def label(self) -> str:
        """The label its incidents carry."""
        return f"{SERVICE_LABEL_PREFIX}{self.id}"


@dataclass(frozen=True)
class Playbook:
    """The whole playbook, or the view of it one service runs with (``service``)."""

    name: str
    scope_description: str | None
    components: tuple[str, ...]
    severities: Severities
    statuses: tuple[str, ...]
    url_env: str
    admin_token_env: str
    probes: tuple[Probe, ...]
    rules: tuple[Rule, ...]
    first_10_minutes: tuple[Step, ...]
    decision_tree: tuple[Branch, ...]
    workflows: Mapping[str, Workflow]
    communication_template: str
    resolution_checklist: tuple[ChecklistItem, ...]
    postmortem: PostmortemTemplate
    remediation: Remediation = Remediation()
    escalation: Escalation | None = None
    notify: tuple[NotifyTarget, ...] = ()
    alerts: AlertMapping = AlertMapping()
    watch_interval_minutes: int = 10
    severity_policy: IncidentSeverityPolicy = IncidentSeverityPolicy()
    group_by: str = "cause"
    flap_control: FlapControl = FlapControl()
    manual_checks: tuple[ManualCheck, ...] = ()
    status_page: StatusPage | None = None
    report_dir: str = "reports"
    """Where triage writes its JSON reports (relative to the working directory)."""
    probe_concurrency: int = DEFAULT_PROBE_CONCURRENCY
    """How many probes triage runs at once (``triage.max_concurrent_probes``)."""
    unreachable_public: str = "wait"
    """What customers hear of an incident opened on unreachability from the runner alone: ``wait``
    (the status page and public targets wait for a second signal) or ``at-once``."""
    maintenance: tuple[MaintenanceWindow, ...] = ()
    """The maintenance windows the playbook declares (on a service's view, those that cover it)."""
    services: tuple[Service, ...] = ()
    """The services the playbook declares, in its order, on the whole playbook and on every view; ()
    for a playbook of one service (the seed's)."""
    service: Service | None = None
    """The service this view is for; None on the whole playbook."""
    views: Mapping[str, Playbook] = field(default_factory=dict, repr=False, compare=False)
    """Each service's view, by id: the playbook with the keys the service sets replaced."""

    def for_service(self, service_id: str | None) -> Playbook:
        """The playbook one service runs with: the view of ``service_id``; the playbook itself when it
        declares no services and none is asked for. OpsError (exit 2) for an unknown service, and for
        none asked of a playbook of several (a command that works on one service must know which)."""
        if not self.services:
            if service_id:
                raise OpsError(f"--service {service_id}: the playbook declares no services", ExitCode.USAGE)
            return self
        ids = ", ".join(service.id for service in self.services)
        if not service_id:
            if self.service is not None:
                return self
            raise OpsError(f"the playbook has several services ({ids}): pass --service ID", ExitCode.USAGE)
        if service_id not in self.views:
            raise OpsError(f"unknown service {service_id!r}; the playbook has {ids}", ExitCode.USAGE)
        return self.views[service_id]

    @property
    def incident_labels(self) -> tuple[str, ...]:
        """The labels every incident of this view carries, to list them by: ``incident``, and the
        service's label on a service's view."""
        return (INCIDENT_LABEL, self.service.label) if self.service else (INCIDENT_LABEL,)

    def severity(self, severity_id: str) -> Severity:
        """The severity with this id (KeyError when there is none)."""
        for severity in self.severities:
            if severity.id == severity_id:
                return severity
        raise KeyError(severity_id)

    def branch(self, branch_id: str) -> Branch:
        """The branch with this id (KeyError when there is none)."""
        for branch in self.decision_tree:
            if branch.id == branch_id:
                return branch
        raise KeyError(branch_id)

    def credential_envs(self) -> tuple[str, ...]:
        """The environment variables the probes take credentials from, each once, in probe order."""
        names = (probe.auth.env for probe in self.probes if probe.auth.env)
        return tuple(dict.fromkeys(names))

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError when there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def probe(self, probe_id: str) -> Probe:
        """The probe with this id (KeyError when there is none)."""
        for probe in self.probes:
            if probe.id == probe_id:
                return probe
        raise KeyError(probe_id)
